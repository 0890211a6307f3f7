import Fastify, { type FastifyInstance } from 'fastify';
import { pathToFileURL } from 'node:url';
import { hubApp } from './app.js';
import { loadConfig, type HubConfig } from './config.js';
import { errorServerOptions } from './errors.js';
import { loadOrCreateKeys } from './keys.js';
import { openStore, type Store } from './store/index.js';

export interface RunningHub {
  app: FastifyInstance;
  store: Store;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the store, lets the caller prepare it (the demo seeds a street),
 * listens, and closes gracefully on SIGINT/SIGTERM. Nothing else.
 */
export async function startHub(
  config: HubConfig,
  prepare?: (store: Store) => Promise<void>,
): Promise<RunningHub> {
  const keys = await loadOrCreateKeys(config.keysFile);
  const store = await openStore(config.store);
  if (prepare) await prepare(store);
  const hops = config.trustProxy;
  // A hop count trusts that many proxies in front of the hub.
  const trustProxy = typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops;
  const app = Fastify({ logger: { level: config.logLevel }, forceCloseConnections: true, trustProxy, ...errorServerOptions });
  await app.register(hubApp, { store, keys, kioskDist: config.kioskDist, uiDist: config.uiDist, publicUrl: config.publicUrl, trustProxy, metricsToken: config.metricsToken });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await store.close();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'closing');
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'close failed');
          process.exit(1);
        },
      );
    });
  }
  return { app, store, url, close };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const hub = await startHub(loadConfig());
    hub.app.log.info(`hub listening on ${hub.url}`);
  } catch (err) {
    process.stderr.write(`hub failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
