import { KIOSK_NAMESPACE } from '../../../shared/events.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import type { KioskServer } from '../sockets/kiosks.js';
import type { Store } from '../store/index.js';

/**
 * Puts a policy in force for the whole street in one act ("平急转换", 003 §1)
 * and pushes it to every connected kiosk at once; kiosks that are offline get
 * it when they reconnect and acknowledge it with `policy:ack`.
 */
export async function switchPolicy(store: Store, io: KioskServer, policy: Omit<Policy, 'version'>, now: number): Promise<Policy> {
  const active = await store.policies.activate(policy, now);
  io.of(KIOSK_NAMESPACE).emit('policy:update', active);
  return active;
}
