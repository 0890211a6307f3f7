import { describe, expect } from 'vitest';
import { hubTest } from '../support/hub-test.js';
import { entranceRecord } from '../support/records.js';

describe('flags: a day judged again when its admissions arrive late', () => {
  hubTest('raises ledger_not_kept for yesterday when a kiosk offline past midnight syncs its admissions', async ({ hub, socket }) => {
    // Yesterday 15:00 at the venue (UTC+8): admissions, and no disinfection entry that day.
    const yesterday = new Date(Date.now() - 24 * 3_600_000);
    const at = (min: number) => `${new Date(yesterday.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}T15:${String(min).padStart(2, '0')}:00.000+08:00`;
    const batch = [1, 2, 3].map((seq) => entranceRecord(hub.kiosk, seq, { kioskTime: at(seq) }));
    expect((await socket.emitWithAck('records:push', { records: batch })).ok).toBe(true);
    await expect
      .poll(() =>
        hub.store.sql.all<{ window_key: string; evidence: string }>("SELECT window_key, evidence FROM flags WHERE rule = 'ledger_not_kept'"),
      )
      .toEqual(expect.arrayContaining([expect.objectContaining({ window_key: expect.stringContaining(at(0).slice(0, 10)) })]));
  });
});
