import { Checks, type CheckName } from '../../../shared/schemas/checks.js';
import { issuePath, type ApiError } from '../../../shared/schemas/errors.js';

/** What staff have entered so far for one patron, before it is a valid `Checks`. */
export interface Draft {
  values: Partial<Record<CheckName, string>>;
  skipReasons: Partial<Record<CheckName, string>>;
  temperatureText: string;
}

export const emptyDraft = (): Draft => ({ values: {}, skipReasons: {}, temperatureText: '' });

/** A test or commitment is asked only for these itinerary cases (000; 004 §3.8). */
export function asksTestOrCommitment(d: Draft): boolean {
  return d.values.itinerary === 'starred' || d.values.itinerary === 'other_province';
}

const skipped = (d: Draft, name: CheckName) => ({ outcome: 'skipped', reason: d.skipReasons[name] ?? '' });

/** Builds the candidate Checks object; the shared schema decides whether it is valid. */
export function draftToChecks(d: Draft): unknown {
  const pick = (name: CheckName) => {
    const v = d.values[name];
    if (v === undefined) return undefined;
    if (v === 'skipped') return skipped(d, name);
    if (name === 'scan' && v.startsWith('no_phone:')) return { outcome: 'no_phone', shown: v.slice('no_phone:'.length) };
    return { outcome: v };
  };
  const temperature =
    d.values.temperature === 'skipped'
      ? skipped(d, 'temperature')
      : d.temperatureText.trim() === ''
        ? undefined
        : { outcome: 'measured', celsius: Number(d.temperatureText.replace(',', '.')) };
  const asks = asksTestOrCommitment(d);
  return {
    scan: pick('scan'),
    temperature,
    mask: pick('mask'),
    healthCode: pick('healthCode'),
    itinerary: pick('itinerary'),
    testProof: asks ? pick('testProof') : undefined,
    commitment: asks ? pick('commitment') : undefined,
  };
}

export type DraftResult = { ok: true; checks: Checks } | { ok: false; errors: Partial<Record<CheckName, ApiError>> };

/** Validates the draft with the shared Checks schema, one error per check. */
export function validateDraft(d: Draft): DraftResult {
  const candidate = draftToChecks(d);
  const parsed = Checks.safeParse(candidate);
  const errors: Partial<Record<CheckName, ApiError>> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path[0] as CheckName;
      errors[name] ??= { code: 'invalid', field: issuePath(issue.path), message: issue.message };
    }
  }
  // The follow-up questions are optional in the schema but required by the form when asked.
  if (asksTestOrCommitment(d)) {
    const c = candidate as { testProof?: unknown; commitment?: unknown };
    if (c.testProof === undefined) errors.testProof ??= { code: 'invalid', field: 'testProof', message: 'required' };
    if (c.commitment === undefined) errors.commitment ??= { code: 'invalid', field: 'commitment', message: 'required' };
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, checks: parsed.data };
}
