import type { PolicyDraft, PolicySchedule, PolicyVersion } from '../../../shared/schemas/policy-admin.js';
import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import type { GroupCommit } from './group-commit.js';
import { onlyStreet } from './organisation.js';
import type { Sql } from './sql.js';

/** Who a policy covers: the whole street, or one community. */
export interface PolicyScope {
  /** null: the whole street. */
  communityId: string | null;
  /** The street of a street-wide version; the deployment's only street when not given (organisation.ts onlyStreet). */
  streetId?: string | null;
}

/** Who put a version in force, and why (kept with the version; the audit log has the rest). */
export type PolicyAuthor = PolicyScope & { by?: string | null; note?: string | null };

/** One community as the policy desk sees it; `connected` is the socket server's to fill in. */
export interface CommunityPolicyRow {
  id: string;
  name: string;
  policy: Policy;
  override: boolean;
  activatedAt: number | null;
  /** Kiosks in service at its venues. */
  kiosks: number;
}

/** A cancel that found the schedule already applied or cancelled. */
export type CancelOutcome = { ok: true; schedule: PolicySchedule } | { ok: false; schedule: PolicySchedule | undefined };

export interface PolicyRepository {
  /** The street-wide policy in force: the newest street-wide version, or the normal preset on a new street. */
  active(): Promise<Policy>;
  /**
   * The policy a venue of this community enforces: the newest version that is
   * street-wide or for this community (versions are one street-wide sequence,
   * so a later street-wide switch overrides an earlier community one). The rule
   * lives in the view community_policy (migration 12), which every SQL reader uses.
   */
  activeFor(communityId: string): Promise<Policy>;
  /** The policy this venue enforces: activeFor its community. */
  activeForVenue(venueId: string): Promise<Policy>;
  /** Stores a new policy in force for `scope` under the next version number, and returns it. */
  activate(policy: Omit<Policy, 'version'>, now: number, scope?: PolicyAuthor): Promise<Policy>;
  /** Records that a kiosk now enforces this version (read back in the kiosks' view: policyVersionAcked). */
  acknowledge(kioskId: string, version: number, now: number): Promise<void>;

  /** The street-wide version in force with who switched it and why (no author on a street that never switched). */
  street(): Promise<{ policy: Policy; activatedAt: number | null; createdBy: string | null; note: string | null }>;
  /** One stored version with its scope, author and note. */
  version(version: number): Promise<PolicyVersion | undefined>;
  /** Stored versions, newest first. The preset in force before any switch is not stored and not listed. */
  history(limit: number): Promise<PolicyVersion[]>;
  /** Versions newer than `version`, oldest first, each with the schedule that put it in force (null: switched at once). */
  since(version: number): Promise<{ version: PolicyVersion; scheduleId: number | null }[]>;
  /** Every community with the policy it enforces now and how many kiosks it has in service. */
  communities(): Promise<CommunityPolicyRow[]>;
  /** The community's name, or undefined if there is none of that id. */
  communityName(communityId: string): Promise<string | undefined>;

  /** Sets a switch for `dueAt`; the scheduler applies it then. */
  schedule(policy: PolicyDraft, dueAt: number, now: number, author: PolicyAuthor): Promise<PolicySchedule>;
  /** Pending switches, soonest first. */
  pendingSchedules(): Promise<PolicySchedule[]>;
  /** Cancels a pending schedule; refuses one already applied or cancelled. */
  cancelSchedule(id: number, now: number): Promise<CancelOutcome>;
  /** Ids of pending schedules due at `now`, soonest first. */
  dueSchedules(now: number): Promise<number[]>;
  /**
   * Claims a pending schedule and puts its policy in force, in one transaction:
   * of several hubs on one database (or two ticks of one hub) exactly one gets
   * it. Undefined when it was no longer pending.
   */
  applySchedule(id: number, now: number): Promise<{ schedule: PolicySchedule; policy: Policy } | undefined>;
}

interface VersionRow {
  version: number;
  body: string;
  activated_at: number;
  community_id: string | null;
  community_name: string | null;
  created_by: string | null;
  note: string | null;
}

interface ScheduleRow {
  id: number;
  community_id: string | null;
  street_id: string | null;
  community_name: string | null;
  body: string;
  due_at: number;
  created_at: number;
  created_by: string | null;
  note: string | null;
  status: 'pending' | 'applied' | 'cancelled';
  applied_version: number | null;
  settled_at: number | null;
}

const PolicyBody = Policy.omit({ version: true });

export function createPolicyRepository(sql: Sql, commits: GroupCommit): PolicyRepository {
  const selectStreet =
    'SELECT version, body, activated_at, community_id, NULL AS community_name, created_by, note FROM policies WHERE community_id IS NULL ORDER BY version DESC LIMIT 1';
  // The view community_policy (migration 12) is the rule; a NULL body is the normal preset.
  const selectFor = 'SELECT body FROM community_policy WHERE community_id = ?';
  const selectForVenue = 'SELECT cp.body FROM venues v JOIN community_policy cp ON cp.community_id = v.community_id WHERE v.id = ?';
  // Above every version stored and every version a tablet in service enforces: after a restore
  // from a backup, tablets may hold versions the hub lost, and they never apply an older one.
  const maxVersion =
    'SELECT max(v) AS v FROM (SELECT max(version) AS v FROM policies UNION ALL SELECT max(policy_version_acked) AS v FROM kiosks WHERE revoked_at IS NULL) AS m';
  // DO NOTHING rather than an error when another hub process took the number first: the version
  // is the primary key, so of two inserts of one number one stores and the other stores nothing
  // (PostgreSQL makes it wait for the first's COMMIT), and activate() numbers again.
  const insert = `INSERT INTO policies (version, body, activated_at, community_id, created_by, note, street_id) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (version) DO NOTHING`;
  const ack = 'UPDATE kiosks SET policy_version_acked = ?, policy_acked_at = ? WHERE id = ?';
  const versionCols = `p.version, p.body, p.activated_at, p.community_id, c.name AS community_name, p.created_by, p.note
    FROM policies p LEFT JOIN communities c ON c.id = p.community_id`;
  const versionRow = `SELECT ${versionCols} WHERE p.version = ?`;
  const historyRows = `SELECT ${versionCols} ORDER BY p.version DESC LIMIT ?`;
  const sinceRows = `SELECT s.id AS schedule_id, ${versionCols} LEFT JOIN policy_schedules s ON s.applied_version = p.version WHERE p.version > ? ORDER BY p.version`;
  const communityRows = `SELECT c.id, c.name, cp.body, cp.activated_at, cp.override,
            (SELECT count(*) FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE v.community_id = c.id AND k.revoked_at IS NULL) AS kiosks
       FROM communities c JOIN community_policy cp ON cp.community_id = c.id ORDER BY c.id`;
  const communityName = 'SELECT name FROM communities WHERE id = ?';
  const scheduleCols = `s.id, s.community_id, s.street_id, c.name AS community_name, s.body, s.due_at, s.created_at, s.created_by, s.note, s.status,
    s.applied_version, s.settled_at FROM policy_schedules s LEFT JOIN communities c ON c.id = s.community_id`;
  const scheduleRow = `SELECT ${scheduleCols} WHERE s.id = ?`;
  const pendingRows = `SELECT ${scheduleCols} WHERE s.status = 'pending' ORDER BY s.due_at, s.id`;
  const dueRows = "SELECT id FROM policy_schedules WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id";
  const insertSchedule =
    'INSERT INTO policy_schedules (community_id, body, due_at, created_at, created_by, note, street_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id';
  /** The street a version or schedule of `scope` belongs to: its community's, or the one named. */
  const streetOf = async (tx: Sql, scope: PolicyScope): Promise<string> => {
    if (scope.communityId !== null) {
      const row = await tx.get<{ street_id: string }>('SELECT street_id FROM communities WHERE id = ?', [scope.communityId]);
      if (row) return row.street_id;
    }
    return scope.streetId ?? (await onlyStreet(tx));
  };
  // The status guard is the claim: only one UPDATE ever finds the row still pending.
  const claim = "UPDATE policy_schedules SET status = 'applied', settled_at = ? WHERE id = ? AND status = 'pending'";
  const setApplied = 'UPDATE policy_schedules SET applied_version = ? WHERE id = ?';
  const cancel = "UPDATE policy_schedules SET status = 'cancelled', settled_at = ? WHERE id = ? AND status = 'pending'";

  /** On `tx`, in the caller's transaction. */
  async function activate(tx: Sql, policy: Omit<Policy, 'version'>, now: number, scope: PolicyAuthor): Promise<Policy> {
    for (;;) {
      // Versions only grow, street-wide: the normal preset in force before any switch is version 1.
      const version = Math.max((await tx.get<{ v: number | null }>(maxVersion))?.v ?? 0, NORMAL_POLICY.version) + 1;
      const stored = Policy.parse({ ...policy, version });
      const { changes } = await tx.run(insert, [version, JSON.stringify(stored), now, scope.communityId, scope.by ?? null, scope.note ?? null, await streetOf(tx, scope)]);
      // 0: another hub process stored this number meanwhile (only possible on a shared PostgreSQL;
      // SQLite's write lock keeps writers one at a time); the next max() sees it.
      if (changes === 1) return stored;
    }
  }
  async function apply(tx: Sql, id: number, now: number) {
    if ((await tx.run(claim, [now, id])).changes !== 1) return undefined;
    const row = (await tx.get<ScheduleRow>(scheduleRow, [id]))!;
    const policy = await activate(tx, toSchedule(row).policy, now, { communityId: row.community_id, streetId: row.street_id, by: row.created_by, note: row.note });
    await tx.run(setApplied, [policy.version, id]);
    return { schedule: toSchedule((await tx.get<ScheduleRow>(scheduleRow, [id]))!), policy };
  }
  const streetRow = () => sql.get<VersionRow>(selectStreet);

  // Stored policies were validated when written; parse again so a hand-edited row fails loudly.
  const parse = (row: { body: string | null } | undefined) => (row?.body ? Policy.parse(JSON.parse(row.body)) : NORMAL_POLICY);
  const toVersion = (r: VersionRow): PolicyVersion => {
    const policy = parse(r);
    return {
      version: r.version,
      mode: policy.mode,
      communityId: r.community_id,
      communityName: r.community_name,
      activatedAt: r.activated_at,
      createdBy: r.created_by,
      note: r.note,
      policy,
    };
  };
  function toSchedule(r: ScheduleRow): PolicySchedule {
    const policy = PolicyBody.parse(JSON.parse(r.body));
    return {
      id: r.id,
      communityId: r.community_id,
      communityName: r.community_name,
      mode: policy.mode,
      dueAt: r.due_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
      note: r.note,
      status: r.status,
      appliedVersion: r.applied_version,
      settledAt: r.settled_at,
      policy,
    };
  }

  return {
    async active() {
      return parse(await streetRow());
    },
    // A community or venue not in the registry is covered by street-wide versions only.
    async activeFor(communityId) {
      return parse((await sql.get<{ body: string | null }>(selectFor, [communityId])) ?? (await streetRow()));
    },
    async activeForVenue(venueId) {
      return parse((await sql.get<{ body: string | null }>(selectForVenue, [venueId])) ?? (await streetRow()));
    },
    async activate(policy, now, scope = { communityId: null }) {
      return commits.write((tx) => activate(tx, policy, now, scope));
    },
    async acknowledge(kioskId, version, now) {
      // Every tablet acknowledges on every connect: a street reconnecting shares its commits.
      await commits.write((tx) => tx.run(ack, [version, now, kioskId]));
    },

    async street() {
      const row = await streetRow();
      return { policy: parse(row), activatedAt: row?.activated_at ?? null, createdBy: row?.created_by ?? null, note: row?.note ?? null };
    },
    async version(version) {
      const row = await sql.get<VersionRow>(versionRow, [version]);
      return row && toVersion(row);
    },
    async history(limit) {
      return (await sql.all<VersionRow>(historyRows, [Math.min(Math.max(1, limit), 1000)])).map(toVersion);
    },
    async since(version) {
      const rows = await sql.all<VersionRow & { schedule_id: number | null }>(sinceRows, [version]);
      return rows.map((r) => ({ version: toVersion(r), scheduleId: r.schedule_id }));
    },
    async communities() {
      const rows = await sql.all<{ id: string; name: string; kiosks: number; body: string | null; activated_at: number | null; override: number }>(communityRows);
      return rows.map((c) => ({
        id: c.id,
        name: c.name,
        policy: parse(c),
        override: c.override === 1,
        activatedAt: c.activated_at,
        kiosks: c.kiosks,
      }));
    },
    async communityName(communityId) {
      return (await sql.get<{ name: string }>(communityName, [communityId]))?.name;
    },

    async schedule(policy, dueAt, now, author) {
      const body = PolicyBody.parse(policy);
      return commits.write(async (tx) => {
        const { id } = (await tx.get<{ id: number }>(insertSchedule, [author.communityId, JSON.stringify(body), dueAt, now, author.by ?? null, author.note ?? null, await streetOf(tx, author)]))!;
        return toSchedule((await tx.get<ScheduleRow>(scheduleRow, [id]))!);
      });
    },
    async pendingSchedules() {
      return (await sql.all<ScheduleRow>(pendingRows)).map(toSchedule);
    },
    async cancelSchedule(id, now) {
      return commits.write(async (tx): Promise<CancelOutcome> => {
        // The status guard: of a cancel and an apply at the same time, one finds the schedule pending.
        const done = (await tx.run(cancel, [now, id])).changes === 1;
        const row = await tx.get<ScheduleRow>(scheduleRow, [id]);
        return done ? { ok: true, schedule: toSchedule(row!) } : { ok: false, schedule: row && toSchedule(row) };
      });
    },
    async dueSchedules(now) {
      return (await sql.all<{ id: number }>(dueRows, [now])).map((r) => r.id);
    },
    async applySchedule(id, now) {
      return commits.write((tx) => apply(tx, id, now));
    },
  };
}
