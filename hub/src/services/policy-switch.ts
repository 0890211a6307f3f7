import { KIOSK_NAMESPACE } from '../../../shared/events.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { pushPolicyChange } from '../sockets/dashboards.js';
import { kioskCommunityRoom, type KioskServer } from '../sockets/kiosks.js';
import type { Store } from '../store/index.js';
import type { PolicyAuthor } from '../store/policies.js';

/**
 * Puts a policy in force for the whole street, or one community, in one act
 * ("平急转换", 003 §1) and pushes it to every connected kiosk it covers at once;
 * kiosks that are offline get it when they reconnect and acknowledge it with `policy:ack`.
 */
export async function switchPolicy(
  store: Store,
  io: KioskServer,
  policy: Omit<Policy, 'version'>,
  now: number,
  scope: PolicyAuthor = { communityId: null },
): Promise<Policy> {
  const active = await store.policies.activate(policy, now, scope);
  publishPolicy(io, active, { communityId: scope.communityId, at: now, by: scope.by ?? null, scheduleId: null });
  return active;
}

/**
 * Tells everyone a version just took force: the kiosks it covers (they apply
 * it and ack), and the street admin's dashboards (they re-read who has acked).
 * A street-wide version is newer than every community's, so every kiosk gets it.
 */
export function publishPolicy(
  io: KioskServer,
  policy: Policy,
  { communityId, at, by, scheduleId }: { communityId: string | null; at: number; by: string | null; scheduleId: number | null },
): void {
  const nsp = io.of(KIOSK_NAMESPACE);
  (communityId === null ? nsp : nsp.to(kioskCommunityRoom(communityId))).emit('policy:update', policy);
  pushPolicyChange(io, { kind: 'switched', version: policy.version, mode: policy.mode, communityId, at, by, scheduleId });
}

/** Kiosks connected to this hub now, per community (one count per kiosk, however many sockets it has open). */
export function connectedByCommunity(io: KioskServer): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const socket of io.of(KIOSK_NAMESPACE).sockets.values()) {
    const kiosk = socket.data.kiosk;
    if (!kiosk) continue;
    (seen.get(kiosk.communityId) ?? seen.set(kiosk.communityId, new Set()).get(kiosk.communityId)!).add(kiosk.id);
  }
  return new Map([...seen].map(([c, ids]) => [c, ids.size]));
}
