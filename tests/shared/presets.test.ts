import { describe, expect, it } from 'vitest';
import { decideEntry, type EntryDecision } from '../../shared/rules/decide-entry.js';
import { admittedWhileClosed, kioskSilent } from '../../shared/rules/flags/index.js';
import { isOpenUnder, openSinceUnder } from '../../shared/rules/opening-hours.js';
import { requiredChecks } from '../../shared/rules/required-checks.js';
import type { CheckName, Checks } from '../../shared/schemas/checks.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, Policy, testWindowHours } from '../../shared/schemas/policy.js';
import { VenueType, schoolOrTrainingCentre, type OpeningHours } from '../../shared/schemas/venue.js';
import { THRESHOLDS, VENUE, at, entrance } from './flags/day.js';

/**
 * The two presets against the seeds, point by point, through the real rule functions
 * (docs/policy.md "Every preset value"). Each row names the seed section it comes from.
 */

const N = NORMAL_POLICY;
const E = EMERGENCY_POLICY;
const GREEN: Checks = {
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
};
const venue = (type: VenueType, openingHours: OpeningHours = null) => ({ type, openingHours, utcOffsetMinutes: 480 });
const FIVE: CheckName[] = ['scan', 'temperature', 'mask', 'healthCode', 'itinerary'];

describe('door checks per venue type (the itinerary card at shops)', () => {
  it.each<[string, Policy, VenueType, CheckName[]]>([
    ['000 §2(1), §2(2)(1): a mall checks all five', N, 'shopping_mall', FIVE],
    ['000 §2(1), §2(2)(1): a supermarket checks all five', N, 'supermarket', FIVE],
    ['001 §2(2)1, 003 §14: a market checks the itinerary card (二码联查; 查验健康码和行程卡)', N, 'farmers_market', FIVE],
    ['001 §2(2)1, 003 §14: a restaurant checks the itinerary card', N, 'restaurant', FIVE],
    ['001 §2(2)1: a pharmacy checks the itinerary card', N, 'pharmacy', FIVE],
    ['001 §2(2)1, 000 §2(2)(1): a hotel checks all five', N, 'hotel', FIVE],
    ['003 §14: a barber (理发洗浴场所) checks all five', N, 'barber', FIVE],
    ['004 §3.10, §3.11: in emergency every entrance checks all five and vaccination', E, 'pharmacy', [...FIVE, 'vaccination']],
  ])('%s', (_seed, policy, type, checks) => {
    expect(requiredChecks(policy, type, 'local')).toEqual(checks);
  });
});

describe('a commitment does not replace a test', () => {
  const starred = (over: Partial<Checks>): Checks => ({ ...GREEN, itinerary: { outcome: 'starred' }, ...over });
  it.each<[string, Policy, VenueType, Checks, EntryDecision]>([
    ['000 §2(2)(1): a starred card with a commitment and no test is refused (normal)', N, 'ktv', starred({ testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }), { decision: 'refuse', reasons: ['no_negative_test'] }],
    ['000 §2(2)(1): another province with a 48 h test is admitted (normal)', N, 'ktv', { ...GREEN, itinerary: { outcome: 'other_province' }, testProof: { outcome: 'negative' } }, { decision: 'admit', reasons: [] }],
    ['000 §2(2)(1): a commitment and no test at a museum in emergency is refused', E, 'museum', starred({ testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }), { decision: 'refuse', reasons: ['no_negative_test'] }],
    ['004 §3.8: a hotel in emergency wants the 24 h test and the commitment, a test alone is refused', E, 'hotel', starred({ testProof: { outcome: 'negative' }, commitment: { outcome: 'not_signed' } }), { decision: 'refuse', reasons: ['test_and_commitment_required'] }],
    ['004 §3.8: a station in emergency, test and commitment, admits', E, 'station', starred({ testProof: { outcome: 'negative' }, commitment: { outcome: 'signed' } }), { decision: 'admit', reasons: [] }],
    ['004 §3.8: a station in emergency, commitment alone, is refused', E, 'station', starred({ testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }), { decision: 'refuse', reasons: ['test_and_commitment_required'] }],
    ['docs/policy.md: a street that accepts a commitment instead admits on it', { ...N, commitmentAccepted: true }, 'ktv', starred({ testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }), { decision: 'admit', reasons: [] }],
  ])('%s', (_seed, policy, type, checks, decision) => {
    expect(decideEntry(policy, venue(type), checks, at(14))).toEqual(decision);
  });

  it.each<[string, Policy, VenueType, boolean]>([
    ['000 §2(2)(1): normal asks the test and no commitment', N, 'ktv', false],
    ['004 §3.8: emergency asks the commitment on top at hotels', E, 'hotel', true],
    ['004 §3.8: and at stations', E, 'station', true],
    ['000 §2(2)(1): emergency asks no commitment at a library', E, 'library', false],
    ['docs/policy.md: a street that accepts a commitment instead asks it', { ...N, commitmentAccepted: true }, 'ktv', true],
  ])('%s', (_seed, policy, type, asksCommitment) => {
    const asked = requiredChecks(policy, type, 'starred');
    expect(asked).toContain('testProof');
    expect(asked.includes('commitment')).toBe(asksCommitment);
  });

  it('004 §3.8: hotels and stations hold the test to 24 h in emergency, 48 h elsewhere (000 §2(2)(1))', () => {
    expect([testWindowHours(E, 'hotel', 'starred'), testWindowHours(E, 'station', 'starred'), testWindowHours(E, 'ktv', 'starred'), testWindowHours(N, 'station', 'starred')]).toEqual([24, 24, 48, 48]);
  });
});

describe('emergency closures and the three-code check', () => {
  it.each<[string, VenueType, boolean]>([
    ['000 §2(1) 重中之重: a disco closes', 'disco', true],
    ['000 §2(1) 重中之重: a dance hall closes', 'dance_hall', true],
    ['001 §2(2)4: billiards close with internet cafés and chess rooms', 'billiards', true],
    ['004 §3.1: offline training stops', 'training_centre', true],
    ['004 §3.2: schools stay open (half-closed, no visits)', 'school', false],
    ['004 §3.3: a cultural centre is capped, not closed', 'cultural_centre', false],
    ['004 §3.8: a station stays open', 'station', false],
  ])('%s', (_seed, type, closed) => {
    const d = decideEntry(E, venue(type), { ...GREEN, vaccination: { outcome: 'complete' } }, at(14));
    expect(d.reasons.includes('venue_closed_by_policy')).toBe(closed);
    expect(decideEntry(N, venue(type), GREEN, at(14))).toEqual({ decision: 'admit', reasons: [] });
  });

  const refuseAtHotels: Policy = { ...E, unvaccinated: { default: 'warn', byVenueType: { hotel: 'refuse' } } };
  it.each<[string, Policy, VenueType, Checks['vaccination'], EntryDecision]>([
    ['004 §3.11: unvaccinated under the emergency preset is admitted with a warning to staff', E, 'library', { outcome: 'none' }, { decision: 'admit', reasons: [], warnings: ['unvaccinated'] }],
    ['004 §3.11: vaccinated is admitted without a word', E, 'library', { outcome: 'complete' }, { decision: 'admit', reasons: [] }],
    ['004 §3.11: incomplete is recorded only', E, 'library', { outcome: 'incomplete' }, { decision: 'admit', reasons: [] }],
    ['docs/policy.md: a street that refuses the unvaccinated at hotels refuses there', refuseAtHotels, 'hotel', { outcome: 'none' }, { decision: 'refuse', reasons: ['unvaccinated'] }],
    ['docs/policy.md: … and only warns elsewhere', refuseAtHotels, 'library', { outcome: 'none' }, { decision: 'admit', reasons: [], warnings: ['unvaccinated'] }],
    ['003 §14: without the three-code check the answer changes nothing', { ...N, unvaccinated: { default: 'refuse', byVenueType: {} } }, 'library', { outcome: 'none' }, { decision: 'admit', reasons: [] }],
  ])('%s', (_seed, policy, type, vaccination, decision) => {
    expect(decideEntry(policy, venue(type), { ...GREEN, ...(vaccination ? { vaccination } : {}) }, at(14))).toEqual(decision);
  });

  it('004 §3.11: a warning never rides on a refusal', () => {
    const d = decideEntry(E, venue('library'), { ...GREEN, mask: { outcome: 'refused' }, vaccination: { outcome: 'none' } }, at(14));
    expect(d).toEqual({ decision: 'refuse', reasons: ['mask_refused'] });
  });
});

describe('shortened opening hours (003 §14 缩短营业时间)', () => {
  const shortKtv: Policy = { ...E, version: 2, closedVenueTypes: [], shortenedHours: { default: null, byVenueType: { ktv: { open: '12:00', close: '20:00' } } } };
  const allByTen: Policy = { ...N, version: 3, shortenedHours: { default: { open: '06:00', close: '22:00' }, byVenueType: {} } };

  it.each<[string, Policy, OpeningHours, number, number | undefined]>([
    ['003 §14: inside both, the opening began at the later start', shortKtv, { open: '10:00', close: '23:00' }, at(15), at(12)],
    ['003 §14: after the shortened close it is shut', shortKtv, { open: '10:00', close: '23:00' }, at(20, 30), undefined],
    ['003 §14: before the shortened open it is shut', shortKtv, { open: '10:00', close: '23:00' }, at(11), undefined],
    ['003 §14: the default window shortens a venue open past midnight', allByTen, { open: '18:00', close: '02:00' }, at(21), at(18)],
    ['003 §14: … and shuts it at 22:00', allByTen, { open: '18:00', close: '02:00' }, at(23), undefined],
    ['003 §14: a venue open round the clock gets the window', allByTen, null, at(7), at(6)],
    ['registered hours: a policy that shortens nothing leaves them', N, { open: '10:00', close: '23:00' }, at(22, 30), at(10)],
  ])('%s', (_seed, policy, hours, now, since) => {
    const v = { ...venue('ktv', hours) };
    expect(openSinceUnder(policy, v, now)).toBe(since);
    expect(isOpenUnder(policy, v, now)).toBe(since !== undefined);
    expect(decideEntry(policy, v, GREEN, now).reasons.includes('outside_opening_hours')).toBe(since === undefined);
  });

  it('003 §14: kiosk_silent does not expect a venue shut early to record, and counts silence from the shortened opening', () => {
    const kiosk = { id: 'kiosk-1', enrolledAt: at(9, 0, 0, 1), lastRecordAt: at(19, 0), connected: true };
    // Open by its own hours till 23:00, shut by the policy at 20:00: not silent at 21:00.
    expect(kioskSilent(VENUE, N, [kiosk], THRESHOLDS, at(21))).toHaveLength(1);
    expect(kioskSilent(VENUE, shortKtv, [kiosk], THRESHOLDS, at(21))).toEqual([]);
    // Opened at 12:00 under the policy, not 10:00: nothing since yesterday is silent from 12:00.
    const quiet = { ...kiosk, lastRecordAt: at(22, 0, 0, 22) };
    expect(kioskSilent(VENUE, shortKtv, [quiet], THRESHOLDS, at(12, 59))).toEqual([]);
    expect(kioskSilent(VENUE, shortKtv, [quiet], THRESHOLDS, at(13))[0]).toMatchObject({ windowKey: 'kiosk-1@2026-11-23T12' });
  });

  it('003 §14: admitted_while_closed counts an admission after the shortened close, by the record\'s policy or the one in force', () => {
    const late = entrance(at(21, 10), { policyVersion: 2 });
    const stale = entrance(at(21, 20), { policyVersion: 1 }, 'kiosk-2');
    const byVersion = (v: number) => (v === 2 ? shortKtv : N);
    const flags = admittedWhileClosed(VENUE, [late, stale], byVersion, () => shortKtv);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ severity: 'warning', windowKey: '2026-11-23T21', evidence: { outsideHours: 2, closedByPolicy: 0, recordIds: [late.record.id, stale.record.id] } });
    // Under the normal preset the same admissions are inside the KTV's own hours.
    expect(admittedWhileClosed(VENUE, [late, stale], () => N, () => N)).toEqual([]);
  });
});

describe('venue types (003 table, 004 §3.2–3.8)', () => {
  it('names the barber, the cultural centre, the art gallery and the station, and schools apart from training centres', () => {
    for (const t of ['barber', 'cultural_centre', 'art_gallery', 'station', 'school', 'training_centre']) expect(VenueType.safeParse(t).success).toBe(true);
    expect(VenueType.safeParse('school_training').success).toBe(false);
  });

  it.each([
    ['启明培训学校', 'training_centre'],
    ['少儿美术培训', 'training_centre'],
    ['和平路小学', 'school'],
    ['阳光幼儿园', 'school'],
    ['第三中学', 'school'],
    ['新东方', 'training_centre'],
  ] as const)('splits a venue of the old joint type by its name: %s → %s', (name, type) => {
    expect(schoolOrTrainingCentre(name)).toBe(type);
  });

  it('the presets are valid policies, and a policy stored before the new fields parses with them off', () => {
    expect(Policy.parse(N)).toEqual(N);
    expect(Policy.parse(E)).toEqual(E);
    const { unvaccinated: _u, shortenedHours: _s, ...old } = E;
    expect(Policy.parse(old)).toMatchObject({ unvaccinated: { default: 'record', byVenueType: {} }, shortenedHours: { default: null, byVenueType: {} } });
  });
});
