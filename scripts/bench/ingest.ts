/**
 * Records/s through the kiosk path (socket.io → zod per record → one SQLite
 * transaction → ack) against the raw batched-insert rate of the same store
 * (store.records.ingest on pre-validated records) in the same run, on fresh
 * SQLite files in a temp dir. Prints one JSON line.
 *
 *   npm run bench:ingest -- --records 20000 --batch 100 --kiosks 4
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { buildHub } from '../../hub/src/app.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { MAX_BATCH } from '../../shared/schemas/sync.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue } from '../../tests/support/hub.js';
import { entranceRecord } from '../../tests/support/records.js';
import { parseFlags } from '../cli.js';

const flags = parseFlags(
  z.object({
    records: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
    batch: z.coerce.number().int().min(1).max(MAX_BATCH).default(100),
    kiosks: z.coerce.number().int().min(1).max(50).default(4),
    json: z.boolean().default(false),
  }),
);

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));

async function setup(file: string): Promise<{ store: Store; kiosks: { kiosk: KioskIdentity; token: string; batches: EntranceRecord[][] }[] }> {
  const store = openStore(join(dir, file));
  const entranceId = await seedVenue(store);
  const perKiosk = Math.ceil(flags.records / flags.kiosks);
  const kiosks = [];
  for (let k = 0; k < flags.kiosks; k++) {
    const { kiosk, token } = await enrolKiosk(store, entranceId);
    const batches: EntranceRecord[][] = [];
    for (let s = 1; s <= perKiosk; s += flags.batch) {
      batches.push(Array.from({ length: Math.min(flags.batch, perKiosk - s + 1) }, (_, i) => entranceRecord(kiosk, s + i)));
    }
    kiosks.push({ kiosk, token, batches });
  }
  return { store, kiosks };
}

const total = (ks: { batches: EntranceRecord[][] }[]) => ks.reduce((n, k) => n + k.batches.flat().length, 0);

/** Baseline: the store's own batched insert, no socket, no validation, same batches. */
async function raw(): Promise<{ n: number; ms: number }> {
  const { store, kiosks } = await setup('raw.sqlite');
  const t0 = performance.now();
  for (const k of kiosks) for (const b of k.batches) await store.records.ingest(b, Date.now());
  const ms = performance.now() - t0;
  await store.close();
  return { n: total(kiosks), ms };
}

/** The kiosk path: each kiosk sends its batches one after another, awaiting each ack, as the outbox does. */
async function socketPath(): Promise<{ n: number; ms: number; accepted: number }> {
  const { store, kiosks } = await setup('socket.sqlite');
  const app = await buildHub(await hubOptions(store, { kioskDist: join(dir, 'none') }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const sockets = await Promise.all(kiosks.map((k) => connectKiosk(url, k.token)));
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    kiosks.map(async (k, i) => {
      for (const b of k.batches) {
        const res = await sockets[i]!.emitWithAck('records:push', { records: b });
        if (!res.ok) throw new Error(res.error.message);
        accepted += res.data.results.filter((r) => r.status === 'accepted').length;
      }
    }),
  );
  const ms = performance.now() - t0;
  sockets.forEach((s) => s.close());
  await app.close();
  await store.close();
  return { n: total(kiosks), ms, accepted };
}

try {
  const base = await raw();
  const sock = await socketPath();
  if (sock.accepted !== sock.n) throw new Error(`only ${sock.accepted} of ${sock.n} records were accepted`);
  const rate = (r: { n: number; ms: number }) => Math.round((r.n / r.ms) * 1000);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'ingest',
      records: sock.n,
      batch: flags.batch,
      kiosks: flags.kiosks,
      socket_records_per_s: rate(sock),
      raw_store_records_per_s: rate(base),
      ratio_socket_to_raw: Number((rate(sock) / rate(base)).toFixed(3)),
      synchronous: 'FULL',
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
