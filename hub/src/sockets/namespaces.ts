import type { Server } from 'socket.io';

/**
 * The hub serves two namespaces, `/kiosk` and `/dashboard`, each behind its own authentication.
 * socket.io always has the default namespace `/`, which would take any socket without a check and
 * hold it open for as long as it answers pings: a socket there is refused and its connection closed
 * (docs/security.md "Sockets"). Other unknown namespaces socket.io refuses itself.
 */
export function refuseOtherNamespaces(io: Pick<Server, 'of'>): void {
  io.of('/').use((socket, next) => {
    next(Object.assign(new Error('this hub serves /kiosk and /dashboard only'), { data: { code: 'not_found', message: 'this hub serves /kiosk and /dashboard only' } }));
    setImmediate(() => socket.conn.close());
  });
}
