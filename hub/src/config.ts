import { resolve } from 'node:path';
import { z } from 'zod';
import { issuePath } from '../../shared/schemas/errors.js';

/** The hub's environment, validated with zod at start like every boundary: a bad value stops the hub with a message naming the variable. */
export const HubEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the SQLite file (hub.sqlite) and the key file (hub-keys.json) live. */
  DATA_DIR: z.string().min(1).default('data'),
  /**
   * A PostgreSQL database to keep everything in instead of the SQLite file
   * (postgres://user:password@host:5432/name): several hubs can share one. Unset: SQLite.
   */
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/i, 'a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The built kiosk app the hub serves at /kiosk/. */
  KIOSK_DIST: z.string().min(1).default('kiosk/dist'),
  /** The hub's own page scripts (patron page, pass) it serves at /ui/. */
  UI_DIST: z.string().min(1).default('hub/ui/dist'),
  /**
   * Behind a TLS reverse proxy: trust its X-Forwarded-* headers, so rate limits count each
   * phone, not the proxy. `true` (any), a hop count, or a comma-separated list of proxy addresses.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'true, false, a hop count, or proxy addresses separated by commas')
    .default('false')
    .transform((v): boolean | number | string[] => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(','))),
  /** The address tablets reach the hub at (e.g. the TLS proxy), used in printed links and QR codes. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /**
   * The bearer token Prometheus sends to GET /metrics. Unset: /metrics answers clients on this
   * machine only (docs/security.md "Metrics").
   */
  METRICS_TOKEN: z
    .string()
    .min(32, 'at least 32 characters (e.g. `openssl rand -hex 32`)')
    .max(512)
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'letters, digits and . _ ~ + / = - only (a bearer token)')
    .optional(),
});
export type HubEnv = z.infer<typeof HubEnv>;

export interface HubConfig {
  port: number;
  host: string;
  /** The SQLite file (DATA_DIR/hub.sqlite): where the store is unless databaseUrl is set. */
  dbFile: string;
  /** DATABASE_URL: the PostgreSQL database, when the store is there. */
  databaseUrl: string | undefined;
  /** What openStore opens: databaseUrl when set, else dbFile. */
  store: string;
  /** The hub's signing and encryption keys (hub/src/keys.ts); never inside the database. */
  keysFile: string;
  logLevel: HubEnv['LOG_LEVEL'];
  kioskDist: string;
  uiDist: string;
  trustProxy: boolean | number | string[];
  publicUrl: string | undefined;
  metricsToken: string | undefined;
}

/** Parses the environment, or throws an Error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const parsed = HubEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${issuePath(i.path)}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dbFile: resolve(e.DATA_DIR, 'hub.sqlite'),
    databaseUrl: e.DATABASE_URL,
    store: e.DATABASE_URL ?? resolve(e.DATA_DIR, 'hub.sqlite'),
    keysFile: resolve(e.DATA_DIR, 'hub-keys.json'),
    logLevel: e.LOG_LEVEL,
    kioskDist: resolve(e.KIOSK_DIST),
    uiDist: resolve(e.UI_DIST),
    trustProxy: e.TRUST_PROXY,
    publicUrl: e.PUBLIC_URL,
    metricsToken: e.METRICS_TOKEN,
  };
}
