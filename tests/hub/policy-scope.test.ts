import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateBatch, policiesFor } from '../../hub/src/services/flags.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import type { PolicyDraft } from '../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import { enrolKiosk, seedVenue } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';
import { policyKiosk, startPolicyStreet, type PolicyStreet } from '../support/policy-street.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * A policy for one community (docs/policy.md "Switching", Scope: a switch is for
 * the whole street or one community): who receives it, what each community then enforces, and the
 * readers that judge a venue by its own community's policy (flags, the street
 * overview's caps and closures).
 */

const MIN = 60_000;
const draft = ({ version: _v, ...p }: typeof NORMAL_POLICY): PolicyDraft => p;
const EMERGENCY = draft(EMERGENCY_POLICY);
const NORMAL = draft(NORMAL_POLICY);

describe('policy scope', () => {
  let street: PolicyStreet;
  const sockets: { close(): void }[] = [];
  beforeEach(async () => {
    street = await startPolicyStreet();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await street.close();
  });
  const kiosk = async (door: 'a' | 'b') => {
    const k = await policyKiosk(street.url, street.doors[door].token);
    sockets.push(k.socket);
    return k;
  };
  const switchTo = async (policy: PolicyDraft, communityId: string | null) => {
    const res = await street.admin.post('/api/policy/switch', { policy, communityId, reason: '测试切换' });
    expect(res.statusCode, res.body).toBe(200);
    street.clock.advance(MIN);
    return res.json().version.version as number;
  };

  it('numbers versions in one street-wide sequence across street and community switches', async () => {
    const versions = [
      await switchTo(EMERGENCY, 'c-venue-a'),
      await switchTo(EMERGENCY, null),
      await switchTo(NORMAL, 'c-venue-b'),
      await switchTo(NORMAL, 'c-venue-a'),
    ];
    expect(versions).toEqual([2, 3, 4, 5]);
    const history = await street.store.policies.history(10);
    expect(history.map((v) => [v.version, v.communityId])).toEqual([
      [5, 'c-venue-a'],
      [4, 'c-venue-b'],
      [3, null],
      [2, 'c-venue-a'],
    ]);
    expect(history.every((v, i) => i === 0 || v.activatedAt < history[i - 1]!.activatedAt)).toBe(true);
    expect(await street.store.policies.activeFor('c-venue-a')).toMatchObject({ version: 5, mode: 'normal' });
    expect(await street.store.policies.activeFor('c-venue-b')).toMatchObject({ version: 4, mode: 'normal' });
    expect(await street.store.policies.active()).toMatchObject({ version: 3, mode: 'emergency' });
  });

  it('has every reader agree on the policy in force per community: lookup, kiosks due, street overview, retention, flag history', async () => {
    // A third community whose venue no switch names; each version below has its own cap and retention period to tell them apart.
    await enrolKiosk(street.store, await seedVenue(street.store, 'venue-c'));
    const communities = ['c-venue-a', 'c-venue-b', 'c-venue-c'];
    const body = { 1: NORMAL_POLICY } as Record<number, typeof NORMAL_POLICY>;
    const inForce = async () => {
      const now = street.clock.now();
      const lookup = await Promise.all(communities.map(async (c) => (await street.store.policies.activeFor(c)).version));
      const due = await street.store.kiosks.list(WHOLE_CITY);
      const kiosksDue = communities.map((c) => due.filter((k) => k.communityId === c).map((k) => k.policyVersionDue));
      const venues = (await street.store.dashboard.overview(WHOLE_CITY, now)).communities.flatMap((c) => c.venues);
      const caps = communities.map((c) => venues.find((v) => v.id === c.slice(2))!.cap);
      const retention = (await street.store.passes.purgeContacts(now)).rules.flatMap((r) => (r.by === 'policy' ? r.communityIds!.map((c) => [c, r.days] as const) : []));
      const days = communities.map((c) => retention.find(([id]) => id === c)![1]);
      const history = await street.store.flags.facts.policies();
      const places = await Promise.all(communities.map(async (c) => (await street.store.organisation.placeOfCommunity(c))!));
      const flagRules = places.map((place) => policiesFor(history, place).active.version);
      return { lookup, kiosksDue, caps, days, flagRules };
    };
    const expected = (versions: number[]) => ({
      lookup: versions,
      kiosksDue: versions.map((v) => [v]),
      caps: versions.map((v) => body[v]!.capPercent.default),
      days: versions.map((v) => body[v]!.contactRetentionDays),
      flagRules: versions,
    });
    const switchWith = async (pct: number, days: number, communityId: string | null) => {
      const policy = { ...NORMAL, capPercent: { default: pct, byVenueType: {} }, contactRetentionDays: days };
      const version = await switchTo(policy, communityId);
      body[version] = { ...policy, version };
    };

    expect(await inForce()).toEqual(expected([1, 1, 1]));
    await switchWith(90, 10, 'c-venue-a');
    expect(await inForce()).toEqual(expected([2, 1, 1]));
    await switchWith(80, 12, null);
    expect(await inForce()).toEqual(expected([3, 3, 3]));
    await switchWith(70, 14, 'c-venue-b');
    expect(await inForce()).toEqual(expected([3, 4, 3]));
    await switchWith(60, 16, 'c-venue-a');
    expect(await inForce()).toEqual(expected([5, 4, 3]));
    // The desk's overview reads the same view: whose version is its own.
    const overview = (await street.admin.get('/api/policy')).json();
    expect(overview.communities.map((c: { id: string; override: boolean; policy: { version: number } }) => [c.id, c.override, c.policy.version])).toEqual([
      ['c-venue-a', true, 5],
      ['c-venue-b', true, 4],
      ['c-venue-c', false, 3],
    ]);
  });

  it("reaches only that community's connected kiosks, and a later street switch overrides it everywhere", async () => {
    const [a, b] = [await kiosk('a'), await kiosk('b')];
    expect(a.policies[0]).toEqual(NORMAL_POLICY);
    expect(b.policies[0]).toEqual(NORMAL_POLICY);

    const res = await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: 'c-venue-a', reason: '东风社区出现病例' });
    expect(res.json()).toMatchObject({ kind: 'switched', version: { version: 2, communityId: 'c-venue-a' }, kiosks: 1, connected: 1 });
    expect(await a.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await street.store.policies.activeFor('c-venue-a')).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await street.store.policies.activeFor('c-venue-b')).toEqual(NORMAL_POLICY);
    expect(await street.store.policies.activeForVenue('venue-b')).toEqual(NORMAL_POLICY);
    // The other community's kiosk cannot acknowledge a version that is not its own.
    expect(await b.socket.emitWithAck('policy:ack', { version: 2 })).toMatchObject({ ok: false, error: { field: 'version' } });

    const overview = (await street.admin.get('/api/policy')).json();
    expect(overview.communities.map((c: { id: string; override: boolean; policy: { mode: string }; kiosks: number; connected: number }) => [c.id, c.override, c.policy.mode, c.kiosks, c.connected])).toEqual([
      ['c-venue-a', true, 'emergency', 1, 1],
      ['c-venue-b', false, 'normal', 1, 1],
    ]);
    expect(overview.street.policy).toEqual(NORMAL_POLICY);

    street.clock.advance(MIN);
    await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: null, reason: '全街道恢复常态' });
    expect(await a.next(3)).toMatchObject({ version: 3, mode: 'normal' });
    expect(await b.next(3)).toMatchObject({ version: 3, mode: 'normal' });
    // Pushes to one socket arrive in order: had b been sent version 2, it would have come before 3.
    expect(b.policies.map((p) => p.version)).toEqual([1, 3]);
    expect(a.policies.map((p) => p.version)).toEqual([1, 2, 3]);
    expect(await street.store.policies.activeFor('c-venue-a')).toMatchObject({ version: 3, mode: 'normal' });
    const after = (await street.admin.get('/api/policy')).json();
    expect(after.communities.map((c: { override: boolean; policy: { version: number } }) => [c.override, c.policy.version])).toEqual([
      [false, 3],
      [false, 3],
    ]);
  });

  it("sends a reconnecting kiosk its own community's policy", async () => {
    await switchTo(EMERGENCY, 'c-venue-b');
    const [a, b] = [await kiosk('a'), await kiosk('b')];
    expect(a.policies[0]).toEqual(NORMAL_POLICY);
    expect(b.policies[0]).toMatchObject({ version: 2, mode: 'emergency' });
  });

  it("judges a venue's admissions by its own community's policy: closed KTVs are flagged only where the emergency is", async () => {
    // Community A goes to emergency (004 §3.1 closes KTVs); B stays normal. Both doors admit someone after the switch.
    const switchedAt = street.clock.now();
    await street.store.policies.activate(EMERGENCY, switchedAt, { communityId: 'c-venue-a', by: 'admin', note: '东风社区出现病例' });
    const at = new Date(switchedAt + 5 * MIN).toISOString();
    const admit = async (door: KioskIdentity, policyVersion: number) => {
      const record = entranceRecord(door, 1, { kioskTime: at, policyVersion });
      await street.store.records.ingest([record], switchedAt + 6 * MIN);
      return evaluateBatch(street.store, door, [record], switchedAt + 6 * MIN);
    };
    // A's kiosk had the emergency version and admitted anyway; B's kiosk was on the normal one, rightly.
    const flagsA = await admit(street.doors.a.kiosk, 2);
    const flagsB = await admit(street.doors.b.kiosk, 1);
    expect(flagsA.filter((f) => f.rule === 'admitted_while_closed')).toMatchObject([{ venueId: 'venue-a', severity: 'violation' }]);
    expect(flagsB.filter((f) => f.rule === 'admitted_while_closed')).toEqual([]);
    expect((await street.store.flags.list(WHOLE_CITY)).filter((f) => f.rule === 'admitted_while_closed').map((f) => f.venueId)).toEqual(['venue-a']);
  });

  it("shows caps and closures per community on the street overview: 50 % for a library only where the emergency is", async () => {
    for (const c of ['a', 'b']) {
      await street.store.venues.add({
        id: `library-${c}`,
        communityId: `c-venue-${c}`,
        name: `图书馆${c}`,
        type: 'library',
        address: '文化路1号',
        ratedCapacity: 200,
        openingHours: null,
        utcOffsetMinutes: 480,
        officers: { prevention: { name: '赵敏', phone: '13800000001' } },
      });
    }
    await switchTo(EMERGENCY, 'c-venue-a');
    const overview = await street.store.dashboard.overview(WHOLE_CITY, street.clock.now());
    const venues = Object.fromEntries(overview.communities.flatMap((c) => c.venues).map((v) => [v.id, { cap: v.cap, closed: v.status === 'closed' }]));
    expect(venues).toMatchObject({
      'library-a': { cap: 100, closed: false },
      'library-b': { cap: 200, closed: false },
      'venue-a': { closed: true },
      'venue-b': { closed: false },
    });
    // The inspectors' API reads the same.
    const api = (await street.inspector.get('/api/street')).json();
    expect(api.communities.flatMap((c: { venues: { id: string; cap: number }[] }) => c.venues).find((v: { id: string }) => v.id === 'library-a').cap).toBe(100);
  });
});
