import { KIOSK_NAMESPACE } from '../../../shared/events.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { kioskCommunityRoom, type KioskServer } from '../sockets/kiosks.js';
import type { Store } from '../store/index.js';
import type { PolicyScope } from '../store/policies.js';

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
  scope: PolicyScope & { by?: string | null; note?: string | null } = { communityId: null },
): Promise<Policy> {
  const active = await store.policies.activate(policy, now, scope);
  const nsp = io.of(KIOSK_NAMESPACE);
  (scope.communityId === null ? nsp : nsp.to(kioskCommunityRoom(scope.communityId))).emit('policy:update', active);
  return active;
}
