import { VENUE_TYPE_TEXT } from '../../../shared/labels.js';
import { DoorCheck } from '../../../shared/schemas/checks.js';
import { StaffTestFrequency } from '../../../shared/schemas/ledgers.js';
import { VenueType } from '../../../shared/schemas/venue.js';
import { currentLang, label, t, type TextKey } from './i18n.js';

/**
 * Words for the policy's fields and values (docs/policy.md), shared by the
 * editor, the diff and the history: one name per field wherever it shows.
 */

export const VENUE_TYPES: readonly VenueType[] = VenueType.options;
export const DOOR_CHECKS: readonly DoorCheck[] = DoorCheck.options;

export function venueTypeText(type: string): string {
  return (VENUE_TYPE_TEXT[currentLang()] as Record<string, string>)[type] ?? type;
}

const FIELD: Record<string, TextKey> = {
  mode: 'pfMode',
  feverThresholdC: 'pfFever',
  doorChecks: 'pfDoorChecks',
  testWindowHours: 'pfTestWindow',
  starred: 'pfStarred',
  otherProvince: 'pfOtherProvince',
  byVenueType: 'pfByVenueType',
  default: 'pfDefault',
  commitmentAccepted: 'pfCommitment',
  testAndCommitmentVenueTypes: 'pfTestAndCommitment',
  closedVenueTypes: 'pfClosed',
  capPercent: 'pfCap',
  threeCodeCheck: 'pfThreeCode',
  unvaccinated: 'pfUnvaccinated',
  shortenedHours: 'pfShortenedHours',
  open: 'pfShortenedOpen',
  close: 'pfShortenedClose',
  passValidMinutes: 'pfPassValid',
  contactRetentionDays: 'pfRetention',
  bookingGraceMinutes: 'pfBookingGrace',
  flags: 'pfFlags',
  minScansPerAdmission: 'pfMinScans',
  minAdmissionsForScanCheck: 'pfMinAdmissions',
  temperatureWindow: 'pfTempWindow',
  maxSameReadingShare: 'pfSameReading',
  minTemperatureStdDevC: 'pfTempStdDev',
  temperatureTestWindow: 'pfTempTestWindow',
  temperatureTestAlpha: 'pfTempTestAlpha',
  honestTemperatureStdDevC: 'pfHonestStdDev',
  kioskOfflineMinutes: 'pfOffline',
  kioskSilentMinutes: 'pfSilent',
  clockSkewMinutes: 'pfSkew',
  kioskTimePastDays: 'pfKioskPast',
  kioskTimeFutureMinutes: 'pfKioskFuture',
  minAdmissionsForNoPhoneCheck: 'pfNoPhoneMin',
  noPhoneShareFactor: 'pfNoPhoneFactor',
  minNoPhoneShare: 'pfNoPhoneMinShare',
  maxNoPhoneFalseAlarm: 'pfNoPhoneFalseAlarm',
  noPhoneBaselineDays: 'pfNoPhoneDays',
  minNoPhoneBaselineAdmissions: 'pfNoPhoneBaseline',
  usualNoPhoneShare: 'pfNoPhoneUsual',
  staffTests: 'pfStaffTests',
  disinfectionsPerDay: 'pfDisinfections',
  disinfectionsByVenueType: 'pfDisinfectionsByType',
  staffBoosterRequired: 'pfBooster',
  every: 'pfEvery',
  times: 'pfTimes',
  days: 'pfDays',
  percent: 'pfPercent',
  repeatViolations: 'pfRepeat',
  repeatWindowDays: 'pfRepeatWindow',
};

/** One segment of a policy path in words: a field, a venue type, or an index. */
function segmentText(seg: string): string {
  if (seg in FIELD) return t(FIELD[seg]!);
  if ((VENUE_TYPES as readonly string[]).includes(seg)) return venueTypeText(seg);
  return seg;
}

/** `capPercent.byVenueType.library` → "限流比例 › 按场所类型 › 图书馆". */
export function pathText(path: string): string {
  return path
    .split('.')
    .filter((s) => s !== '' && !/^\d+$/.test(s))
    .map(segmentText)
    .join(' › ');
}

/** What an unvaccinated answer does under the three-code check (Policy.unvaccinated). */
export function vaccinationEffectText(effect: 'record' | 'warn' | 'refuse'): string {
  return t(effect === 'record' ? 'vaxRecord' : effect === 'warn' ? 'vaxWarn' : 'vaxRefuse');
}

export function modeText(mode: string): string {
  return mode === 'emergency' ? t('polEmergency') : mode === 'normal' ? t('polNormal') : mode;
}

/** A policy value as a person reads it: lists of types and checks in words. */
export function valueText(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (Array.isArray(v)) {
    if (v.length === 0) return t('none');
    return v.map((x) => (DOOR_CHECKS.includes(x as DoorCheck) ? label('check', String(x)) : venueTypeText(String(x)))).join('、');
  }
  if (v === 'normal' || v === 'emergency') return modeText(v);
  const frequency = StaffTestFrequency.safeParse(v);
  if (frequency.success) return frequencyText(frequency.data);
  if (v === 'record' || v === 'warn' || v === 'refuse') return vaccinationEffectText(v);
  if (typeof v === 'object' && 'open' in v && 'close' in v) return `${String(v.open)}–${String(v.close)}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A staff test frequency as 003's table words it: 每周2次, 每5天1次, 每日抽检20%. */
export function frequencyText(f: StaffTestFrequency): string {
  const zh = currentLang() === 'zh-CN';
  if (f.every === 'week') return zh ? `每周${f.times}次` : `${f.times} a week`;
  if (f.every === 'days') return zh ? `每${f.days}天1次` : `once every ${f.days} days`;
  return zh ? `每日抽检${f.percent}%` : `daily sample of ${f.percent} %`;
}
