import { describe, expect, it } from 'vitest';
import { DEFAULT_ENTRANCE, MAX_IMPORT_LINES, MAX_IMPORT_ROWS, VenueFields, type RegistryVenue } from '../../shared/schemas/registry.js';
import {
  decodeCsv,
  parseCapacity,
  parseOpeningHours,
  parseVenueType,
  planImport,
  readVenueCsv,
  splitEntrances,
  venuesToCsv,
} from '../../hub/src/services/venue-csv.js';
import { encodeGbk } from './registry-gbk.js';

const HEADER = '编号,场所名称,场所类型,地址,核定人数,营业时间,出入口,防控专员,防控专员电话,消杀专员,消杀专员电话';
const community = { id: 'xinhua', name: '新华社区' };

function venue(over: Partial<RegistryVenue> = {}): RegistryVenue {
  return {
    id: 'xinhua-1',
    communityId: 'xinhua',
    communityName: '新华社区',
    name: '星光KTV',
    type: 'ktv',
    address: '新华路1号',
    ratedCapacity: 120,
    openingHours: { open: '18:00', close: '02:00' },
    utcOffsetMinutes: 480,
    officers: { prevention: { name: '赵敏', phone: '13800000001' } },
    entrances: [{ id: 'xinhua-1-1', name: '正门', kiosks: 1, inUse: true }],
    staff: [],
    updatedAt: null,
    ...over,
  };
}

describe('decodeCsv', () => {
  it('reads UTF-8 with or without a BOM', () => {
    const bytes = new TextEncoder().encode('场所名称\n星光KTV\n');
    expect(decodeCsv(bytes)).toEqual({ text: '场所名称\n星光KTV\n', encoding: 'utf-8' });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(decodeCsv(bom)).toEqual({ text: '场所名称\n星光KTV\n', encoding: 'utf-8' });
  });

  it('reads GBK when the bytes are not valid UTF-8 (Excel on a Chinese Windows)', () => {
    // 场所 in GBK: B3 A1 CB F9 (GB 2312 code points 3301, 4325).
    expect(decodeCsv(new Uint8Array([0xb3, 0xa1, 0xcb, 0xf9]))).toEqual({ text: '场所', encoding: 'gb18030' });
    expect(decodeCsv(encodeGbk('场所名称,场所类型\n新华网吧,网吧\n'))).toEqual({ text: '场所名称,场所类型\n新华网吧,网吧\n', encoding: 'gb18030' });
  });
});

describe('cell readers', () => {
  it.each([
    ['ktv', 'ktv'],
    ['KTV', 'ktv'],
    ['网吧', 'internet_cafe'],
    ['网咖', 'internet_cafe'],
    ['Internet café', 'internet_cafe'],
    ['宾馆', 'hotel'],
    ['酒店', 'hotel'],
    ['游戏厅', 'arcade'],
    ['密室逃脱', 'escape_room'],
    [' 棋牌室 ', 'chess_card_room'],
  ])('type %s → %s', (cell, type) => expect(parseVenueType(cell)).toBe(type));

  it('does not guess an unknown type', () => {
    expect(parseVenueType('夜总会')).toBeUndefined();
    expect(parseVenueType('')).toBeUndefined();
  });

  it.each([
    ['10:00-02:00', { open: '10:00', close: '02:00' }],
    ['10:00–02:00', { open: '10:00', close: '02:00' }],
    ['9:00 — 21:30', { open: '09:00', close: '21:30' }],
    ['09：00~22：00', { open: '09:00', close: '22:00' }],
    ['08:00至20:00', { open: '08:00', close: '20:00' }],
    ['', null],
    ['全天', null],
    ['24小时', null],
  ])('hours %s', (cell, value) => expect(parseOpeningHours(cell)).toEqual({ ok: true, value }));

  it.each(['25:00-02:00', '10-22', '早上十点', '10:00'])('refuses hours %s', (cell) => expect(parseOpeningHours(cell).ok).toBe(false));

  it('reads capacities and entrance lists', () => {
    expect(parseCapacity('120')).toBe(120);
    expect(parseCapacity('1,200人')).toBe(1200);
    expect(parseCapacity('一百')).toBeUndefined();
    expect(parseCapacity('-5')).toBeUndefined();
    expect(splitEntrances('正门;侧门；后门、东门|西门; ')).toEqual(['正门', '侧门', '后门', '东门', '西门']);
  });
});

describe('readVenueCsv', () => {
  it('counts physical lines: a quoted cell over three lines moves no later row, blank lines are skipped', () => {
    const text = [HEADER, 'a,甲,ktv,"新华路\n1号\n二楼",10,,正门,,,,', '', 'b,乙,bar,新华路2号,20,,正门,,,,', 'c,丙,bar,新华路3号,30,,正门,,,,'].join('\r\n');
    const csv = readVenueCsv(text);
    expect(csv.fileErrors).toEqual([]);
    expect(csv.rows.map((r) => [r.line, r.cells.id])).toEqual([
      [2, 'a'],
      [6, 'b'],
      [7, 'c'],
    ]);
    expect(csv.rows[0]!.cells.address).toBe('新华路\n1号\n二楼');
  });

  it('reads English headers, and refuses unknown, repeated or missing required columns at line 1', () => {
    expect(readVenueCsv('name,type,rated_capacity\nx,ktv,1\n').fileErrors).toEqual([]);
    const bad = readVenueCsv('场所名称,类型,场所类型,人数\n');
    expect(bad.fileErrors).toEqual([
      { line: 1, field: '场所类型', code: 'duplicate_column', message: 'the same column as "类型"', params: { other: '类型' } },
      expect.objectContaining({ line: 1, field: '人数', code: 'unknown_column' }),
      { line: 1, field: '核定人数', code: 'missing_column', message: 'this column is required' },
    ]);
    expect(readVenueCsv('').fileErrors).toEqual([expect.objectContaining({ line: 1, field: null, code: 'empty_file' })]);
  });

  it('reports an unclosed quote with its line, and a row with more cells than columns', () => {
    expect(readVenueCsv(`${HEADER}\na,甲,ktv,"新华路,10\nb,乙,bar,x,1`).fileErrors).toEqual([expect.objectContaining({ line: 2, field: null, code: 'bad_csv' })]);
    // Further down, after a blank line and a cell over two lines: still the line the quote opens on.
    const further = ['场所名称,场所类型,核定人数', 'A,KTV,1', '"B,KTV,2', 'C,KTV,3'].join('\n');
    expect(readVenueCsv(further).fileErrors).toEqual([expect.objectContaining({ line: 3, field: null, code: 'bad_csv' })]);
    const later = ['场所名称,场所类型,地址,核定人数', 'A,KTV,"新华路\n1号",1', '', 'B,KTV,x,2', '"C,KTV,x,3', 'D,KTV,x,4'].join('\r\n');
    expect(readVenueCsv(later).fileErrors).toEqual([expect.objectContaining({ line: 6, code: 'bad_csv', message: expect.stringContaining('never closed') })]);
    const wide = readVenueCsv('场所名称,场所类型,核定人数\n甲,ktv,1,多余\n乙,bar,2,,\n');
    expect(wide.rowErrors).toEqual([{ line: 2, field: null, code: 'cell_count', message: '4 cells but 3 columns', params: { cells: 4, columns: 3 } }]);
    expect(wide.rows.map((r) => r.cells.name)).toEqual(['乙']);
  });
});

describe('planImport', () => {
  const plan = (text: string, venues: RegistryVenue[] = []) => planImport(readVenueCsv(text), { community, venues });

  it('creates, updates by id or by name, keeps unchanged rows, and reports bad cells by line and column', () => {
    const existing = [venue(), venue({ id: 'xinhua-2', name: '新华网吧', type: 'internet_cafe', entrances: [{ id: 'xinhua-2-1', name: '正门', kiosks: 0, inUse: false }] })];
    const text = [
      '编号,场所名称,场所类型,核定人数,营业时间,出入口,防控专员,防控专员电话',
      'xinhua-1,星光KTV,KTV,120,18:00-02:00,正门,赵敏,13800000001', // unchanged
      ',新华网吧,网吧,90,,正门；侧门,,', // update by name: capacity, a new entrance
      ',新开餐馆,餐馆,40,10:00-22:00,,王五,13900000000', // create, default entrance
      ',坏类型,夜总会,40,,,,', // line 5: unknown type
      ',坏人数,ktv,很多,25:00-01:00,,,139', // line 6: capacity, hours, phone without name
    ].join('\n');
    const p = plan(text, existing);
    expect(p.rows.map(({ line, action, venueId }) => [line, action, venueId])).toEqual([
      [2, 'unchanged', 'xinhua-1'],
      [3, 'update', 'xinhua-2'],
      [4, 'create', 'xinhua-3'],
    ]);
    expect(p.errors).toEqual([
      { line: 5, field: '场所类型', code: 'unknown_type', message: 'unknown venue type "夜总会"', params: { type: '夜总会' } },
      { line: 6, field: '核定人数', code: 'bad_capacity', message: 'a whole number of people, such as 120' },
      expect.objectContaining({ line: 6, field: '营业时间', code: 'bad_hours' }),
      expect.objectContaining({ line: 6, field: '防控专员电话', code: 'phone_without_name' }),
    ]);
    expect(p.saves).toEqual([
      { kind: 'update', id: 'xinhua-2', draft: expect.objectContaining({ ratedCapacity: 90, entrances: [{ id: 'xinhua-2-1', name: '正门' }, { name: '侧门' }] }) },
      {
        kind: 'create',
        id: 'xinhua-3',
        draft: expect.objectContaining({ communityId: 'xinhua', type: 'restaurant', entrances: [{ name: DEFAULT_ENTRANCE }], officers: { prevention: { name: '王五', phone: '13900000000' } } }),
      },
    ]);
  });

  it('refuses a row naming another community\'s venue, and a second row for the same venue', () => {
    const other = venue({ id: 'anle-1', communityId: 'anle', communityName: '安乐社区' });
    const p = plan(['编号,场所名称,场所类型,核定人数', 'anle-1,星光KTV,ktv,120', 'n-1,甲,ktv,1', 'n-1,甲,ktv,2', ',乙,bar,3', ',乙,bar,3'].join('\n'), [other]);
    expect(p.errors).toEqual([
      expect.objectContaining({ line: 2, field: '编号', code: 'other_community_venue', message: 'venue anle-1 belongs to 安乐社区; a row cannot move it to 新华社区' }),
      { line: 4, field: '编号', code: 'duplicate_row', message: 'the same venue as line 3: only line 3 is imported', params: { line: 3 } },
      { line: 6, field: '场所名称', code: 'duplicate_row', message: 'the same venue as line 5: only line 5 is imported', params: { line: 5 } },
    ]);
    expect(p.rows.map((r) => r.line)).toEqual([3, 5]);
    expect(plan('编号,场所名称,场所类型,核定人数\nbad id!,丁,ktv,1\n').errors).toEqual([expect.objectContaining({ line: 2, field: '编号', code: 'bad_id' })]);
  });

  it('names schema errors by the column as the file writes it (English headers too)', () => {
    const p = plan('name,type,rated_capacity,entrances\n,ktv,10,a\n' + 'x'.repeat(101) + ',ktv,10,a\n');
    expect(p.errors).toEqual([
      { line: 2, field: 'name', code: 'invalid', message: 'a venue needs a name', params: { issue: 'too_small', origin: 'string', minimum: 1, inclusive: 1 } },
      { line: 3, field: 'name', code: 'invalid', message: expect.stringContaining('100'), params: { issue: 'too_big', origin: 'string', maximum: 100, inclusive: 1 } },
    ]);
  });

  it('keeps an entrance in use: leaving it out of the list is an error on that row', () => {
    const p = plan('编号,场所名称,场所类型,核定人数,出入口\nxinhua-1,星光KTV,ktv,120,侧门\n', [venue()]);
    expect(p.errors).toEqual([expect.objectContaining({ line: 2, field: '出入口', code: 'entrance_in_use', message: expect.stringContaining('"正门" has a kiosk or records') })]);
    expect(p.saves).toEqual([]);
  });

  it('refuses a row for another community by its 社区 cell', () => {
    const p = plan('社区,场所名称,场所类型,核定人数\n安乐社区,甲,ktv,1\n新华社区,乙,ktv,1\nxinhua,丙,ktv,1\n');
    expect(p.errors).toEqual([expect.objectContaining({ line: 2, field: '社区', code: 'other_community_row', params: { community: '安乐社区' } })]);
    expect(p.rows.map((r) => r.line)).toEqual([3, 4]);
  });
});

describe('import size limits (a sheet whose used range runs to a million empty rows)', () => {
  const header = '场所名称,场所类型,核定人数';

  it('refuses a file of a million blank lines before parsing it, naming the limit', () => {
    // An unclosed quote at the end: reading the file would report it, so its absence shows nothing was parsed.
    const csv = readVenueCsv(`${header}\nA,KTV,1\n${'\n'.repeat(1_000_000)}"unclosed,KTV,2\n`);
    expect(csv.fileErrors).toEqual([
      {
        line: MAX_IMPORT_LINES + 1,
        field: null,
        code: 'too_many_lines',
        message: `the file has more than ${MAX_IMPORT_LINES} lines (at most ${MAX_IMPORT_ROWS} venues): delete the empty rows below the list and save it again`,
        params: { maxLines: MAX_IMPORT_LINES, max: MAX_IMPORT_ROWS },
      },
    ]);
    expect(csv.rows).toEqual([]);
    // Excel's empty formatted rows come out as rows of commas: counted the same.
    expect(readVenueCsv(`${header}\n${',,\r\n'.repeat(MAX_IMPORT_LINES)}`).fileErrors.map((e) => e.code)).toEqual(['too_many_lines']);
  });

  it('stops reading at the first venue over the limit', () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `店${i},KTV,1`);
    // The broken quote after the limit is never reached: the answer is the row limit alone.
    const csv = readVenueCsv([header, ...rows, '"unclosed,KTV,1', 'x,KTV,1'].join('\n'));
    expect(csv.fileErrors).toEqual([{ line: MAX_IMPORT_ROWS + 2, field: null, code: 'too_many_rows', message: `at most ${MAX_IMPORT_ROWS} venues per file`, params: { max: MAX_IMPORT_ROWS } }]);
    expect(csv.rows).toEqual([]);
  });

  it('reads a full file of the most venues allowed, blank rows between them not counting', () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS }, (_, i) => (i % 2 === 0 ? `店${i},KTV,1\n,,` : `店${i},KTV,1`));
    const csv = readVenueCsv([header, ...rows].join('\n'));
    expect(csv.fileErrors).toEqual([]);
    expect(csv.rows).toHaveLength(MAX_IMPORT_ROWS);
    expect(csv.rows.at(-1)!.line).toBe(1 + MAX_IMPORT_ROWS * 1.5);
  });
});

describe('planImport: ids and names within one file', () => {
  const plan = (lines: string[], venues: RegistryVenue[] = []) => planImport(readVenueCsv(lines.join('\n')), { community, venues });

  it('never gives a row without an id one that a later row names: dry run and import agree', () => {
    const p = plan(['编号,场所名称,场所类型,核定人数', ',甲店,ktv,1', 'xinhua-1,乙店,ktv,2', ',丙店,ktv,3']);
    expect(p.errors).toEqual([]);
    expect(p.rows.map((r) => [r.line, r.venueId, r.action])).toEqual([
      [2, 'xinhua-2', 'create'],
      [3, 'xinhua-1', 'create'],
      [4, 'xinhua-3', 'create'],
    ]);
    expect(p.saves.map((s) => s.id)).toEqual(['xinhua-2', 'xinhua-1', 'xinhua-3']);
    // Around the community's stored venues too.
    const q = plan(['编号,场所名称,场所类型,核定人数', ',丁店,ktv,1', 'xinhua-2,戊店,ktv,1'], [venue()]);
    expect(q.rows.map((r) => r.venueId)).toEqual(['xinhua-3', 'xinhua-2']);
  });

  it('creates a venue once when one row names its new id and another only its name', () => {
    const p = plan(['编号,场所名称,场所类型,核定人数', 'new-a,丁店,ktv,1', ',丁店,ktv,1']);
    expect(p.errors).toEqual([{ line: 3, field: '场所名称', code: 'duplicate_row', message: 'the same venue as line 2: only line 2 is imported', params: { line: 2 } }]);
    expect(p.saves).toEqual([expect.objectContaining({ kind: 'create', id: 'new-a' })]);
    const reversed = plan(['编号,场所名称,场所类型,核定人数', ',丁店,ktv,1', 'new-a,丁店,ktv,1']);
    expect(reversed.errors).toEqual([expect.objectContaining({ line: 3, field: '编号', code: 'duplicate_row', params: { line: 2 } })]);
    expect(reversed.saves).toHaveLength(1);
    // Two rows each giving its own new id are two venues that happen to share a name.
    expect(plan(['编号,场所名称,场所类型,核定人数', 'new-a,丁店,ktv,1', 'new-b,丁店,ktv,1']).saves.map((s) => s.id)).toEqual(['new-a', 'new-b']);
  });
});

describe('officer phones', () => {
  const fields = (phone: string) => VenueFields.safeParse({ name: '甲', type: 'ktv', address: '', ratedCapacity: 1, openingHours: null, officers: { prevention: { name: '赵', phone } }, entrances: [{ name: '正门' }] });

  it.each(['13800000001', '138 0000 0001', '138-0000-0001', '+86 138 0000 0001', '010-12345678', '0571 8888 8888', '021-6666666', '138 - 0013 8002', ''])('accepts %s', (phone) => {
    expect(fields(phone).success).toBe(true);
  });

  it.each(['1.38E+10', '12345', '138000000011', 'call 138', '110', '(010)12345678', '-13800138002', '13800138002-', ' -138 0013 8002', '+-8613800138002', '-010-12345678'])('refuses %s, naming the field', (phone) => {
    const r = fields(phone);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['officers', 'prevention', 'phone'], code: 'custom', params: { code: 'phone' } });
  });

  it('says when Excel turned a number into scientific notation, and words other bad numbers by rule', () => {
    const p = planImport(readVenueCsv(['场所名称,场所类型,核定人数,防控专员,防控专员电话', '甲,ktv,1,赵,1.38E+10', '乙,ktv,1,钱,12345'].join('\n')), { community, venues: [] });
    expect(p.errors).toEqual([
      { line: 2, field: '防控专员电话', code: 'phone_scientific', message: expect.stringContaining('scientific notation'), params: { phone: '1.38E+10' } },
      { line: 3, field: '防控专员电话', code: 'invalid', message: expect.stringContaining('landline'), params: { issue: 'custom', rule: 'phone' } },
    ]);
    expect(p.saves).toEqual([]);
  });
});

describe('venuesToCsv', () => {
  it('writes what the import reads back as unchanged, with a BOM, CRLF and neutralised formulas', () => {
    const venues = [
      venue(),
      venue({
        id: 'xinhua-2',
        name: '=HYPERLINK("x"),"甲"',
        type: 'internet_cafe',
        address: '新华路\n2号',
        openingHours: null,
        officers: { prevention: { name: '钱', phone: '+86 139 0000 0000' }, disinfection: { name: '孙', phone: '' } },
        entrances: [
          { id: 'xinhua-2-1', name: '正门', kiosks: 0, inUse: false },
          { id: 'xinhua-2-2', name: '侧门', kiosks: 0, inUse: false },
        ],
      }),
    ];
    const csv = venuesToCsv(venues);
    expect(csv.startsWith('\uFEFF编号,社区,场所名称,场所类型,')).toBe(true);
    expect(csv).toContain('\r\n');
    expect(csv).toContain(`"'=HYPERLINK(""x""),""甲"""`);
    const p = planImport(readVenueCsv(decodeCsv(new TextEncoder().encode(csv)).text), { community, venues });
    expect(p.errors).toEqual([]);
    expect(p.rows.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
  });
});
