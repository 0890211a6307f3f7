import { describe, expect } from 'vitest';
import { FlagThresholds } from '../../shared/schemas/policy.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { connectKiosk, enrolKiosk, seedVenue, type KioskClient } from '../support/hub.js';
import { hubTest } from '../support/hub-test.js';
import { entranceRecord } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * invented_temperatures through a real hub (000 §2(2)(1) 体温测量): readings typed in a cycle,
 * which vary enough for the 20-reading check, are caught by the statistical tests over the
 * kiosk's latest readings as the hub keeps them; an honest door beside it raises nothing.
 */
const WINDOW = FlagThresholds.parse({}).temperatureTestWindow;

/** A seeded bell of forehead readings around 36.45 °C, sd 0.25 (Box–Muller over a small LCG). */
function honestReadings(n: number, seed: number): number[] {
  let s = seed;
  const u = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Array.from({ length: n }, () => Math.round((36.45 + 0.25 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())) * 10) / 10);
}

async function pushInBatches(socket: KioskClient, records: EntranceRecord[], size = 30): Promise<void> {
  for (let i = 0; i < records.length; i += size) {
    const res = await socket.emitWithAck('records:push', { records: records.slice(i, i + size) });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.every((r) => r.status === 'accepted')).toBe(true);
  }
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('invented_temperatures over the kiosk socket', () => {
  hubTest('flags a door typing 36.3 … 36.7 in a cycle, naming the cycle, and not an honest door', async ({ hub, socket }) => {
    const measured = (kiosk: { id: string; venueId: string }, values: number[]) =>
      values.map((celsius, i) => {
        const r = entranceRecord(kiosk, i + 1);
        return { ...r, checks: { ...r.checks, temperature: { outcome: 'measured' as const, celsius } } };
      });
    // The honest door first: its batches are judged (after each ack) before the cycling door's last one is.
    const other = await enrolKiosk(hub.store, await seedVenue(hub.store, 'venue-b'));
    const honestSocket = await connectKiosk(hub.url, other.token);
    try {
      await pushInBatches(honestSocket, measured(other.kiosk, honestReadings(WINDOW + 60, 2022)));
    } finally {
      honestSocket.close();
    }
    const cycling = Array.from({ length: WINDOW }, (_, i) => Math.round((36.3 + (i % 5) / 10) * 10) / 10);
    await pushInBatches(socket, measured(hub.kiosk, cycling));

    const invented = async () => (await hub.store.flags.list(WHOLE_CITY)).filter((f) => f.rule === 'invented_temperatures');
    await until(async () => (await invented()).length > 0);
    const flags = await invented();
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ venueId: hub.kiosk.venueId, severity: 'warning', evidence: { kioskId: hub.kiosk.id, readings: WINDOW } });
    expect(flags[0]!.evidence.failed).toEqual(expect.arrayContaining(['cycle', 'spread', 'variation']));
    expect((flags[0]!.evidence.recordIds as string[]).length).toBe(WINDOW);
  });
});
