import { describe, expect } from 'vitest';
import { hubTest } from '../support/hub-test.js';
import { entranceRecord, recordBase } from '../support/records.js';

/**
 * A temperature is a body's reading (000 §2(2)(1) 体温测量; staff ledger 000 §2(2)(2)): a kiosk
 * that sends a non-finite or absurd one over the socket has it refused at the field, and the
 * rest of its batch is kept.
 */
describe('records:push refuses temperatures no thermometer reads', () => {
  hubTest('names the field of each absurd reading and keeps the good records beside them', async ({ hub, socket }) => {
    const good = entranceRecord(hub.kiosk, 1);
    const reading = (seq: number, celsius: number) => entranceRecord(hub.kiosk, seq, { checks: { ...good.checks, temperature: { outcome: 'measured', celsius } } });
    // NaN and ±Infinity travel as JSON null; 1e308 and -273.15 arrive as numbers.
    const absurd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -273.15, 36.55].map((c, i) => reading(i + 2, c));
    const staff = { ...recordBase(hub.kiosk, 8), type: 'staff_temperature', staffId: 'venue-a-staff-1', celsius: Number.POSITIVE_INFINITY };
    const staffGood = { ...recordBase(hub.kiosk, 9), type: 'staff_temperature', staffId: 'venue-a-staff-1', celsius: 36.4 };
    const last = reading(10, 36.6);
    const res = await socket.emitWithAck('records:push', { records: [good, ...absurd, staff, staffGood, last] });
    if (!res.ok) throw new Error(res.error.message);
    const results = res.data.results;
    expect(results.map((r) => r.status)).toEqual(['accepted', ...absurd.map(() => 'rejected'), 'rejected', 'accepted', 'accepted']);
    for (const r of results.slice(1, 7)) expect(r).toMatchObject({ error: { code: 'invalid', field: 'checks.temperature.celsius' } });
    expect(results[7]).toMatchObject({ error: { code: 'invalid', field: 'celsius' } });
    const stored = (await hub.store.sql.all<{ seq: number }>('SELECT seq FROM entrance_records ORDER BY seq')).map((r) => r.seq);
    expect(stored).toEqual([1, 10]);
  });
});
