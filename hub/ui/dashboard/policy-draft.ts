import { issuePath } from '../../../shared/schemas/errors.js';
import { PolicyDraft, PolicyReason, type PolicyOverview } from '../../../shared/schemas/policy-admin.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { ApiFailure } from './api.js';
import { t } from './i18n.js';
import { apiErrorText, apiField, issueText } from './issue-text.js';
import { pathText } from './policy-labels.js';

/**
 * What the policy desk's forms (the editor, the one-act switch) share: the
 * draft they send, whom a switch reaches, and every check and refusal worded
 * in the dashboard's language from its field and code (issue-text.ts), never
 * from the schema's or the hub's English.
 */

/** A switch is set at most a year ahead, as the hub allows (routes/policy MAX_AHEAD_MS). */
const MAX_AHEAD_MS = 366 * 24 * 3_600_000;

/** A policy without its version: what the editor edits and sends. */
export const toDraft = ({ version: _v, ...rest }: Policy): PolicyDraft => structuredClone(rest);

/** Reach of a switch: kiosks in service in the scope, and how many are connected now. */
export function reachOf(overview: PolicyOverview, communityId: string | null): { kiosks: number; connected: number } {
  const inScope = overview.communities.filter((c) => communityId === null || c.id === communityId);
  return { kiosks: inScope.reduce((n, c) => n + c.kiosks, 0), connected: inScope.reduce((n, c) => n + c.connected, 0) };
}

/** A field of a switch request (`reason`, `policy.capPercent.default`) or of a draft (`capPercent.default`) in words. */
export function policyFieldLabel(path: string): string {
  if (path === 'reason') return t('polReason');
  if (path === 'communityId') return t('polScope');
  if (path === 'at') return t('polWhen');
  if (path === 'policy' || path === '') return t('polPolicy');
  return pathText(path.replace(/^policy\./, ''));
}

/** Fields set by ticking or choosing, not typing: a missing value reads "choose". */
const CHOICE = /^(mode|closedVenueTypes|testAndCommitmentVenueTypes|flags\.staffTests\.\w+\.every|doorChecks\..+)$/;

/** Issue paths without list positions: an error in `closedVenueTypes.3` shows at the type grid. */
const fieldOf = (path: readonly PropertyKey[]) => issuePath(path).replace(/(\.\d+)+$/, '');

/** The draft checked with the shared schema, as the hub checks it: the first problem of each field, worded. */
export function draftErrors(draft: PolicyDraft): Map<string, string> {
  const checked = PolicyDraft.safeParse(draft, { reportInput: true });
  const errors = new Map<string, string>();
  if (checked.success) return errors;
  for (const issue of checked.error.issues) {
    const field = fieldOf(issue.path);
    if (!errors.has(field)) errors.set(field, issueText(issue, policyFieldLabel(field), { choice: CHOICE.test(field) }));
  }
  return errors;
}

/** The reason, and for a switch set for later its time (a `datetime-local` value), checked before the confirm step. */
export function sendErrors({ reason, later, at }: { reason: string; later: boolean; at: string }, now: number): Map<string, string> {
  const errors = new Map<string, string>();
  if (!PolicyReason.safeParse(reason).success) errors.set('reason', t('polReasonRequired'));
  if (later) {
    const ms = at ? new Date(at).getTime() : NaN;
    if (!Number.isFinite(ms)) errors.set('at', t('polAtRequired'));
    else if (ms <= now) errors.set('at', t('polAtPast'));
    else if (ms > now + MAX_AHEAD_MS) errors.set('at', t('polAtTooFar'));
  }
  return errors;
}

/** A refused switch or cancel: the field the hub named (as the request's path), and what to show. */
export interface Refusal {
  field: string | undefined;
  message: string;
  /** The hub's own words, for the tooltip (support reads English). */
  detail: string;
}

/** Whether the editor shows a refusal at its field: one of the policy's, or the scope, time or reason. Others show under the form. */
export const shownAtField = (field: string | undefined): boolean => field !== undefined && /^(policy\..+|reason|at|communityId)$/.test(field);

export function refusalOf(err: unknown): Refusal {
  const e = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
  const field = e.status === 400 ? apiField(e) : undefined;
  return { field, message: refusalText(e, field), detail: e.message };
}

function refusalText(e: ApiFailure, field: string | undefined): string {
  // The form checked what the schema checks; the hub refuses these for what only it knows.
  if (field === 'at') return t('polAtTooFar');
  if (field === 'communityId') return t('polNoCommunity');
  if (e.code === 'conflict' && apiField(e) === 'id') return t('polCancelGone');
  // Looser than the floor the levels above have in force: the hub names the fields after the colon.
  if (e.code === 'conflict' && apiField(e) === 'policy') {
    const fields = (e.message.split(': ').at(-1) ?? '').split(', ').filter(Boolean);
    return t('plvLooser', { fields: fields.map((f) => pathText(f)).join('、') });
  }
  return apiErrorText(e, field === undefined ? undefined : policyFieldLabel(field));
}
