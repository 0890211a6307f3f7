import type { FastifyBaseLogger } from 'fastify';
import { KIOSK_NAMESPACE } from '../../../shared/events.js';
import { inForceAt } from '../../../shared/rules/flags/policies-for.js';
import type { PolicyLevelKind, PolicyVersion } from '../../../shared/schemas/policy-admin.js';
import { NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import { pushPolicyChange, type Organisation } from '../sockets/dashboards.js';
import { connectedKiosks, kioskCommunityRoom, type KioskServer } from '../sockets/kiosks.js';
import { WHOLE_CITY, type Scope } from '../store/scope.js';
import type { Store } from '../store/index.js';
import type { PolicyAuthor } from '../store/policies.js';

/**
 * Puts a policy in force for the whole street, or one community, in one act
 * ("平急转换", 003 §1) and pushes it to every connected kiosk it covers at once;
 * kiosks that are offline get it when they reconnect and acknowledge it with `policy:ack`.
 *
 * Once stored the version is in force whatever happens next, so a failed push
 * is not the switch failing: with `log` it is logged and the scheduler's next
 * pass publishes the version (publishNewVersions); without, it is thrown.
 */
export async function switchPolicy(
  store: Store,
  io: KioskServer,
  policy: Omit<Policy, 'version'>,
  now: number,
  scope: PolicyAuthor = { communityId: null },
  log?: FastifyBaseLogger,
): Promise<Policy> {
  trackPublishing(store, io);
  const active = await store.policies.activate(policy, now, scope);
  try {
    await publishNewVersions(store, io);
  } catch (err) {
    if (!log) throw err;
    log.error({ err, version: active.version }, 'policy switched but not yet published; the scheduler publishes it on its next pass');
  }
  return active;
}

interface Publishing {
  /** The newest version this hub has published, or found in force when it started tracking. */
  through: Promise<number>;
  /** Publishing passes run one after another, so no version is published twice. */
  queue: Promise<unknown>;
}

const publishing = new WeakMap<KioskServer, Publishing>();

/**
 * Starts tracking which versions this hub has published, if it has not yet.
 * Versions already in force need no push: a kiosk is sent its policy when it
 * connects. Call it before storing a version: the store answers from SQLite
 * synchronously, so the newest version is read before the caller's write.
 */
export function trackPublishing(store: Store, io: KioskServer): void {
  if (publishing.has(io)) return;
  const through = store.policies.history(1).then(
    ([v]) => v?.version ?? NORMAL_POLICY.version,
    (err: unknown) => {
      // Not knowing where to start, start again on the next call rather than never publish.
      publishing.delete(io);
      throw err;
    },
  );
  publishing.set(io, { through, queue: Promise.resolve() });
}

/**
 * Publishes, oldest first, every version put in force since this hub last
 * published one: a switch just made here, a schedule just claimed, one whose
 * publishing failed earlier (the hub died between, or the push threw), or one
 * another hub process on the same database put in force. That process's own
 * push already reached every kiosk through the socket adapter
 * (docs/architecture.md "Several hub processes"), so such a version may be sent
 * twice: a kiosk sent the version it enforces keeps it and acknowledges it
 * again. Returns the versions published. If one throws, those before it stay
 * published and the next call starts again from it.
 */
export function publishNewVersions(store: Store, io: KioskServer): Promise<number[]> {
  trackPublishing(store, io);
  const state = publishing.get(io)!;
  const pass = state.queue.then(async () => {
    let through = await state.through;
    const published: number[] = [];
    try {
      const fresh = await store.policies.since(through);
      const history = fresh.length > 0 ? await store.flags.facts.policies() : [];
      for (const { version: v, scheduleId } of fresh) {
        // Each community the version covers enforces its own meet (docs/policy.md "Levels"):
        // the one in force when this version was the newest.
        const upTo = history.filter((h) => !h.preset && h.policy.version <= v.version);
        const pushes = (await store.policies.covered(v)).map((place) => ({
          communityId: place.communityId,
          policy: inForceAt(upTo, place)?.policy ?? v.policy,
        }));
        await publishPolicy(io, store.organisation, v, pushes, scheduleId);
        through = v.version;
        published.push(v.version);
      }
    } finally {
      state.through = Promise.resolve(through);
    }
    return published;
  });
  state.queue = pass.catch(() => undefined);
  return pass;
}

/**
 * The dashboards a version's or a schedule's news goes to, as a Scope (sockets/dashboards.ts
 * policyRooms; docs/architecture.md "Streets as tenants"): a community's or a street's reaches that
 * street's admins (and those above it), a district's that district's, the city's everyone.
 */
export function levelScope(v: { level: PolicyLevelKind; communityId: string | null; streetId: string | null; districtId: string | null }): Scope {
  if (v.level === 'city') return WHOLE_CITY;
  if (v.level === 'district') return { ...WHOLE_CITY, districtId: v.districtId };
  return { ...WHOLE_CITY, communityId: v.communityId, streetId: v.streetId };
}

/**
 * Tells everyone a version just took force, on every hub process: the kiosks of
 * each community it covers, each sent the policy now in force there (a city or
 * district version meets each street's own, so communities may differ; they
 * apply it and ack), and the dashboards (they re-read who has acked).
 */
export async function publishPolicy(
  io: KioskServer,
  org: Organisation,
  version: Pick<PolicyVersion, 'version' | 'mode' | 'level' | 'communityId' | 'streetId' | 'districtId' | 'activatedAt' | 'createdBy'>,
  pushes: readonly { communityId: string; policy: Policy }[],
  scheduleId: number | null,
): Promise<void> {
  const nsp = io.of(KIOSK_NAMESPACE);
  for (const { communityId, policy } of pushes) nsp.to(kioskCommunityRoom(communityId)).emit('policy:update', policy);
  const level = levelScope(version);
  await pushPolicyChange(
    io,
    org,
    { kind: 'switched', version: version.version, mode: version.mode, communityId: version.communityId, at: version.activatedAt, by: version.createdBy, scheduleId },
    level,
  );
}

/** Kiosks connected now, to any hub process, per community (one count per kiosk, however many sockets it has open). */
export async function connectedByCommunity(io: KioskServer): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const kiosk of await connectedKiosks(io)) counts.set(kiosk.communityId, (counts.get(kiosk.communityId) ?? 0) + 1);
  return counts;
}

/**
 * Sends the kiosks of these communities the policy each enforces now, on every hub process: after
 * a community moved to another street (routes/organisation), whose policy it now follows (the view
 * community_policy reads the community's street). A kiosk sent the version it already enforces
 * keeps it and acknowledges it again. Returns the version pushed per community.
 */
export async function pushCommunityPolicies(store: Store, io: KioskServer, communityIds: readonly string[]): Promise<Map<string, number>> {
  const pushed = new Map<string, number>();
  for (const id of communityIds) {
    const policy = await store.policies.activeFor(id);
    io.of(KIOSK_NAMESPACE).to(kioskCommunityRoom(id)).emit('policy:update', policy);
    pushed.set(id, policy.version);
  }
  return pushed;
}
