import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checks } from '../../shared/schemas/checks.js';
import type { Flag } from '../../shared/schemas/flags.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { DAY, HOUR, MIN, cstAt, cstIso, cstMidnight } from '../support/clock.js';
import { connectDashboard, connectKiosk, enrolKiosk, seedVenue, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { testClock, type TestClock } from '../support/policy-street.js';
import { entranceRecord } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * Doors that hide their lapses (000 §2(2)(1)): a real hub on 127.0.0.1 over a real SQLite file,
 * records pushed over the kiosk socket, flags heard on a street dashboard. A kiosk that leaves a
 * required check out of the record (missing_check), and one that records everyone as having no
 * phone (no_phone_share, held against the street's usual share).
 */

const CLEAN: Checks = { scan: { outcome: 'scanned' }, temperature: { outcome: 'measured', celsius: 36.5 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } };
const NO_PHONE: Checks = { ...CLEAN, scan: { outcome: 'no_phone', shown: 'paper_itinerary' } };
const MASK_SKIPPED: Checks = { ...CLEAN, mask: { outcome: 'skipped', reason: '排队' } };

describe('flags for doors that hide their lapses, from records pushed over the kiosk socket', () => {
  let hub: TestHub;
  let clock: TestClock;
  const sockets: { close(): unknown }[] = [];

  beforeEach(async () => {
    // The hub's clock: 14:30 venue time today (UTC+8): every admission of a test's hour falls in 14:00–15:00.
    clock = testClock(cstAt(cstMidnight(0), 14, 30));
    hub = await startTestHub({ now: clock.now });
    await hub.store.accounts.create({ name: 'street', role: 'street_admin', communityId: null, password: 'street-password-1' }, clock.now());
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await hub.close();
  });

  async function push(socket: KioskClient, records: EntranceRecord[]) {
    for (let i = 0; i < records.length; i += 500) {
      const res = await socket.emitWithAck('records:push', { records: records.slice(i, i + 500) });
      if (!res.ok) throw new Error(res.error.message);
      expect(res.data.results.every((r) => r.status === 'accepted')).toBe(true);
    }
  }
  async function kiosk(token: string) {
    const s = await connectKiosk(hub.url, token);
    sockets.push(s);
    return s;
  }
  /** Admissions at the door of `k`, seqs from `from`, a minute apart ending at `end`. */
  const admissions = (k: { id: string; venueId: string }, from: number, checks: readonly Checks[], end: number) =>
    checks.map((c, i) => entranceRecord(k, from + i, { kioskTime: cstIso(end - (checks.length - i) * 20_000), checks: c }));
  const flagsOf = async (rule: string) => (await hub.store.flags.list(WHOLE_CITY)).filter((f) => f.rule === rule);
  /** The flags of `rule` once there are `n`: the hub judges a batch after its ack. */
  const eventually = async (rule: string, n = 1) => {
    let flags: Flag[] = [];
    await until(async () => (flags = await flagsOf(rule)).length >= n);
    return flags;
  };

  it('missing_check: an admission pushed with no checks is a violation, with its record and the checks it lacks', async () => {
    const socket = await kiosk(hub.token);
    const now = clock.now();
    const tampered = entranceRecord(hub.kiosk, 2, { kioskTime: cstIso(now - 2 * MIN), checks: {} });
    await push(socket, [entranceRecord(hub.kiosk, 1, { kioskTime: cstIso(now - 3 * MIN) }), tampered]);
    const flags = await eventually('missing_check');
    expect(flags).toMatchObject([
      {
        venueId: 'venue-a',
        severity: 'violation',
        windowKey: cstIso(now).slice(0, 13),
        evidence: { recordIds: [tampered.id], withMissingCheck: 1, underOlderPolicy: 0, byCheck: { healthCode: 1, itinerary: 1, mask: 1, scan: 1, temperature: 1 } },
      },
    ]);
  });

  it('missing_check: judged under the policy in force when the admission was made, the older version the kiosk applied counted apart and only a warning', async () => {
    // A restaurant: the normal preset asks no vaccination there; the emergency one does (三码联查, 004 §3.11).
    const r = await enrolKiosk(hub.store, await seedVenue(hub.store, 'venue-r', { type: 'restaurant' }));
    const now = clock.now();
    const emergency = await hub.store.policies.activate(EMERGENCY_POLICY, now - HOUR / 2);
    const socket = await kiosk(r.token);
    const normalChecks: Checks = { ...CLEAN };
    // Before the switch under version 1: nothing owed. After it, still naming version 1 (the kiosk was offline): owed under the policy in force.
    const before = entranceRecord(r.kiosk, 1, { kioskTime: cstIso(now - HOUR + 5 * MIN), checks: normalChecks, policyVersion: NORMAL_POLICY.version });
    const after = entranceRecord(r.kiosk, 2, { kioskTime: cstIso(now - 5 * MIN), checks: normalChecks, policyVersion: NORMAL_POLICY.version });
    await push(socket, [before, after]);
    const flags = await eventually('missing_check');
    // The kiosk did what the version it had asked: a warning for the inspector to weigh, not a violation.
    expect(flags.map((f) => [f.venueId, f.severity, f.windowKey, f.evidence.recordIds, f.evidence.underOlderPolicy, f.evidence.byCheck])).toEqual([
      ['venue-r', 'warning', cstIso(now).slice(0, 13), [after.id], 1, { vaccination: 1 }],
    ]);
    // A record naming the new version without the vaccination in the same hour: the hour is a violation.
    const tampered = entranceRecord(r.kiosk, 3, { kioskTime: cstIso(now - 4 * MIN), checks: normalChecks, policyVersion: emergency.version });
    await push(socket, [tampered]);
    await until(async () => (await flagsOf('missing_check'))[0]?.severity === 'violation');
    expect((await flagsOf('missing_check')).map((f) => [f.evidence.recordIds, f.evidence.withMissingCheck, f.evidence.underOlderPolicy])).toEqual([[[after.id, tampered.id], 2, 1]]);
  });

  it('no_phone_share: a door recording everyone as having no phone is flagged, the street\'s usual share read from its running day figures', async () => {
    // Venue b, yesterday: 600 admissions, 12 of them without a phone (2 %).
    const b = await enrolKiosk(hub.store, await seedVenue(hub.store, 'venue-b'));
    const now = clock.now();
    const street = Array.from({ length: 600 }, (_, i) => (i % 50 === 0 ? NO_PHONE : CLEAN));
    await push(await kiosk(b.token), admissions(b.kiosk, 1, street, now - DAY));
    expect(await hub.store.flags.facts.street(cstMidnight(-1, now), cstMidnight(0, now), 'venue-a', true)).toEqual({ admissions: 600, noPhone: 12 });

    const heard = await listen();
    const a = await kiosk(hub.token);
    // Venue a, this hour: 20 admissions, 3 without a phone (15 %): under the 25 % floor, nothing. One
    // of them with the mask skipped: its skipped_check says the hub has judged the batch.
    await push(a, admissions(hub.kiosk, 1, Array.from({ length: 20 }, (_, i) => (i < 3 ? NO_PHONE : i === 19 ? MASK_SKIPPED : CLEAN)), now - 5 * MIN));
    await eventually('skipped_check');
    expect(await flagsOf('no_phone_share')).toEqual([]);
    // Five more, all without a phone: 8 of 25 (32 %, 15 × the street's share of 2 %).
    await push(a, admissions(hub.kiosk, 21, [NO_PHONE, NO_PHONE, NO_PHONE, NO_PHONE, NO_PHONE], now - MIN));
    const [flag] = await eventually('no_phone_share');
    expect(flag).toMatchObject({
      venueId: 'venue-a',
      severity: 'warning',
      windowKey: cstIso(now).slice(0, 13),
      evidence: { admissions: 25, noPhone: 8, share: 0.32, streetAdmissions: 600, streetShare: Math.round((13 / 602) * 10_000) / 10_000 },
    });
    expect((flag!.evidence.recordIds as string[]).length).toBe(8);
    await until(() => heard.some((f) => f.rule === 'no_phone_share' && f.id === flag!.id));
  });

  it('no_phone_share: a street whose patrons often go without a phone sets a higher bar', async () => {
    const b = await enrolKiosk(hub.store, await seedVenue(hub.store, 'venue-b'));
    const now = clock.now();
    // Yesterday a third of the street went without a phone (a market of elderly shoppers).
    await push(await kiosk(b.token), admissions(b.kiosk, 1, Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? NO_PHONE : CLEAN)), now - DAY));
    // Half of venue a's hour without a phone: not three times the street's share.
    await push(await kiosk(hub.token), admissions(hub.kiosk, 1, Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? NO_PHONE : i === 29 ? MASK_SKIPPED : CLEAN)), now - MIN));
    await until(async () => (await flagsOf('skipped_check')).some((f) => f.venueId === 'venue-a'));
    // (Venue b's own day was judged against the policy's usual 5 % while the street had no days before it.)
    expect((await flagsOf('no_phone_share')).filter((f) => f.venueId === 'venue-a')).toEqual([]);
    // The same hour on a street where 2 % go without a phone would be flagged (the previous test); here the street's share is read.
    expect(await hub.store.flags.facts.street(cstMidnight(-1, now), cstMidnight(0, now), 'venue-a', true)).toEqual({ admissions: 600, noPhone: 200 });
  });

  it('no_phone_share: a venue cannot hide in its own baseline; it is held against the rest of the street', async () => {
    const b = await enrolKiosk(hub.store, await seedVenue(hub.store, 'venue-b'));
    const now = clock.now();
    // Yesterday venue b: 600 admissions, 12 without a phone (2 %). Venue a: 600, half of them
    // without a phone: counted in, it would lift the street's share to 26 %, and three times that
    // is more than any hour can reach.
    await push(await kiosk(b.token), admissions(b.kiosk, 1, Array.from({ length: 600 }, (_, i) => (i % 50 === 0 ? NO_PHONE : CLEAN)), now - DAY));
    const a = await kiosk(hub.token);
    await push(a, admissions(hub.kiosk, 1, Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? NO_PHONE : CLEAN)), now - DAY));
    const yesterday = { from: cstMidnight(-1, now), to: cstMidnight(0, now) };
    expect(await hub.store.flags.facts.street(yesterday.from, yesterday.to, 'venue-a', true)).toEqual({ admissions: 1200, noPhone: 312 });
    expect(await hub.store.flags.facts.street(yesterday.from, yesterday.to, 'venue-a')).toEqual({ admissions: 600, noPhone: 12 });

    // Venue a, this hour: 12 of 25 without a phone (48 %), held against venue b's 2 %.
    await push(a, admissions(hub.kiosk, 601, Array.from({ length: 25 }, (_, i) => (i < 12 ? NO_PHONE : CLEAN)), now - MIN));
    const thisHour = cstIso(now).slice(0, 13);
    await until(async () => (await flagsOf('no_phone_share')).some((f) => f.windowKey === thisHour));
    const flag = (await flagsOf('no_phone_share')).find((f) => f.windowKey === thisHour)!;
    expect(flag).toMatchObject({
      venueId: 'venue-a',
      severity: 'warning',
      evidence: { admissions: 25, noPhone: 12, share: 0.48, streetAdmissions: 600, streetShare: Math.round((13 / 602) * 10_000) / 10_000 },
    });
  });

  /** The street admin's dashboard, signed in, hearing the flags pushed live. */
  async function listen(): Promise<Flag[]> {
    const session = inspectorSession(hub.url);
    await session.login('street', 'street-password-1');
    const cookie = Object.entries(session.cookies()).map(([k, v]) => `${k}=${v}`).join('; ');
    const heard: Flag[] = [];
    sockets.push(await connectDashboard(hub.url, cookie, (s) => s.on('flag:raised', (f) => heard.push(f))));
    return heard;
  }
});

const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
