import type { Lang } from '../../../shared/labels.js';
import { requiredChecks } from '../../../shared/rules/required-checks.js';
import { MAX_PARTY } from '../../../shared/schemas/pass.js';
import { testWindowHours, type Policy } from '../../../shared/schemas/policy.js';
import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import { html, page, type Html } from './html.js';
import { patronText, type PatronText } from './patron-text.js';
import { PATRON_CSS } from './patron-css.js';

export interface PatronPageInput {
  lang: Lang;
  /** The path of this page, for the language switch. */
  path: string;
  venue: VenueProfile;
  entranceName: string;
  policy: Policy;
  venueCode: string;
  /** The hub's signature on this page's code and time (services/form-ticket.ts). */
  ticket: string;
  script: string | undefined;
}

/**
 * The page a patron reaches by scanning the venue code: the venue,
 * the checks the policy asks there, and the declaration. Small on purpose:
 * server-rendered HTML, inline CSS, one small script; no framework.
 */
export function renderPatronPage(p: PatronPageInput): string {
  const t = patronText(p.lang);
  const { policy, venue } = p;
  const closed = policy.closedVenueTypes.includes(venue.type);
  const texts = { required: t('required'), invalid: t('invalidField'), fix: t('fixErrors'), network: t('networkError'), submitting: t('submitting'), expired: t('expiredText') };
  const bookable = venue.booking && venue.booking.mode !== 'off' && !closed;
  const body = html`
    ${header(t, p.lang, p.path, venue.name, `${venue.communityName} · ${p.entranceName}`)}
    <main>
      ${rulesSection(t, policy, venue)}
      ${bookable
        ? html`<p class="card book-link"><a href="${`/book/${encodeURIComponent(venue.id)}`}" data-testid="book-link">${t('bookLink')}</a><br><small class="small">${venue.booking?.mode === 'required' ? t('bookRequiredHint') : t('bookOptionalHint')}</small></p>`
        : ''}
      <form id="declare" novalidate data-venue-code="${p.venueCode}" data-ticket="${p.ticket}" data-max-party="${MAX_PARTY}" data-texts="${JSON.stringify(texts)}">
        ${declarationFields(t, policy)}
        <p class="err" id="form-error" role="alert" data-testid="form-error"></p>
        <button type="submit" class="primary" data-testid="submit">${t('submit')}</button>
      </form>
    </main>`;
  return page({ lang: p.lang, title: `${t('title')} · ${venue.name}`, css: PATRON_CSS + BOOK_LINK_CSS, body, scripts: p.script ? [p.script] : [] });
}

const BOOK_LINK_CSS = '.book-link a{font-size:1.15rem;font-weight:700}';

/**
 * The policy's checks at this venue now, and whether it is closed: the patron
 * page and the booking page show the same (the door checks the same at entry).
 */
export function rulesSection(t: PatronText, policy: Policy, venue: Pick<VenueProfile, 'type'>): Html {
  const checks = requiredChecks(policy, venue.type, undefined);
  const testHours = testWindowHours(policy, venue.type, 'other_province');
  const both = policy.testAndCommitmentVenueTypes.includes(venue.type);
  return html`<section class="rules" data-testid="rules">
      <p><span class="mode ${policy.mode}">${policy.mode === 'emergency' ? t('policyEmergency') : t('policyNormal')}</span> ${t('requiredHere')}</p>
      <ul>${checks.map((c) => html`<li>${t(`check_${c}`)}</li>`)}</ul>
      ${checks.includes('itinerary')
        ? html`<p class="small">${t('testRule', { h: testHours })}${both ? t('testAndCommitment') : policy.commitmentAccepted ? t('testOrCommitment') : ''}</p>`
        : ''}
    </section>
    ${policy.closedVenueTypes.includes(venue.type) ? html`<p class="notice refuse" role="alert" data-testid="closed">${t('closedNotice')}</p>` : ''}`;
}

/**
 * The declaration a pass and a booking share: each person,
 * companions without a phone, the commitment, the optional phone with its
 * purpose and retention. hub/ui/declaration-form.ts gives it behaviour.
 */
export function declarationFields(t: PatronText, policy: Policy): Html {
  return html`${person(t, '0', policy.threeCodeCheck)}
    <div id="companions"></div>
    <button type="button" class="secondary" id="add-companion" data-testid="add-companion">＋ ${t('addCompanion')}</button>
    <template id="companion-template">${person(t, '__i__', policy.threeCodeCheck)}</template>
    <section class="card">
      <h2>${t('commitmentTitle')}</h2>
      <p class="small">${t('commitmentText')}</p>
      <label class="check" data-field="commitment"><input type="checkbox" name="commitment" data-testid="commitment"> ${t('commitmentAgree')}<small class="err"></small></label>
    </section>
    <section class="card" data-field="phone">
      <label for="phone">${t('phone')}</label>
      <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" data-testid="phone">
      <small class="err"></small>
      <p class="small">${t('phonePurpose', { d: policy.contactRetentionDays })}</p>
    </section>
    <p class="small">${t('remembered')} <button type="button" class="link" id="forget">${t('forget')}</button></p>`;
}

export function header(t: PatronText, lang: Lang, path: string, title: string, subtitle: string): Html {
  const other = lang === 'en' ? 'zh-CN' : 'en';
  return html`<header><div><h1 data-testid="venue-name">${title}</h1><p>${subtitle}</p></div>
    <a class="lang" href="${`${path}${path.includes('?') ? '&' : '?'}lang=${other}`}" data-testid="lang">${t('switchTo')}</a></header>`;
}

function radios(t: PatronText, name: string, values: readonly string[]): Html {
  return html`<div class="choices">${values.map(
    (v) => html`<label class="choice ${v}"><input type="radio" name="${name}" value="${v}"><span>${t(v as 'green')}</span></label>`,
  )}</div>`;
}

/** A text or date input named by its label; the label is the input's accessible name. */
function field(name: string, label: string, inner: Html): Html {
  return html`<div class="field" data-field="${name}"><label><span class="label">${label}</span>${inner}</label><small class="err"></small></div>`;
}

/** A group of radios named by its legend. */
function choiceField(name: string, label: string, inner: Html): Html {
  return html`<fieldset class="field" data-field="${name}"><legend class="label">${label}</legend>${inner}<small class="err"></small></fieldset>`;
}

/** One person's block; `i` is the index in `people` (a placeholder in the companion template). */
function person(t: PatronText, i: string, vaccination: boolean): Html {
  const self = i === '0';
  const n = (f: string) => `people.${i}.${f}`;
  return html`<fieldset class="card person" data-index="${i}" data-testid="person">
    <legend>${self ? t('you') : t('companion')}</legend>
    ${self ? '' : html`<button type="button" class="link remove">${t('remove')}</button>
      ${field(n('label'), t('companionLabel'), html`<input name="${n('label')}" maxlength="20" autocomplete="off">`)}`}
    ${choiceField(n('healthCode'), t('healthCode'), radios(t, n('healthCode'), ['green', 'yellow', 'red']))}
    ${choiceField(n('itinerary'), t('itinerary'), radios(t, n('itinerary'), ['local', 'other_province', 'starred', 'medium_risk', 'high_risk']))}
    ${field(n('lastNegativeTestAt'), t('lastTest'), html`<input type="datetime-local" name="${n('lastNegativeTestAt')}">`)}
    ${vaccination ? choiceField(n('vaccination'), t('vaccination'), radios(t, n('vaccination'), ['complete', 'incomplete', 'none'])) : ''}
  </fieldset>`;
}
