/**
 * Records/s through the kiosk path (socket.io → zod per record → one SQLite
 * transaction → ack → flag rules and the venue's pushes) against the raw
 * batched-insert rate of the same store (store.records.ingest on pre-validated
 * records) in the same run, on fresh SQLite files in a temp dir. Prints one
 * JSON line.
 *
 *   npm run bench:ingest -- --records 20000 --batch 100 --kiosks 4 [--spread hour|day] --json
 *
 * Settled, not acked: the clock stops when the last batch is settled — every
 * ack received, the flag rules judged for every batch that stored anything
 * (evaluateBatch ends with its store.flags.passFlagsAt read of the batch's pass flags; the
 * bench counts those calls through a wrapper around the store it hands the
 * hub, hub code unchanged), and every kiosk has received an `occupancy:venue`
 * push counting every record sent (all are admissions, and no close-out), and
 * a `slots:venue` push after the last ack if the venue takes bookings. The hub
 * coalesces those pushes (one per venue per burst: hub/src/sockets/push-queue.ts),
 * so the bench waits for the figures, not for a push per batch.
 * `settle_lag_ms` is how long after the last ack that was.
 *
 * --spread hour (default): every record falls in one venue-local hour (made
 * now, seq ms apart, as tests/support/records.ts makes them), so each batch's
 * flag rules read that hour with everything sent before it.
 * --spread day: each kiosk's records are spread in seq order over one venue
 * day, 00:00 to 23:00 local (UTC+8, as seedVenue registers the venue), and
 * the hub's clock (and the raw baseline's receivedAt) reads 23:00 of that day
 * onwards — a full day arriving before close, each hour already over when its
 * records come in (the rules then also read its scans).
 *
 * All kiosks are at one venue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { buildHub } from '../../hub/src/app.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { dayStart } from '../../shared/rules/flags/window.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { MAX_BATCH } from '../../shared/schemas/sync.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, type KioskClient } from '../../tests/support/hub.js';
import { entranceRecord } from '../../tests/support/records.js';
import { parseFlags } from '../cli.js';

const flags = parseFlags(
  z.object({
    records: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
    batch: z.coerce.number().int().min(1).max(MAX_BATCH).default(100),
    kiosks: z.coerce.number().int().min(1).max(50).default(4),
    spread: z.enum(['hour', 'day']).default('hour'),
    json: z.boolean().default(false),
  }),
);

const HOUR_MS = 3_600_000;
/** seedVenue registers its venue at UTC+8. */
const VENUE_OFFSET_MINUTES = 480;
/** Settling stops waiting after this long past the last ack, and the run fails. */
const SETTLE_TIMEOUT_MS = 120_000;

/**
 * The hub's clock and each record's kiosk time. hour: the wall clock. day: the
 * wall clock moved to 23:00 venue time of today's venue day, records spread
 * over 00:00–23:00 of it.
 */
const wall = Date.now();
const day0 = dayStart(wall, VENUE_OFFSET_MINUTES);
const shift = flags.spread === 'day' ? day0 + 23 * HOUR_MS - wall : 0;
const now = () => Date.now() + shift;
const perKiosk = Math.ceil(flags.records / flags.kiosks);
const kioskTime = (s: number): string | undefined =>
  flags.spread === 'day' ? new Date(day0 + Math.floor(((s - 1) * (23 * HOUR_MS - 60_000)) / perKiosk)).toISOString() : undefined;

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));

async function setup(file: string): Promise<{ store: Store; venueId: string; kiosks: { kiosk: KioskIdentity; token: string; batches: EntranceRecord[][] }[] }> {
  const store = await openStore(join(dir, file));
  const entranceId = await seedVenue(store);
  const kiosks = [];
  for (let k = 0; k < flags.kiosks; k++) {
    const { kiosk, token } = await enrolKiosk(store, entranceId);
    const batches: EntranceRecord[][] = [];
    for (let s = 1; s <= perKiosk; s += flags.batch) {
      batches.push(
        Array.from({ length: Math.min(flags.batch, perKiosk - s + 1) }, (_, i) => {
          const t = kioskTime(s + i);
          return entranceRecord(kiosk, s + i, t ? { kioskTime: t } : {});
        }),
      );
    }
    kiosks.push({ kiosk, token, batches });
  }
  return { store, venueId: kiosks[0]!.kiosk.venueId, kiosks };
}

const total = (ks: { batches: EntranceRecord[][] }[]) => ks.reduce((n, k) => n + k.batches.flat().length, 0);

/** Baseline: the store's own batched insert, no socket, no validation, no rules, same batches. */
async function raw(): Promise<{ n: number; ms: number }> {
  const { store, kiosks } = await setup('raw.sqlite');
  const t0 = performance.now();
  for (const k of kiosks) for (const b of k.batches) await store.records.ingest(b, now());
  const ms = performance.now() - t0;
  await store.close();
  return { n: total(kiosks), ms };
}

/** What one kiosk socket heard of its venue since the clock started: the last count of people inside, and slot pushes. */
interface Heard {
  inside: number;
  slots: number;
}

/**
 * The kiosk path: each kiosk sends its batches one after another, awaiting
 * each ack, as the outbox does; timed until the last batch is settled.
 */
async function socketPath(): Promise<{ n: number; ms: number; ackMs: number; accepted: number }> {
  const { store, kiosks } = await setup('socket.sqlite');
  // Counts evaluateBatch's last step (its read of the batch's pass flags).
  let judged = 0;
  let check = () => {};
  const observed: Store = {
    ...store,
    flags: {
      ...store.flags,
      async passFlagsAt(venueId, at) {
        const out = await store.flags.passFlagsAt(venueId, at);
        judged++;
        check();
        return out;
      },
    },
  };
  const app = await buildHub(await hubOptions(observed, { kioskDist: join(dir, 'none'), now }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  // Each socket is ready once it has its venue's counts and has joined the venue's room
  // (bookings:cancelled is sent right after the join); only pushes after that are counted.
  const heard: Heard[] = kiosks.map(() => ({ inside: 0, slots: 0 }));
  let counting = false;
  let slotsOn = false;
  const ready: Promise<void>[] = [];
  const sockets: KioskClient[] = await Promise.all(
    kiosks.map((k, i) =>
      connectKiosk(url, k.token, (s) => {
        const got = { occupancy: false, slots: false, joined: false };
        ready.push(
          new Promise<void>((resolve) => {
            const done = () => got.occupancy && got.slots && got.joined && resolve();
            s.on('occupancy:venue', (o) => {
              if (counting) {
                heard[i]!.inside = o.entrances.reduce((n, e) => n + e.inside, 0);
                check();
              } else {
                got.occupancy = true;
                done();
              }
            });
            s.on('slots:venue', (slots) => {
              if (counting) {
                heard[i]!.slots++;
                check();
              } else {
                slotsOn = slots.mode !== 'off';
                got.slots = true;
                done();
              }
            });
            s.on('bookings:cancelled', () => {
              got.joined = true;
              done();
            });
          }),
        );
      }),
    ),
  );
  await Promise.all(ready);

  const batches = kiosks.reduce((n, k) => n + k.batches.length, 0);
  let acked = 0;
  let accepted = 0;
  let storing = 0; // batches that stored anything, each judged by the flag rules
  let ackAt = 0;
  const everyone = total(kiosks);
  const settled = new Promise<number>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    check = () => {
      if (acked === batches && !timer) {
        ackAt = performance.now();
        for (const h of heard) h.slots = 0; // a slots push after the last ack is what counts
        timer = setTimeout(
          () => reject(new Error(`not settled ${SETTLE_TIMEOUT_MS} ms after the last ack: judged ${judged}/${storing}, pushes heard ${JSON.stringify(heard)} of ${batches}`)),
          SETTLE_TIMEOUT_MS,
        );
      }
      const pushed = heard.every((h) => h.inside >= everyone && (!slotsOn || h.slots > 0));
      if (acked === batches && judged >= storing && pushed) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    };
  });
  counting = true;
  judged = 0;
  const t0 = performance.now();
  await Promise.all(
    kiosks.map(async (k, i) => {
      for (const b of k.batches) {
        const res = await sockets[i]!.emitWithAck('records:push', { records: b });
        if (!res.ok) throw new Error(res.error.message);
        const n = res.data.results.filter((r) => r.status === 'accepted').length;
        accepted += n;
        if (n > 0) storing++;
        acked++;
        check();
      }
    }),
  );
  const end = await settled;
  sockets.forEach((s) => s.close());
  await app.close();
  await store.close();
  return { n: total(kiosks), ms: end - t0, ackMs: ackAt - t0, accepted };
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
      spread: flags.spread,
      settled: true,
      socket_records_per_s: rate(sock),
      raw_store_records_per_s: rate(base),
      ratio_socket_to_raw: Number((rate(sock) / rate(base)).toFixed(3)),
      settle_lag_ms: Number((sock.ms - sock.ackMs).toFixed(1)),
      synchronous: 'FULL',
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
