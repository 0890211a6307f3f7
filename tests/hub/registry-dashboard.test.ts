import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ENTRANCE, ImportErrorCode, StaffCreate, VenueCreate } from '../../shared/schemas/registry.js';
import { planImport, readVenueCsv } from '../../hub/src/services/venue-csv.js';

/**
 * The dashboard's wording of validation problems (hub/ui/dashboard/issue-text.ts)
 * as the registry screens use it: every problem a Chinese user can meet in the
 * venue form, the door staff form or an import report is said in Chinese, and
 * the same problem in English after the switch. The modules are plain
 * functions over the dictionaries; only the language's storage is the
 * browser's, given here.
 */

type I18n = typeof import('../../hub/ui/dashboard/i18n.js');
type IssueText = typeof import('../../hub/ui/dashboard/issue-text.js');
type Labels = typeof import('../../hub/ui/dashboard/registry-labels.js');
type Draft = typeof import('../../hub/ui/dashboard/registry-venue-draft.js');
let i18n: I18n;
let text: IssueText;
let labels: Labels;
let draft: Draft;

beforeAll(async () => {
  const stored = new Map<string, string>();
  Object.assign(globalThis, {
    localStorage: { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) },
    document: { documentElement: { lang: '' } },
  });
  i18n = await import('../../hub/ui/dashboard/i18n.js');
  text = await import('../../hub/ui/dashboard/issue-text.js');
  labels = await import('../../hub/ui/dashboard/registry-labels.js');
  draft = await import('../../hub/ui/dashboard/registry-venue-draft.js');
});
beforeEach(() => i18n.setLang('zh-CN'));

const VENUE = {
  communityId: 'c-1',
  name: '新华网吧',
  type: 'internet_cafe',
  address: '新华路5号',
  ratedCapacity: 80,
  openingHours: null,
  officers: {},
  entrances: [{ name: '正门' }],
};

/** The venue form's words for a body it would refuse: what the user reads next to each field. */
function formErrors(body: unknown): Record<string, string> {
  const checked = VenueCreate.safeParse(body, { reportInput: true });
  if (checked.success) return {};
  return Object.fromEntries(text.issueTexts(checked.error.issues, draft.fieldLabel, (p) => ({ choice: draft.isChoice(p) })));
}

/** English prose (zod's or the hub's) leaking through. */
const english = /\b(?:a|an|the|is|are|must|expected|invalid|received|too|least|most|nothing|column|venue|number|string|characters?|input)\b/i;

describe('venue form field errors', () => {
  it.each([
    ['name', { name: '  ' }, '请填写场所名称'],
    ['type', { type: undefined }, '请选择场所类型'],
    ['type', { type: 'nightclub' }, '请选择场所类型'],
    ['address', { address: '路'.repeat(201) }, '地址最多 200 个字'],
    ['ratedCapacity', { ratedCapacity: undefined }, '请填写核定人数'],
    ['ratedCapacity', { ratedCapacity: -1 }, '核定人数不能小于 0'],
    ['ratedCapacity', { ratedCapacity: 1.5 }, '核定人数须为整数'],
    ['openingHours.open', { openingHours: { open: '25:00', close: '02:00' } }, '开始格式不对'],
    ['utcOffsetMinutes', { utcOffsetMinutes: 900 }, 'UTC 偏移（分钟，北京时间 480）不能大于 840'],
    ['officers.prevention.name', { officers: { prevention: { name: '', phone: '13900000002' } } }, '请填写防控专员姓名'],
    ['officers.prevention.phone', { officers: { prevention: { name: '钱伟', phone: '1.39E+10' } } }, '防控专员电话应为手机号（如 13800000000）或带区号的固定电话（如 010-12345678）'],
    ['entrances', { entrances: [] }, '出入口至少要有 1 项'],
    ['entrances.1.name', { entrances: [{ name: '正门' }, { name: '正门' }] }, '已有一个名为“正门”的出入口'],
    ['entrances.0.name', { entrances: [{ name: '东门;西门' }] }, '出入口 1不能含有 ；、| 等分隔符'],
  ])('%s: %j reads "%s"', (field, patch, words) => {
    const errors = formErrors({ ...VENUE, ...patch });
    expect(errors[field]).toBe(words);
    expect(Object.values(errors).join(' ')).not.toMatch(english);
  });

  it('says the same in English after the switch', () => {
    i18n.setLang('en');
    expect(formErrors({ ...VENUE, name: '', ratedCapacity: -1 })).toEqual({ name: 'Fill in Venue name', ratedCapacity: 'Rated capacity: at least 0' });
  });

  it('words a hub refusal by its code and the field the form calls it, never by the hub\'s English', () => {
    const taken = { code: 'conflict', field: 'id', message: 'a venue "venue-a" exists already', status: 409 } as const;
    expect(text.apiErrorText(taken, draft.fieldLabel(text.apiField(taken)!))).toBe('编号已被使用');
    expect(text.apiField({ code: 'invalid', field: 'body.ratedCapacity', message: 'x' })).toBe('ratedCapacity');
    expect(text.apiErrorText({ code: 'network', message: 'network' })).toBe('无法连接到街道服务器，请检查网络。');
    expect(text.apiErrorText({ code: 'too_large', message: 'Request body is too large' })).toBe('内容太大，无法提交');
    expect(text.apiErrorText({ code: 'internal', message: 'internal error', status: 500 })).toBe('服务器出错，请稍后重试。');
    i18n.setLang('en');
    expect(text.apiErrorText(taken, draft.fieldLabel('id'))).toBe('Id is already taken');
  });

  it('starts a new venue with the one default entrance the CSV import also gives', () => {
    expect(draft.toDraft(undefined, 'c-1').entrances.map((e) => e.name)).toEqual([DEFAULT_ENTRANCE]);
    expect(planImport(readVenueCsv('场所名称,场所类型,核定人数\n甲,ktv,1\n'), { community: { id: 'c-1', name: '社区' }, venues: [] }).saves[0]!.draft.entrances).toEqual([{ name: DEFAULT_ENTRANCE }]);
  });
});

describe('door staff form', () => {
  it('says what a PIN looks like', () => {
    const checked = StaffCreate.safeParse({ name: '周杰', role: '门岗', pin: '12' });
    expect(checked.success).toBe(false);
    const words = text.issueText(checked.error!.issues[0]!, i18n.t('regPinLabel'), { format: i18n.t('regPinFormat') });
    expect(words).toBe('PIN格式不对，应为4–6 位数字');
  });
});

describe('import report', () => {
  const community = { id: 'xinhua', name: '新华社区' };

  it('words every rule of the schema a row breaks in Chinese, about the column as the file names it', () => {
    const csv = [
      '场所名称,场所类型,地址,核定人数,出入口,防控专员,防控专员电话',
      `甲,ktv,${'路'.repeat(201)},1,正门,,`,
      '乙,ktv,,1,正门、正门,,',
      '丙,ktv,,1,正门,钱伟,12345',
      `${'名'.repeat(101)},ktv,,1,正门,,`,
    ].join('\n');
    const report = planImport(readVenueCsv(csv), { community, venues: [] });
    expect(report.errors.map((e) => [e.line, e.code, labels.importErrorText(e)])).toEqual([
      [2, 'invalid', '地址最多 200 个字'],
      [3, 'invalid', '已有一个名为“正门”的出入口'],
      [4, 'invalid', '防控专员电话应为手机号（如 13800000000）或带区号的固定电话（如 010-12345678）'],
      [5, 'invalid', '场所名称最多 100 个字'],
    ]);
  });

  it('has Chinese and English words for every import problem code', () => {
    for (const code of ImportErrorCode.options.filter((c) => c !== 'invalid')) {
      expect(i18n.hasText(`imp_${code}`), code).toBe(true);
      const params = { max: 5000, maxLines: 10000, phone: '1.39E+10', column: '人数', other: '类型', cells: 4, columns: 3, community: '安乐社区', id: 'anle-1', n: 2, name: '甲', line: 2, type: '夜总会', names: '"正门"' };
      const e = { line: 1, field: null, code, message: 'the English message', params };
      expect(labels.importErrorText(e), code).not.toMatch(english);
      expect(labels.importErrorText(e), code).not.toMatch(/\{\w+\}/);
      i18n.setLang('en');
      expect(labels.importErrorText(e), code).not.toMatch(/imp_|\{\w+\}/);
      i18n.setLang('zh-CN');
    }
    expect(labels.importErrorText({ line: 10001, field: null, code: 'too_many_lines', message: '', params: { max: 5000, maxLines: 10000 } })).toContain('10000 行');
  });
});
