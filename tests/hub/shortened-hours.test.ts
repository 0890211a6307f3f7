import { describe, expect } from 'vitest';
import { sweep } from '../../hub/src/services/flags.js';
import { decideEntry } from '../../shared/rules/decide-entry.js';
import { NORMAL_POLICY, type Policy } from '../../shared/schemas/policy.js';
import { hourKey } from '../../shared/rules/flags/index.js';
import { CST, cstAt, cstIso, cstMidnight } from '../support/clock.js';
import { hubTest } from '../support/hub-test.js';
import { entranceRecord } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * Shorter opening hours (003 §14 "缩短营业时间") through a real hub: a KTV open round the clock
 * by its registration, shortened by the street's policy to 10:00–20:00. Admissions after 20:00 are
 * admitted_while_closed, and the silent-kiosk rule neither expects records after 20:00 nor counts
 * the silence from before 10:00.
 */
/** Waits for the hub's after-commit work; gives up after 5 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const SHORTENED: Omit<Policy, 'version'> = {
  ...NORMAL_POLICY,
  shortenedHours: { default: null, byVenueType: { ktv: { open: '10:00', close: '20:00' } } },
};

describe('shortened opening hours (003 §14) at the hub', () => {
  hubTest('flags an admission after the shortened close, pushed over the kiosk socket, and not one inside the hours', async ({ hub, socket }) => {
    const policy = await hub.store.policies.activate(SHORTENED, Date.now(), { communityId: null, by: 'admin', note: '003 §14' });
    const yesterday = cstMidnight(-1);
    const venue = { type: 'ktv' as const, openingHours: null, utcOffsetMinutes: CST };
    const inside = entranceRecord(hub.kiosk, 1, { kioskTime: cstIso(cstAt(yesterday, 15)), policyVersion: policy.version });
    const late = entranceRecord(hub.kiosk, 2, { kioskTime: cstIso(cstAt(yesterday, 21, 10)), policyVersion: policy.version });
    // The door decides with the same rule: its kiosk would have refused the late one.
    expect(decideEntry(policy, venue, late.checks, cstAt(yesterday, 21, 10)).reasons).toEqual(['outside_opening_hours']);
    expect(decideEntry(policy, venue, inside.checks, cstAt(yesterday, 15)).reasons).toEqual([]);
    const ack = await socket.emitWithAck('records:push', { records: [inside, late] });
    expect(ack).toMatchObject({ ok: true });
    // The batch's flags are judged once it is committed and acknowledged (hub/src/services/flags.ts evaluateBatch).
    const closedFlags = async () => (await hub.store.flags.list({ ...WHOLE_CITY, venueId: hub.kiosk.venueId })).filter((f) => f.rule === 'admitted_while_closed');
    await until(async () => (await closedFlags()).length > 0);
    expect(await closedFlags()).toMatchObject([
      { severity: 'warning', windowKey: hourKey(cstAt(yesterday, 21), CST), evidence: { recordIds: [late.id], outsideHours: 1, closedByPolicy: 0 } },
    ]);
  });

  hubTest('kiosk_silent follows the shortened hours: nothing expected after the close, silence counted from the shortened opening', async ({ hub, socket }) => {
    await hub.store.policies.activate(SHORTENED, Date.now(), { communityId: null, by: 'admin', note: '003 §14' });
    await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
    const tomorrow = cstMidnight(1);
    const silent = async (at: number) => (await sweep(hub.store, at)).filter((f) => f.rule === 'kiosk_silent');
    // Registered open round the clock, but the policy shut the KTV at 20:00.
    expect(await silent(cstAt(tomorrow, 21, 30))).toEqual([]);
    // The next day it opens at 10:00: silent from then, not from the last record the day before.
    expect(await silent(cstAt(tomorrow + 86_400_000, 10, 59))).toEqual([]);
    expect(await silent(cstAt(tomorrow + 86_400_000, 11, 0))).toMatchObject([
      { windowKey: `${hub.kiosk.id}@${hourKey(cstAt(tomorrow + 86_400_000, 10), CST)}`, evidence: { since: cstAt(tomorrow + 86_400_000, 10) } },
    ]);
  });
});
