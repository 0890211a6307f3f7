import { checkPassCode, minuteOf, type PassCodeCheck } from '../../shared/rules/pass-code.js';
import { looksLikePass, verifyPass, type PassCheck } from '../../shared/rules/pass-signature.js';
import { bookingAdmission, type Slot } from '../../shared/rules/slots.js';
import { PassCode, type PassPayload, type PassPerson, type PassUse } from '../../shared/schemas/pass.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { PartyChoice } from '../../shared/schemas/record.js';
import { getPassUse, isBookingCancelled, type Enrolment, type PassUpdate, type PassUseRecord } from './db.js';

/**
 * A patron's pass at the door, checked with no network: a scanned
 * QR by the hub's signature, a typed 6-character code by the venue's secret.
 * Then against what this kiosk remembers, so a pass is not used twice here.
 */
export interface ActivePass {
  key: string;
  id?: string;
  code: string;
  minute: number;
  people: number;
  via: PassUse['via'];
  src?: PassUse['src'];
  /** The declared answers, per person; only a scanned QR carries them. */
  persons?: PassPerson[];
  /** A booking's slot, epoch ms: its people hold seats there. */
  slot?: Slot;
  /** The person to check now (0-based): the first not yet admitted here. */
  next: number;
  /** Staff chose to check the companions of a person refused for fever one by one (party.ts): kept on their records. */
  party?: PartyChoice;
  /** Those companions still to check after this one, in order. */
  partyQueue?: number[];
}

export type PassRefusal = 'format' | 'unknown' | 'expired' | 'not_yet_valid' | 'other_venue' | 'tampered' | 'used' | 'booking_early' | 'booking_late' | 'booking_cancelled';
export type PassCheckResult =
  | { ok: true; pass: ActivePass }
  | { ok: false; reason: Exclude<PassRefusal, 'booking_early' | 'booking_late'> }
  /** A booking outside its entry window: `at` is when it may enter, or when its slot ended. */
  | { ok: false; reason: 'booking_early' | 'booking_late'; at: number };

/** The policy's grace around a booking's slot; a policy cached before bookings existed has none and takes the default. */
export const graceMinutes = (e: Enrolment): number => e.policy.bookingGraceMinutes ?? NORMAL_POLICY.bookingGraceMinutes;

/** A booking's slot in epoch ms, if the pass is a booking. */
function bookingSlot(p: PassPayload): Slot | undefined {
  return p.src === 'booking' && p.slot ? { start: p.slot[0] * 1000, end: p.slot[1] * 1000 } : undefined;
}

/**
 * A booking's time is its slot under the door's policy (rules/slots.ts
 * bookingAdmission: from start − grace until the end), not the pass's signed
 * iat/exp, which carry the grace in force when it was booked: the street may
 * have changed it since, and the door enforces the policy it has now.
 */
function judgeTime(v: PassCheck, e: Enrolment, now: number): PassCheck | { ok: false; reason: 'booking_early' | 'booking_late'; at: number } {
  const slot = v.pass && (v.ok || v.reason === 'expired' || v.reason === 'not_yet_valid') ? bookingSlot(v.pass) : undefined;
  if (!slot || !v.pass) return v;
  const a = bookingAdmission(slot, now, graceMinutes(e));
  if (a.ok) return { ok: true, pass: v.pass };
  return a.reason === 'early' ? { ok: false, reason: 'booking_early', at: a.from } : { ok: false, reason: 'booking_late', at: a.endedAt };
}

export const passKey = (code: string, minute: number): string => `${code}:${minute}`;

/** Asks the hub for the signed pass behind a typed code; undefined when offline. */
export type PassLookup = (key: { code: string; minute: number }) => Promise<string | undefined>;

/**
 * Checks what staff scanned or typed: a pass QR's text, or a pass code. A
 * typed code is checked offline; if `lookup` reaches the hub, the signed pass
 * behind it (verified like a scan) adds the declared answers.
 */
export async function checkPassInput(input: string, e: Enrolment, now: number, lookup?: PassLookup): Promise<PassCheckResult> {
  const text = input.trim();
  let found: Omit<ActivePass, 'next'>;
  if (looksLikePass(text)) {
    const v = judgeTime(await verifyPass(text, e.passKey, e.venue.id, now), e, now);
    if (!v.ok) {
      if (v.reason === 'booking_early' || v.reason === 'booking_late') return v;
      return { ok: false, reason: v.reason === 'not_a_pass' ? 'tampered' : v.reason };
    }
    const p = v.pass;
    // The signature still verifies after a cancel: only the hub's word (kept in IndexedDB) stops it, as for an expired pass no record is made.
    if (p.src === 'booking' && (await isBookingCancelled(p.id))) return { ok: false, reason: 'booking_cancelled' };
    const minute = minuteOf(p.iat * 1000);
    const slot = bookingSlot(p);
    found = { key: passKey(p.code, minute), id: p.id, code: p.code, minute, people: p.people.length, via: 'qr', src: p.src, persons: p.people, ...(slot ? { slot } : {}) };
  } else {
    const code = PassCode.safeParse(text);
    if (!code.success) return { ok: false, reason: 'format' };
    const c = await checkTypedCode(code.data, e, now);
    if (!c.ok) return { ok: false, reason: c.reason };
    found = { key: passKey(code.data, c.minute), code: code.data, minute: c.minute, people: c.people, via: 'code' };
    const signed = await lookup?.({ code: code.data, minute: c.minute });
    const v = signed ? await verifyPass(signed, e.passKey, e.venue.id, now) : undefined;
    if (v?.ok && v.pass.code === code.data && minuteOf(v.pass.iat * 1000) === c.minute) {
      if (v.pass.src === 'booking' && (await isBookingCancelled(v.pass.id))) return { ok: false, reason: 'booking_cancelled' };
      found = { ...found, id: v.pass.id, src: v.pass.src, persons: v.pass.people };
    }
  }
  const used = await getPassUse(found.key);
  const next = firstUnused(found.people, used);
  if (next === undefined) return { ok: false, reason: 'used' };
  return { ok: true, pass: { ...found, next } };
}

/**
 * A typed code against the venue's secret, and against the one before it when
 * the hub rotated it (a tablet of the venue was revoked): a code made
 * with the previous secret counts only for a pass issued up to the rotation,
 * and like any pass only while it is valid. A code from after it under the old
 * secret is what the revoked tablet could forge, so it is unknown here.
 */
async function checkTypedCode(code: string, e: Enrolment, now: number): Promise<PassCodeCheck> {
  const current = await checkPassCode(code, e.passCodeSecret, e.venue.id, now, e.policy.passValidMinutes);
  const previous = e.previousPassCode;
  if (current.ok || current.reason === 'expired' || !previous) return current;
  const old = await checkPassCode(code, previous.secret, e.venue.id, now, e.policy.passValidMinutes);
  if (old.ok && old.minute > minuteOf(previous.rotatedAt)) return { ok: false, reason: 'unknown' };
  return old;
}

function firstUnused(people: number, used: PassUseRecord | undefined): number | undefined {
  for (let i = 0; i < people; i++) if (!used?.admitted.includes(i)) return i;
  return undefined;
}

/** What the entrance record keeps of the pass. */
export function passUse(p: ActivePass): PassUse {
  return {
    ...(p.id ? { id: p.id } : {}),
    code: p.code,
    minute: p.minute,
    person: p.next,
    people: p.people,
    via: p.via,
    ...(p.src ? { src: p.src } : {}),
  };
}

/**
 * The bookkeeping that commits with the entrance record: an admitted person
 * is used; a refusal is recorded but leaves the person free (a second reading
 * after a rest may admit). A person admitted meanwhile (another tap) declines.
 */
export function admissionUpdate(p: ActivePass, admitted: boolean, now: number): PassUpdate {
  return {
    key: p.key,
    update(current) {
      if (current?.admitted.includes(p.next)) return undefined;
      const base: PassUseRecord = current ?? { key: p.key, people: p.people, admitted: [], exitRecorded: false, at: now };
      return { ...base, ...(p.id ? { id: p.id } : {}), ...(p.slot ? { slot: p.slot.start } : {}), admitted: admitted ? [...base.admitted, p.next] : base.admitted, at: now };
    },
  };
}

/**
 * The next person of the same pass to check, or undefined when all are done.
 * Companions checked separately after a fever (party.ts) go by their queue:
 * each one still outside, never the one with the fever again.
 */
export function advance(p: ActivePass, admittedNow: number[]): ActivePass | undefined {
  if (p.partyQueue) {
    const left = p.partyQueue.filter((i) => !admittedNow.includes(i));
    return left.length ? { ...p, next: left[0]!, partyQueue: left.slice(1) } : undefined;
  }
  for (let i = p.next + 1; i < p.people; i++) if (!admittedNow.includes(i)) return { ...p, next: i };
  return undefined;
}

/**
 * "I have left" for a pass: the exit of the people admitted here on
 * it, counted once. The count is read in the same transaction that saves the
 * exit (`exitBody`), so an admission committing meanwhile is never missed.
 * Declines if nobody was admitted here on it or its exit was counted already.
 */
export function exitUpdate(key: string, now: number): PassUpdate {
  return {
    key,
    update(current) {
      if (!current || current.exitRecorded || current.admitted.length === 0) return undefined;
      return { ...current, exitRecorded: true, at: now };
    },
  };
}

/** The exit record for a pass, from its state in the saving transaction. */
export function exitBody(code: string, minute: number) {
  return (state: PassUseRecord | undefined) => ({ type: 'occupancy' as const, kind: 'exit' as const, count: state?.admitted.length ?? 0, pass: { code, minute } });
}

/**
 * An admission on a pass was undone (a correction): that person is free
 * again at this kiosk. Never declines, so the correction is always saved.
 */
export function undoUpdate(key: string, person: number, now: number): PassUpdate {
  return {
    key,
    update(current) {
      const base: PassUseRecord = current ?? { key, people: person + 1, admitted: [], exitRecorded: false, at: now };
      return { ...base, admitted: base.admitted.filter((p) => p !== person), at: now };
    },
  };
}
