import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { Manager, io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HANDSHAKE_SPREAD, backoffDelay, reconnectDelay, retryAfterDelay } from '../../kiosk/src/sync/backoff.js';
import { SyncClient } from '../../kiosk/src/sync/sync-client.js';
import { MAX_RETRY_AFTER_MS } from '../../shared/schemas/errors.js';

/** `n` evenly spaced draws of Math.random over [0, 1), for a distribution without chance. */
const grid = (n: number) => Array.from({ length: n }, (_, i) => i / n);

/** The most of `delays` that fall in any one window of `windowMs`, as a share of them all. */
function busiestWindow(delays: number[], windowMs: number): number {
  const sorted = [...delays].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! < sorted[i]! - windowMs + 1) j++;
    most = Math.max(most, i - j + 1);
  }
  return most / sorted.length;
}

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

describe('reconnectDelay', () => {
  it('spreads the first reconnect uniformly over 0–6 s, then doubles the range, capped at 10 s', () => {
    expect(reconnectDelay(0, () => 0)).toBe(0);
    expect(reconnectDelay(0, () => 0.5)).toBe(3000);
    expect(reconnectDelay(0, () => 0.999_999)).toBe(6000);
    expect(reconnectDelay(1, () => 0.5)).toBe(5000);
    expect(reconnectDelay(1, () => 0.999_999)).toBe(10_000);
    expect(reconnectDelay(3, () => 0.999_999)).toBe(10_000);
    expect(reconnectDelay(10_000, () => 0.5)).toBe(5000);
    expect(reconnectDelay(2, () => 0.5, 3000, 30_000)).toBe(12_000);
  });

  it('puts no more than a sixth of 2,000 tablets in any one second of their first reconnect', () => {
    const delays = grid(2000).map((r) => reconnectDelay(0, () => r));
    expect(Math.max(...delays)).toBeLessThanOrEqual(6000);
    expect(busiestWindow(delays, 1000)).toBeLessThanOrEqual(1 / 6 + 0.001);
  });

  it('takes the figures it is given (the socket\'s own options)', () => {
    expect(reconnectDelay(0, () => 0.5, 1000, 30_000)).toBe(1000);
    expect(reconnectDelay(5, () => 0.5, 1000, 10_000)).toBe(5000);
  });
});

describe('retryAfterDelay', () => {
  it('never comes back before the wait the hub asked for, and at most a fifth of it later', () => {
    expect(retryAfterDelay(5000, () => 0)).toBe(5000);
    expect(retryAfterDelay(5000, () => 0.999_999)).toBe(6000);
    for (const r of grid(100)) {
      const d = retryAfterDelay(300, () => r);
      expect(d).toBeGreaterThanOrEqual(300);
      // Under a second asked: the jitter is a quarter of a second, not a fifth of almost nothing.
      expect(d).toBeLessThanOrEqual(550);
    }
  });

  it('spreads a refused handshake over the whole period after the one asked, at least a second', () => {
    const { spread, minJitterMs } = HANDSHAKE_SPREAD;
    expect(retryAfterDelay(4000, () => 0, spread, minJitterMs)).toBe(4000);
    expect(retryAfterDelay(4000, () => 0.999_999, spread, minJitterMs)).toBe(8000);
    expect(retryAfterDelay(0, () => 0.999_999, spread, minJitterMs)).toBe(1000);
  });

  it('keeps to what the protocol allows whatever it is given', () => {
    expect(retryAfterDelay(-5, () => 0)).toBe(0);
    expect(retryAfterDelay(Number.NaN, () => 0)).toBe(0);
    expect(retryAfterDelay(10 * MAX_RETRY_AFTER_MS, () => 0)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe("the kiosk's socket.io reconnection settings", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The first delays socket.io-client's own backoff (Manager's, not exported) draws for these options. */
  function socketIoFirstDelays(options: { reconnectionDelay: number; reconnectionDelayMax: number; randomizationFactor: number }, draws: number[]): number[] {
    return draws.map((r) => {
      vi.spyOn(Math, 'random').mockReturnValue(r);
      const manager = new Manager('http://127.0.0.1:9', { ...options, autoConnect: false });
      const backoff = (manager as unknown as { backoff: { duration(): number } }).backoff;
      const delay = backoff.duration();
      vi.restoreAllMocks();
      return delay;
    });
  }

  it('spread the first reconnect after a hub restart over 0–6 s, no second holding more than a fifth of the street', () => {
    const client = new SyncClient('k'.repeat(43), { url: 'http://127.0.0.1:9' });
    const io = (client as unknown as { socket: Socket }).socket.io;
    const options = { reconnectionDelay: io.reconnectionDelay(), reconnectionDelayMax: io.reconnectionDelayMax(), randomizationFactor: io.randomizationFactor() };
    expect(options).toEqual({ reconnectionDelay: 3000, reconnectionDelayMax: 10_000, randomizationFactor: 1 });
    const first = socketIoFirstDelays(options, grid(2000));
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThanOrEqual(6000);
    // socket.io's jitter falls in ten bands with gaps between them: a second holds up to two.
    expect(busiestWindow(first, 1000)).toBeLessThanOrEqual(0.2 + 0.001);
    // What the tablet had before: the whole street inside one second.
    const before = socketIoFirstDelays({ reconnectionDelay: 1000, reconnectionDelayMax: 30_000, randomizationFactor: 0.5 }, grid(2000));
    expect(busiestWindow(before, 1000)).toBe(1);
  });

  it('cap every later attempt at 10 s, so a tablet that tried while the hub was down is back within 10 s of it', () => {
    const client = new SyncClient('k'.repeat(43), { url: 'http://127.0.0.1:9' });
    const io = (client as unknown as { socket: Socket }).socket.io;
    vi.spyOn(Math, 'random').mockReturnValue(0.95);
    const manager = new Manager('http://127.0.0.1:9', { reconnectionDelay: io.reconnectionDelay(), reconnectionDelayMax: io.reconnectionDelayMax(), randomizationFactor: io.randomizationFactor(), autoConnect: false });
    const backoff = (manager as unknown as { backoff: { duration(): number } }).backoff;
    const delays = Array.from({ length: 8 }, () => backoff.duration());
    expect(Math.max(...delays)).toBe(10_000);
  });
});

describe("the kiosk's transports", () => {
  /** A socket.io server on 127.0.0.1 that offers only `transports`, as a proxy refusing WebSocket upgrades leaves it. */
  async function serverWith(transports: ('websocket' | 'polling')[]) {
    const http = createServer();
    const server = new Server(http, { transports });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  /** Connects with the kiosk's own engine options; resolves the transport it ended on. */
  async function connectLikeTheKiosk(url: string): Promise<string> {
    const kiosk = new SyncClient('k'.repeat(43), { url });
    const { transports, tryAllTransports } = (kiosk as unknown as { socket: Socket }).socket.io.opts;
    const socket = io(url, { transports, tryAllTransports, reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', resolve);
        socket.on('connect_error', reject);
      });
      return socket.io.engine.transport.name;
    } finally {
      socket.disconnect();
    }
  }

  it('connect over WebSocket straight away, without a polling handshake first', async () => {
    const hub = await serverWith(['polling', 'websocket']);
    try {
      expect(await connectLikeTheKiosk(hub.url)).toBe('websocket');
    } finally {
      await hub.close();
    }
  });

  it('fall back to HTTP long-polling where WebSocket is refused', async () => {
    const hub = await serverWith(['polling']);
    try {
      expect(await connectLikeTheKiosk(hub.url)).toBe('polling');
    } finally {
      await hub.close();
    }
  });
});
