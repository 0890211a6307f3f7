import type { KioskName, VenueNames } from '../../../shared/schemas/dashboard.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import { StaffTestFrequency } from '../../../shared/schemas/ledgers.js';
import { fmtDateTime, num, pct } from './format.js';
import { hasText, label, reasonText, t, type TextKey } from './i18n.js';
import { frequencyText } from './policy-labels.js';

/**
 * A flag's evidence in the inspector's words (docs/inspectors-guide.md "Reading a flag"): the
 * hub stores what a rule found as figures and ids (`withSkippedCheck 1`, `byCheck {"mask":1}`,
 * kiosk ids, window `2026-12-03T23`); here they become sentences with names, hours as
 * 23:00–24:00 and whether the door undid the records since. No key or JSON reaches the screen:
 * an unknown key reads as a plain label and its value as words.
 */

export interface EvidenceContext {
  names: VenueNames;
  /** Record ids of the evidence that the door undid since. */
  undone: readonly string[];
}

/** One line of evidence: what it is, and its value as text or as record ids the caller links. */
export type EvidenceLine = { key: string; term: string; text: string } | { key: 'recordIds'; term: string; records: string[] };

/** The order lines read in: the figures that raised the flag first, the ids behind them last. */
const FIRST = ['count', 'withSkippedCheck', 'withMissingCheck', 'admissions', 'byCheck', 'byReason'];

const pad = (n: number) => String(n).padStart(2, '0');

/** A kiosk as people name it: "东门平板", or "东门平板 2" where an entrance has several. */
export function kioskText(id: string, names: VenueNames | undefined): string {
  return kioskNameText(names?.kiosks[id]);
}

export function kioskNameText(k: KioskName | null | undefined): string {
  if (!k) return t('ev_unknownKiosk');
  return k.of > 1 ? t('ev_kioskN', { entrance: k.entrance, n: k.n }) : t('ev_kiosk', { entrance: k.entrance });
}

export function staffText(id: string, names: VenueNames | undefined): string {
  return names?.staff[id] ?? t('ev_unknownStaff');
}

/** `2026-12-03T23` → 2026-12-03 23:00–24:00: the venue-local hour as a span. */
export function hourSpan(key: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/.exec(key);
  if (!m) return undefined;
  const h = Number(m[2]);
  return `${m[1]} ${pad(h)}:00–${pad(h + 1)}:00`;
}

/** The window a flag covers, in words: an hour, a slot, a day, a week, a kiosk's hour, a pass. */
export function windowText(key: string, names?: VenueNames): string {
  const hour = hourSpan(key);
  if (hour) return hour;
  let m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(key);
  if (m) return t('ev_slotFrom', { day: m[1]!, time: m[2]! });
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) return key;
  m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (m) return t('ev_weekOf', { year: m[1]!, week: Number(m[2]) });
  const at = key.indexOf('@');
  if (at > 0) return `${kioskText(key.slice(0, at), names)} · ${windowText(key.slice(at + 1), names)}`;
  m = /^(.+):(\w+)$/.exec(key);
  if (m && !key.startsWith('record:')) return `${windowText(m[1]!, names)} · ${findingText(m[2]!)}`;
  if (key.startsWith('record:')) return t('ev_oneRecord');
  m = /^(.+)#(\d+)$/.exec(key);
  if (m) return t('ev_passPerson', { n: Number(m[2]) + 1 });
  return key;
}

function findingText(code: string): string {
  if (hasText(`ledger_${code}`)) return label('ledger', code);
  if (hasText(`ev_finding_${code}`)) return t(`ev_finding_${code}` as TextKey);
  return code;
}

/** The evidence of a flag, line by line, in words. */
export function evidenceLines(flag: Pick<Flag, 'evidence'>, ctx: EvidenceContext | undefined): EvidenceLine[] {
  const entries = Object.entries(flag.evidence).sort(([a], [b]) => rank(a) - rank(b));
  const lines: EvidenceLine[] = [];
  for (const [key, value] of entries) {
    if (key === 'recordIds' && Array.isArray(value)) {
      const ids = value.filter((x): x is string => typeof x === 'string');
      lines.push({ key: 'recordIds', term: termOf(key), records: ids });
      lines.push({ key: 'undone', term: t('ev_undoneTerm'), text: undoneText(ids, ctx?.undone ?? []) });
      continue;
    }
    const text = valueText(key, value, ctx?.names);
    if (text !== '') lines.push({ key, term: termOf(key), text });
  }
  return lines;
}

function rank(key: string): number {
  const i = FIRST.indexOf(key);
  return i >= 0 ? i : key === 'recordIds' ? 1000 : 100;
}

function termOf(key: string): string {
  return hasText(`ev_${key}`) ? t(`ev_${key}` as TextKey) : hasText(`field_${key}`) ? label('field', key) : t('ev_other');
}

function undoneText(ids: readonly string[], undone: readonly string[]): string {
  if (ids.length === 0) return t('no');
  const n = ids.filter((id) => undone.includes(id)).length;
  if (n === 0) return t('ev_noneUndone');
  return n === ids.length ? t('ev_allUndone') : t('ev_someUndone', { n, of: ids.length });
}

const COUNT_KEYS = new Set([
  'count', 'withSkippedCheck', 'withMissingCheck', 'admissions', 'noPhone', 'withoutBooking', 'unknownBooking', 'arrivedBooked',
  'walkIns', 'overCap', 'streetAdmissions', 'scans', 'passes', 'closedByPolicy', 'underOlderPolicy', 'outsideHours', 'entries', 'required',
]);
const PEOPLE_KEYS = new Set(['inside', 'cap', 'ratedCapacity', 'slotCap', 'onDuty', 'tested']);
const SHARE_KEYS = new Set(['share', 'streetShare', 'modeShare', 'tailProbability']);

/** One value in words; '' when it says nothing worth a line. */
function valueText(key: string, v: unknown, names: VenueNames | undefined): string {
  if (v === null || v === undefined) return '—';
  if (key === 'kioskId' && typeof v === 'string') return kioskText(v, names);
  if (key === 'kioskIds' && Array.isArray(v)) return v.map((id) => kioskText(String(id), names)).join('、') || '—';
  if ((key === 'operatorIds' || key === 'staffIds') && Array.isArray(v)) return v.map((id) => staffText(String(id), names)).join('、') || '—';
  if (key === 'staff') return staffListText(v, names);
  if ((key === 'byCheck' || key === 'byReason') && typeof v === 'object') {
    return Object.entries(v as Record<string, number>)
      .map(([code, n]) => t('ev_tally', { what: key === 'byCheck' ? label('check', code) : reasonText(code), n }))
      .join('，');
  }
  if (key === 'frequency') {
    const f = StaffTestFrequency.safeParse(v);
    if (f.success) return frequencyText(f.data);
  }
  if (key === 'ledger' && typeof v === 'string') return label('ledger', v);
  if (key === 'finding' && typeof v === 'string') return findingText(v);
  if (key === 'failed' && Array.isArray(v)) return v.map((c) => testText(String(c))).join('、');
  if (key === 'pValues' && typeof v === 'object') return Object.entries(v as Record<string, number>).map(([c, p]) => `${testText(c)} p = ${p}`).join('，');
  if (key === 'policyVersions' && Array.isArray(v)) return v.map((n) => t('ev_version', { n: Number(n) })).join('、');
  if (key === 'policyVersion' && typeof v === 'number') return t('ev_version', { n: v });
  if (key === 'openingHours') return hoursText(v);
  if (key === 'entrances' && Array.isArray(v)) {
    return v.map((e: { kioskId?: string; inside?: number }) => t('ev_doorInside', { door: kioskText(String(e.kioskId), names), n: Number(e.inside ?? 0) })).join('；');
  }
  if (key === 'suspensions' && Array.isArray(v)) {
    return v
      .map((s: { from?: string; to?: string; reason?: string; liftedAt?: number | null }) =>
        `${s.from ?? ''}–${s.to ?? ''} ${s.reason ?? ''}${s.liftedAt ? ` (${t('ev_liftedAt', { at: fmtDateTime(s.liftedAt) })})` : ''}`,
      )
      .join('；');
  }
  if (key === 'pass' && typeof v === 'object') return passText(v as Record<string, unknown>);
  if (key === 'passId' && typeof v === 'string') return v.slice(0, 8);
  if (key === 'person' && typeof v === 'number') return t('ev_personN', { n: v + 1 });
  if (key === 'connected' && typeof v === 'boolean') return v ? t('ev_online') : t('ev_offline');
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (key === 'kioskTime' && typeof v === 'string') return fmtDateTime(Date.parse(v));
  if (typeof v === 'number') {
    if ((key.endsWith('At') || key === 'since') && v > 1e12) return fmtDateTime(v);
    if (SHARE_KEYS.has(key)) return key === 'tailProbability' ? pct(v, 2) : pct(v);
    if (COUNT_KEYS.has(key)) return t('ev_times', { n: num(v) });
    if (PEOPLE_KEYS.has(key)) return t('ev_people', { n: num(v) });
    if (key === 'capPercent') return `${num(v)} %`;
    if (key.endsWith('C')) return `${num(v, 1)} °C`;
    if (key.endsWith('Minutes')) return t('ev_minutes', { n: num(v) });
    if (key.endsWith('Days')) return t('ev_days', { n: num(v) });
    return num(v, 3);
  }
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => valueText('', x, names)).join('、');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${termOf(k)} ${valueText(k, x, names)}`)
      .join('，');
  }
  return String(v);
}

function staffListText(v: unknown, names: VenueNames | undefined): string {
  if (typeof v === 'number') return t('ev_people', { n: num(v) });
  if (!Array.isArray(v)) return valueText('', v, names);
  return v
    .map((s: unknown) => {
      if (typeof s === 'string') return staffText(s, names);
      const o = (s ?? {}) as { staffId?: string; celsius?: number; onDuty?: boolean; lastTestDate?: string | null; vaccination?: string };
      const who = staffText(String(o.staffId), names);
      const parts: string[] = [];
      if (typeof o.celsius === 'number') parts.push(`${num(o.celsius, 1)} °C`);
      if (o.onDuty) parts.push(t('ev_onDuty'));
      if ('lastTestDate' in o) parts.push(o.lastTestDate ? t('ev_lastTest', { date: o.lastTestDate }) : t('ev_noTest'));
      if (o.vaccination) parts.push(label('out', o.vaccination));
      return parts.length ? `${who}（${parts.join('，')}）` : who;
    })
    .join('；');
}

function hoursText(v: unknown): string {
  if (v === null) return t('ev_allDay');
  const o = v as { open?: string; close?: string };
  return `${o.open ?? ''}–${o.close ?? ''}`;
}

function passText(p: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof p.src === 'string') parts.push(hasText(`ev_src_${p.src}`) ? t(`ev_src_${p.src}` as TextKey) : p.src);
  if (typeof p.person === 'number') parts.push(t('ev_personN', { n: p.person + 1 }));
  if (p.via === 'qr' || p.via === 'code') parts.push(t(p.via === 'qr' ? 'ev_via_qr' : 'ev_via_code'));
  if (typeof p.code === 'string') parts.push(p.code);
  return parts.join('，') || t('ev_pass');
}

function testText(code: string): string {
  return hasText(`ev_test_${code}`) ? t(`ev_test_${code}` as TextKey) : code;
}
