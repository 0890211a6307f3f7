import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { applyDueSchedules, SCHEDULER_NAME } from '../../hub/src/services/policy-schedule.js';
import { openStore } from '../../hub/src/store/index.js';
import { locationOf, openTestStore } from '../support/store.js';
import type { PolicyDraft } from '../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import { hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { ADMIN_PASSWORD, policyDashboard, policyKiosk, startPolicyStreet, testClock, type PolicyStreet } from '../support/policy-street.js';

/**
 * The street office's policy desk (docs/policy.md "The policy desk"): switch now or at a set
 * time, cancel, history and audit, against a real hub on 127.0.0.1 over a real
 * SQLite file, with real kiosk and dashboard sockets and a clock the test moves.
 */

const HOUR = 3_600_000;
const draft = ({ version: _v, ...p }: typeof NORMAL_POLICY): PolicyDraft => p;
const EMERGENCY = draft(EMERGENCY_POLICY);
const NORMAL = draft(NORMAL_POLICY);
const REASON = '区防控指挥部通知：即日起进入战时状态';

const auditOf = (street: PolicyStreet, action: string) => street.store.audit.list({ limit: 100 }).then((items) => items.filter((a) => a.action === action));
const versionCount = async (street: PolicyStreet) => (await street.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM policies'))!.n;
/** The audit log refuses every write, as a full disk would: a trigger in the hub's own database. */
const auditRefuses = (street: PolicyStreet, refuses: boolean) => {
  const sql = street.store.sql;
  if (sql.dialect === 'sqlite') {
    return sql.exec(refuses ? "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END" : 'DROP TRIGGER audit_refused');
  }
  return sql.exec(
    refuses
      ? `CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$;
         CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refused();`
      : 'DROP TRIGGER audit_refused ON audit_log; DROP FUNCTION audit_refused();',
  );
};
const tick = (street: PolicyStreet) => applyDueSchedules({ store: street.store, io: street.app.io, now: street.clock.now, log: street.app.log });

describe('POST /api/policy/switch', () => {
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

  it('puts a street-wide switch in force at once: every kiosk gets it, the admin dashboard hears it, the version keeps who and why, the audit log has it', async () => {
    const [a, b] = [await kiosk('a'), await kiosk('b')];
    const dash = await policyDashboard(street.url, street.admin.cookies());
    sockets.push(dash.socket);
    const heard = dash.next('switched');

    const res = await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, reason: REASON });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'switched',
      version: { version: 2, mode: 'emergency', communityId: null, createdBy: 'admin', note: REASON, activatedAt: street.clock.now() },
      kiosks: 2,
      connected: 2,
    });
    expect(await a.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await b.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await heard).toEqual({ kind: 'switched', version: 2, mode: 'emergency', communityId: null, at: street.clock.now(), by: 'admin', scheduleId: null });

    const overview = (await street.admin.get('/api/policy')).json();
    expect(overview.street).toMatchObject({ policy: { version: 2, mode: 'emergency' }, createdBy: 'admin', note: REASON });
    expect(overview.communities.map((c: { id: string; override: boolean; policy: { version: number } }) => [c.id, c.override, c.policy.version])).toEqual([
      ['c-venue-a', false, 2],
      ['c-venue-b', false, 2],
    ]);
    expect(overview.latest).toMatchObject({ version: 2, communityId: null });
    expect(overview.presets.emergency).toEqual(EMERGENCY_POLICY);

    const history = (await street.admin.get('/api/policy/history')).json();
    expect(history.items).toMatchObject([{ version: 2, mode: 'emergency', communityId: null, createdBy: 'admin', note: REASON }]);

    const audit = await auditOf(street, 'policy_switch');
    expect(audit).toMatchObject([{ accountName: 'admin', target: 'v2', detail: { version: 2, mode: 'emergency', communityId: null, reason: REASON, kiosks: 2, connected: 2 } }]);
  });

  it('answers 400 naming the field path for a bad policy, a missing reason, an unknown community or a date too far ahead, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ policy: { ...EMERGENCY, capPercent: { default: 100, byVenueType: { library: 150 } } }, communityId: null, reason: REASON }, 'policy.capPercent.byVenueType.library'],
      [{ policy: { ...EMERGENCY, feverThresholdC: 35 }, communityId: null, reason: REASON }, 'policy.feverThresholdC'],
      [{ policy: { ...EMERGENCY, closedVenueTypes: ['ktv', 'casino'] }, communityId: null, reason: REASON }, 'policy.closedVenueTypes.1'],
      [{ policy: { ...EMERGENCY, flags: { ...EMERGENCY.flags, repeatViolations: 1 } }, communityId: null, reason: REASON }, 'policy.flags.repeatViolations'],
      [{ policy: { ...EMERGENCY, doorChecks: { default: [], byVenueType: {} } }, communityId: null, reason: REASON }, 'policy.doorChecks.default'],
      [{ policy: EMERGENCY, communityId: null, reason: ' ' }, 'reason'],
      [{ policy: EMERGENCY, communityId: null }, 'reason'],
      [{ policy: EMERGENCY, reason: REASON }, 'communityId'],
      [{ policy: EMERGENCY, communityId: 'no-such-community', reason: REASON }, 'communityId'],
      [{ policy: EMERGENCY, communityId: null, reason: REASON, at: street.clock.now() + 400 * 24 * HOUR }, 'at'],
      [{ policy: EMERGENCY, communityId: null, reason: REASON, at: 'tomorrow' }, 'at'],
    ];
    for (const [body, field] of cases) {
      const res = await street.admin.post('/api/policy/switch', body);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json().error, field).toMatchObject({ code: 'invalid', field });
    }
    // A version, or a misspelt key, is refused rather than dropped in favour of a default.
    for (const extra of [{ version: 9 }, { contactRetentionDay: 7 }]) {
      const res = await street.admin.post('/api/policy/switch', { policy: { ...EMERGENCY, ...extra }, communityId: null, reason: REASON });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('policy');
      expect(res.json().error.message).toContain(Object.keys(extra)[0]);
    }
    const typo = await street.admin.post('/api/policy/switch', { policy: { ...EMERGENCY, flags: { ...EMERGENCY.flags, repeatViolation: 2 } }, communityId: null, reason: REASON });
    expect(typo.json().error.field).toBe('policy.flags');
    expect(await versionCount(street)).toBe(0);
    expect(await auditOf(street, 'policy_switch')).toEqual([]);
  });

  it('refuses an inspector (403) and no session (401) on every policy route, and a write without the CSRF token', async () => {
    const body = { policy: EMERGENCY, communityId: 'c-venue-a', reason: REASON };
    const scheduled = await street.store.policies.schedule(EMERGENCY, street.clock.now() + HOUR, street.clock.now(), { communityId: null, by: 'admin', note: REASON });
    const anonymous = inspectorSession(street.url);
    for (const [who, status] of [[street.inspector, 403], [anonymous, 401]] as const) {
      expect((await who.get('/api/policy')).statusCode).toBe(status);
      expect((await who.get('/api/policy/history')).statusCode).toBe(status);
      expect((await who.post('/api/policy/switch', body)).statusCode).toBe(status);
      expect((await who.post('/api/policy/switch', { ...body, at: street.clock.now() + HOUR })).statusCode).toBe(status);
      expect((await who.post(`/api/policy/schedules/${scheduled.id}/cancel`, {})).statusCode).toBe(status);
    }
    expect((await street.admin.post('/api/policy/switch', body, false)).statusCode).toBe(403);
    expect((await street.admin.post(`/api/policy/schedules/${scheduled.id}/cancel`, {}, false)).statusCode).toBe(403);
    expect(await versionCount(street)).toBe(0);
    expect((await street.store.policies.pendingSchedules()).map((s) => s.id)).toEqual([scheduled.id]);
  });

  it('schedules a switch for later and applies it once when the clock passes it, even when two passes race', async () => {
    const a = await kiosk('a');
    const dash = await policyDashboard(street.url, street.admin.cookies());
    sockets.push(dash.socket);
    const at = street.clock.now() + 2 * HOUR;
    const scheduledHeard = dash.next('scheduled');
    const res = await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: 'c-venue-a', at, reason: REASON });
    expect(res.statusCode, res.body).toBe(200);
    const { schedule } = res.json();
    expect(schedule).toMatchObject({ communityId: 'c-venue-a', communityName: '测试社区', mode: 'emergency', dueAt: at, createdBy: 'admin', note: REASON, status: 'pending', appliedVersion: null });
    expect(await scheduledHeard).toEqual({ kind: 'scheduled', scheduleId: schedule.id, mode: 'emergency', communityId: 'c-venue-a', dueAt: at, by: 'admin' });
    expect((await street.admin.get('/api/policy')).json().schedules).toMatchObject([{ id: schedule.id, status: 'pending' }]);
    expect(await auditOf(street, 'policy_schedule')).toMatchObject([{ accountName: 'admin', detail: { scheduleId: schedule.id, dueAt: at, reason: REASON } }]);

    // Not yet due: nothing happens.
    street.clock.set(at - 1);
    expect((await tick(street)).applied).toEqual([]);
    expect(await versionCount(street)).toBe(0);

    street.clock.set(at + 1000);
    const switchedHeard = dash.next('switched');
    const [first, second] = await Promise.all([tick(street), tick(street)]);
    // The hub's own timer may have got there too; whoever did, it happened once.
    expect([...first.applied, ...second.applied].length).toBeLessThanOrEqual(1);
    expect(await a.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await switchedHeard).toMatchObject({ kind: 'switched', version: 2, communityId: 'c-venue-a', by: 'admin', scheduleId: schedule.id });
    expect(await tick(street)).toEqual({ applied: [], published: [] });

    expect(await versionCount(street)).toBe(1);
    expect(await street.store.policies.since(1)).toMatchObject([{ version: { version: 2, activatedAt: at + 1000 }, scheduleId: schedule.id }]);
    expect(await street.store.policies.activeFor('c-venue-a')).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await street.store.policies.activeFor('c-venue-b')).toEqual(NORMAL_POLICY);
    expect((await street.admin.get('/api/policy/history')).json().items).toMatchObject([{ version: 2, communityId: 'c-venue-a', createdBy: 'admin', note: REASON, activatedAt: at + 1000 }]);
    const applied = await auditOf(street, 'policy_schedule_applied');
    expect(applied).toMatchObject([{ accountName: SCHEDULER_NAME, target: 'v2', detail: { scheduleId: schedule.id, version: 2, scheduledBy: 'admin', dueAt: at, reason: REASON } }]);
    expect((await street.admin.get('/api/policy')).json().schedules).toEqual([]);
  });

  it('switches at once when the time given is not after the hub clock', async () => {
    const res = await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, at: street.clock.now(), reason: REASON });
    expect(res.json()).toMatchObject({ kind: 'switched', version: { version: 2 } });
  });

  it('cancels a scheduled switch, which then never applies; a second cancel is a conflict and an unknown one 404', async () => {
    const at = street.clock.now() + HOUR;
    const { schedule } = (await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: null, at, reason: REASON })).json();
    const dash = await policyDashboard(street.url, street.admin.cookies());
    sockets.push(dash.socket);
    const heard = dash.next('cancelled');
    const res = await street.admin.post(`/api/policy/schedules/${schedule.id}/cancel`, { reason: '通知撤回' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: schedule.id, status: 'cancelled', settledAt: street.clock.now() });
    expect(await heard).toEqual({ kind: 'cancelled', scheduleId: schedule.id, communityId: null, by: 'admin' });

    const again = await street.admin.post(`/api/policy/schedules/${schedule.id}/cancel`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'conflict', field: 'id' });
    expect((await street.admin.post('/api/policy/schedules/9999/cancel', {})).statusCode).toBe(404);
    expect((await street.admin.post('/api/policy/schedules/abc/cancel', {})).json().error).toMatchObject({ code: 'invalid', field: 'id' });

    street.clock.set(at + HOUR);
    expect(await tick(street)).toEqual({ applied: [], published: [] });
    expect(await versionCount(street)).toBe(0);
    expect(await street.store.policies.pendingSchedules()).toEqual([]);
    expect(await auditOf(street, 'policy_schedule_cancel')).toMatchObject([{ accountName: 'admin', detail: { scheduleId: schedule.id, scheduledBy: 'admin', reason: '通知撤回' } }]);
    expect(await auditOf(street, 'policy_schedule_applied')).toEqual([]);
  });

  it('tells kiosks and dashboards before auditing: with the audit log refusing writes, a switch, a schedule, its application and a cancel are each done, published and answered', async () => {
    const [a, b] = [await kiosk('a'), await kiosk('b')];
    const dash = await policyDashboard(street.url, street.admin.cookies());
    sockets.push(dash.socket);
    await auditRefuses(street, true);

    const switched = dash.next('switched');
    const res = await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: null, reason: REASON });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'switched', version: { version: 2, mode: 'emergency' } });
    expect(await a.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await b.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await switched).toMatchObject({ version: 2, scheduleId: null });

    const due = street.clock.now() + HOUR;
    const scheduled = dash.next('scheduled');
    const later = await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: 'c-venue-a', at: due, reason: REASON });
    expect(later.statusCode, later.body).toBe(200);
    const { schedule } = later.json();
    expect(await scheduled).toMatchObject({ scheduleId: schedule.id });
    street.clock.set(due);
    const applied = dash.next('switched');
    await tick(street);
    expect(await a.next(3)).toMatchObject({ version: 3, mode: 'normal' });
    expect(await applied).toMatchObject({ version: 3, communityId: 'c-venue-a', scheduleId: schedule.id });

    const other = (await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: null, at: due + HOUR, reason: REASON })).json().schedule;
    const cancelled = dash.next('cancelled');
    const cancel = await street.admin.post(`/api/policy/schedules/${other.id}/cancel`, { reason: '通知撤回' });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(await cancelled).toMatchObject({ scheduleId: other.id });
    expect(await street.store.policies.pendingSchedules()).toEqual([]);

    // Nothing reached the audit log; once it takes writes again, the desk audits as before.
    expect((await street.store.audit.list({ limit: 100 })).filter((e) => e.action.startsWith('policy'))).toEqual([]);
    await auditRefuses(street, false);
    await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: null, reason: REASON });
    expect(await auditOf(street, 'policy_switch')).toMatchObject([{ target: 'v4' }]);
  });

  it("publishes on the next pass any version in force this hub has not told its kiosks of: a push that threw, a schedule claimed by a pass that stopped there, another hub process's switch; each once", async () => {
    const [a, b] = [await kiosk('a'), await kiosk('b')];
    const dash = await policyDashboard(street.url, street.admin.cookies());
    sockets.push(dash.socket);

    // The push throws (the socket layer failed): the switch is in force and answered, never a second version on retry.
    const of = vi.spyOn(street.app.io, 'of').mockImplementationOnce(() => {
      throw new Error('socket adapter down');
    });
    const res = await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: 'c-venue-a', reason: REASON });
    of.mockRestore();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'switched', version: { version: 2 } });
    expect(await auditOf(street, 'policy_switch')).toMatchObject([{ target: 'v2' }]);
    const pushed = dash.next('switched');
    await tick(street);
    expect(await a.next(2)).toMatchObject({ version: 2, mode: 'emergency' });
    expect(await pushed).toMatchObject({ version: 2, communityId: 'c-venue-a', by: 'admin', scheduleId: null });

    // A pass claimed a schedule and stopped before publishing it (the hub died there).
    const now = street.clock.now();
    const s = await street.store.policies.schedule(NORMAL, now, now, { communityId: 'c-venue-a', by: 'admin', note: REASON });
    expect(await street.store.policies.applySchedule(s.id, now)).toMatchObject({ policy: { version: 3 } });
    const claimed = dash.next('switched');
    await tick(street);
    expect(await a.next(3)).toMatchObject({ version: 3, mode: 'normal' });
    expect(await claimed).toMatchObject({ version: 3, communityId: 'c-venue-a', scheduleId: s.id });

    // Another hub process on the same database switches community B; B's kiosk is connected to this hub.
    const process2 = await openStore(street.dbFile);
    try {
      await process2.policies.activate(EMERGENCY, now, { communityId: 'c-venue-b', by: 'admin', note: REASON });
    } finally {
      await process2.close();
    }
    await tick(street);
    expect(await b.next(4)).toMatchObject({ version: 4, mode: 'emergency' });

    // Each once and in order: a street switch comes next on each socket, with no repeat before it.
    await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: null, reason: REASON });
    await a.next(5);
    await b.next(5);
    expect(a.policies.map((p) => p.version)).toEqual([1, 2, 3, 5]);
    expect(b.policies.map((p) => p.version)).toEqual([1, 4, 5]);
    expect(await tick(street)).toEqual({ applied: [], published: [] });
  });

  it('lists the history newest first with scope, author and reason', async () => {
    await street.admin.post('/api/policy/switch', { policy: EMERGENCY, communityId: 'c-venue-a', reason: '东风社区出现病例' });
    street.clock.advance(HOUR);
    await street.admin.post('/api/policy/switch', { policy: NORMAL, communityId: null, reason: '全街道恢复常态' });
    const items = (await street.admin.get('/api/policy/history?limit=10')).json().items;
    expect(items.map((v: { version: number; communityId: string | null; mode: string; note: string }) => [v.version, v.communityId, v.mode, v.note])).toEqual([
      [3, null, 'normal', '全街道恢复常态'],
      [2, 'c-venue-a', 'emergency', '东风社区出现病例'],
    ]);
    expect(items[1].communityName).toBe('测试社区');
    expect((await street.admin.get('/api/policy/history?limit=0')).json().error).toMatchObject({ field: 'limit' });
  });
});

describe('policy scheduler', () => {
  it('claims a due schedule once when two hub processes share the database', async () => {
    const tmp = tempDir();
    const one = await openTestStore(tmp.dir);
    const two = await openStore(locationOf(one));
    try {
      await seedVenue(one, 'venue-a');
      const s = await one.policies.schedule(EMERGENCY, 1_000, 0, { communityId: null, by: 'admin', note: REASON });
      // Both processes see it due before either claims it.
      expect(await one.policies.dueSchedules(2_000)).toEqual([s.id]);
      expect(await two.policies.dueSchedules(2_000)).toEqual([s.id]);
      const outcomes = [await two.policies.applySchedule(s.id, 2_000), await one.policies.applySchedule(s.id, 2_001)];
      expect(outcomes[0]).toMatchObject({ policy: { version: 2, mode: 'emergency' }, schedule: { status: 'applied', appliedVersion: 2 } });
      expect(outcomes[1]).toBeUndefined();
      expect((await one.policies.history(10)).map((v) => v.version)).toEqual([2]);
      expect(await one.policies.dueSchedules(3_000)).toEqual([]);
    } finally {
      await one.close();
      await two.close();
      tmp.remove();
    }
  });

  it('applies a switch that fell due while the hub was down as soon as it starts again', async () => {
    const clock = testClock();
    const tmp = tempDir();
    const store = await openTestStore(tmp.dir);
    const file = store.location;
    try {
      await seedVenue(store, 'venue-a');
      await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: ADMIN_PASSWORD }, clock.now());
      const s = await store.policies.schedule(EMERGENCY, clock.now() + HOUR, clock.now(), { communityId: null, by: 'admin', note: REASON });
      // The hub was off through the due time; it starts two hours later.
      clock.advance(2 * HOUR);
      const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: clock.now }));
      try {
        // Nothing but the hub's start applies it: its first pass runs when the app is ready. Its audit entry is the pass's last write.
        const audited = await new Promise<unknown[]>((resolve) => {
          const check = async () => {
            const entries = (await store.audit.list({ limit: 10 })).filter((e) => e.action === 'policy_schedule_applied');
            if (entries.length > 0) resolve(entries);
            else setImmediate(() => void check());
          };
          void check();
        });
        expect(audited).toMatchObject([{ target: 'v2', detail: { scheduleId: s.id } }]);
        expect(await store.policies.since(1)).toMatchObject([{ version: { version: 2, activatedAt: clock.now() }, scheduleId: s.id }]);
        expect(await store.policies.pendingSchedules()).toEqual([]);
        expect(await store.policies.active()).toMatchObject({ version: 2, mode: 'emergency' });
      } finally {
        await app.close();
      }
    } finally {
      await store.close();
      tmp.remove();
    }
  });
});

