import { describe, expect } from 'vitest';
import type { SyncRecord } from '../../shared/schemas/record.js';
import { hubTest } from '../support/hub-test.js';
import { cstDate, cstIso, DAY } from '../support/clock.js';
import { entranceRecord, recordBase } from '../support/records.js';

describe('every kiosk record type through records:push', () => {
  hubTest('stores ledgers, occupancy events and corrections once each, and a correction marks its entrance', async ({ hub, socket }) => {
    let seq = 0;
    const base = () => recordBase(hub.kiosk, ++seq);
    // A ventilation done an hour ago and a staff test two days ago, by the wall clock (UTC+8 at the venue).
    const ventilatedAt = cstIso(Date.now() - 3_600_000);
    const lastTestDate = cstDate(Date.now() - 2 * DAY);
    const admitted = entranceRecord(hub.kiosk, ++seq);
    const records: SyncRecord[] = [
      admitted,
      { ...base(), type: 'correction', correctsId: admitted.id, reason: 'undo at the door' },
      { ...base(), type: 'occupancy', kind: 'exit', count: 2 },
      { ...base(), type: 'occupancy', kind: 'headcount', count: 7 },
      { ...base(), type: 'occupancy', kind: 'close_out', count: 7 },
      { ...base(), type: 'venue_check', oneMetreLine: true, noticesPosted: false, note: '公示栏破损' },
      { ...base(), type: 'disinfection', kind: 'ventilation', area: '大厅', officer: '孙丽', doneAt: ventilatedAt },
      { ...base(), type: 'staff_temperature', staffId: 'venue-a-staff-1', celsius: 36.4 },
      { ...base(), type: 'staff_health', staffId: 'venue-a-staff-2', lastTestDate, vaccination: 'booster' },
    ];
    const first = await socket.emitWithAck('records:push', { records });
    const again = await socket.emitWithAck('records:push', { records });
    expect(first.ok && first.data.results.map((r) => r.status)).toEqual(Array(records.length).fill('accepted'));
    expect(again.ok && again.data.results.map((r) => r.status)).toEqual(Array(records.length).fill('duplicate'));

    const byType = await hub.store.sql.all('SELECT type, count(*) AS n FROM kiosk_records GROUP BY type ORDER BY type');
    const entrance = await hub.store.sql.get('SELECT corrected_by, operator_id FROM entrance_records WHERE id = ?', [admitted.id]);
    const ledger = (await hub.store.sql.get<{ body: string; operator_id: string }>("SELECT body, operator_id FROM kiosk_records WHERE type = 'disinfection'"))!;
    expect(byType).toEqual([
      { type: 'correction', n: 1 },
      { type: 'disinfection', n: 1 },
      { type: 'entrance', n: 1 },
      { type: 'occupancy', n: 3 },
      { type: 'staff_health', n: 1 },
      { type: 'staff_temperature', n: 1 },
      { type: 'venue_check', n: 1 },
    ]);
    expect(entrance).toEqual({ corrected_by: records[1]!.id, operator_id: 'staff-1' });
    expect(JSON.parse(ledger.body)).toEqual({ kind: 'ventilation', area: '大厅', officer: '孙丽', doneAt: ventilatedAt });
    expect(ledger.operator_id).toBe('venue-a-staff-1');
  });

  hubTest('names the field of a bad ledger entry and keeps the others', async ({ hub, socket }) => {
    const base = (seq: number) => recordBase(hub.kiosk, seq);
    const res = await socket.emitWithAck('records:push', {
      records: [
        { ...base(1), type: 'staff_temperature', staffId: 'venue-a-staff-1', celsius: 45 },
        { ...base(2), type: 'occupancy', kind: 'exit', count: 0 },
        { ...base(3), type: 'staff_health', staffId: 'venue-a-staff-1', lastTestDate: '21/11/2026', vaccination: 'booster' },
        { ...base(4), type: 'venue_check', oneMetreLine: true, noticesPosted: true },
      ],
    });
    expect(res.ok && res.data.results).toMatchObject([
      { status: 'rejected', error: { field: 'celsius' } },
      { status: 'rejected', error: { field: 'count' } },
      { status: 'rejected', error: { field: 'lastTestDate' } },
      { status: 'accepted' },
    ]);
  });
});
