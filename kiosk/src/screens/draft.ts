import { requiredChecks } from '../../../shared/rules/required-checks.js';
import { parseTemperatureText, TEMPERATURE_TEXT_MESSAGE } from '../../../shared/rules/temperature-text.js';
import { Checks, type CheckName, type ItineraryOutcome } from '../../../shared/schemas/checks.js';
import { issuePath, type ApiError } from '../../../shared/schemas/errors.js';
import type { PassPerson } from '../../../shared/schemas/pass.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import type { VenueType } from '../../../shared/schemas/venue.js';

/** What staff have entered so far for one patron, before it is a valid `Checks`. */
export interface Draft {
  values: Partial<Record<CheckName, string>>;
  skipReasons: Partial<Record<CheckName, string>>;
  temperatureText: string;
}

export const emptyDraft = (): Draft => ({ values: {}, skipReasons: {}, temperatureText: '' });

/**
 * A draft pre-filled from a pass: the scan is done (the pass is its
 * proof) and, from a scanned QR, the person's declared answers. Staff add the
 * temperature and the mask, and may change any answer.
 */
export function draftFromPass(person: PassPerson | undefined): Draft {
  const values: Draft['values'] = { scan: 'scanned' };
  if (person) {
    values.healthCode = person.h;
    values.itinerary = person.i;
    if (person.t) values.testProof = person.t;
    if (person.c) values.commitment = person.c;
    if (person.v) values.vaccination = person.v;
  }
  return { values, skipReasons: {}, temperatureText: '' };
}

/** The checks the form asks for now: they depend on the policy and the itinerary answer. */
export function askedChecks(d: Draft, policy: Policy, venueType: VenueType): CheckName[] {
  return requiredChecks(policy, venueType, d.values.itinerary as ItineraryOutcome | 'skipped' | undefined);
}

/** A typed reading as the schema takes it: NaN (refused at the field) unless the text is a plain decimal. */
export function typedCelsius(text: string): number {
  const typed = parseTemperatureText(text);
  return typed.ok ? typed.celsius : Number.NaN;
}

/** Why a typed reading was refused, as a kiosk text key: nothing typed, not a plain decimal, or out of range/steps. */
export function temperatureErrorKey(text: string): 'missing' | 'temperatureNotDecimal' | 'temperatureRange' {
  const typed = parseTemperatureText(text);
  return typed.ok ? 'temperatureRange' : typed.reason === 'empty' ? 'missing' : 'temperatureNotDecimal';
}

const skipped = (d: Draft, name: CheckName) => ({ outcome: 'skipped', reason: d.skipReasons[name] ?? '' });

/** Builds the candidate Checks object; the shared schema decides whether it is valid. */
export function draftToChecks(d: Draft, policy: Policy, venueType: VenueType): unknown {
  const pick = (name: CheckName) => {
    const v = d.values[name];
    if (v === undefined) return undefined;
    if (v === 'skipped') return skipped(d, name);
    if (name === 'scan' && v.startsWith('no_phone:')) return { outcome: 'no_phone', shown: v.slice('no_phone:'.length) };
    return { outcome: v };
  };
  // Text that is no plain decimal becomes NaN, which the schema refuses at the field (validateDraft words why).
  const temperature =
    d.values.temperature === 'skipped'
      ? skipped(d, 'temperature')
      : d.temperatureText.trim() === ''
        ? undefined
        : { outcome: 'measured', celsius: typedCelsius(d.temperatureText) };
  const asked = askedChecks(d, policy, venueType);
  const ifAsked = (name: CheckName) => (asked.includes(name) ? pick(name) : undefined);
  return {
    scan: ifAsked('scan'),
    temperature: asked.includes('temperature') ? temperature : undefined,
    mask: ifAsked('mask'),
    healthCode: ifAsked('healthCode'),
    itinerary: ifAsked('itinerary'),
    testProof: ifAsked('testProof'),
    commitment: ifAsked('commitment'),
    vaccination: ifAsked('vaccination'),
  };
}

export type DraftResult = { ok: true; checks: Checks } | { ok: false; errors: Partial<Record<CheckName, ApiError>> };

/** Validates the draft with the shared Checks schema, one error per check. */
export function validateDraft(d: Draft, policy: Policy, venueType: VenueType): DraftResult {
  const candidate = draftToChecks(d, policy, venueType) as Partial<Record<CheckName, unknown>>;
  const parsed = Checks.safeParse(candidate);
  const errors: Partial<Record<CheckName, ApiError>> = {};
  // A typed reading that is not a plain decimal (0x25, 3.75e1) is refused as such, before the schema's range.
  if (candidate.temperature !== undefined && d.values.temperature !== 'skipped' && !parseTemperatureText(d.temperatureText).ok) {
    errors.temperature = { code: 'invalid', field: 'temperature.celsius', message: TEMPERATURE_TEXT_MESSAGE };
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path[0] as CheckName;
      errors[name] ??= { code: 'invalid', field: issuePath(issue.path), message: issue.message };
    }
  }
  // Follow-up questions are optional in the schema but required by the form once asked.
  for (const name of askedChecks(d, policy, venueType)) {
    if (candidate[name] === undefined) errors[name] ??= { code: 'invalid', field: name, message: 'required' };
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, checks: parsed.data };
}
