import { FLAG_RULE_TEXT, type Lang } from '../../../shared/labels.js';
import type { WeeklyReport } from '../../../shared/schemas/dashboard.js';
import type { RolledUpReport, WeeklyTotals } from '../../../shared/schemas/oversight.js';
import { FlagRule } from '../../../shared/schemas/flags.js';
import { toCsv } from './csv.js';

/** The weekly report's column heads, in the language of whoever downloads it. */
const HEAD: Record<Lang, Record<'community' | 'venue' | 'admissions' | 'refusals' | 'skippedRate' | 'inspections' | 'itemsFailed' | 'open' | 'closed' | 'repeat' | 'yes' | 'no', string>> = {
  'zh-CN': {
    community: '社区',
    venue: '场所',
    admissions: '入场人次',
    refusals: '拒绝人次',
    skippedRate: '跳过检查比例',
    inspections: '现场检查次数',
    itemsFailed: '检查不合格项',
    open: '整改中',
    closed: '本周整改完成',
    repeat: '屡查屡犯',
    yes: '是',
    no: '否',
  },
  en: {
    community: 'Community',
    venue: 'Venue',
    admissions: 'Admissions',
    refusals: 'Refusals',
    skippedRate: 'Share with a check skipped',
    inspections: 'On-site inspections',
    itemsFailed: 'Inspection points failed',
    open: 'Rectifications open',
    closed: 'Rectifications closed this week',
    repeat: 'Repeat offender',
    yes: 'yes',
    no: 'no',
  },
};

/**
 * The weekly report (每周报送一次, 000 §4) as CSV: heads in the reader's language and the same
 * columns every week, one per flag rule whether or not a rule fired that week, so weeks paste
 * under each other in one sheet.
 */
export function weeklyReportCsv(report: WeeklyReport, lang: Lang): string {
  const h = HEAD[lang];
  const rules = FlagRule.options;
  return toCsv(
    [h.community, h.venue, h.admissions, h.refusals, h.skippedRate, ...rules.map((r) => FLAG_RULE_TEXT[lang][r]), h.inspections, h.itemsFailed, h.open, h.closed, h.repeat],
    report.rows.map((r) => [
      r.communityName,
      r.venueName,
      r.admissions,
      r.refusals,
      r.skippedRate.toFixed(4),
      ...rules.map((rule) => r.flagsByRule[rule] ?? 0),
      r.inspections,
      r.inspectionItemsFailed,
      r.rectificationsOpen,
      r.rectificationsClosed,
      r.repeatOffender ? h.yes : h.no,
    ]),
  );
}

/** The rolled-up report's extra heads: where each street is, and how many venues reported. */
const ROLLUP_HEAD: Record<Lang, Record<'district' | 'street' | 'venues' | 'repeatOffenders' | 'total', string>> = {
  'zh-CN': { district: '区', street: '街道', venues: '场所数', repeatOffenders: '屡查屡犯场所数', total: '合计' },
  en: { district: 'District', street: 'Street', venues: 'Venues', repeatOffenders: 'Repeat offenders', total: 'Total' },
};

/**
 * The weekly report rolled up from the streets' reports (000 §4(1) 每周报送), as CSV: one row per
 * street with the sums of its venues' rows, then the total; the same columns as the street's own
 * CSV where they sum (a flag rule per column, every week), so the two read side by side.
 */
export function rolledUpReportCsv(report: RolledUpReport, lang: Lang): string {
  const h = HEAD[lang];
  const u = ROLLUP_HEAD[lang];
  const rules = FlagRule.options;
  const line = (district: string, street: string, t: WeeklyTotals) => [
    district,
    street,
    t.venues,
    t.admissions,
    t.refusals,
    t.skippedRate.toFixed(4),
    ...rules.map((rule) => t.flagsByRule[rule] ?? 0),
    t.inspections,
    t.inspectionItemsFailed,
    t.rectificationsOpen,
    t.rectificationsClosed,
    t.repeatOffenders,
  ];
  return toCsv(
    [u.district, u.street, u.venues, h.admissions, h.refusals, h.skippedRate, ...rules.map((r) => FLAG_RULE_TEXT[lang][r]), h.inspections, h.itemsFailed, h.open, h.closed, u.repeatOffenders],
    [...report.streets.map((s) => line(s.districtName, s.streetName, s.totals)), line(u.total, '', report.totals)],
  );
}
