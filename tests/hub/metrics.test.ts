import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskStatus } from '../../shared/schemas/kiosk-admin.js';
import { loadConfig } from '../../hub/src/config.js';
import { createSingletons } from '../../hub/src/singletons.js';
import { connectKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

/** One sample of the exposition: `name{label="value",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The Prometheus text format as prom-client writes it (Registry.metrics): `# HELP name text` and
 * `# TYPE name type` before each family, then one sample a line. Every line is checked against
 * that shape, so a malformed exposition fails here rather than at a scraper.
 */
function parseExposition(text: string): { samples: Sample[]; help: Map<string, string>; type: Map<string, string> } {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) labels[l[1]!] = l[2]!;
    // prom-client writes NaN as `Nan` (an event loop with no delay sampled yet); Prometheus reads floats case-insensitively.
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : /^nan$/i.test(m[3]!) ? NaN : Number(m[3]);
    if (Number.isNaN(value) && !/^nan$/i.test(m[3]!)) throw new Error(`not a sample value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, help, type };
}

/** The value of the one sample named `name` with exactly these labels (a histogram's `le` included). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  if (found.length !== 1) throw new Error(`${found.length} samples ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

async function scrape(hub: TestHub, headers: Record<string, string> = {}) {
  const res = await fetch(`${hub.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** A kiosk socket, and the promise of the hub seeing it leave. */
async function connectWatched(hub: TestHub, pending: number): Promise<{ client: KioskClient; left: Promise<void> }> {
  const arrived = new Promise<{ once(event: 'disconnect', fn: () => void): unknown }>((resolve) => hub.app.io.of('/kiosk').once('connection', resolve));
  const client = await connectKiosk(hub.url, { token: hub.token, status: status(pending) });
  const onHub = await arrived;
  return { client, left: new Promise<void>((resolve) => onHub.once('disconnect', () => resolve())) };
}

const status = (pending: number): KioskStatus => ({ appVersion: '0.1.0+test', pending, rejected: 0, clock: Date.now() });

describe('GET /metrics', () => {
  const opened: TestHub[] = [];
  const sockets: KioskClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const h of opened.splice(0)) await h.close();
  });
  const hubWith = async (opts: Parameters<typeof startTestHub>[0] = {}) => {
    const hub = await startTestHub(opts);
    opened.push(hub);
    return hub;
  };

  it('shows a connected kiosk, its batch by outcome, the ack latency, its backlog, the group commits and the jobs this process holds', async () => {
    const hub = await hubWith();
    const socket = await connectKiosk(hub.url, { token: hub.token, status: status(42) });
    sockets.push(socket);
    const batch = Array.from({ length: 7 }, (_, i) => entranceRecord(hub.kiosk, i + 1));
    const first = await socket.emitWithAck('records:push', { records: batch });
    expect(first.ok && first.data.results.every((r) => r.status === 'accepted')).toBe(true);

    const { samples, help, type } = await scrape(hub);
    expect(valueOf(samples, 'checkin_kiosks_connected')).toBe(1);
    expect(valueOf(samples, 'checkin_dashboards_connected')).toBe(0);
    expect(valueOf(samples, 'checkin_batches_total', { outcome: 'accepted' })).toBe(1);
    expect(valueOf(samples, 'checkin_batches_total', { outcome: 'duplicate' })).toBe(0);
    expect(valueOf(samples, 'checkin_records_total', { outcome: 'accepted' })).toBe(batch.length);
    expect(valueOf(samples, 'checkin_records_total', { outcome: 'refused' })).toBe(0);
    expect(valueOf(samples, 'checkin_ack_seconds_count')).toBe(1);
    expect(valueOf(samples, 'checkin_ack_seconds_bucket', { le: '10' })).toBe(1);
    expect(valueOf(samples, 'checkin_ack_seconds_sum')).toBeGreaterThan(0);
    expect(valueOf(samples, 'checkin_kiosk_backlog_records')).toBe(42);
    expect(valueOf(samples, 'checkin_kiosk_backlog_max_records')).toBe(42);
    // The batch was one write of 7 records, in a commit of its own or with the connecting kiosk's status report.
    expect(valueOf(samples, 'checkin_commit_writes_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'checkin_commit_records_sum')).toBeGreaterThanOrEqual(batch.length);
    expect(valueOf(samples, 'checkin_commit_seconds_count')).toBe(valueOf(samples, 'checkin_commit_writes_count'));
    expect(valueOf(samples, 'checkin_commit_queue_writes')).toBe(0);
    for (const job of ['flag_sweep', 'policy_schedule', 'retention_purge']) expect(valueOf(samples, 'checkin_singleton_held', { job })).toBe(1);
    for (const where of ['ingest', 'read', 'health', 'http']) expect(valueOf(samples, 'checkin_db_errors_total', { where })).toBe(0);
    // prom-client's process metrics, in this hub's registry under the same prefix.
    // They start counting at the first scrape (metrics.ts), so the CPU this process spends after it shows in the next.
    const cpuBefore = valueOf(samples, 'checkin_process_cpu_user_seconds_total');
    expect(cpuBefore).toBeGreaterThanOrEqual(0);
    const until = performance.now() + 30;
    while (performance.now() < until); // 30 ms of this process's CPU
    expect(valueOf((await scrape(hub)).samples, 'checkin_process_cpu_user_seconds_total')).toBeGreaterThan(cpuBefore);
    expect(samples.some((s) => s.name === 'checkin_nodejs_eventloop_lag_seconds')).toBe(true);
    // Every family is named checkin_… and has its help text and type.
    const families = new Set(samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of families) {
      expect(name.startsWith('checkin_')).toBe(true);
      expect(help.get(name) ?? help.get(`${name}_bucket`), name).toBeTruthy();
    }
    expect(type.get('checkin_ack_seconds')).toBe('histogram');
    expect(type.get('checkin_records_total')).toBe('counter');
    expect(type.get('checkin_kiosks_connected')).toBe('gauge');
  });

  it('counts a resend as duplicate and a refused record as refused; follows the backlog a kiosk reports and forgets a kiosk that left', async () => {
    const hub = await hubWith();
    const { client: socket, left: firstLeft } = await connectWatched(hub, 5);
    sockets.push(socket);
    const batch = [entranceRecord(hub.kiosk, 1), entranceRecord(hub.kiosk, 2)];
    await socket.emitWithAck('records:push', { records: batch });
    await socket.emitWithAck('records:push', { records: batch });
    // The backlog moved (the tablet reports it as it does after an ack); then a batch with a record of another kiosk.
    socket.emit('kiosk:status', status(3));
    const mixed = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 3), entranceRecord({ ...hub.kiosk, id: 'someone-else' }, 4)] });
    expect(mixed.ok && mixed.data.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    // A batch refused whole: not even a list of records.
    const refused = await socket.emitWithAck('records:push', { records: 'none' } as never);
    expect(refused.ok).toBe(false);

    let { samples } = await scrape(hub);
    expect(valueOf(samples, 'checkin_batches_total', { outcome: 'accepted' })).toBe(2);
    expect(valueOf(samples, 'checkin_batches_total', { outcome: 'duplicate' })).toBe(1);
    expect(valueOf(samples, 'checkin_batches_total', { outcome: 'refused' })).toBe(1);
    expect(valueOf(samples, 'checkin_records_total', { outcome: 'accepted' })).toBe(3);
    expect(valueOf(samples, 'checkin_records_total', { outcome: 'duplicate' })).toBe(2);
    expect(valueOf(samples, 'checkin_records_total', { outcome: 'refused' })).toBe(1);
    expect(valueOf(samples, 'checkin_ack_seconds_count')).toBe(4);
    // The status event was handled before the batch sent after it on the same socket.
    expect(valueOf(samples, 'checkin_kiosk_backlog_records')).toBe(3);

    const second = await connectWatched(hub, 9);
    ({ samples } = await scrape(hub));
    // One kiosk with two sockets open is one kiosk, with its larger figure.
    expect(valueOf(samples, 'checkin_kiosks_connected')).toBe(1);
    expect(valueOf(samples, 'checkin_kiosk_backlog_records')).toBe(9);
    expect(valueOf(samples, 'checkin_kiosk_backlog_max_records')).toBe(9);
    second.client.close();
    socket.close();
    await Promise.all([second.left, firstLeft]);
    ({ samples } = await scrape(hub));
    expect(valueOf(samples, 'checkin_kiosks_connected')).toBe(0);
    expect(valueOf(samples, 'checkin_kiosk_backlog_records')).toBe(0);
  });

  it('keeps each hub of one process apart: one registry per app', async () => {
    const [a, b] = [await hubWith(), await hubWith()];
    const socket = await connectKiosk(a.url, a.token);
    sockets.push(socket);
    await socket.emitWithAck('records:push', { records: [entranceRecord(a.kiosk, 1)] });
    expect(valueOf((await scrape(a)).samples, 'checkin_records_total', { outcome: 'accepted' })).toBe(1);
    const other = (await scrape(b)).samples;
    expect(valueOf(other, 'checkin_records_total', { outcome: 'accepted' })).toBe(0);
    expect(valueOf(other, 'checkin_kiosks_connected')).toBe(0);
  });

  it("counts the database errors caught by where: a kiosk's batch, a kiosk's handshake, the health check, a route", async () => {
    const hub = await startTestHub();
    try {
      // A kiosk connected, once every read the hub makes for a connecting kiosk has answered.
      const caughtUp = ['venue:profile', 'occupancy:venue', 'slots:venue', 'bookings:cancelled', 'suspensions:venue', 'venue:secret', 'policy:update'] as const;
      let waits: Promise<unknown>[] = [];
      const socket = await connectKiosk(hub.url, hub.token, (s) => (waits = caughtUp.map((event) => new Promise((resolve) => s.once(event, resolve)))));
      sockets.push(socket);
      await Promise.all(waits);
      // The database goes away under a running hub.
      await hub.store.close();
      const push = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
      expect(push).toMatchObject({ ok: false, error: { code: 'internal' } });
      const health = await fetch(`${hub.url}/api/health`);
      expect(health.status).toBe(503);
      await expect(connectKiosk(hub.url, hub.token)).rejects.toMatchObject({ data: { code: 'internal' } });
      const enrol = await fetch(`${hub.url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'ABCDEFGH' }) });
      expect(enrol.status).toBe(500);
      const { samples } = await scrape(hub);
      expect(valueOf(samples, 'checkin_db_errors_total', { where: 'health' })).toBe(1);
      expect(valueOf(samples, 'checkin_db_errors_total', { where: 'read' })).toBe(1);
      expect(valueOf(samples, 'checkin_db_errors_total', { where: 'http' })).toBe(1);
      expect(valueOf(samples, 'checkin_db_errors_total', { where: 'ingest' })).toBe(1);
      expect(valueOf(samples, 'checkin_batches_total', { outcome: 'refused' })).toBe(1);
      expect(valueOf(samples, 'checkin_ack_seconds_count')).toBe(1);
    } finally {
      await hub.app.close();
      rmSync(dirname(hub.dbFile), { recursive: true, force: true });
    }
  });

  it('asks for the bearer token when METRICS_TOKEN is set, from anywhere', async () => {
    const token = 'x'.repeat(20) + '-metrics-token-' + 'y'.repeat(20);
    const hub = await hubWith({ metricsToken: token });
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${token}`, `Bearer ${token}x`]) {
      const res = await fetch(`${hub.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', field: 'authorization', message: expect.stringContaining('METRICS_TOKEN') } });
    }
    const { samples } = await scrape(hub, { authorization: `Bearer ${token}` });
    expect(valueOf(samples, 'checkin_kiosks_connected')).toBe(0);
    // From another machine, with the token, it answers too.
    const remote = await hub.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${token}` } });
    expect(remote.statusCode).toBe(200);
  });

  it('without METRICS_TOKEN answers clients on the hub\'s machine only, and no request a proxy relayed', async () => {
    const hub = await hubWith();
    for (const remoteAddress of ['10.1.2.3', '192.168.0.7', '2001:db8::1', '::ffff:10.0.0.1']) {
      const res = await hub.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
      expect(res.statusCode, remoteAddress).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('METRICS_TOKEN') } });
    }
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect((await hub.app.inject({ method: 'GET', url: '/metrics', remoteAddress })).statusCode, remoteAddress).toBe(200);
    }
    // A reverse proxy on the same machine connects from loopback on behalf of anyone: refused.
    for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }] as Record<string, string>[]) {
      const res = await fetch(`${hub.url}/metrics`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
  });

  it('answers 60 scrapes a minute from one address, then 429', async () => {
    const hub = await hubWith();
    const scrapeFrom = (remoteAddress: string) => hub.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
    for (let i = 0; i < 60; i++) expect((await scrapeFrom('127.0.0.5')).statusCode).toBe(200);
    const over = await scrapeFrom('127.0.0.5');
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await scrapeFrom('127.0.0.6')).statusCode).toBe(200);
  });
});

describe('METRICS_TOKEN', () => {
  it('is a bearer token of at least 32 characters, or unset', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    const token = 'a1B2'.repeat(8);
    expect(loadConfig({ METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: at least 32/);
    expect(() => loadConfig({ METRICS_TOKEN: `${token} with spaces` })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: '' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('singleton jobs', () => {
  it('are held from their start until their stop has finished the run under way', async () => {
    const singletons = createSingletons();
    const log: string[] = [];
    const stop = singletons.run('retention_purge', () => {
      log.push('started');
      return async () => {
        log.push(`stopping, held ${singletons.holds('retention_purge')}`);
      };
    });
    expect(singletons.holds('retention_purge')).toBe(true);
    expect(singletons.holds('flag_sweep')).toBe(false);
    await stop();
    expect(singletons.holds('retention_purge')).toBe(false);
    expect(log).toEqual(['started', 'stopping, held true']);
  });
});
