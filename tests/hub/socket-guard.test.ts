import { join } from 'node:path';
import { Writable } from 'node:stream';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { openTestStore } from '../support/store.js';
import { BAD_TOKENS_PER_ADDRESS } from '../../hub/src/sockets/refused-tokens.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';

/**
 * docs/security.md "Sockets": only /kiosk and /dashboard are served; a socket on the default
 * namespace is refused and its connection closed; bad kiosk tokens are counted per address, told
 * to wait past the limit, and written to the log once per address, not once per try.
 */

interface Hub {
  url: string;
  token: string;
  lines: { level: number; msg: string; address?: string }[];
  clients(): number;
  close(): Promise<void>;
}

async function startHub(): Promise<Hub> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  const { token } = await enrolKiosk(store, await seedVenue(store));
  const lines: Hub['lines'] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Hub['lines'][number]);
      done();
    },
  });
  const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }), { logger: { level: 'info', stream } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    token,
    lines,
    clients: () => app.io.engine.clientsCount,
    async close() {
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}

/** Resolves with the connect error's data, or rejects if the socket connects. */
function refusedWith(socket: Socket): Promise<{ message: string; data?: { code?: string; retryAfterMs?: number } }> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected')));
    socket.once('connect_error', (err: Error & { data?: { code?: string; retryAfterMs?: number } }) => resolve({ message: err.message, data: err.data }));
  });
}

/** Waits (bounded by count, not asserted on time) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
}

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('socket namespaces', () => {
  it('refuses the default namespace and closes the connection, so unauthenticated sockets are not held open', async () => {
    hub = await startHub();
    const sockets = Array.from({ length: 20 }, () => connect(hub!.url, { transports: ['websocket'], reconnection: false, forceNew: true }));
    const refusals = await Promise.all(sockets.map(refusedWith));
    expect(refusals.every((r) => r.data?.code === 'not_found')).toBe(true);
    await until(() => hub!.clients() === 0);
    expect(hub.clients()).toBe(0);
  });

  it('refuses a namespace it does not serve', async () => {
    hub = await startHub();
    const socket = connect(`${hub.url}/admin`, { transports: ['websocket'], reconnection: false, forceNew: true });
    expect((await refusedWith(socket)).message).toBe('Invalid namespace');
    socket.close();
  });

  it('still serves an enrolled kiosk on /kiosk', async () => {
    hub = await startHub();
    const socket = await connectKiosk(hub.url, hub.token);
    expect(socket.connected).toBe(true);
    socket.close();
  });
});

describe('bad kiosk tokens', () => {
  it('are refused, told to wait past the limit per address, logged once per address, and never lock out a valid token', async () => {
    hub = await startHub();
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < BAD_TOKENS_PER_ADDRESS + 3; i++) {
      const err = (await connectKiosk(hub.url, i % 2 ? `not-a-token-${i}` : `a-token-of-the-right-length-that-no-kiosk-has-${i}`).then(
        () => undefined,
        (e: unknown) => e,
      )) as { data?: { code?: string; retryAfterMs?: number } } | undefined;
      answers.push(err?.data?.code);
      if (i === BAD_TOKENS_PER_ADDRESS + 2) expect(err?.data?.retryAfterMs).toBeGreaterThan(0);
    }
    expect(answers.slice(0, BAD_TOKENS_PER_ADDRESS)).toEqual(Array(BAD_TOKENS_PER_ADDRESS).fill('unauthorized'));
    expect(answers.slice(BAD_TOKENS_PER_ADDRESS)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
    // The tablet whose token is good connects from the same address all the same.
    const good = await connectKiosk(hub.url, hub.token);
    expect(good.connected).toBe(true);
    good.close();
    const refusedLines = hub.lines.filter((l) => l.msg.startsWith('kiosk socket refused'));
    expect(refusedLines).toHaveLength(1);
    expect(refusedLines[0]!.level).toBe(40);
    // Every refused connection is closed by the hub rather than held until it times out.
    await until(() => hub!.clients() === 0);
    expect(hub.clients()).toBe(0);
  });
});
