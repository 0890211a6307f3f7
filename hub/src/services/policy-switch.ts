import type { FastifyBaseLogger } from 'fastify';
import { KIOSK_NAMESPACE } from '../../../shared/events.js';
import { NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import { pushPolicyChange, type Organisation } from '../sockets/dashboards.js';
import { connectedKiosks, kioskCommunityRoom, kioskStreetRoom, type KioskServer } from '../sockets/kiosks.js';
import { WHOLE_CITY } from '../store/scope.js';
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
      for (const { version: v, scheduleId } of await store.policies.since(through)) {
        await publishPolicy(io, store.organisation, v.policy, { communityId: v.communityId, at: v.activatedAt, by: v.createdBy, scheduleId });
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
 * Tells everyone a version just took force, on every hub process: the kiosks it
 * covers (they apply it and ack), and the street admin's dashboards (they
 * re-read who has acked).
 * A street-wide version is newer than every community's, so every kiosk gets it.
 */
export async function publishPolicy(
  io: KioskServer,
  org: Organisation,
  policy: Policy,
  { communityId, streetId = null, at, by, scheduleId }: { communityId: string | null; streetId?: string | null; at: number; by: string | null; scheduleId: number | null },
): Promise<void> {
  const nsp = io.of(KIOSK_NAMESPACE);
  // The rooms of the version's level (docs/architecture.md "Streets as tenants"): a community's
  // kiosks, or a street's; a street-wide version not naming its street is the only street's, and
  // only with several streets and none named does it go to every kiosk.
  const street = communityId !== null ? null : (streetId ?? (await onlyStreetOf(org)));
  const target = communityId !== null ? nsp.to(kioskCommunityRoom(communityId)) : street !== null ? nsp.to(kioskStreetRoom(street)) : nsp;
  target.emit('policy:update', policy);
  await pushPolicyChange(io, org, { kind: 'switched', version: policy.version, mode: policy.mode, communityId, at, by, scheduleId }, { ...WHOLE_CITY, communityId, streetId: street });
}

/** The deployment's street when it has one only (every deployment starts with one), else null. */
async function onlyStreetOf(org: Organisation): Promise<string | null> {
  const streets = await org.streets();
  return streets.length === 1 ? streets[0]!.id : null;
}

/** Kiosks connected now, to any hub process, per community (one count per kiosk, however many sockets it has open). */
export async function connectedByCommunity(io: KioskServer): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const kiosk of await connectedKiosks(io)) counts.set(kiosk.communityId, (counts.get(kiosk.communityId) ?? 0) + 1);
  return counts;
}
