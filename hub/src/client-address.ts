import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** What TRUST_PROXY becomes for Fastify (hub/src/server.ts): which hops in front of the hub to believe. */
export type TrustProxy = boolean | string | string[] | ((address: string, hop: number) => boolean);

/**
 * The address a raw request (a socket.io handshake, which Fastify never sees) came from, read the
 * way Fastify reads `request.ip` under the same trust setting: behind trusted proxies, the nearest
 * untrusted address in X-Forwarded-For; otherwise the peer's address.
 */
export function clientAddress(trust: TrustProxy | undefined): (req: IncomingMessage) => string {
  if (!trust) return (req) => req.socket.remoteAddress ?? '';
  const fn =
    typeof trust === 'function'
      ? trust
      : trust === true
        ? () => true
        : proxyAddr.compile(typeof trust === 'string' ? trust.split(',').map((s) => s.trim()) : trust);
  return (req) => proxyAddr(req, fn);
}
