import { MAX_RETRY_AFTER_MS } from '../../../shared/schemas/errors.js';

/**
 * Delay before the n-th retry (n from 0) of a batch the hub did not take (a
 * lost ack, a refusal other than `rate_limited`) or of a handshake it refused
 * for another reason: exponential from `baseMs`, capped, somewhere between
 * half and the whole step so tablets failing together do not retry together.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 1000, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Delay before the n-th (from 0) reconnect the kiosk makes itself (after the
 * hub closed the socket, as it does to every tablet when it restarts):
 * uniform over [0, min(capMs, 2 × delayMs × 2^n)]. That is the range
 * socket.io-client's own backoff covers with `randomizationFactor: 1` (its
 * n-th delay is delayMs × 2^n, moved up or down by up to all of itself, then
 * capped), so the kiosk's reconnects and socket.io's spread alike; called with
 * the socket's own `reconnectionDelay()` and `reconnectionDelayMax()`. Unlike
 * socket.io's (ten bands with gaps between them, and every draw above the cap
 * falling on the cap itself), it is uniform: no instant gets more tablets than
 * another.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random, delayMs = 3000, capMs = 10_000): number {
  const ceiling = Math.min(capMs, 2 * delayMs * 2 ** Math.min(attempt, 20));
  return Math.round(random() * ceiling);
}

/**
 * The wait before sending again when the hub asked for `retryAfterMs`: never
 * less than asked (clamped to 0…MAX_RETRY_AFTER_MS, the most the protocol
 * allows), plus a random part of up to `spread` × retryAfterMs (and at least
 * up to `minJitterMs`), so tablets told the same figure in the same second do
 * not come back in the same instant. A refused or slowed batch takes the
 * default 20 %; a refused handshake `HANDSHAKE_SPREAD`.
 */
export function retryAfterDelay(retryAfterMs: number, random: () => number = Math.random, spread = 0.2, minJitterMs = 250): number {
  const asked = Number.isFinite(retryAfterMs) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, retryAfterMs)) : 0;
  return Math.round(asked + random() * Math.max(minJitterMs, asked * spread));
}

/**
 * A hub refusing handshakes is taking a crowd of tablets back at once (a
 * restart): each one returns somewhere in the period after the one asked,
 * rather than all together at its end.
 */
export const HANDSHAKE_SPREAD = { spread: 1, minJitterMs: 1000 } as const;
