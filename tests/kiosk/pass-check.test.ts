import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getPassUse, saveRecord, type Enrolment } from '../../kiosk/src/db.js';
import { admissionUpdate, advance, checkPassInput, exitBody, exitUpdate, passUse, undoUpdate, type ActivePass } from '../../kiosk/src/pass-check.js';
import { newSecret } from '../../shared/rules/bytes.js';
import { makePassCode, minuteOf, passExpiresAt } from '../../shared/rules/pass-code.js';
import { generatePassKeys, signPass } from '../../shared/rules/pass-signature.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import { cstAt, cstIso, cstMidnight } from '../support/clock.js';
import { entranceRecord, recordBase } from '../support/records.js';

const keys = await generatePassKeys();
const secret = newSecret();
/** The door's clock: 12:00 today at the venue (UTC+8), by the wall clock. */
const NOW = cstAt(cstMidnight(0), 12);
const enrolment = {
  kioskId: 'kiosk-1',
  entranceId: 'venue-a-1',
  venue: { id: 'venue-a' },
  policy: NORMAL_POLICY,
  passCodeSecret: secret,
  passKey: keys.publicKey,
} as unknown as Enrolment;
const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };

async function qr(people = 2) {
  const code = await makePassCode(secret, 'venue-a', minuteOf(NOW), 3, people);
  const text = await signPass(
    {
      v: 1, id: randomUUID(), code, venue: 'venue-a', entrance: 'venue-a-1', src: 'live', iat: NOW / 1000, exp: NOW / 1000 + 600, pv: 1,
      people: Array.from({ length: people }, (_, i) => ({ h: 'green' as const, i: 'local' as const, ...(i ? { n: '孩子' } : {}) })),
    },
    keys.privateKey,
  );
  return { code, text };
}

/** Saves an entrance record for the pass's current person, as the entrance screen does. */
const admit = (p: ActivePass, admitted = true) =>
  saveRecord((seq) => entranceRecord(kiosk, seq, { kioskTime: cstIso(NOW), pass: passUse(p), ...(admitted ? {} : { decision: 'refuse', reasons: ['fever'] }) }), NOW, admissionUpdate(p, admitted, NOW));

describe('kiosk pass check (offline)', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('a scanned QR and the typed code of the same pass are one pass: its people are used once each', async () => {
    const { code, text } = await qr(2);
    const scanned = await checkPassInput(text, enrolment, NOW);
    expect(scanned).toMatchObject({ ok: true, pass: { code, people: 2, next: 0, via: 'qr', persons: [{ h: 'green' }, { n: '孩子' }] } });
    if (!scanned.ok) return;
    await admit(scanned.pass);
    const typed = await checkPassInput(` ${code.slice(0, 3).toLowerCase()}-${code.slice(3)} `, enrolment, NOW);
    expect(typed).toMatchObject({ ok: true, pass: { code, people: 2, next: 1, via: 'code' } });
    if (!typed.ok) return;
    expect(typed.pass.persons).toBeUndefined();
    await admit(typed.pass);
    expect(await checkPassInput(text, enrolment, NOW)).toEqual({ ok: false, reason: 'used' });
    expect(await checkPassInput(code, enrolment, NOW)).toEqual({ ok: false, reason: 'used' });
  });

  it('a typed code gets the declared answers from the hub when online, verified like a scan', async () => {
    const { code, text } = await qr(2);
    const asked: unknown[] = [];
    const online = await checkPassInput(code, enrolment, NOW, async (key) => (asked.push(key), text));
    expect(asked).toEqual([{ code, minute: minuteOf(NOW) }]);
    expect(online).toMatchObject({ ok: true, pass: { via: 'code', persons: [{ h: 'green' }, { n: '孩子' }] } });
    // A hub answer that is not this pass (or not genuine) adds nothing; the offline check still stands.
    const other = await qr(1);
    const wrong = await checkPassInput(code, enrolment, NOW, async () => other.text);
    expect(wrong.ok && wrong.pass.persons).toBe(undefined);
    const offline = await checkPassInput(code, enrolment, NOW, async () => undefined);
    expect(offline).toMatchObject({ ok: true, pass: { via: 'code', people: 2 } });
  });

  it('a refused person stays free for a second reading; a double tap saves nothing twice', async () => {
    const { text } = await qr(1);
    const first = await checkPassInput(text, enrolment, NOW);
    if (!first.ok) throw new Error('pass refused');
    expect(await admit(first.pass, false)).toBeDefined();
    const again = await checkPassInput(text, enrolment, NOW);
    expect(again).toMatchObject({ ok: true, pass: { next: 0 } });
    expect(await admit(first.pass)).toBeDefined();
    expect(await admit(first.pass)).toBeUndefined(); // the same person, admitted meanwhile
    expect((await getPassUse(first.pass.key))!.admitted).toEqual([0]);
  });

  it('moves to the next person not yet admitted, and ends after the last', async () => {
    const { text } = await qr(3);
    const r = await checkPassInput(text, enrolment, NOW);
    if (!r.ok) throw new Error('pass refused');
    expect(advance(r.pass, [0])?.next).toBe(1);
    expect(advance({ ...r.pass, next: 1 }, [0, 2])).toBeUndefined();
  });

  it.each([
    ['tampered', async (): Promise<string> => (await qr()).text.replace(/\.(.)/, (_m, c: string) => `.${c === 'e' ? 'f' : 'e'}`), 'tampered'],
    ['not a code', async (): Promise<string> => '12', 'format'],
    ['unknown code', async (): Promise<string> => 'ABCDEF', 'unknown'],
  ] as const)('refuses a %s input', async (_n, make, reason) => {
    expect(await checkPassInput(await make(), enrolment, NOW)).toEqual({ ok: false, reason });
  });

  it('refuses an expired pass by QR and by code', async () => {
    const { code, text } = await qr();
    const later = NOW + 20 * 60_000;
    expect(await checkPassInput(text, enrolment, later)).toEqual({ ok: false, reason: 'expired' });
    expect(await checkPassInput(code, enrolment, later)).toEqual({ ok: false, reason: 'expired' });
  });

  it('counts the exit of "I have left" once, for the people admitted here, read in the saving transaction', async () => {
    const { text } = await qr(2);
    const r = await checkPassInput(text, enrolment, NOW);
    if (!r.ok) throw new Error('pass refused');
    const exit = () =>
      saveRecord((seq, state) => ({ ...recordBase(kiosk, seq), kioskTime: cstIso(NOW), ...exitBody(r.pass.code, r.pass.minute)(state) }), NOW, exitUpdate(r.pass.key, NOW));
    expect(await exit()).toBeUndefined(); // nobody admitted yet
    await admit(r.pass);
    await admit({ ...r.pass, next: 1 });
    const saved = await exit();
    expect(saved?.record).toMatchObject({ type: 'occupancy', kind: 'exit', count: 2, pass: { code: r.pass.code, minute: r.pass.minute } });
    expect(await exit()).toBeUndefined(); // once
    expect((await getPassUse(r.pass.key))!.exitRecorded).toBe(true);
  });

  it('an undone admission frees that person of the pass again', async () => {
    const { text } = await qr(1);
    const r = await checkPassInput(text, enrolment, NOW);
    if (!r.ok) throw new Error('pass refused');
    const admitted = await admit(r.pass);
    expect(await checkPassInput(text, enrolment, NOW)).toEqual({ ok: false, reason: 'used' });
    const undo = await saveRecord(
      (seq) => ({ ...recordBase(kiosk, seq), kioskTime: cstIso(NOW), type: 'correction', correctsId: admitted!.id, reason: 'undo at the door' }),
      NOW,
      undoUpdate(r.pass.key, 0, NOW),
    );
    expect(undo).toBeDefined();
    expect(await checkPassInput(text, enrolment, NOW)).toMatchObject({ ok: true, pass: { next: 0 } });
  });
});

describe('typed codes across a rotation of the venue secret (revoking a tablet of the venue rotates it; docs/security.md)', () => {
  const fresh = newSecret();
  /** The hub rotated the secret at NOW; this kiosk was online and took the new one. */
  const rotated = { ...enrolment, passCodeSecret: fresh, previousPassCode: { secret, rotatedAt: NOW } } as Enrolment;
  const MIN = minuteOf(NOW);

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('accepts a code made with the previous secret for a pass issued before the rotation or in its minute', async () => {
    const earlier = await makePassCode(secret, 'venue-a', MIN - 3, 0, 2);
    expect(await checkPassInput(earlier, rotated, NOW + 60_000)).toMatchObject({ ok: true, pass: { code: earlier, minute: MIN - 3, people: 2 } });
    const same = await makePassCode(secret, 'venue-a', MIN, 1, 1);
    expect(await checkPassInput(same, rotated, NOW + 60_000)).toMatchObject({ ok: true, pass: { minute: MIN, people: 1 } });
  });

  it('refuses a code made with the previous secret for a minute after the rotation: what the revoked tablet could forge', async () => {
    const forged = await makePassCode(secret, 'venue-a', MIN + 1, 0, 1);
    expect(await checkPassInput(forged, rotated, NOW + 2 * 60_000)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('takes new passes under the new secret, and an old pass expires as any pass does', async () => {
    const fresher = await makePassCode(fresh, 'venue-a', MIN + 1, 0, 3);
    expect(await checkPassInput(fresher, rotated, NOW + 2 * 60_000)).toMatchObject({ ok: true, pass: { minute: MIN + 1, people: 3 } });
    const earlier = await makePassCode(secret, 'venue-a', MIN - 3, 0, 2);
    const expiry = passExpiresAt(MIN - 3, NORMAL_POLICY.passValidMinutes);
    expect(await checkPassInput(earlier, rotated, expiry)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a kiosk offline through the rotation (old secret only) refuses the typed code of a new pass until it reconnects', async () => {
    const fresher = await makePassCode(fresh, 'venue-a', MIN + 1, 0, 1);
    expect(await checkPassInput(fresher, enrolment, NOW + 2 * 60_000)).toEqual({ ok: false, reason: 'unknown' });
  });
});
