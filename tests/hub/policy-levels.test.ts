import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDueSchedules } from '../../hub/src/services/policy-schedule.js';
import type { PolicyDraft, PolicyRollup } from '../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, type Policy } from '../../shared/schemas/policy.js';
import { startPolicyCity, type PolicyCity } from '../support/policy-levels.js';
import { policyKiosk } from '../support/policy-street.js';

/**
 * One act for the city (docs/policy.md "Levels", 004 §1–3): the city and a district switch every
 * door under them, each door enforcing the meet of its levels; a street cannot loosen what is
 * imposed above it, and its own stricter switch still stands; the roll-up counts the acks.
 * Two streets in one district and a third street in another, a real hub, real kiosk sockets.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const draft = ({ version: _v, ...p }: Policy): PolicyDraft => p;
const EMERGENCY = draft(EMERGENCY_POLICY);
const NORMAL = draft(NORMAL_POLICY);
const REASON = '市指挥部令：全市进入战时状态';

describe('policy levels', () => {
  let city: PolicyCity;
  const sockets: { close(): void }[] = [];
  beforeEach(async () => {
    city = await startPolicyCity();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await city.close();
  });
  const kiosk = async (door: 's1' | 's2' | 's3') => {
    const k = await policyKiosk(city.url, city.doors[door].token);
    sockets.push(k.socket);
    return k;
  };
  const rollup = async (who: 'city' | 'district' | 'street1'): Promise<PolicyRollup> => {
    const res = await city[who].get('/api/policy/rollup');
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const streetsOf = (r: PolicyRollup) => r.districts.flatMap((d) => d.streets.map((s) => [d.id, s.id, s.doors, s.acked, s.pending.map((p) => p.kioskId)]));

  it('a city switch reaches every connected kiosk of every street, and the roll-up shows each ack', async () => {
    const [k1, k2, k3] = [await kiosk('s1'), await kiosk('s2'), await kiosk('s3')];
    // Every door runs the normal preset and has acked it: nothing is pending.
    for (const k of [k1, k2, k3]) expect(await k.socket.emitWithAck('policy:ack', { version: 1 })).toMatchObject({ ok: true });
    expect(streetsOf(await rollup('city'))).toEqual([
      ['district', 'street', 1, 1, []],
      ['district', 'street-2', 1, 1, []],
      ['district-2', 'street-3', 1, 1, []],
    ]);

    const res = await city.city.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', reason: REASON });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'switched', version: { version: 2, level: 'city', communityId: null, streetId: null, districtId: null }, kiosks: 3, connected: 3 });
    const pushed = await Promise.all([k1.next(2), k2.next(2), k3.next(2)]);
    for (const p of pushed) expect(p).toMatchObject({ version: 2, mode: 'emergency', closedVenueTypes: EMERGENCY_POLICY.closedVenueTypes });

    // Before the acks: every door pending, named with the version due.
    const before = await rollup('city');
    expect(streetsOf(before)).toEqual([
      ['district', 'street', 1, 0, [city.doors.s1.kiosk.id]],
      ['district', 'street-2', 1, 0, [city.doors.s2.kiosk.id]],
      ['district-2', 'street-3', 1, 0, [city.doors.s3.kiosk.id]],
    ]);
    expect(before.districts[0]!.streets[0]!.pending[0]).toMatchObject({ due: 2, acked: 1, connected: true });

    await k1.socket.emitWithAck('policy:ack', { version: 2 });
    expect(streetsOf(await rollup('city')).map((s) => s[3])).toEqual([1, 0, 0]);
    await k2.socket.emitWithAck('policy:ack', { version: 2 });
    await k3.socket.emitWithAck('policy:ack', { version: 2 });
    const after = await rollup('city');
    expect(streetsOf(after)).toEqual([
      ['district', 'street', 1, 1, []],
      ['district', 'street-2', 1, 1, []],
      ['district-2', 'street-3', 1, 1, []],
    ]);
    expect(after.districts.map((d) => [d.id, d.doors, d.acked])).toEqual([
      ['district', 2, 2],
      ['district-2', 1, 1],
    ]);
    // A district admin's roll-up is its district; a street admin's its street.
    expect(streetsOf(await rollup('district')).map((s) => s[1])).toEqual(['street', 'street-2']);
    expect(streetsOf(await rollup('street1')).map((s) => s[1])).toEqual(['street']);

    // The city's act is audited as the city's (no street, no district).
    const audit = (await city.store.audit.list({ limit: 10 })).filter((a) => a.action === 'policy_switch');
    expect(audit).toMatchObject([{ accountName: 'city', target: 'v2', streetId: null, districtId: null, detail: { level: 'city', kiosks: 3, connected: 3 } }]);
  });

  it('a street cannot loosen a city emergency (409 naming the fields); its own stricter switch still stands when the city switches', async () => {
    const k1 = await kiosk('s1');
    const k2 = await kiosk('s2');
    // The street's own stricter measure: emergency with a 37.0 °C threshold and museums at 30 %.
    const stricter = { ...EMERGENCY, feverThresholdC: 37, capPercent: { default: 100, byVenueType: { ...EMERGENCY.capPercent.byVenueType, museum: 30 } } };
    expect((await city.street1.post('/api/policy/switch', { policy: stricter, communityId: null, reason: '街道加严' })).statusCode).toBe(200);
    expect(await k1.next(2)).toMatchObject({ version: 2, feverThresholdC: 37 });

    const cityRes = await city.city.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', reason: REASON });
    expect(cityRes.statusCode, cityRes.body).toBe(200);
    // The meet: street 1 keeps its stricter threshold and cap; street 2 has the city's.
    expect(await k1.next(3)).toMatchObject({ version: 3, mode: 'emergency', feverThresholdC: 37, capPercent: { byVenueType: { museum: 30, library: 50 } } });
    expect(await k2.next(3)).toMatchObject({ version: 3, mode: 'emergency', feverThresholdC: 37.3, capPercent: { byVenueType: { museum: 50 } } });
    expect(await city.store.policies.activeFor('c-venue-1')).toMatchObject({ version: 3, feverThresholdC: 37 });

    // Street 2 tries to go back to normal under the city's emergency: refused, nothing stored.
    const loosen = await city.street2.post('/api/policy/switch', { policy: NORMAL, communityId: null, reason: '恢复常态' });
    expect(loosen.statusCode, loosen.body).toBe(409);
    expect(loosen.json().error).toMatchObject({ code: 'conflict', field: 'policy' });
    for (const f of ['mode', 'closedVenueTypes', 'capPercent', 'threeCodeCheck']) expect(loosen.json().error.message).toContain(f);
    // Nor for one of its communities, nor at a set time.
    expect((await city.street2.post('/api/policy/switch', { policy: NORMAL, communityId: 'c-venue-2', reason: '恢复常态' })).statusCode).toBe(409);
    expect((await city.street2.post('/api/policy/switch', { policy: NORMAL, communityId: null, at: city.clock.now() + HOUR, reason: '恢复常态' })).statusCode).toBe(409);
    expect((await city.store.policies.history(10)).map((v) => v.version)).toEqual([3, 2]);
    // A stricter street switch under the city's is accepted.
    expect((await city.street2.post('/api/policy/switch', { policy: { ...EMERGENCY, passValidMinutes: 5 }, communityId: null, reason: '街道加严' })).statusCode).toBe(200);
    expect(await k2.next(4)).toMatchObject({ version: 4, mode: 'emergency', passValidMinutes: 5 });

    // Levels are the owner's: a street admin cannot switch the city, nor another street's community; a district admin not the city.
    expect((await city.street1.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', reason: REASON })).statusCode).toBe(403);
    expect((await city.street1.post('/api/policy/switch', { policy: EMERGENCY, communityId: 'c-venue-2', reason: REASON })).statusCode).toBe(403);
    expect((await city.district.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', reason: REASON })).statusCode).toBe(403);

    // The city returns to normal: the street's own emergency still stands, the other street is normal again but keeps its 5 minutes.
    expect((await city.city.post('/api/policy/switch', { policy: NORMAL, communityId: null, level: 'city', reason: '解除战时状态' })).statusCode).toBe(200);
    expect(await k1.next(5)).toMatchObject({ version: 5, mode: 'emergency', feverThresholdC: 37 });
    expect(await k2.next(5)).toMatchObject({ version: 5, mode: 'emergency', passValidMinutes: 5 });

    // Each street's history lists the versions covering it: the city's and its own, not the other street's.
    const versionsOf = async (who: 'street1' | 'street2') => (await city[who].get('/api/policy/history')).json().items.map((v: { version: number; level: string }) => [v.version, v.level]);
    expect(await versionsOf('street1')).toEqual([[5, 'city'], [3, 'city'], [2, 'street']]);
    expect(await versionsOf('street2')).toEqual([[5, 'city'], [4, 'street'], [3, 'city']]);
    expect((await city.street2.get('/api/policy')).json().latest).toMatchObject({ version: 5, level: 'city' });
  });

  it('a district switch covers only its district; the district cannot loosen the city', async () => {
    const [k1, k2, k3] = [await kiosk('s1'), await kiosk('s2'), await kiosk('s3')];
    const res = await city.district.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'district', reason: '区指挥部令' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: { level: 'district', districtId: 'district' }, kiosks: 2, connected: 2 });
    expect(await k1.next(2)).toMatchObject({ mode: 'emergency' });
    expect(await k2.next(2)).toMatchObject({ mode: 'emergency' });
    expect(await city.store.policies.activeFor('c-venue-3')).toEqual(NORMAL_POLICY);
    expect(k3.policies.map((p) => p.version)).toEqual([1]);
    const audit = (await city.store.audit.list({ limit: 10 })).filter((a) => a.action === 'policy_switch');
    expect(audit).toMatchObject([{ accountName: 'district', streetId: null, districtId: 'district', detail: { level: 'district' } }]);

    // The roll-up: the district's two doors are due version 2, the other district's door the preset (none of them acked yet).
    const r = await rollup('city');
    expect(r.districts.map((d) => [d.id, d.streets.map((s) => s.pending.map((p) => p.due))])).toEqual([
      ['district', [[2], [2]]],
      ['district-2', [[1]]],
    ]);

    // Under a city emergency a district cannot switch to normal.
    expect((await city.city.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', reason: REASON })).statusCode).toBe(200);
    expect(await k3.next(3)).toMatchObject({ mode: 'emergency' });
    const loosen = await city.district.post('/api/policy/switch', { policy: NORMAL, communityId: null, level: 'district', reason: '恢复常态' });
    expect(loosen.statusCode).toBe(409);
    expect(loosen.json().error.message).toContain('closedVenueTypes');
  });

  it('a switch the city set for later applies at its time, to every street', async () => {
    const k1 = await kiosk('s1');
    const k3 = await kiosk('s3');
    const at = city.clock.now() + 2 * HOUR;
    const res = await city.city.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', at, reason: REASON });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().schedule).toMatchObject({ level: 'city', communityId: null, streetId: null, districtId: null, status: 'pending', dueAt: at });
    const view = (await city.city.get('/api/policy/level')).json();
    expect(view).toMatchObject({ level: 'city', own: null, floor: null, schedules: [{ dueAt: at }] });
    // A street admin's desk does not list the city's switch as its own.
    expect((await city.street1.get('/api/policy')).json().schedules).toEqual([]);

    const tick = () => applyDueSchedules({ store: city.store, io: city.app.io, now: city.clock.now, log: city.app.log });
    city.clock.set(at - 1);
    expect((await tick()).applied).toEqual([]);
    city.clock.set(at + 1000);
    await tick();
    expect(await k1.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await k3.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await city.store.policies.activeFor('c-venue-2')).toMatchObject({ version: 2, mode: 'emergency' });
    const applied = (await city.store.audit.list({ limit: 10 })).filter((a) => a.action === 'policy_schedule_applied');
    expect(applied).toMatchObject([{ streetId: null, districtId: null, detail: { level: 'city', scheduledBy: 'city' } }]);
    expect((await city.city.get('/api/policy/level')).json()).toMatchObject({ own: { policy: { version: 2 } }, inForce: { mode: 'emergency' }, schedules: [] });
    // The street's desk shows the floor it now cannot go under.
    expect((await city.street1.get('/api/policy/level')).json()).toMatchObject({ level: 'street', id: 'street', own: null, floor: { mode: 'emergency' } });
  });

  it('a community created under a city emergency enforces it at once', async () => {
    expect((await city.city.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, level: 'city', reason: REASON })).statusCode).toBe(200);
    await city.store.venues.createCommunity({ id: 'c-new', name: '新社区', streetId: 'street-2' });
    expect(await city.store.policies.activeFor('c-new')).toMatchObject({ version: 2, mode: 'emergency' });
  });
});
