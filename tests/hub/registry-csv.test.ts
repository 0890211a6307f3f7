import { describe, expect, it } from 'vitest';
import type { RegistryVenue } from '../../shared/schemas/registry.js';
import {
  DEFAULT_ENTRANCE,
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
      [4, 'create', null],
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
        id: undefined,
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
      { line: 2, field: 'name', code: 'invalid', message: 'a venue needs a name' },
      { line: 3, field: 'name', code: 'invalid', message: expect.stringContaining('100') },
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
