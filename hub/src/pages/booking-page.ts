import type { Lang } from '../../../shared/labels.js';
import { dayKey } from '../../../shared/rules/flags/window.js';
import type { BookingSettings, SlotView } from '../../../shared/schemas/booking.js';
import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { html, page, trusted, type Html } from './html.js';
import { PATRON_CSS } from './patron-css.js';
import { declarationFields, header, rulesSection } from './patron-page.js';
import { patronText, type PatronText } from './patron-text.js';
import { REFUSAL_KEYS } from '../../ui/booking-refusal.js';
import { MAX_BOOKINGS_PER_PHONE } from '../services/bookings.js';

/**
 * Every refusal text the booking pages' script can say (hub/ui/booking-refusal.ts),
 * in the page's language; `{s}` (seconds to wait) is filled in by the script.
 */
export function refusalTexts(t: PatronText): Record<string, string> {
  return Object.fromEntries(REFUSAL_KEYS.map((k) => [k, t(k, { n: MAX_BOOKINGS_PER_PHONE, s: '{s}' })]));
}

/** Venue-local wall-clock time, HH:MM. */
export const localHhmm = (ms: number, offsetMinutes: number): string => new Date(ms + offsetMinutes * 60_000).toISOString().slice(11, 16);

/** "11月24日 周二" / "Tue 24 Nov": a venue-local day as a patron reads it; `dayDate` leaves out the weekday. */
export function dayLabel(t: PatronText, ms: number, offsetMinutes: number, key: 'dayLabel' | 'dayDate' = 'dayLabel'): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  return t(key, {
    m: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    w: weekday(t, ms, offsetMinutes),
    mon: t('months').split(',')[d.getUTCMonth()]!,
  });
}

const weekday = (t: PatronText, ms: number, offsetMinutes: number): string => t('weekdays').split(',')[new Date(ms + offsetMinutes * 60_000).getUTCDay()]!;

export interface BookingDay {
  /** Any instant of the venue-local day; its start is enough. */
  start: number;
}

export interface BookingPageInput {
  lang: Lang;
  /** The path of this page, for the language switch and the day links. */
  path: string;
  venue: VenueProfile;
  policy: Policy;
  settings: BookingSettings;
  /** The days a patron may book, today first (today … daysAhead). */
  days: BookingDay[];
  /** The chosen day: one of `days`. */
  day: number;
  /** The chosen day's slots, as the hub counts them now; slots already over are left out by the caller. */
  slots: SlotView[];
  /** The hub's signature on this page (services/bookings.ts bookingTicket). */
  ticket: string;
  script: string | undefined;
}

/**
 * The shareable booking link of a venue (003 §13 限量、预约、错峰):
 * the policy's checks, a day picker, the day's slots with seats left (full ones
 * disabled), and the same declaration as a pass. Server-rendered like the
 * patron page; hub/ui/booking.ts sends it and, when the slot has just filled,
 * refreshes the seats from this page.
 */
export function renderBookingPage(p: BookingPageInput): string {
  const t = patronText(p.lang);
  const { venue, settings } = p;
  const offset = venue.utcOffsetMinutes;
  const texts = {
    required: t('required'),
    invalid: t('invalidField'),
    fix: t('fixErrors'),
    network: t('networkError'),
    submitting: t('submitting'),
    expired: t('expiredText'),
    chooseSlot: t('chooseSlot'),
    ...refusalTexts(t),
  };
  // The language is remembered in a cookie (routes/patron), so day links need not carry it.
  const query = (date: string) => `${p.path}?date=${date}`;
  const body = html`
    ${header(t, p.lang, `${p.path}?date=${dayKey(p.day, offset)}`, venue.name, `${venue.communityName} · ${t('bookTitle')}`)}
    <main>
      ${rulesSection(t, p.policy, venue)}
      <p class="small" data-testid="booking-terms">${settings.mode === 'required' ? t('bookRequiredHint') : t('bookOptionalHint')}
        ${t('partyLimit', { n: settings.maxParty, m: settings.slotMinutes })}</p>
      <nav class="days" aria-label="${t('bookDay')}" data-testid="days">
        ${p.days.map((d, i) => {
          const key = dayKey(d.start, offset);
          // Each label once: the day's name (today, tomorrow, else its weekday) over its date.
          const name = i === 0 ? t('today') : i === 1 ? t('tomorrow') : weekday(t, d.start, offset);
          return html`<a href="${query(key)}" data-testid="day" data-date="${key}" ${key === dayKey(p.day, offset) ? trusted('aria-current="date"') : ''}>${name}<small>${dayLabel(t, d.start, offset, 'dayDate')}</small></a>`;
        })}
      </nav>
      <form id="book" novalidate data-venue-id="${venue.id}" data-ticket="${p.ticket}" data-max-party="${settings.maxParty}" data-texts="${JSON.stringify(texts)}">
        ${slotPicker(t, p.slots, offset, dayLabel(t, p.day, offset))}
        ${declarationFields(t, p.policy)}
        <p class="err" id="form-error" role="alert" data-testid="form-error"></p>
        <button type="submit" class="primary" data-testid="submit" ${p.slots.some((s) => s.seatsLeft > 0) ? '' : trusted('disabled')}>${t('bookSubmit')}</button>
      </form>
    </main>`;
  return page({ lang: p.lang, title: `${t('bookTitle')} · ${venue.name}`, css: PATRON_CSS + BOOKING_CSS, body, scripts: p.script ? [p.script] : [] });
}

/** The day's slots as radios; the script swaps this block for a fresh copy of the page's when a slot fills. */
function slotPicker(t: PatronText, slots: SlotView[], offset: number, day: string): Html {
  return html`<fieldset class="card slots" id="slots" data-field="slotStart" data-testid="slots">
    <legend>${t('bookSlot')} · ${day}</legend>
    ${slots.length === 0 ? html`<p class="small" data-testid="no-slots">${t('noSlots')}</p>` : ''}
    <div class="slot-grid">
      ${slots.map((s) => {
        const full = s.seatsLeft <= 0;
        return html`<label class="slot ${full ? 'full' : ''}" data-testid="slot" data-start="${s.start}" data-seats="${s.seatsLeft}">
          <input type="radio" name="slotStart" value="${s.start}" ${full ? trusted('disabled') : ''}>
          <span><b>${localHhmm(s.start, offset)}–${localHhmm(s.end, offset)}</b><small>${full ? t('slotFull') : t('seatsLeft', { n: s.seatsLeft })}</small></span>
        </label>`;
      })}
    </div>
    <small class="err"></small>
  </fieldset>`;
}

/** A short page in place of the booking form or a booking: no bookings taken, an unknown venue or booking. */
export function renderBookingNotice(lang: Lang, path: string, kind: 'bookOff' | 'venueMissing' | 'bookingMissing', venueName?: string): string {
  const t = patronText(lang);
  const body = html`${header(t, lang, path, venueName ?? t(`${kind}Title`), venueName ? t(`${kind}Title`) : '')}
    <main><p class="notice ${kind === 'bookOff' ? '' : 'refuse'}" role="alert" data-testid="notice" data-kind="${kind}">${kind === 'bookOff' ? t('bookOffTitle') : ''}</p>
    <p class="card" data-testid="notice-text">${t(`${kind}Text`)}</p></main>`;
  return page({ lang, title: t(`${kind}Title`), css: PATRON_CSS, body });
}

/** Day picker and slot grid: big targets on a 360 px phone, full slots visibly out. */
export const BOOKING_CSS = `
.days{display:flex;gap:.4rem;overflow-x:auto;margin:0 0 .8rem;padding-bottom:.2rem}
.days a{flex:none;display:flex;flex-direction:column;align-items:center;min-width:4.6rem;padding:.4rem .5rem;border:2px solid #cbd2d9;border-radius:.6rem;background:#fff;color:inherit;text-decoration:none;font-weight:700}
.days a small{font-weight:400;font-size:.75rem;color:#52606d}
.days a[aria-current]{border-color:#1d4ed8;background:#eff6ff}
.slot-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.4rem}
.slot{display:flex;align-items:center;gap:.4rem;border:2px solid #cbd2d9;border-radius:.6rem;padding:.45rem .6rem;min-height:2.75rem;background:#fff}
.slot span{display:flex;flex-direction:column;line-height:1.2;min-width:0}.slot small{color:#15803d;font-weight:600}
.slot b{white-space:nowrap;font-variant-numeric:tabular-nums}
.slot:has(input:checked){border-color:#1d4ed8;background:#eff6ff}
.slot.full{opacity:.55;background:#f1f5f9}.slot.full small{color:#b91c1c}
.when{font-size:1.6rem;font-weight:800;text-align:center;margin:.2rem 0}
.cancelled .code,.over .code{color:#52606d;text-decoration:line-through}
.cancelled .people,.over .people{display:none}
`;
