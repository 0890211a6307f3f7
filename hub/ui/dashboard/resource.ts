import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiFailure } from './api.js';
import { t } from './i18n.js';

/**
 * One thing a screen loads: its value, whether it is loading, and the error
 * in words. A late answer to an earlier request never overwrites a newer one.
 * On an error the old value is dropped, so a 403 shows no data at all.
 */
export class Resource<T> implements ReactiveController {
  value: T | undefined;
  error: ApiFailure | undefined;
  loading = false;
  private seq = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fetcher: () => Promise<T>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  async run(): Promise<void> {
    const n = ++this.seq;
    this.loading = true;
    this.host.requestUpdate();
    try {
      const v = await this.fetcher();
      if (n !== this.seq) return;
      this.value = v;
      this.error = undefined;
    } catch (e) {
      if (n !== this.seq) return;
      this.value = undefined;
      this.error = e instanceof ApiFailure ? e : new ApiFailure(0, 'internal', String(e));
    } finally {
      if (n === this.seq) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  /** The value through `ok`, or the loading line, or the error with a retry button. */
  render(ok: (v: T) => unknown): unknown {
    if (this.error) return renderError(this.error, () => void this.run());
    if (this.value === undefined) return html`<p class="muted" data-testid="loading">${t('loading')}</p>`;
    return ok(this.value);
  }
}

export function errorText(e: ApiFailure): string {
  if (e.code === 'network') return t('networkDown');
  if (e.code === 'forbidden') return t('forbidden');
  if (e.code === 'not_found') return t('notFound');
  if (e.status >= 500) return t('serverError');
  return e.message;
}

/**
 * A 429 for the account's wait (docs/security.md "Rate limits"), wherever a password is given: how
 * long, in seconds, or in minutes past two. Undefined for any other failure.
 */
export function waitText(e: ApiFailure): string | undefined {
  if (e.status !== 429 && e.code !== 'rate_limited') return undefined;
  if (!e.retryAfter) return t('loginRateLimited');
  const s = Math.ceil(e.retryAfter);
  return s >= 120 ? t('loginRateLimitedMin', { n: Math.ceil(s / 60) }) : t('loginRateLimitedIn', { n: s });
}

export function renderError(e: ApiFailure, retry?: () => void): TemplateResult {
  if (e.code === 'forbidden') return html`<p class="error" role="alert" data-testid="forbidden">${t('forbidden')}</p>`;
  return html`<p class="error" role="alert" data-testid="error">
    ${errorText(e)} ${retry && e.code !== 'not_found' ? html`<button class="small" @click=${retry}>${t('retry')}</button>` : ''}
  </p>`;
}
