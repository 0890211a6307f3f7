import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Server } from 'socket.io';
import { errorServerOptions, HttpError, installErrorHandlers } from './errors.js';
import { PUSH_BUFFER_BYTES } from '../../shared/schemas/sync.js';
import { SESSION_COOKIE, sessionAccount } from './auth.js';
import { authRoutes } from './routes/auth/index.js';
import { bookingPageRoutes } from './routes/booking-pages/index.js';
import { dashboardAppRoutes } from './routes/dashboard-app/index.js';
import { dashboardRoutes } from './routes/dashboard/index.js';
import { oversightRoutes } from './routes/oversight/index.js';
import { faviconRoutes } from './routes/favicon/index.js';
import { healthRoutes } from './routes/health/index.js';
import { metricsRoutes } from './routes/metrics/index.js';
import { kioskAppRoutes } from './routes/kiosk-app/index.js';
import { kioskRoutes } from './routes/kiosks/index.js';
import { patronRoutes } from './routes/patron/index.js';
import { policyRoutes } from './routes/policy/index.js';
import { organisationRoutes } from './routes/organisation/index.js';
import { registryRoutes } from './routes/registry/index.js';
import { streetSecurityRoutes } from './routes/street-security/index.js';
import { endQuietRuns } from './services/login-guard.js';
import { suspensionRoutes } from './routes/suspensions/index.js';
import { inspectionRoutes } from './routes/inspections/index.js';
import { tracingRoutes } from './routes/tracing/index.js';
import { bookingRoutes } from './routes/booking/index.js';
import { registerUiAssets } from './routes/patron/ui-assets.js';
import type { HubKeys } from './keys.js';
import { createHubMetrics } from './metrics.js';
import { createSingletons } from './singletons.js';
import { startFlagSweep } from './services/flags.js';
import { startPolicyScheduler } from './services/policy-schedule.js';
import { startRetentionJob } from './services/retention.js';
import type { Flag } from '../../shared/schemas/flags.js';
import { dropEndedSessions, pushFlags, registerDashboardSockets } from './sockets/dashboards.js';
import { registerKioskSockets, type KioskLimits, type KioskServer } from './sockets/kiosks.js';
import type { Store } from './store/index.js';
import { clientAddress, type TrustProxy } from './client-address.js';
import { csrfHmacKey, csrfUserInfo } from './auth.js';
import { refuseOtherNamespaces } from './sockets/namespaces.js';
import type { AccountView } from '../../shared/schemas/account.js';

/**
 * What is worth compressing: @fastify/compress's own list (text but not event streams, JSON, XML,
 * octet streams) and WebAssembly, the kiosk's QR decoder (1.1 MB, 0.46 MB gzipped).
 */
const COMPRESSIBLE = /^text\/(?!event-stream)|(?:\+|\/)json(?:;|$)|(?:\+|\/)text(?:;|$)|(?:\+|\/)xml(?:;|$)|octet-stream(?:;|$)|^application\/wasm(?:;|$)/;

export interface AppOptions {
  store: Store;
  kioskDist: string;
  /** The hub's own pages' scripts (hub/ui/dist). */
  uiDist: string;
  /** Pass signing and contact encryption keys (keys.ts). */
  keys: HubKeys;
  /** The address phones and tablets reach the hub at (PUBLIC_URL), for links and QR codes. */
  publicUrl?: string | undefined;
  /** The clock, injectable for tests. */
  now?: () => number;
  /** The account behind a dashboard socket's cookie header; by default the session cookie, as the API. */
  authenticateDashboard?: (cookieHeader: string | undefined) => Promise<AccountView | undefined>;
  /** Backpressure limits of the kiosk sockets (sockets/kiosks.ts KIOSK_LIMITS by default). */
  kioskLimits?: Partial<KioskLimits>;
  /** The proxies in front of the hub to believe (TRUST_PROXY, as Fastify's `trustProxy`), so a socket's address is the client's. */
  trustProxy?: TrustProxy;
  /** The bearer token GET /metrics asks for (METRICS_TOKEN); without one it answers loopback clients only. */
  metricsToken?: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    io: KioskServer;
    store: Store;
  }
}

/**
 * The hub as a plugin (STYLE.md "Hub"): external plugins, then the store and
 * sockets, then routes. It never listens; server.ts and the tests do.
 */
export const hubApp = fp<AppOptions>(
  async (app, { store, kioskDist, uiDist, keys, publicUrl, now = Date.now, authenticateDashboard, kioskLimits, trustProxy, metricsToken }) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandlers(app);

    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          // Hubs on a LAN may be reached over plain HTTP; do not rewrite to https.
          upgradeInsecureRequests: null,
          // The kiosk's pass scanner decodes QR codes in WebAssembly (zxing-wasm, served from here);
          // no other page may compile any.
          'script-src': ["'self'", (req) => ((req as { url?: string }).url?.startsWith('/kiosk/') ? "'wasm-unsafe-eval'" : '')],
          'worker-src': ["'self'"],
          'manifest-src': ["'self'"],
          // Stylesheets from the hub only (helmet's default also allows any https: origin). The
          // server-rendered pages keep their CSS in one <style> block, hence 'unsafe-inline'; no
          // page has a style attribute.
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      },
    });
    // Every response a client accepts compressed (brotli, else gzip) and worth it (1 kB or more) is
    // compressed: the dashboard's script shrinks to a third on an inspector's mobile link
    // (docs/operations.md "Compression and caching"). Socket.io answers on the server's own request
    // listener, not through Fastify, so its transports are untouched; event streams are never
    // compressed (COMPRESSIBLE leaves text/event-stream out). Request bodies are not
    // inflated: no client of the hub sends them compressed, and inflating would let a small body
    // grow past the size limits the routes declare.
    await app.register(compress, { encodings: ['br', 'gzip'], customTypes: COMPRESSIBLE, globalDecompression: false });
    // A page is revalidated on every load unless its route says more (the patron pages carry a
    // pass and say no-store): a tablet or phone never shows an old page after an update.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('cache-control') && /^text\/html/i.test(String(reply.getHeader('content-type') ?? ''))) {
        reply.header('cache-control', 'no-cache');
      }
      return payload;
    });
    await app.register(rateLimit, { global: false });
    await app.register(cookie);
    // CSRF secret in its own cookie, token in the x-csrf-token header of every inspector's state
    // change, and the token bound to the session it was fetched under (docs/security.md "CSRF"):
    // a token and cookie pair minted by anyone else fails beside an inspector's session cookie.
    await app.register(csrf, {
      cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict' },
      getUserInfo: csrfUserInfo,
      csrfOpts: { hmacKey: csrfHmacKey(keys) },
    });

    app.decorate('store', store);
    const io: KioskServer = new Server(app.server, {
      serveClient: false,
      // Above the largest push a kiosk sends (MAX_PUSH_BYTES), so a larger one is answered with
      // `too_large` rather than cutting the connection.
      maxHttpBufferSize: PUSH_BUFFER_BYTES,
      // On PostgreSQL, pushes reach the sockets of every hub process on the database
      // (docs/architecture.md "Several hub processes"); on SQLite, socket.io's in-memory adapter.
      ...(store.socketAdapter ? { adapter: store.socketAdapter((err) => app.log.warn({ err }, 'socket adapter between hub processes: PostgreSQL error')) } : {}),
    });
    app.decorate('io', io);
    // Only the kiosks' and dashboards' namespaces are served (docs/security.md "Sockets").
    refuseOtherNamespaces(io);
    // The jobs one process of the street runs, and what /metrics shows (docs/operations.md "Metrics").
    const singletons = createSingletons(store.leases, { log: app.log });
    const metrics = createHubMetrics({ io, store, singletons });
    // A route answered 500 by the one error handler: nearly always the database.
    app.addHook('onError', async (_request, _reply, err) => {
      if (!(err instanceof HttpError) && (err.statusCode ?? 500) >= 500) metrics.dbError('http');
    });
    const kioskSockets = registerKioskSockets(io, { store, keys, now, log: app.log, limits: kioskLimits, address: clientAddress(trustProxy), meter: metrics });
    // Dashboards authenticate with the same session cookie as the API; a session whose one-time
    // password is not yet changed gets no live feed either.
    const sessions = sessionAccount(store, now);
    const authenticate =
      authenticateDashboard ??
      (async (header: string | undefined) => {
        const account = await sessions(app.parseCookie(header ?? '')[SESSION_COOKIE]);
        return account?.mustChangePassword ? undefined : account;
      });
    registerDashboardSockets(io, { authenticate, log: app.log, meter: metrics });
    const dropEnded = () =>
      dropEndedSessions(io, authenticate).catch((err: unknown) => {
        metrics.dbError('read');
        app.log.error({ err }, 'could not check dashboard sessions');
      });
    // Sessions also end by expiry or a password reset (npm run admin): checked every minute.
    // Guessing runs that went quiet are summarised on the same beat (docs/security.md "Rate limits").
    const sessionCheck = setInterval(() => {
      void dropEnded();
      endQuietRuns({ store, log: app.log }, now()).catch((err: unknown) => app.log.error({ err }, 'could not end quiet login guessing runs'));
    }, 60_000);
    sessionCheck.unref();
    // Flag rules that need time to pass (kiosk silent, finished hours, ledgers), every minute.
    let stopSweep: () => void | Promise<void> = () => {};
    let stopScheduler: () => void | Promise<void> = () => {};
    let stopRetention: () => void | Promise<void> = () => {};
    app.addHook('onReady', async () => {
      stopSweep = singletons.run('flag_sweep', () => startFlagSweep(store, io, now, app.log));
      // Switches set for later: applied on start too, so a hub that was down at the due time catches up.
      stopScheduler = singletons.run('policy_schedule', () => startPolicyScheduler({ store, io, now, log: app.log }));
      // Contact numbers past their retention period: removed at start, then hourly (docs/security.md).
      stopRetention = singletons.run('retention_purge', () => startRetentionJob(store, now, app.log));
    });
    app.addHook('preClose', async () => {
      await stopSweep();
      await stopScheduler();
      await stopRetention();
      metrics.close();
      clearInterval(sessionCheck);
      kioskSockets.close();
      // This process's sockets only: through the adapter, a plain disconnectSockets() would cut other processes' too.
      io.local.disconnectSockets(true);
      io.engine.close();
      // The adapters' timers and their LISTEN connection (PostgreSQL): ended before the store closes their pool.
      await Promise.allSettled([...io._nsps.values()].map((nsp) => nsp.adapter.close()));
    });

    await app.register(faviconRoutes);
    await app.register(healthRoutes, { store, now, meter: metrics });
    await app.register(metricsRoutes, { metrics, token: metricsToken });
    await app.register(authRoutes, { store, keys, now, sessionEnded: dropEnded });
    await app.register(streetSecurityRoutes, { store, now });
    await app.register(kioskRoutes, { store, keys, now, publicUrl });
    await app.register(kioskAppRoutes, { kioskDist });
    const ui = await registerUiAssets(app, uiDist);
    await app.register(patronRoutes, { store, keys, now, ui, publicUrl });
    await app.register(bookingPageRoutes, { store, now, ui });
    // To the rooms of each flag's community, street, district and city; a failed push is logged (dashboards re-read on connect).
    const flagsToDashboards = (flags: Flag[]) => pushFlags(io, store.organisation, flags).catch((err: unknown) => app.log.error({ err }, 'could not push flags to dashboards'));
    await app.register(dashboardRoutes, { store, now, pushFlags: flagsToDashboards });
    await app.register(oversightRoutes, { store, now });
    await app.register(suspensionRoutes, { store, io, now });
    await app.register(inspectionRoutes, { store, now, pushFlags: flagsToDashboards });
    await app.register(policyRoutes, { store, io, now });
    await app.register(registryRoutes, { store, now });
    await app.register(tracingRoutes, { store, keys, now });
    await app.register(organisationRoutes, { store, now });
    await app.register(bookingRoutes, { store, keys, now, publicUrl });
    await app.register(dashboardAppRoutes, { ui });
  },
  { name: 'hub-app' },
);

/** A Fastify instance with the hub registered and ready, not listening. */
export async function buildHub(opts: AppOptions, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...errorServerOptions, ...server });
  await app.register(hubApp, opts);
  await app.ready();
  return app;
}
