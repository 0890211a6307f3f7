import { REASON_TEXT, type Lang } from '../../../shared/labels.js';
import type { PersonVerdict, PassVerdict } from '../../../shared/rules/pass-verdict.js';
import { toIsoWithOffset } from '../../../shared/rules/time.js';
import type { StoredPass } from '../store/passes.js';
import { html, page, trusted } from './html.js';
import { PATRON_CSS } from './patron-css.js';
import { header } from './patron-page.js';
import { patronText } from './patron-text.js';
import { signedQrSvg } from './qr-svg.js';

export interface PassPageInput {
  lang: Lang;
  path: string;
  pass: StoredPass;
  venueName: string;
  entranceName: string;
  utcOffsetMinutes: number;
  verdict: PassVerdict;
  people: PersonVerdict[];
  script: string | undefined;
  now: number;
}


/** Venue-local wall-clock time, HH:MM. */
const hhmm = (ms: number, offset: number) => toIsoWithOffset(ms, offset).slice(11, 16);

/**
 * The pass a patron shows at the door: the big answer, a live clock
 * and a moving sweep (so a screenshot shows as one), the code staff can type,
 * and the signed QR the kiosk verifies offline. Once expired, a plain grey
 * "expired" in place of the answer and the clock, no QR, the code struck through.
 */
export async function renderPassPage(p: PassPageInput): Promise<string> {
  const t = patronText(p.lang);
  const { pass } = p;
  const qr = await signedQrSvg(pass.id, pass.signed);
  const code = `${pass.code.slice(0, 3)} ${pass.code.slice(3)}`;
  // An expired pass must not look valid from a metre away: no verdict, no live clock, only the
  // plain expired state (hub/ui/pass.ts switches to it when the pass expires on screen).
  const expired = p.now >= pass.expiresAt;
  const body = html`
    ${header(t, p.lang, p.path, p.venueName, `${p.entranceName}${pass.source === 'poster' ? ` · ${t('posterScan')}` : ''}`)}
    <main data-expires="${pass.expiresAt}" data-left="${pass.leftAt ?? ''}" data-pass-id="${pass.id}" data-offset="${p.utcOffsetMinutes}" id="pass"
      data-texts="${JSON.stringify({ leftDone: t('leftDone'), network: t('networkError') })}">
      ${expired
        ? ''
        : html`<section class="verdict ${p.verdict}" data-testid="verdict" data-verdict="${p.verdict}">
        <div class="sweep"></div>
        <strong>${t(`verdict_${p.verdict}`)}</strong>
        <span>${t(`verdict_${p.verdict}_hint`)}</span>
        <div class="clock" id="clock" data-testid="clock">${hhmm(p.now, p.utcOffsetMinutes)}</div>
      </section>`}
      <section class="expired-state" role="alert" data-testid="expired">
        <strong>${t('passExpired')}</strong>
        <span>${t('passExpiredHint', { t: hhmm(pass.expiresAt, p.utcOffsetMinutes) })}</span>
      </section>
      <section class="card">
        <div class="code" data-testid="pass-code" data-code="${pass.code}" aria-label="${t('code')}">${code}</div>
        <p class="small centred code-hint">${t('codeHint')}</p>
        <div class="qr" data-testid="pass-qr" data-signed="${pass.signed}">${trusted(qr)}</div>
      </section>
      <section class="card">
        <dl class="meta">
          <dt>${t('issuedAt')}</dt><dd>${hhmm(pass.issuedAt, p.utcOffsetMinutes)}</dd>
          <dt>${t('validUntil')}</dt><dd data-testid="valid-until">${hhmm(pass.expiresAt, p.utcOffsetMinutes)}</dd>
        </dl>
        ${expired
          ? ''
          : html`<ul class="people" data-testid="people">
          ${p.people.map((v, i) => {
            const label = pass.people[i]?.n ?? (i === 0 ? t('you') : `${t('companion')} ${i}`);
            const reasons = v.reasons.map((r) => REASON_TEXT[p.lang][r]);
            return html`<li>${label}：<b>${v.decision === 'refuse' ? t('verdict_refuse') : v.showTest ? t('showTest') : t('verdict_enter')}</b>
              ${reasons.length ? html`<br><small>${reasons.join('；')}</small>` : ''}</li>`;
          })}
        </ul>`}
      </section>
      ${p.verdict === 'refuse'
        ? ''
        : html`<p class="notice" id="left-done" data-testid="left-done" ${pass.leftAt ? '' : trusted('hidden')}>${t('leftDone')}</p>
          <button type="button" class="primary" id="left" data-testid="left" ${pass.leftAt ? trusted('hidden') : ''}>${t('left')}</button>`}
    </main>`;
  // Expired is decided here too: a phone whose script never arrived must not show a live pass.
  return page({
    lang: p.lang,
    title: `${t('passTitle')} · ${p.venueName}`,
    css: PATRON_CSS,
    body,
    scripts: p.script ? [p.script] : [],
    bodyClass: expired ? 'expired' : undefined,
  });
}

/** A short page in place of the form or the pass: an expired or unknown code, a missing pass. */
export function renderNotice(lang: Lang, path: string, kind: 'expired' | 'invalid' | 'passMissing'): string {
  const t = patronText(lang);
  const body = html`${header(t, lang, path, t(`${kind}Title`), '')}
    <main><p class="notice refuse" role="alert" data-testid="notice" data-kind="${kind}">${t(`${kind}Text`)}</p></main>`;
  return page({ lang, title: t(`${kind}Title`), css: PATRON_CSS, body });
}
