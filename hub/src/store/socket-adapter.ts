import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { ServerOptions } from 'socket.io';

/** What socket.io's `adapter` option takes: how its namespaces reach the sockets of other processes. */
export type SocketAdapter = NonNullable<ServerOptions['adapter']>;

/**
 * The adapter's timings. A process publishes a heartbeat on each namespace when
 * it has sent nothing for HEARTBEAT_MS; one not heard of for HEARTBEAT_TIMEOUT_MS
 * is taken for dead (a question to every process then stops waiting for it).
 * Attachments (messages over NOTIFY's 8000 bytes) are read within milliseconds
 * of their notification; those older than CLEANUP_MS are deleted every CLEANUP_MS.
 */
export const ADAPTER_TIMINGS = { heartbeatInterval: 3_000, heartbeatTimeout: 10_000, cleanupInterval: 60_000 } as const;

export interface PostgresSocketAdapters {
  /** A new adapter for one socket.io server, on a pool of its own (below). */
  create(onError: (err: Error) => void): SocketAdapter;
  /**
   * Ends the adapters' pools. The socket.io servers close their adapters first (app.ts preClose);
   * a store closed under a running server (the database gone) does not wait for it: its pool
   * refuses new queries (the adapter reports them as errors) and ends its LISTEN connection when
   * the server closes and gives it back.
   */
  close(): Promise<void>;
}

/**
 * Socket.io's adapter over PostgreSQL (@socket.io/postgres-adapter,
 * docs/architecture.md "Several hub processes"): a room broadcast, a
 * disconnectSockets() or a question to every process (serverSideEmit) made in
 * one hub process reaches the sockets of every process on the database, by
 * NOTIFY on a channel per namespace. Its table, socket_io_attachments, is made by
 * the migrations (migrations-postgres.ts, version 27).
 *
 * Each adapter has a pool of two connections, apart from the store's: one
 * holds the LISTEN for the whole life of the server, the other sends. One
 * sender sends in order, so what a process pushes arrives everywhere in the
 * order it was pushed (a revoked tablet hears `kiosk:revoked` before it is cut).
 */
export function postgresSocketAdapters(url: string): PostgresSocketAdapters {
  const pools: pg.Pool[] = [];
  return {
    create(onError) {
      const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000, application_name: 'checkin-sockets' });
      // An idle connection's error (the server restarted): the pool drops it, the adapter listens again.
      pool.on('error', onError);
      // The adapter's LISTEN connection is checked out for good and has no 'error' listener of its own: a server
      // shutting down (57P01) would end the hub. Heard here, it ends the connection, and the adapter listens again.
      pool.on('connect', (client) => client.on('error', onError));
      pools.push(pool);
      return createAdapter(pool, { ...ADAPTER_TIMINGS, errorHandler: onError });
    },
    async close() {
      await Promise.all(
        pools.splice(0).map((pool) => {
          const ended = pool.end().catch(() => undefined);
          // pool.end() waits for every connection to be given back, the LISTEN one too.
          return pool.totalCount > pool.idleCount ? undefined : ended;
        }),
      );
    },
  };
}
