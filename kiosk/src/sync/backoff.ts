/**
 * Delay before the n-th retry (n from 0): exponential from `baseMs`, capped,
 * with "full jitter" so a street of kiosks coming back after a hub restart do
 * not all retry in the same instant.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 1000, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
