import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { switchPolicy } from '../../hub/src/services/policy-switch.js';
import type { Policy } from '../../shared/schemas/policy.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import { connectKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';

/** Connects and resolves with the first policy the hub sends (it sends the one in force on connect). */
async function connectWithPolicy(hub: TestHub): Promise<{ socket: KioskClient; first: Policy }> {
  let first!: Promise<Policy>;
  const socket = await connectKiosk(hub.url, hub.token, (s) => {
    first = new Promise<Policy>((resolve) => s.once('policy:update', resolve));
  });
  return { socket, first: await first };
}

describe('policy push', () => {
  let hub: TestHub;
  let socket: KioskClient | undefined;
  beforeEach(async () => {
    hub = await startTestHub();
  });
  afterEach(async () => {
    socket?.close();
    await hub.close();
  });

  it('sends the policy in force on connect, pushes a switch at once, and records the ack', async () => {
    const c = await connectWithPolicy(hub);
    socket = c.socket;
    expect(c.first).toEqual(NORMAL_POLICY);

    const pushed = new Promise<Policy>((resolve) => socket!.once('policy:update', resolve));
    const { version: _v, ...emergency } = EMERGENCY_POLICY;
    const active = await switchPolicy(hub.store, hub.app.io, emergency, Date.now());
    expect(active).toMatchObject({ mode: 'emergency', version: 2 });
    expect(await pushed).toEqual(active);

    const ack = await socket.emitWithAck('policy:ack', { version: 2 });
    expect(ack).toEqual({ ok: true, data: { version: 2 } });
    expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ policyVersionAcked: 2 });
  });

  it('gives a kiosk that was offline through the switch the new policy when it reconnects', async () => {
    const { version: _v, ...emergency } = EMERGENCY_POLICY;
    await switchPolicy(hub.store, hub.app.io, emergency, Date.now());
    const c = await connectWithPolicy(hub);
    socket = c.socket;
    expect(c.first).toMatchObject({ mode: 'emergency', version: 2 });
  });

  it('refuses a malformed ack by field and records nothing', async () => {
    socket = (await connectWithPolicy(hub)).socket;
    const res = await socket.emitWithAck('policy:ack', { version: 'two' } as never);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid', field: 'version' } });
    const absurd = await socket.emitWithAck('policy:ack', { version: 5000 });
    expect(absurd).toMatchObject({ ok: false, error: { code: 'invalid', field: 'version' } });
    expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ policyVersionAcked: null, policyAckedAt: null });
  });

  it('after a restore from a backup: a tablet ahead of the hub is recorded, and the next switch is numbered above it and reaches it', async () => {
    socket = (await connectWithPolicy(hub)).socket;
    // The hub lost versions 2–7 with the restore; the tablet still enforces 7.
    const ahead = await socket.emitWithAck('policy:ack', { version: 7 });
    expect(ahead).toMatchObject({ ok: false, error: { code: 'conflict', field: 'version' } });
    expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ policyVersionAcked: 7, policyVersionDue: 1 });

    const pushed = new Promise<Policy>((resolve) => socket!.once('policy:update', resolve));
    const { version: _v, ...emergency } = EMERGENCY_POLICY;
    const active = await switchPolicy(hub.store, hub.app.io, emergency, Date.now());
    expect(active.version).toBe(8);
    expect(await pushed).toEqual(active);
    expect(await socket.emitWithAck('policy:ack', { version: 8 })).toEqual({ ok: true, data: { version: 8 } });
  });
});
