import type { z } from 'zod';
import { issuePath, type ErrorCode } from '../../../shared/schemas/errors.js';
import { hasText, t, type TextKey } from './i18n.js';

/**
 * One place that says a validation problem in the dashboard's language, so
 * no form shows the hub's English to a street office. The shared schemas and the hub speak English
 * (an API's words, kept for logs and tools); a street office reads Chinese.
 * So a form words the problem from its structure — a zod issue's code and
 * figures, or the hub's error code — and the field's label it already shows,
 * never from the English prose. The prose may still go in a tooltip for
 * support (`title=${issue.message}`).
 */

export type Issue = z.core.$ZodIssue;

export interface IssueOptions {
  /** The field is a choice (a select, a radio): a missing value reads "choose …", not "fill in …". */
  choice?: boolean;
  /** What a well-formed value looks like (a PIN: "4–6 位数字"), said after a format problem. */
  format?: string;
}

const n = (v: number | bigint) => String(v);

/**
 * A zod 4 issue as a sentence about the field called `label`. Parse with
 * `{ reportInput: true }` so an empty number field reads "fill in", not
 * "a whole number".
 */
export function issueText(issue: Issue, label: string, opts: IssueOptions = {}): string {
  const vars = { label };
  switch (issue.code) {
    case 'invalid_type':
      // Parsed with { reportInput: true }, a missing value is told from one of the wrong kind.
      if ('input' in issue && issue.input === undefined) return t(opts.choice ? 'iss_choose' : 'iss_required', vars);
      if (issue.expected === 'number' || issue.expected === 'int') return t(issue.expected === 'int' ? 'iss_notInteger' : 'iss_notNumber', vars);
      // Otherwise in a form a wrong type is a missing value: every input hands over a string or nothing.
      return t(opts.choice ? 'iss_choose' : 'iss_required', vars);
    case 'too_small': {
      const v = { ...vars, n: n(issue.minimum) };
      if (issue.origin === 'string') {
        if (issue.exact) return t('iss_exactLength', v);
        return Number(issue.minimum) <= 1 ? t(opts.choice ? 'iss_choose' : 'iss_required', vars) : t('iss_tooShort', v);
      }
      if (issue.origin === 'array' || issue.origin === 'set') return t('iss_tooFew', v);
      if (issue.origin === 'date') return t('iss_tooEarly', v);
      return t(issue.inclusive === false ? 'iss_aboveOnly' : 'iss_tooSmall', v);
    }
    case 'too_big': {
      const v = { ...vars, n: n(issue.maximum) };
      if (issue.origin === 'string') return t(issue.exact ? 'iss_exactLength' : 'iss_tooLong', v);
      if (issue.origin === 'array' || issue.origin === 'set') return t('iss_tooMany', v);
      if (issue.origin === 'date') return t('iss_tooLate', v);
      return t(issue.inclusive === false ? 'iss_belowOnly' : 'iss_tooBig', v);
    }
    case 'invalid_format':
      if (opts.format) return t('iss_formatLike', { ...vars, format: opts.format });
      return t(knownKey(`iss_format_${issue.format}`) ?? 'iss_format', vars);
    case 'invalid_value':
      return t(opts.choice || issue.values.length > 1 ? 'iss_choose' : 'iss_invalid', vars);
    case 'not_multiple_of':
      return t('iss_multipleOf', { ...vars, n: issue.divisor });
    case 'unrecognized_keys':
      return t('iss_unknownKeys', { keys: issue.keys.join(', ') });
    case 'custom': {
      // A refine of a shared schema names its rule in params.code; its words live here as iss_custom_<code>.
      const params = (issue.params ?? {}) as Record<string, unknown>;
      const key = typeof params.code === 'string' ? knownKey(`iss_custom_${params.code}`) : undefined;
      if (key) return t(key, { ...stringVars(params), ...vars });
      return t(opts.choice ? 'iss_choose' : 'iss_invalid', vars);
    }
    default:
      return t('iss_invalid', vars);
  }
}

/**
 * Every issue of a failed safeParse, by the dotted path of its field; the
 * first issue of a field wins (it is the one to fix first). `label` turns a
 * path into what the form calls it.
 */
export function issueTexts(issues: readonly Issue[], label: (path: string) => string, opts?: (path: string) => IssueOptions | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const issue of issues) {
    const path = issuePath(issue.path);
    if (!out.has(path)) out.set(path, issueText(issue, label(path), opts?.(path)));
  }
  return out;
}

/** What the dashboard knows of a hub refusal (api.ts ApiFailure fits). */
export interface ApiErrorLike {
  code: ErrorCode | 'network';
  field?: string | undefined;
  message: string;
  status?: number;
}

/**
 * A hub refusal in the dashboard's language, about the field called `label`
 * when the hub named one. The hub validates with the same schemas the form
 * already checked, so its `invalid` is about what only the hub knows (a
 * clash, a rule on stored data); its English message is for the tooltip.
 */
export function apiErrorText(err: ApiErrorLike, label?: string): string {
  const vars = { label: label ?? '' };
  switch (err.code) {
    case 'network':
      return t('networkDown');
    case 'forbidden':
      return t('forbidden');
    case 'not_found':
      return t('notFound');
    case 'unauthorized':
      return t('api_unauthorized');
    case 'expired':
      return t('api_expired');
    case 'too_large':
      return t('api_tooLarge');
    case 'rate_limited':
      return t('api_rateLimited');
    case 'conflict':
      return t(label ? 'api_conflictField' : 'api_conflict', vars);
    case 'invalid':
      return t(label ? 'iss_invalid' : 'api_invalid', vars);
    default:
      return t('serverError');
  }
}

/** The hub's field as the form's path: request schemas prefix the part they checked (`body.name`). */
export function apiField(err: ApiErrorLike): string | undefined {
  return err.field?.replace(/^(body|query|params)\./, '');
}

function knownKey(key: string): TextKey | undefined {
  return hasText(key) ? key : undefined;
}

function stringVars(params: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}
