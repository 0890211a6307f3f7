import { inForceAt, type PolicyInForce, type PolicyPlace } from '../../../shared/rules/flags/policies-for.js';
import { strictestOf } from '../../../shared/rules/policy-floor.js';
import type { PolicyDraft, PolicyLevelKind, PolicySchedule, PolicyVersion } from '../../../shared/schemas/policy-admin.js';
import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import type { GroupCommit } from './group-commit.js';
import { onlyStreet } from './organisation.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Sql } from './sql.js';

/**
 * Who a policy covers (docs/policy.md "Levels"): one community; else a whole street (`streetId`,
 * the deployment's only street when not given: organisation.ts onlyStreet); else a district
 * (`districtId`); else, with `city`, every community of the deployment.
 */
export interface PolicyScope {
  /** null: a level above the community. */
  communityId: string | null;
  streetId?: string | null;
  districtId?: string | null;
  city?: boolean;
}

/** The columns a version or schedule of a level is stored with (migration 29: the lowest one set names the level). */
interface LevelColumns {
  community_id: string | null;
  street_id: string | null;
  district_id: string | null;
}

/** The level a stored row is of. */
export function levelKind(r: LevelColumns): PolicyLevelKind {
  return r.community_id !== null ? 'community' : r.street_id !== null ? 'street' : r.district_id !== null ? 'district' : 'city';
}

/** A level's own newest version (undefined: it never switched). */
export interface LevelVersion {
  policy: Policy;
  activatedAt: number;
  createdBy: string | null;
  note: string | null;
}

/** The policy levels above and at a street: each one's own newest version, and the floor they set for it. */
export interface StreetLevels {
  city: LevelVersion | undefined;
  district: LevelVersion | undefined;
  street: LevelVersion | undefined;
  /** The meet of the city's and the district's: no street or community switch may be looser (undefined: neither switched). */
  floor: Policy | undefined;
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
  /**
   * The street-wide policy in force at `streetId` (the deployment's only street when not given;
   * with several streets and none given, the city's): the meet of its newest street-wide version,
   * its district's and the city's (docs/policy.md "Levels"), or the normal preset where none switched.
   */
  active(streetId?: string): Promise<Policy>;
  /**
   * The policy a venue of this community enforces: the meet of its own level's newest version
   * (street-wide or for this community: versions are one sequence, so a later street-wide switch
   * overrides an earlier community one), its district's and the city's (shared/rules/flags/
   * policies-for.ts inForceAt). It is kept in the table community_policy (migration 30), which
   * every SQL reader uses, written with every version (refreshCommunityPolicies).
   */
  activeFor(communityId: string): Promise<Policy>;
  /** The policy this venue enforces: activeFor its community. */
  activeForVenue(venueId: string): Promise<Policy>;
  /** Stores a new policy in force for `scope` under the next version number, and returns it. */
  activate(policy: Omit<Policy, 'version'>, now: number, scope?: PolicyAuthor): Promise<Policy>;
  /** Records that a kiosk now enforces this version (read back in the kiosks' view: policyVersionAcked). */
  acknowledge(kioskId: string, version: number, now: number): Promise<void>;

  /**
   * The street-wide policy in force at `streetId` (the only street when not given; `active`) with
   * who switched the street's own newest version and why (no author on a street that never switched).
   */
  street(streetId?: string): Promise<{ policy: Policy; activatedAt: number | null; createdBy: string | null; note: string | null }>;
  /** The newest own version of the city, of the street's district and of the street, and the floor above the street. */
  levels(streetId: string): Promise<StreetLevels>;
  /** The city's newest version (undefined: the city never switched). */
  city(): Promise<LevelVersion | undefined>;
  /** The newest own version of the city, and of a district with the city's floor above it. */
  districtLevels(districtId: string): Promise<{ city: LevelVersion | undefined; district: LevelVersion | undefined }>;
  /** One stored version with its scope, author and note. */
  version(version: number): Promise<PolicyVersion | undefined>;
  /**
   * Stored versions, newest first: every level's, or with `streetId` those covering the street (the
   * city's, its district's, its own and its communities'). The preset in force before any switch
   * is not stored and not listed.
   */
  history(limit: number, streetId?: string): Promise<PolicyVersion[]>;
  /** Versions newer than `version`, oldest first, each with the schedule that put it in force (null: switched at once). */
  since(version: number): Promise<{ version: PolicyVersion; scheduleId: number | null }[]>;
  /** Every community (of one street, when given) with the policy it enforces now and how many kiosks it has in service. */
  communities(streetId?: string): Promise<CommunityPolicyRow[]>;
  /** The community's name, or undefined if there is none of that id. */
  communityName(communityId: string): Promise<string | undefined>;

  /** Sets a switch for `dueAt`; the scheduler applies it then. */
  schedule(policy: PolicyDraft, dueAt: number, now: number, author: PolicyAuthor): Promise<PolicySchedule>;
  /** Pending switches, soonest first: every level's, or those whose level is `level` (and its id). */
  pendingSchedules(level?: { kind: PolicyLevelKind; id: string | null }): Promise<PolicySchedule[]>;
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

  /**
   * Writes the policy in force of every community again from the stored versions: after the
   * versions were changed behind the store's back (a migration rewriting policy bodies, a hand edit).
   */
  refreshInForce(): Promise<void>;
  /** Where the communities a version of this level covers sit (each gets its own policy in force pushed). */
  covered(version: Pick<PolicyVersion, 'communityId' | 'streetId' | 'districtId'>): Promise<PolicyPlace[]>;
  /**
   * Every kiosk in service in `scope` with its street and district, the version in force for its
   * community (due) and the one it acknowledged: the acknowledgement roll-up (docs/policy.md).
   */
  doors(scope: Scope): Promise<DoorAck[]>;
}

/** One kiosk in service as the acknowledgement roll-up counts it. */
export interface DoorAck {
  kioskId: string;
  venueName: string;
  communityId: string;
  communityName: string;
  streetId: string;
  streetName: string;
  districtId: string;
  districtName: string;
  due: number;
  acked: number | null;
  ackedAt: number | null;
  lastSeenAt: number | null;
}

interface VersionRow extends LevelColumns {
  version: number;
  body: string;
  activated_at: number;
  community_name: string | null;
  created_by: string | null;
  note: string | null;
}

interface ScheduleRow {
  id: number;
  community_id: string | null;
  street_id: string | null;
  district_id: string | null;
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

/** A street's policy in force from its levels: the meet of its own, its district's and the city's, or the normal preset. */
export const inForceAtStreet = (l: Pick<StreetLevels, 'street' | 'district' | 'city'>): Policy =>
  strictestOf([l.street?.policy, l.district?.policy, l.city?.policy]) ?? NORMAL_POLICY;

export function createPolicyRepository(sql: Sql, commits: GroupCommit): PolicyRepository {
  const levelCols = 'version, body, activated_at, community_id, street_id, district_id, NULL AS community_name, created_by, note FROM policies';
  const selectStreet = `SELECT ${levelCols} WHERE community_id IS NULL AND street_id = ? ORDER BY version DESC LIMIT 1`;
  const selectDistrict = `SELECT ${levelCols} WHERE community_id IS NULL AND street_id IS NULL AND district_id = ? ORDER BY version DESC LIMIT 1`;
  const selectCity = `SELECT ${levelCols} WHERE community_id IS NULL AND street_id IS NULL AND district_id IS NULL ORDER BY version DESC LIMIT 1`;
  const districtOfStreet = 'SELECT district_id FROM streets WHERE id = ?';
  // The table community_policy (migration 30) holds the rule's answer per community; a NULL body is the normal preset.
  const selectFor = 'SELECT body FROM community_policy WHERE community_id = ?';
  const selectForVenue = 'SELECT cp.body FROM venues v JOIN community_policy cp ON cp.community_id = v.community_id WHERE v.id = ?';
  // Above every version stored and every version a tablet in service enforces: after a restore
  // from a backup, tablets may hold versions the hub lost, and they never apply an older one.
  const maxVersion =
    'SELECT max(v) AS v FROM (SELECT max(version) AS v FROM policies UNION ALL SELECT max(policy_version_acked) AS v FROM kiosks WHERE revoked_at IS NULL) AS m';
  // DO NOTHING rather than an error when another hub process took the number first: the version
  // is the primary key, so of two inserts of one number one stores and the other stores nothing
  // (PostgreSQL makes it wait for the first's COMMIT), and activate() numbers again.
  const insert = `INSERT INTO policies (version, body, activated_at, community_id, created_by, note, street_id, district_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (version) DO NOTHING`;
  const ack = 'UPDATE kiosks SET policy_version_acked = ?, policy_acked_at = ? WHERE id = ?';
  const versionCols = `p.version, p.body, p.activated_at, p.community_id, p.street_id, p.district_id, c.name AS community_name, p.created_by, p.note
    FROM policies p LEFT JOIN communities c ON c.id = p.community_id`;
  const versionRow = `SELECT ${versionCols} WHERE p.version = ?`;
  const historyRows = `SELECT ${versionCols} ORDER BY p.version DESC LIMIT ?`;
  const streetHistoryRows = `SELECT ${versionCols}
    WHERE p.street_id = ?
       OR (p.community_id IS NULL AND p.street_id IS NULL AND (p.district_id IS NULL OR p.district_id = (SELECT district_id FROM streets WHERE id = ?)))
    ORDER BY p.version DESC LIMIT ?`;
  const sinceRows = `SELECT s.id AS schedule_id, ${versionCols} LEFT JOIN policy_schedules s ON s.applied_version = p.version WHERE p.version > ? ORDER BY p.version`;
  const communityCols = `SELECT c.id, c.name, cp.body, cp.activated_at, coalesce(cp.override, 0) AS override,
            (SELECT count(*) FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE v.community_id = c.id AND k.revoked_at IS NULL) AS kiosks
       FROM communities c LEFT JOIN community_policy cp ON cp.community_id = c.id`;
  const communityRows = `${communityCols} ORDER BY c.id`;
  const streetCommunityRows = `${communityCols} WHERE c.street_id = ? ORDER BY c.id`;
  const communityName = 'SELECT name FROM communities WHERE id = ?';
  const scheduleCols = `s.id, s.community_id, s.street_id, s.district_id, c.name AS community_name, s.body, s.due_at, s.created_at, s.created_by, s.note, s.status,
    s.applied_version, s.settled_at FROM policy_schedules s LEFT JOIN communities c ON c.id = s.community_id`;
  const scheduleRow = `SELECT ${scheduleCols} WHERE s.id = ?`;
  const pendingRows = `SELECT ${scheduleCols} WHERE s.status = 'pending' ORDER BY s.due_at, s.id`;
  const dueRows = "SELECT id FROM policy_schedules WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id";
  const insertSchedule =
    'INSERT INTO policy_schedules (community_id, body, due_at, created_at, created_by, note, street_id, district_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id';
  /** The level columns a version or schedule of `scope` is stored with; a community's names its street. */
  const columnsOf = async (tx: Sql, scope: PolicyScope): Promise<LevelColumns> => {
    if (scope.communityId !== null) {
      const row = await tx.get<{ street_id: string }>('SELECT street_id FROM communities WHERE id = ?', [scope.communityId]);
      return { community_id: scope.communityId, street_id: row?.street_id ?? scope.streetId ?? (await onlyStreet(tx)), district_id: null };
    }
    if (scope.streetId) return { community_id: null, street_id: scope.streetId, district_id: null };
    if (scope.districtId) return { community_id: null, street_id: null, district_id: scope.districtId };
    if (scope.city) return { community_id: null, street_id: null, district_id: null };
    return { community_id: null, street_id: await onlyStreet(tx), district_id: null };
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
      const cols = await columnsOf(tx, scope);
      const { changes } = await tx.run(insert, [version, JSON.stringify(stored), now, cols.community_id, scope.by ?? null, scope.note ?? null, cols.street_id, cols.district_id]);
      // 0: another hub process stored this number meanwhile (only possible on a shared PostgreSQL;
      // SQLite's write lock keeps writers one at a time); the next max() sees it.
      if (changes === 1) {
        // The policy in force of every community the version covers changes with it, in this transaction.
        await refreshCommunityPolicies(tx, await communitiesCovered(tx, cols));
        return stored;
      }
    }
  }
  async function apply(tx: Sql, id: number, now: number) {
    if ((await tx.run(claim, [now, id])).changes !== 1) return undefined;
    const row = (await tx.get<ScheduleRow>(scheduleRow, [id]))!;
    const scope: PolicyScope =
      row.community_id !== null
        ? { communityId: row.community_id, streetId: row.street_id }
        : { communityId: null, streetId: row.street_id, districtId: row.district_id, city: row.street_id === null && row.district_id === null };
    const policy = await activate(tx, toSchedule(row).policy, now, { ...scope, by: row.created_by, note: row.note });
    await tx.run(setApplied, [policy.version, id]);
    return { schedule: toSchedule((await tx.get<ScheduleRow>(scheduleRow, [id]))!), policy };
  }
  const streetRow = async (streetId?: string) => sql.get<VersionRow>(selectStreet, [streetId ?? (await onlyStreet(sql))]);
  const asLevel = (row: VersionRow | undefined): LevelVersion | undefined =>
    row && { policy: parse(row), activatedAt: row.activated_at, createdBy: row.created_by, note: row.note };
  /** The deployment's only street; undefined when it has several (then no street is implied). */
  const soleStreet = async (): Promise<string | undefined> => {
    const rows = await sql.all<{ id: string }>('SELECT id FROM streets ORDER BY id LIMIT 2');
    return rows.length === 1 ? rows[0]!.id : undefined;
  };
  async function streetActive(streetId?: string): Promise<Policy> {
    const id = streetId ?? (await soleStreet());
    // No street named in a deployment of several: what the city has in force.
    if (id === undefined) return parse(await sql.get<VersionRow>(selectCity));
    return inForceAtStreet(await levels(id));
  }
  async function levels(streetId: string): Promise<StreetLevels> {
    const districtId = (await sql.get<{ district_id: string }>(districtOfStreet, [streetId]))?.district_id;
    const [city, district, street] = [
      asLevel(await sql.get<VersionRow>(selectCity)),
      districtId === undefined ? undefined : asLevel(await sql.get<VersionRow>(selectDistrict, [districtId])),
      asLevel(await streetRow(streetId)),
    ];
    return { city, district, street, floor: strictestOf([district?.policy, city?.policy]) };
  }

  // Stored policies were validated when written; parse again so a hand-edited row fails loudly.
  const parse = (row: { body: string | null } | undefined) => (row?.body ? Policy.parse(JSON.parse(row.body)) : NORMAL_POLICY);
  const toVersion = (r: VersionRow): PolicyVersion => {
    const policy = parse(r);
    return {
      version: r.version,
      mode: policy.mode,
      level: levelKind(r),
      communityId: r.community_id,
      communityName: r.community_name,
      streetId: r.street_id,
      districtId: r.district_id,
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
      level: levelKind(r),
      communityId: r.community_id,
      communityName: r.community_name,
      streetId: r.street_id,
      districtId: r.district_id,
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
    active: streetActive,
    // A community or venue not in the registry is covered by the levels above the only street.
    async activeFor(communityId) {
      const row = await sql.get<{ body: string | null }>(selectFor, [communityId]);
      return row ? parse(row) : streetActive();
    },
    async activeForVenue(venueId) {
      const row = await sql.get<{ body: string | null }>(selectForVenue, [venueId]);
      return row ? parse(row) : streetActive();
    },
    async activate(policy, now, scope = { communityId: null }) {
      return commits.write((tx) => activate(tx, policy, now, scope));
    },
    async acknowledge(kioskId, version, now) {
      // Every tablet acknowledges on every connect: a street reconnecting shares its commits.
      await commits.write((tx) => tx.run(ack, [version, now, kioskId]));
    },

    async street(streetId) {
      const l = await levels(streetId ?? (await onlyStreet(sql)));
      const policy = inForceAtStreet(l);
      return { policy, activatedAt: l.street?.activatedAt ?? null, createdBy: l.street?.createdBy ?? null, note: l.street?.note ?? null };
    },
    levels,
    async city() {
      return asLevel(await sql.get<VersionRow>(selectCity));
    },
    async districtLevels(districtId) {
      return { city: asLevel(await sql.get<VersionRow>(selectCity)), district: asLevel(await sql.get<VersionRow>(selectDistrict, [districtId])) };
    },
    async version(version) {
      const row = await sql.get<VersionRow>(versionRow, [version]);
      return row && toVersion(row);
    },
    async history(limit, streetId) {
      const n = Math.min(Math.max(1, limit), 1000);
      const rows = streetId === undefined ? await sql.all<VersionRow>(historyRows, [n]) : await sql.all<VersionRow>(streetHistoryRows, [streetId, streetId, n]);
      return rows.map(toVersion);
    },
    async since(version) {
      const rows = await sql.all<VersionRow & { schedule_id: number | null }>(sinceRows, [version]);
      return rows.map((r) => ({ version: toVersion(r), scheduleId: r.schedule_id }));
    },
    async communities(streetId) {
      type Row = { id: string; name: string; kiosks: number; body: string | null; activated_at: number | null; override: number };
      const rows = await (streetId === undefined ? sql.all<Row>(communityRows) : sql.all<Row>(streetCommunityRows, [streetId]));
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
        const cols = await columnsOf(tx, author);
        const { id } = (await tx.get<{ id: number }>(insertSchedule, [cols.community_id, JSON.stringify(body), dueAt, now, author.by ?? null, author.note ?? null, cols.street_id, cols.district_id]))!;
        return toSchedule((await tx.get<ScheduleRow>(scheduleRow, [id]))!);
      });
    },
    async pendingSchedules(level) {
      const all = (await sql.all<ScheduleRow>(pendingRows)).map(toSchedule);
      if (!level) return all;
      const idOf = (s: PolicySchedule) => (s.level === 'community' ? s.communityId : s.level === 'street' ? s.streetId : s.level === 'district' ? s.districtId : null);
      return all.filter((s) => s.level === level.kind && idOf(s) === level.id);
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
    async refreshInForce() {
      await commits.write((tx) => refreshCommunityPolicies(tx, null));
    },
    async covered(v) {
      const cols = { community_id: v.communityId, street_id: v.streetId, district_id: v.districtId };
      const ids = await communitiesCovered(sql, cols);
      const all = await sql.all<PolicyPlace>(`${PLACES} ORDER BY c.id`);
      if (ids === null) return all;
      const wanted = new Set(ids);
      return all.filter((p) => wanted.has(p.communityId));
    },
    async doors(scope) {
      return sql.all<DoorAck>(
        `SELECT k.id AS "kioskId", v.name AS "venueName", c.id AS "communityId", c.name AS "communityName", s.id AS "streetId", s.name AS "streetName",
                d.id AS "districtId", d.name AS "districtName", COALESCE(cp.version, ${NORMAL_POLICY.version}) AS due,
                k.policy_version_acked AS acked, k.policy_acked_at AS "ackedAt", k.last_seen_at AS "lastSeenAt"
           FROM kiosks k JOIN venues v ON v.id = k.venue_id JOIN communities c ON c.id = v.community_id
           JOIN streets s ON s.id = c.street_id JOIN districts d ON d.id = s.district_id
           LEFT JOIN community_policy cp ON cp.community_id = c.id
          WHERE k.revoked_at IS NULL AND ${communityInScope('c')}
          ORDER BY d.id, s.id, c.id, v.name, k.id`,
        scopeParams(scope),
      );
    },
  };
}

/** Newest version of each level that ever switched: one row per community, street, district and the city. */
const LEVEL_NEWEST = `SELECT version, body, activated_at, community_id, street_id, district_id FROM policies WHERE version IN (
  SELECT max(version) FROM policies
   GROUP BY community_id, CASE WHEN community_id IS NULL THEN street_id END, CASE WHEN community_id IS NULL AND street_id IS NULL THEN district_id END)`;
const PLACES = 'SELECT c.id AS "communityId", c.street_id AS "streetId", s.district_id AS "districtId" FROM communities c JOIN streets s ON s.id = c.street_id';
/** Rows written per statement: a city switch rewrites every community's row, in few round trips. */
const UPSERT_CHUNK = 200;
const upsertInForce = (rows: number) => `INSERT INTO community_policy (community_id, version, body, activated_at, override)
  VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}
  ON CONFLICT (community_id) DO UPDATE SET version = excluded.version, body = excluded.body, activated_at = excluded.activated_at, override = excluded.override`;

/** The communities a version stored with these level columns covers (null: every community). */
async function communitiesCovered(tx: Sql, cols: LevelColumns): Promise<string[] | null> {
  if (cols.community_id !== null) return [cols.community_id];
  if (cols.street_id !== null) return (await tx.all<{ id: string }>('SELECT id FROM communities WHERE street_id = ?', [cols.street_id])).map((r) => r.id);
  if (cols.district_id !== null) {
    const q = 'SELECT c.id FROM communities c JOIN streets s ON s.id = c.street_id WHERE s.district_id = ?';
    return (await tx.all<{ id: string }>(q, [cols.district_id])).map((r) => r.id);
  }
  return null;
}

/**
 * Writes the policy in force (shared/rules/flags/policies-for.ts inForceAt: the meet of the
 * community's own level, its district's and the city's newest versions) into the table
 * community_policy for these communities (null: every one), on `tx`, in the caller's
 * transaction. The store calls it with every version it stores; call it too when a community is
 * created (venues.ts) or moved to another street, after the move, in the same transaction.
 */
export async function refreshCommunityPolicies(tx: Sql, communityIds: readonly string[] | null): Promise<void> {
  if (communityIds !== null && communityIds.length === 0) return;
  const versions: PolicyInForce[] = (
    await tx.all<LevelColumns & { version: number; body: string; activated_at: number }>(LEVEL_NEWEST)
  ).map((r) => ({ policy: Policy.parse(JSON.parse(r.body)), activatedAt: r.activated_at, communityId: r.community_id, streetId: r.street_id, districtId: r.district_id }));
  const wanted = communityIds && new Set(communityIds);
  const rows = (await tx.all<PolicyPlace>(PLACES))
    .filter((place) => !wanted || wanted.has(place.communityId))
    .map((place) => {
      const f = inForceAt(versions, place);
      return [place.communityId, f?.policy.version ?? null, f ? JSON.stringify(f.policy) : null, f?.activatedAt ?? null, f?.override ? 1 : 0];
    });
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    const chunk = rows.slice(i, i + UPSERT_CHUNK);
    await tx.run(upsertInForce(chunk.length), chunk.flat());
  }
}
