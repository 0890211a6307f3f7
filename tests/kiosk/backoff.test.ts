import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../kiosk/src/sync/backoff.js';

describe('backoffDelay', () => {
  it('doubles from 1 s with jitter between half and the whole step', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(8000);
  });
  it('never waits more than 30 s, however many attempts', () => {
    expect(backoffDelay(10, () => 1)).toBe(30_000);
    expect(backoffDelay(10_000, () => 1)).toBe(30_000);
  });
});
