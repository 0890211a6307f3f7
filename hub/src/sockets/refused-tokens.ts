import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';

/** Bad kiosk tokens one address may present in `windowS` before it is told to wait (docs/security.md "Sockets"). */
export const BAD_TOKENS_PER_ADDRESS = 20;
const WINDOW_S = 60;
/** How often the refusals of the last period are written to the log as one line. */
const SUMMARY_EVERY_MS = 60_000;

export interface RefusedTokens {
  /**
   * A handshake from this address carried an unknown or revoked token: counted, and the
   * milliseconds the address is to wait before it tries again (0 while under the limit).
   */
  refused(address: string): Promise<number>;
  close(): void;
}

/**
 * Handshakes with a bad kiosk token, counted per address (rate-limiter-flexible's in-memory
 * limiter): past `BAD_TOKENS_PER_ADDRESS` in a minute a bad token is answered `rate_limited` with
 * the time left in the minute, so a well-behaved client waits. The log gets the first refusal of each address once, then one summary line a minute
 * (how many, from how many addresses, the busiest five), never a line per try.
 */
export function createRefusedTokens(log: FastifyBaseLogger, limit = BAD_TOKENS_PER_ADDRESS): RefusedTokens {
  const limiter = new RateLimiterMemory({ points: limit, duration: WINDOW_S });
  let counts = new Map<string, number>();
  const logged = new Set<string>();
  const summary = setInterval(() => {
    if (counts.size === 0) return;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const busiest = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([address, n]) => ({ address, n }));
    log.warn({ refused: total, addresses: counts.size, busiest, periodS: SUMMARY_EVERY_MS / 1000 }, 'kiosk sockets refused: unknown or revoked tokens');
    counts = new Map();
    logged.clear();
  }, SUMMARY_EVERY_MS);
  summary.unref();
  return {
    async refused(address) {
      const state = await limiter.penalty(address, 1);
      if (!logged.has(address)) {
        logged.add(address);
        log.warn({ address }, 'kiosk socket refused: unknown or revoked token (further refusals from this address are summarised once a minute)');
      } else {
        counts.set(address, (counts.get(address) ?? 0) + 1);
      }
      return state.consumedPoints > limit ? state.msBeforeNext : 0;
    },
    close: () => clearInterval(summary),
  };
}
