import { slotGraceMs } from '../../../shared/rules/slots.js';
import { REASON_TEXT, type Lang } from '../../../shared/labels.js';
import type { PassVerdict, PersonVerdict } from '../../../shared/rules/pass-verdict.js';
import type { PassPerson } from '../../../shared/schemas/pass.js';
import { html, page, trusted } from './html.js';
import { BOOKING_CSS, dayLabel, localHhmm, refusalTexts } from './booking-page.js';
import { PATRON_CSS } from './patron-css.js';
import { header } from './patron-page.js';
import { patronText } from './patron-text.js';
import { signedQrSvg } from './qr-svg.js';

export interface BookingPassInput {
  lang: Lang;
  path: string;
  booking: {
    id: string;
    code: string;
    signed: string;
    slotStart: number;
    slotEnd: number;
    people: PassPerson[];
    hasContact: boolean;
    cancelledAt: number | null;
    /** 'street_office': a street admin cancelled it; the page says so. */
    cancelledBy: 'street_office' | null;
  };
  venueName: string;
  utcOffsetMinutes: number;
  /** The policy's grace (bookingGraceMinutes): the booking admits from slot start less this. */
  graceMinutes: number;
  contactRetentionDays: number;
  verdict: PassVerdict;
  people: PersonVerdict[];
  script: string | undefined;
  now: number;
}


/**
 * A booking as the patron keeps it: the slot and when they may come
 * in, each person's answer at the slot under the policy now, the
 * signed QR the kiosk verifies offline, its code, the contact note, and
 * cancel. A cancelled or finished booking shows neither the answer nor its QR:
 * nothing on it may look like a way in.
 */
export async function renderBookingPassPage(p: BookingPassInput): Promise<string> {
  const t = patronText(p.lang);
  const { booking: b, utcOffsetMinutes: offset } = p;
  const state = b.cancelledAt !== null ? 'cancelled' : p.now >= b.slotEnd ? 'over' : 'open';
  const from = b.slotStart - slotGraceMs({ start: b.slotStart, end: b.slotEnd }, p.graceMinutes);
  const qr = state === 'open' ? await signedQrSvg(b.id, b.signed) : '';
  const code = `${b.code.slice(0, 3)} ${b.code.slice(3)}`;
  const texts = { confirm: t('cancelConfirm'), ...refusalTexts(t) };
  const body = html`
    ${header(t, p.lang, p.path, p.venueName, `${t('bookingTitle')} · ${t('people', { n: b.people.length })}`)}
    <main id="booking" data-booking-id="${b.id}" data-state="${state}" data-testid="booking" data-texts="${JSON.stringify(texts)}">
      <section class="card">
        <dl class="meta">
          <dt>${t('bookingDay')}</dt><dd data-testid="booking-day">${dayLabel(t, b.slotStart, offset)}</dd>
          <dt>${t('bookingSlot')}</dt><dd data-testid="booking-slot">${localHhmm(b.slotStart, offset)}–${localHhmm(b.slotEnd, offset)}</dd>
        </dl>
        ${state === 'open'
          ? html`<p class="when" data-testid="enter-from">${t('enterFrom', { t: localHhmm(from, offset) })}</p>
        <p class="small">${t('graceNote', { g: p.graceMinutes, e: localHhmm(b.slotEnd, offset) })}</p>`
          : ''}
      </section>
      ${state === 'cancelled'
        ? html`<p class="notice refuse" role="status" data-testid="cancelled">${b.cancelledBy === 'street_office' ? t('cancelledByOffice', { t: `${dayLabel(t, b.cancelledAt!, offset)} ${localHhmm(b.cancelledAt!, offset)}` }) : t('cancelled')}</p>`
        : ''}
      ${state === 'over' ? html`<p class="notice refuse" role="status" data-testid="over">${t('slotOver')}</p>` : ''}
      ${state === 'open'
        ? html`<section class="verdict ${p.verdict}" data-testid="verdict" data-verdict="${p.verdict}">
        <strong>${t(`verdict_${p.verdict}`)}</strong>
        <span>${t(`verdict_${p.verdict}_hint`)}</span>
      </section>`
        : ''}
      <section class="card">
        <div class="code" data-testid="booking-code" data-code="${b.code}" aria-label="${t('bookingCode')}">${code}</div>
        ${state === 'open'
          ? html`<div class="qr" data-testid="booking-qr" data-signed="${b.signed}">${trusted(qr)}</div>
            <p class="small centred">${t('bookingQrHint')}</p>`
          : ''}
      </section>
      <section class="card">
        <ul class="people" data-testid="people">
          ${p.people.map((v, i) => {
            const label = b.people[i]?.n ?? (i === 0 ? t('you') : `${t('companion')} ${i}`);
            const reasons = v.reasons.map((r) => REASON_TEXT[p.lang][r]);
            return html`<li>${label}：<b>${v.decision === 'refuse' ? t('verdict_refuse') : v.showTest ? t('showTest') : t('verdict_enter')}</b>
              ${reasons.length ? html`<br><small>${reasons.join('；')}</small>` : ''}</li>`;
          })}
        </ul>
        <p class="small" data-testid="contact-note">${b.hasContact ? t('contactKept', { d: p.contactRetentionDays }) : t('contactNone')}</p>
      </section>
      <p class="err" id="cancel-error" role="alert" data-testid="cancel-error"></p>
      ${state === 'open' ? html`<button type="button" class="danger" id="cancel" data-testid="cancel">${t('cancel')}</button>` : ''}
    </main>`;
  return page({
    lang: p.lang,
    title: `${t('bookingTitle')} · ${p.venueName}`,
    css: PATRON_CSS + BOOKING_CSS + CANCEL_CSS,
    body,
    scripts: p.script ? [p.script] : [],
    bodyClass: state === 'open' ? undefined : state,
  });
}

const CANCEL_CSS = '.danger{width:100%;min-height:2.75rem;margin:.4rem 0 1.2rem;border:2px solid #b91c1c;border-radius:.8rem;background:#fff;color:#b91c1c;font-weight:700}';
