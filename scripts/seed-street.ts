/**
 * A realistic street for the inspectors' dashboard and its benchmark:
 * communities, venues of the kinds the seeds name (shared/schemas/venue.ts)
 * with Chinese names, rated
 * capacities and opening hours, one entrance and one kiosk each (enrolled
 * through the store), door staff, and `--weeks` of door traffic: entrance
 * records on busy-hour curves, passes (patron scans), exits and close-outs,
 * ledgers, a few corrections, and about 10 % of venues that skip checks in the
 * ways inspectors hunt for.
 *
 *   npm run seed-street -- --data-dir DIR --venues 200 --communities 8 --weeks 4 --seed 1 [--records 5000000] [--until ISO] [--json]
 *   npm run seed-street -- --data-dir DIR --streets 10 --venues 200 …   (a district: venues and communities per street)
 *   npm run seed-street -- --help
 *
 * Deterministic for a given --seed and --until: the same street, records and
 * figures. Secrets, kiosk ids and tokens are random, as the hub makes them.
 * Records go in through prepared statements in large transactions (the ingest
 * path would take hours for millions), as exactly the rows the hub writes:
 * the kiosk_records ledger row (body = the validated record without its
 * envelope) and the entrance_records projection (hub/src/store/records.ts).
 * Passes are stored as issued, except that their `signed` text carries no
 * signature (4.5 M ECDSA signatures would take minutes; every seeded pass
 * expired long ago and nothing reads it after that).
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { openDatabase } from '../hub/src/store/database.js';
import { openStore } from '../hub/src/store/index.js';
import { onlyStreet } from '../hub/src/store/organisation.js';
import { fromBase64Url, toBase64Url, utf8 } from '../shared/rules/bytes.js';
import { decideEntry } from '../shared/rules/decide-entry.js';
import { makePassCode } from '../shared/rules/pass-code.js';
import { toIsoWithOffset } from '../shared/rules/time.js';
import { skippedChecks, type CheckName, type Checks } from '../shared/schemas/checks.js';
import { ENROL_ALPHABET } from '../shared/schemas/enrolment.js';
import type { PassPerson } from '../shared/schemas/pass.js';
import { doorChecks, NORMAL_POLICY } from '../shared/schemas/policy.js';
import { requiredChecks } from '../shared/rules/required-checks.js';
import type { EntranceRecord, ReasonCode } from '../shared/schemas/record.js';
import type { OpeningHours, VenueType } from '../shared/schemas/venue.js';
import { backfill } from '../hub/src/services/flags.js';
import { parseFlags } from './cli.js';

export const SeedOptions = z.object({
  dataDir: z.string().min(1),
  /** Venues per street. */
  venues: z.int().min(1).max(2000).default(200),
  /** Communities per street. */
  communities: z.int().min(1).max(30).default(8),
  /**
   * Streets of one district (a district for the oversight bench): 1 keeps the deployment's own street
   * and its ids (c01…, v001-…); more renames the deployment's district and street and adds the
   * others, each with `venues` venues in `communities` communities, ids prefixed by the street (s02-c01…).
   */
  streets: z.int().min(1).max(30).default(1),
  weeks: z.int().min(1).max(26).default(4),
  seed: z.int().min(0).max(2 ** 31).default(1),
  /** Total entrance records wanted (the daily volumes are scaled to it); default: the types' own volumes. */
  records: z.int().min(100).max(50_000_000).optional(),
  /** The end of the seeded traffic (ms); default now. */
  until: z.int().optional(),
});
export type SeedOptions = z.input<typeof SeedOptions>;

export interface SeedStats {
  file: string;
  streets: number;
  communities: number;
  venues: number;
  violators: number;
  days: number;
  entranceRecords: number;
  kioskRecords: number;
  passes: number;
  from: number;
  until: number;
  ms: number;
}

// ---- the street ----------------------------------------------------------------------------

/** Streets (街道) of a district, for `--streets`; the district is named DISTRICT_NAME. */
const STREET_NAMES = ['城东街道', '城中街道', '城西街道', '城北街道', '江南街道', '三江街道', '西关街道', '秋滨街道', '新狮街道', '罗店镇', '雅畈镇', '安地镇', '白龙桥镇', '琅琊镇', '蒋堂镇', '汤溪镇', '罗埠镇', '洋埠镇', '乾西乡', '竹马乡', '长山乡', '莘畈乡', '苏孟乡', '箬阳乡', '沙畈乡', '塔石乡', '岭上乡', '水竹乡', '琅琊二镇', '汤溪二镇'];
const DISTRICT_NAME = '婺城区';
const COMMUNITY_NAMES = ['东风', '和平', '新华', '光明', '幸福', '建设', '解放', '人民', '朝阳', '胜利', '红旗', '团结', '前进', '振兴', '育才', '长青', '康宁', '东湖', '西湖', '南门', '北苑', '春晖', '金桥', '翠苑', '花园', '桃源', '滨江', '文化', '迎宾', '安居'];
const ROADS = ['东风路', '和平路', '新华街', '光明大道', '幸福里', '建设路', '解放街', '人民路', '朝阳路', '胜利街', '中山路', '文化路'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const GIVEN = ['芳', '强', '敏', '伟', '丽', '军', '静', '磊', '洋', '艳', '勇', '娟', '杰', '涛', '霞', '明', '超', '秀英', '建华', '志强'];

/** Local busy-hour curves, one weight per hour 0–23. */
const CURVE = {
  evening: [3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 6, 8, 9, 9, 7, 5],
  meals: [0, 0, 0, 0, 0, 0, 1, 2, 2, 1, 2, 7, 10, 6, 2, 1, 2, 5, 10, 8, 4, 2, 1, 0],
  shopping: [0, 0, 0, 0, 0, 0, 1, 4, 6, 7, 7, 6, 5, 4, 4, 4, 5, 7, 8, 7, 5, 3, 1, 0],
  daytime: [0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 6, 5, 4, 5, 6, 6, 5, 4, 4, 3, 2, 1, 0, 0],
  allDay: [3, 2, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4],
  morning: [0, 0, 0, 0, 0, 1, 6, 9, 10, 8, 6, 4, 2, 1, 1, 2, 4, 5, 3, 1, 0, 0, 0, 0],
} as const;

interface TypeSpec {
  type: VenueType;
  /** Share of the street's venues. */
  weight: number;
  brands: string[];
  suffix: string;
  capacity: [number, number];
  hours: OpeningHours;
  /** Entrance records on an ordinary day at a venue of average size. */
  perDay: number;
  stayMinutes: number;
  curve: keyof typeof CURVE;
  weekend: number;
}

const TYPES: TypeSpec[] = [
  { type: 'restaurant', weight: 24, brands: ['老王家常菜', '川味小馆', '兰州拉面', '沙县小吃', '湘味人家', '东北饺子馆', '粤式茶餐厅', '老北京涮肉'], suffix: '', capacity: [40, 240], hours: { open: '10:00', close: '22:00' }, perDay: 360, stayMinutes: 60, curve: 'meals', weekend: 1.3 },
  { type: 'supermarket', weight: 10, brands: ['华联超市', '永辉超市', '便民超市', '物美超市', '家家乐超市'], suffix: '', capacity: [150, 600], hours: { open: '07:30', close: '22:00' }, perDay: 1400, stayMinutes: 25, curve: 'shopping', weekend: 1.2 },
  { type: 'ktv', weight: 6, brands: ['星光KTV', '麦乐迪KTV', '好乐迪KTV', '金嗓子KTV', '唱吧量贩KTV'], suffix: '', capacity: [80, 200], hours: { open: '12:00', close: '02:00' }, perDay: 160, stayMinutes: 150, curve: 'evening', weekend: 1.6 },
  { type: 'bar', weight: 5, brands: ['夜色酒吧', '蓝调餐吧', '老船长酒吧', '转角酒馆'], suffix: '', capacity: [50, 120], hours: { open: '18:00', close: '02:00' }, perDay: 130, stayMinutes: 120, curve: 'evening', weekend: 1.7 },
  { type: 'internet_cafe', weight: 6, brands: ['网鱼网咖', '极速网吧', '天翼网吧', '星际网咖'], suffix: '', capacity: [60, 200], hours: null, perDay: 260, stayMinutes: 180, curve: 'allDay', weekend: 1.3 },
  { type: 'hotel', weight: 6, brands: ['如家酒店', '汉庭酒店', '锦江之星', '7天酒店', '东风宾馆'], suffix: '', capacity: [80, 300], hours: null, perDay: 140, stayMinutes: 600, curve: 'allDay', weekend: 1.2 },
  { type: 'pharmacy', weight: 6, brands: ['老百姓大药房', '益丰大药房', '同仁堂药店', '大参林药房'], suffix: '', capacity: [20, 60], hours: { open: '08:00', close: '22:00' }, perDay: 260, stayMinutes: 10, curve: 'daytime', weekend: 1 },
  { type: 'chess_card_room', weight: 4, brands: ['老友棋牌室', '悠闲棋牌室', '乐天棋牌'], suffix: '', capacity: [30, 80], hours: { open: '10:00', close: '00:00' }, perDay: 70, stayMinutes: 240, curve: 'daytime', weekend: 1.4 },
  { type: 'mahjong_parlour', weight: 3, brands: ['雀友麻将馆', '和和麻将馆'], suffix: '', capacity: [20, 60], hours: { open: '10:00', close: '00:00' }, perDay: 60, stayMinutes: 240, curve: 'daytime', weekend: 1.4 },
  { type: 'farmers_market', weight: 3, brands: ['东街菜市场', '农贸市场', '惠民菜场'], suffix: '', capacity: [300, 800], hours: { open: '06:00', close: '19:00' }, perDay: 1500, stayMinutes: 30, curve: 'morning', weekend: 1.2 },
  { type: 'script_murder', weight: 2, brands: ['迷雾剧本杀', '推理社剧本杀'], suffix: '', capacity: [30, 60], hours: { open: '13:00', close: '23:00' }, perDay: 50, stayMinutes: 240, curve: 'evening', weekend: 1.8 },
  { type: 'escape_room', weight: 2, brands: ['逃出生天密室', '谜城密室逃脱'], suffix: '', capacity: [30, 60], hours: { open: '12:00', close: '23:00' }, perDay: 50, stayMinutes: 90, curve: 'evening', weekend: 1.8 },
  { type: 'board_game_room', weight: 1, brands: ['桌游吧'], suffix: '', capacity: [20, 50], hours: { open: '13:00', close: '23:00' }, perDay: 40, stayMinutes: 180, curve: 'evening', weekend: 1.8 },
  { type: 'foot_bath', weight: 3, brands: ['足道养生馆', '御足堂'], suffix: '', capacity: [40, 100], hours: { open: '12:00', close: '02:00' }, perDay: 90, stayMinutes: 90, curve: 'evening', weekend: 1.3 },
  { type: 'massage', weight: 2, brands: ['康乐推拿', '盲人按摩'], suffix: '', capacity: [20, 50], hours: { open: '10:00', close: '23:00' }, perDay: 50, stayMinutes: 60, curve: 'daytime', weekend: 1.3 },
  { type: 'bathhouse', weight: 2, brands: ['清泉浴池', '温泉洗浴中心'], suffix: '', capacity: [80, 200], hours: { open: '10:00', close: '02:00' }, perDay: 200, stayMinutes: 150, curve: 'evening', weekend: 1.4 },
  { type: 'billiards', weight: 2, brands: ['星牌台球', '乔氏台球'], suffix: '', capacity: [40, 80], hours: { open: '11:00', close: '02:00' }, perDay: 80, stayMinutes: 120, curve: 'evening', weekend: 1.5 },
  { type: 'gym_stadium', weight: 3, brands: ['力美健身', '全民健身中心'], suffix: '', capacity: [100, 300], hours: { open: '06:00', close: '22:00' }, perDay: 280, stayMinutes: 90, curve: 'daytime', weekend: 1.2 },
  { type: 'cinema_theatre', weight: 2, brands: ['万达影城', '星美影院'], suffix: '', capacity: [300, 800], hours: { open: '09:00', close: '00:00' }, perDay: 600, stayMinutes: 130, curve: 'evening', weekend: 1.7 },
  { type: 'arcade', weight: 2, brands: ['大玩家电玩城', '汤姆熊游艺厅'], suffix: '', capacity: [60, 150], hours: { open: '10:00', close: '00:00' }, perDay: 200, stayMinutes: 90, curve: 'evening', weekend: 1.8 },
  { type: 'shopping_mall', weight: 2, brands: ['万达广场', '百货大楼'], suffix: '', capacity: [2000, 5000], hours: { open: '10:00', close: '22:00' }, perDay: 4000, stayMinutes: 100, curve: 'shopping', weekend: 1.6 },
  { type: 'training_centre', weight: 2, brands: ['启明培训学校', '少儿美术培训'], suffix: '', capacity: [50, 150], hours: { open: '09:00', close: '21:00' }, perDay: 110, stayMinutes: 120, curve: 'daytime', weekend: 1.8 },
  { type: 'clinic', weight: 2, brands: ['社区卫生服务站', '仁和诊所'], suffix: '', capacity: [30, 80], hours: { open: '08:00', close: '17:30' }, perDay: 140, stayMinutes: 40, curve: 'daytime', weekend: 0.7 },
  { type: 'library', weight: 1, brands: ['社区图书馆'], suffix: '', capacity: [80, 200], hours: { open: '09:00', close: '21:00' }, perDay: 150, stayMinutes: 120, curve: 'daytime', weekend: 1.5 },
];

/** How a violator skips its duties: each a lapse a flag rule in shared/rules/flags/ catches. */
const VIOLATIONS = ['skips_checks', 'invented_temperatures', 'admits_fever', 'few_scans', 'admits_while_closed', 'no_ledgers'] as const;
type Violation = (typeof VIOLATIONS)[number];
const SKIP_REASONS = ['人多来不及', '顾客不配合', '测温枪没电', '熟客', '设备故障'];

// ---- deterministic randomness -----------------------------------------------------------------

/** sfc32: small, fast, seedable; the street is the same for the same seed. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  weighted<T>(xs: readonly T[], weight: (x: T) => number): T {
    let r = this.next() * xs.reduce((s, x) => s + weight(x), 0);
    for (const x of xs) if ((r -= weight(x)) < 0) return x;
    return xs[xs.length - 1]!;
  }
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A version-4 UUID, as crypto.randomUUID makes them (the hub's pass ids), from this generator. */
  uuid(): string {
    const h = Array.from({ length: 4 }, () => Math.floor(this.next() * 2 ** 32).toString(16).padStart(8, '0')).join('');
    const v = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  /** A version-7 UUID for the instant `ms`, as the kiosk makes its record ids (kiosk/src/door-records.ts). */
  uuidAt(ms: number): string {
    const t = Math.floor(ms).toString(16).padStart(12, '0');
    const r = this.uuid();
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(15)}`;
  }
}

// ---- pass codes, as shared/rules/pass-code.ts makes them, synchronously ------------------------

const A = ENROL_ALPHABET;
const N = A.length;
function passCode(secretBytes: Uint8Array, venueId: string, minute: number, n: number, people: number): string {
  const h = createHmac('sha256', secretBytes).update(`pass-code|${venueId}|${minute}|${n}|${people}`).digest();
  let v = h.readUInt32BE(0) % N ** 3;
  let mac = '';
  for (let i = 0; i < 3; i++) {
    mac = A[v % N]! + mac;
    v = Math.floor(v / N);
  }
  return A[minute % N]! + A[Math.floor(n / N)]! + A[n % N]! + mac;
}

// ---- the seed -----------------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OFFSET = 480; // the street is in China Standard Time
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

interface SeedVenue {
  id: string;
  communityId: string;
  name: string;
  spec: TypeSpec;
  ratedCapacity: number;
  size: number;
  violations: Set<Violation>;
  /** The kiosk stops sending at this time (a tablet switched off), or never. */
  silentFrom: number;
  entranceId: string;
  kioskId: string;
  staff: { id: string; name: string }[];
  disinfectionOfficer: string;
  codeSecret: Uint8Array;
}

interface Event {
  ms: number;
  type: string;
  /** The record without its envelope, in the schema's key order (what the hub stores as body). */
  body: Record<string, unknown>;
  operatorId: string;
  id: string;
  entrance?: { checks: Checks; decision: 'admit' | 'refuse'; reasons: ReasonCode[]; passId: string | null; passPerson: number | null };
  correctsId?: string;
  seq?: number;
}

export async function seedStreet(options: SeedOptions, progress: (line: string) => void = () => {}): Promise<SeedStats> {
  const o = SeedOptions.parse(options);
  const t0 = performance.now();
  const file = join(o.dataDir, 'hub.sqlite');
  const rand = new Rand(o.seed);
  const until = o.until ?? Date.now();
  const lastDay = Math.floor((until + OFFSET * 60_000) / DAY) * DAY - OFFSET * 60_000;
  const days = o.weeks * 7;
  const firstDay = lastDay - (days - 1) * DAY;

  // The street itself goes through the store, as the street office would register it.
  const store = await openStore(file);
  const venues: SeedVenue[] = [];
  let communityCount = 0;
  try {
    if ((await store.venues.count()) > 0) throw new Error(`${file} already has venues: seed an empty data directory`);
    // One street: the deployment's own, untouched. Several: the deployment's district and street
    // (migration 29) named and the others added beside it, so no street stands empty.
    const streetIds: string[] = [];
    if (o.streets === 1) streetIds.push(await onlyStreet(store.sql));
    else {
      const street = await onlyStreet(store.sql);
      const district = (await store.organisation.street(street))!.districtId;
      await store.organisation.saveDistrict({ id: district, name: DISTRICT_NAME });
      for (let s = 0; s < o.streets; s++) {
        const id = s === 0 ? street : `street-${String(s + 1).padStart(2, '0')}`;
        await store.organisation.saveStreet({ id, name: STREET_NAMES[s % STREET_NAMES.length]!, districtId: district });
        streetIds.push(id);
      }
    }
    const usedNames = new Set<string>();
    const person = () => rand.pick(SURNAMES) + rand.pick(GIVEN);
    for (const [si, streetId] of streetIds.entries()) {
      // The first street keeps the single street's ids; the others are prefixed with their number.
      const prefix = si === 0 ? '' : `s${String(si + 1).padStart(2, '0')}-`;
      const communities = Array.from({ length: o.communities }, (_, i) => ({
        id: `${prefix}c${String(i + 1).padStart(2, '0')}`,
        name: `${COMMUNITY_NAMES[i % COMMUNITY_NAMES.length]}社区${i >= COMMUNITY_NAMES.length ? i + 1 : ''}`,
        streetId,
      }));
      for (const c of communities) await store.venues.addCommunity(c);
      communityCount += communities.length;
      for (let i = 0; i < o.venues; i++) {
        const spec = rand.weighted(TYPES, (t) => t.weight);
        const community = communities[i % communities.length]!;
        const road = rand.pick(ROADS);
        let name = `${rand.pick(spec.brands)}（${road}店）`;
        for (let k = 2; usedNames.has(name); k++) name = `${rand.pick(spec.brands)}（${road}${k}店）`;
        usedNames.add(name);
        const ratedCapacity = Math.round(rand.int(spec.capacity[0], spec.capacity[1]) / 10) * 10;
        const id = `${prefix}v${String(i + 1).padStart(3, '0')}-${spec.type.replace(/_/g, '-')}`;
        const violations = new Set<Violation>();
        // About one venue in ten cuts corners, in one or two ways.
        if (rand.chance(0.1)) {
          violations.add(rand.pick(VIOLATIONS));
          if (rand.chance(0.5)) violations.add(rand.pick(VIOLATIONS));
        }
        const prevention = person();
        const disinfection = person();
        await store.venues.add({
          id,
          communityId: community.id,
          name,
          type: spec.type,
          address: `${road}${rand.int(1, 300)}号`,
          ratedCapacity,
          openingHours: spec.hours,
          utcOffsetMinutes: OFFSET,
          officers: {
            prevention: { name: prevention, phone: `139${String(rand.int(0, 99_999_999)).padStart(8, '0')}` },
            disinfection: { name: disinfection, phone: `137${String(rand.int(0, 99_999_999)).padStart(8, '0')}` },
          },
        });
        const staff = [
          { id: `${id}-s1`, name: person() },
          { id: `${id}-s2`, name: person() },
        ];
        const entranceId = `${id}-1`;
        await store.venues.addEntrance({ id: entranceId, venueId: id, name: '正门' });
        venues.push({
          id,
          communityId: community.id,
          name,
          spec,
          ratedCapacity,
          size: ratedCapacity / ((spec.capacity[0] + spec.capacity[1]) / 2),
          violations,
          // One venue in fifty: the tablet went quiet on the last day.
          silentFrom: rand.chance(0.02) ? lastDay + rand.int(9, 14) * HOUR : Infinity,
          entranceId,
          kioskId: '',
          staff,
          disinfectionOfficer: disinfection,
          codeSecret: new Uint8Array(),
        });
      }
    }
    // PINs are hashed with PBKDF2 (100k rounds): a few at a time.
    for (let i = 0; i < venues.length; i += 8) {
      await Promise.all(
        venues.slice(i, i + 8).flatMap((v) => v.staff.map((s, k) => store.venues.addStaff({ id: s.id, venueId: v.id, name: s.name, role: '门岗', pin: k === 0 ? '1234' : '5678' }))),
      );
    }
    for (const v of venues) {
      const code = await store.kiosks.issueEnrolmentCode(v.entranceId, firstDay - DAY, 60_000);
      const out = await store.kiosks.enrol(code, firstDay - DAY);
      if (!out.ok) throw new Error(`enrolment failed at ${v.id}: ${out.reason}`);
      v.kioskId = out.kiosk.id;
      const secret = (await store.venues.codeSecret(v.id))!;
      v.codeSecret = fromBase64Url(secret);
      // The synchronous code maker must agree with the hub's own.
      if (passCode(v.codeSecret, v.id, 1, 2, 1) !== (await makePassCode(secret, v.id, 1, 2, 1))) throw new Error('pass code mismatch');
    }
    progress(`${streetIds.length === 1 ? 'street' : `${streetIds.length} streets`}: ${communityCount} communities, ${venues.length} venues, ${venues.filter((v) => v.violations.size > 0).length} violators`);
  } finally {
    await store.close();
  }

  // Daily volumes first, so a --records target can scale them exactly.
  const volumes = venues.map((v) =>
    Array.from({ length: days }, (_, d) => {
      const dow = new Date(firstDay + d * DAY + OFFSET * 60_000).getUTCDay();
      const weekend = dow === 0 || dow === 6 || (dow === 5 && v.spec.curve === 'evening') ? v.spec.weekend : 1;
      return Math.max(0, v.spec.perDay * v.size * weekend * Math.exp(rand.normal(0, 0.2)));
    }),
  );
  const rawTotal = volumes.flat().reduce((s, x) => s + x, 0);
  const scale = o.records !== undefined ? o.records / rawTotal : 1;
  let carry = 0;
  const counts = volumes.map((row) =>
    row.map((x) => {
      const want = x * scale + carry;
      const n = Math.max(0, Math.round(want));
      carry = want - n;
      return n;
    }),
  );

  const db = openDatabase(file);
  // A seed into an empty file, not acknowledged data: no WAL (it would grow by every page the
  // random-uuid keys touch), no fsync, a large cache; back to WAL when done.
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -2000000');
  const insertLedger = db.prepare(
    `INSERT INTO kiosk_records (id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEntrance = db.prepare(
    `INSERT INTO entrance_records
       (id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version,
        decision, reasons, skipped, skipped_count, checks, operator_id, pass_id, pass_person, corrected_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPass = db.prepare(
    `INSERT INTO passes (id, venue_id, entrance_id, kiosk_id, source, code, code_minute, code_n, issued_at, expires_at,
                         policy_version, people, verdict, declaration, signed, contact)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 'enter', ?, ?, NULL)`,
  );
  const touchKiosk = db.prepare('UPDATE kiosks SET last_seen_at = ?, policy_version_acked = 1, policy_acked_at = ? WHERE id = ?');

  let entranceRecords = 0;
  let kioskRecords = 0;
  let passes = 0;
  const policy = NORMAL_POLICY;

  function venueDay(v: SeedVenue, d: number, n: number, seqStart: number, carryInside: { stays: [number, number][]; passMinute: Map<number, number> }): { events: Event[]; passes: unknown[][] } {
    const day = firstDay + d * DAY;
    const open = v.spec.hours ? day + minutesOf(v.spec.hours.open) * 60_000 : day;
    let close = v.spec.hours ? day + minutesOf(v.spec.hours.close) * 60_000 : day + DAY;
    if (close <= open) close += DAY; // closes after midnight
    const curve = CURVE[v.spec.curve];
    const events: Event[] = [];
    const dayPasses: unknown[][] = [];
    const staffOn = () => rand.pick(v.staff).id;
    const sloppy = v.violations.has('no_ledgers');
    const venueRules = { type: v.spec.type, openingHours: v.spec.hours, utcOffsetMinutes: OFFSET };
    const asked = doorChecks(policy, v.spec.type);
    // Pass numbers per issue minute, kept across days: a pass issued before midnight shares its minute.
    const passMinute = carryInside.passMinute;

    // Opening: the one-metre line and notices, staff temperatures, disinfection (000 §2(2)).
    if (!sloppy) {
      const t = open + rand.int(0, 10) * 60_000;
      events.push({ ms: t, type: 'venue_check', id: rand.uuidAt(t), operatorId: staffOn(), body: { oneMetreLine: true, noticesPosted: true } });
      for (const s of v.staff) {
        const ms = t + rand.int(1, 20) * 60_000;
        events.push({ ms, type: 'staff_temperature', id: rand.uuidAt(ms), operatorId: s.id, body: { staffId: s.id, celsius: Math.round(rand.normal(36.4, 0.2) * 10) / 10 } });
      }
      const dow = new Date(day + OFFSET * 60_000).getUTCDay();
      // Staff tests twice a week (003 table row 9).
      if (dow === 1 || dow === 4) {
        // Sampled that morning, so both tests fall in the same ISO week the rule counts.
        const test = new Date(day + OFFSET * 60_000).toISOString().slice(0, 10);
        for (const s of v.staff) events.push({ ms: t + 30 * 60_000, type: 'staff_health', id: rand.uuidAt(t + 30 * 60_000), operatorId: s.id, body: { staffId: s.id, lastTestDate: test, vaccination: 'booster' } });
      }
      for (let k = 0, m = rand.int(2, 3); k < m; k++) {
        const done = open + ((close - open) * (k + 0.5)) / m + rand.int(-20, 20) * 60_000;
        events.push({
          ms: done,
          type: 'disinfection',
          id: rand.uuidAt(done),
          operatorId: staffOn(),
          body: { kind: k % 2 === 0 ? 'disinfection' : 'ventilation', area: rand.pick(['大厅', '包间', '卫生间', '前台', '收银台', '走廊']), officer: v.disinfectionOfficer, doneAt: toIsoWithOffset(done, OFFSET) },
        });
      }
    }

    // Patrons, on the type's busy-hour curve within the opening hours.
    const openHours: number[] = [];
    for (let t = open; t < close; t += HOUR) openHours.push(t);
    const hourWeights = openHours.map((t) => curve[new Date(t + OFFSET * 60_000).getUTCHours()]! + 0.2);
    const hourTotal = hourWeights.reduce((a, b) => a + b, 0);
    // [in, out] of everyone admitted; people from yesterday at an always-open venue carry in.
    const stays: [number, number][] = carryInside.stays.filter(([, out]) => out >= day);
    for (let i = 0; i < n; i++) {
      let at: number;
      let afterHours = false;
      if (v.violations.has('admits_while_closed') && v.spec.hours && rand.chance(0.04)) {
        at = close + rand.int(5, 90) * 60_000;
        afterHours = true;
      } else {
        let r = rand.float() * hourTotal;
        let k = 0;
        while (k < openHours.length - 1 && (r -= hourWeights[k]!) >= 0) k++;
        at = Math.min(openHours[k]! + rand.int(0, 3_599_999), close - 1000);
      }
      const checks: Checks = {};
      const scanned = rand.chance(0.93);
      if (asked.includes('scan')) checks.scan = scanned ? { outcome: 'scanned' } : { outcome: 'no_phone', shown: rand.chance(0.6) ? 'paper_itinerary' : 'id_card' };
      const fever = rand.chance(v.violations.has('admits_fever') ? 0.01 : 0.002);
      const celsius = v.violations.has('invented_temperatures')
        ? 36.5
        : fever
          ? Math.round(Math.min(40.5, Math.max(37.3, rand.normal(37.9, 0.4))) * 10) / 10
          : Math.round(Math.min(37.2, Math.max(35.8, rand.normal(36.45, 0.22))) * 10) / 10;
      if (asked.includes('temperature')) checks.temperature = { outcome: 'measured', celsius };
      if (asked.includes('mask')) checks.mask = { outcome: rand.chance(0.96) ? 'worn' : rand.chance(0.95) ? 'provided' : 'refused' };
      if (asked.includes('healthCode')) checks.healthCode = { outcome: rand.chance(0.996) ? 'green' : rand.chance(0.75) ? 'yellow' : 'red' };
      if (asked.includes('itinerary')) {
        const r = rand.float();
        const it = r < 0.95 ? 'local' : r < 0.98 ? 'other_province' : r < 0.995 ? 'starred' : r < 0.9985 ? 'medium_risk' : 'high_risk';
        checks.itinerary = { outcome: it };
        if (it === 'other_province' || it === 'starred') {
          const tested = rand.chance(0.6);
          checks.testProof = { outcome: tested ? 'negative' : 'none' };
          // Answered whenever the policy asks it, as the kiosk's form requires (a tested patron signs too;
          // the random draw only for the untested, so the street is the same as before otherwise).
          if (requiredChecks(policy, v.spec.type, it).includes('commitment')) checks.commitment = { outcome: tested || rand.chance(0.9) ? 'signed' : 'not_signed' };
        }
      }
      if (v.violations.has('skips_checks') && rand.chance(0.25)) {
        const skip: CheckName[] = rand.chance(0.7) ? ['temperature'] : rand.chance(0.5) ? ['itinerary', 'scan'] : ['healthCode'];
        for (const name of skip) if (checks[name]) (checks as Record<string, unknown>)[name] = { outcome: 'skipped', reason: rand.pick(SKIP_REASONS) };
      }
      let { decision, reasons } = decideEntry(policy, venueRules, checks, at);
      // The violations the hub must see through: admitted anyway.
      if ((afterHours || (fever && v.violations.has('admits_fever'))) && decision === 'refuse') {
        decision = 'admit';
        reasons = [];
      }
      // Patron scans: most admissions come with a pass; a violator's door waves people through.
      let pass: { id: string; code: string; minute: number; person: number; people: number; src: 'live' | 'poster' } | undefined;
      if (scanned && rand.chance(v.violations.has('few_scans') ? 0.25 : 0.9)) {
        const issued = at - rand.int(30, 300) * 1000;
        const minute = Math.floor(issued / 60_000);
        const people = rand.chance(0.1) ? 2 : 1;
        const nInMinute = passMinute.get(minute) ?? 0;
        if (nInMinute < N * N) {
          passMinute.set(minute, nInMinute + 1);
          const id = rand.uuid();
          const code = passCode(v.codeSecret, v.id, minute, nInMinute, people);
          const src: 'live' | 'poster' = rand.chance(0.85) ? 'live' : 'poster';
          const ppl: PassPerson[] = Array.from({ length: people }, () => ({ h: 'green', i: 'local' }));
          const iat = Math.floor(issued / 1000);
          const payload = { v: 1, id, code, venue: v.id, entrance: v.entranceId, src, iat, exp: iat + policy.passValidMinutes * 60, pv: 1, people: ppl };
          dayPasses.push([id, v.id, v.entranceId, src === 'live' ? v.kioskId : null, src, code, minute, nInMinute, issued, payload.exp * 1000, people, JSON.stringify(ppl), `VCP1.${toBase64Url(utf8(JSON.stringify(payload)))}.`]);
          pass = { id, code, minute, person: 0, people, src };
        }
      }
      const id = rand.uuidAt(at);
      const passUse = pass ? { code: pass.code, minute: pass.minute, id: pass.id, person: pass.person, people: pass.people, via: 'qr' as const, src: pass.src } : undefined;
      const body: Record<string, unknown> = { policyVersion: 1, checks, decision, reasons };
      if (passUse) body.pass = passUse;
      events.push({ ms: at, type: 'entrance', id, operatorId: staffOn(), body, entrance: { checks, decision, reasons, passId: pass?.id ?? null, passPerson: pass ? 0 : null } });
      if (decision === 'admit') {
        // Undone at the door now and then (撤销 within 30 s).
        if (rand.chance(0.0015)) {
          const ms = at + rand.int(3, 25) * 1000;
          events.push({ ms, type: 'correction', id: rand.uuidAt(ms), operatorId: staffOn(), body: { correctsId: id, reason: '误操作' }, correctsId: id });
        } else {
          const stay = Math.max(5, rand.normal(v.spec.stayMinutes, v.spec.stayMinutes / 3)) * 60_000;
          stays.push([at, at + stay]);
        }
      }
    }
    // Leaving: staff tap 离开多人 every quarter hour or so; at closing the rest are closed out.
    const dayEnd = v.spec.hours ? close : day + DAY;
    const buckets = new Map<number, number>();
    const later: [number, number][] = [];
    for (const st of stays) {
      const t = st[1];
      if (t >= dayEnd) {
        later.push(st);
        continue;
      }
      const b = Math.ceil(t / (15 * 60_000)) * 15 * 60_000;
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    for (const [b, count] of buckets) events.push({ ms: Math.min(b, dayEnd - 60_000), type: 'occupancy', id: rand.uuidAt(Math.min(b, dayEnd - 60_000)), operatorId: staffOn(), body: { kind: 'exit', count } });
    if (v.spec.hours) {
      // 闭店结算: whoever is still counted is closed out (a sloppy door never does it).
      if (!sloppy) {
        const ms = close + rand.int(1, 15) * 60_000;
        events.push({ ms, type: 'occupancy', id: rand.uuidAt(ms), operatorId: staffOn(), body: { kind: 'close_out', count: later.length } });
      }
      carryInside.stays = [];
    } else {
      // Always open: a head count each morning instead of a close-out.
      carryInside.stays = later;
      if (!sloppy) {
        const t = day + 6 * HOUR;
        const inside = stays.filter(([i, out]) => i < t && out > t).length;
        events.push({ ms: t, type: 'occupancy', id: rand.uuidAt(t), operatorId: staffOn(), body: { kind: 'headcount', count: inside } });
      }
    }
    events.sort((a, b) => a.ms - b.ms);
    let seq = seqStart;
    return { events: events.filter((e) => e.ms < until && e.ms < v.silentFrom).map((e) => Object.assign(e, { seq: seq++ })), passes: dayPasses.filter((p) => (p[8] as number) < until) };
  }

  const write = db.transaction((v: SeedVenue, events: (Event & { seq?: number })[], dayPasses: unknown[][]) => {
    for (const p of dayPasses) insertPass.run(...p);
    passes += dayPasses.length;
    const corrected = new Map(events.filter((e) => e.correctsId).map((e) => [e.correctsId!, e.id]));
    let lastReceived = 0;
    for (const e of events) {
      const kioskTime = toIsoWithOffset(e.ms, OFFSET);
      // Sent within seconds, as an online kiosk's outbox does.
      const received = e.ms + 500 + Math.floor(rand.float() * 4000);
      lastReceived = Math.max(lastReceived, received);
      insertLedger.run(e.id, v.kioskId, e.seq, v.id, e.type, kioskTime, e.ms, received, e.operatorId, JSON.stringify(e.body));
      kioskRecords += 1;
      if (e.entrance) {
        const skipped = skippedChecks(e.entrance.checks);
        insertEntrance.run(
          e.id, v.kioskId, e.seq, v.id, kioskTime, e.ms, received,
          e.entrance.decision, JSON.stringify(e.entrance.reasons), JSON.stringify(skipped), skipped.length,
          JSON.stringify(e.entrance.checks), e.operatorId, e.entrance.passId, e.entrance.passPerson, corrected.get(e.id) ?? null,
        );
        entranceRecords += 1;
      }
    }
    if (lastReceived > 0) touchKiosk.run(lastReceived, firstDay, v.kioskId);
  });

  try {
    let lastReport = performance.now();
    for (const [vi, v] of venues.entries()) {
      let seq = 1;
      const carry = { stays: [] as [number, number][], passMinute: new Map<number, number>() };
      db.exec('BEGIN');
      for (let d = 0; d < days; d++) {
        const { events, passes: p } = venueDay(v, d, counts[vi]![d]!, seq, carry);
        for (const m of carry.passMinute.keys()) if (m < Math.floor((firstDay + d * DAY) / 60_000) - 60) carry.passMinute.delete(m);
        seq += events.length;
        write(v, events, p);
      }
      db.exec('COMMIT');
      if (performance.now() - lastReport > 5000 || vi === venues.length - 1) {
        lastReport = performance.now();
        progress(`venues ${vi + 1}/${venues.length}: ${entranceRecords.toLocaleString('en')} entrance records, ${passes.toLocaleString('en')} passes, ${Math.round((performance.now() - t0) / 1000)} s`);
      }
    }
    // The rows went in around the store, so its running figures (hub/src/store/aggregates.ts) do
    // not count them: the next openStore builds them from the records.
    db.exec('DELETE FROM aggregate_state');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  return {
    file,
    streets: o.streets,
    communities: communityCount,
    venues: venues.length,
    violators: venues.filter((v) => v.violations.size > 0).length,
    days,
    entranceRecords,
    kioskRecords,
    passes,
    from: firstDay,
    until,
    ms: Math.round(performance.now() - t0),
  };
}

const HELP = `Seeds a street (or a district of streets) with venues, kiosks and weeks of door traffic.

  npm run seed-street -- --data-dir DIR [options]

  --data-dir DIR       an empty directory; hub.sqlite is written there (required)
  --streets N          streets of one district (default 1: the deployment's own street, as before);
                       with N > 1 the district is named ${DISTRICT_NAME} and each street gets
                       --venues venues in --communities communities (ids s02-c01, s02-v001-…)
  --venues N           venues per street (default 200)
  --communities N      communities per street (default 8)
  --weeks N            weeks of door traffic, ending at --until (default 4)
  --records N          total entrance records wanted over all streets (volumes scaled to it)
  --seed N             the random seed (default 1): the same street for the same seed and --until
  --until ISO          the end of the traffic, e.g. 2026-11-23T21:00:00+08:00 (default now)
  --skip-flags         leave the flag rules out (they judge the history afterwards: minutes on millions)
  --json               one JSON line of figures on stdout
  --help               this text

  e.g. a district for the dashboard bench (10 streets, 2,000 venues, 5 M records):
  npm run seed-street -- --data-dir /work/bench-district --streets 10 --venues 200 --records 5000000 --skip-flags
`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const flags = parseFlags(
    z.object({
      'data-dir': z.string().min(1, 'name the directory for hub.sqlite'),
      venues: z.coerce.number().int().min(1).max(2000).default(200),
      communities: z.coerce.number().int().min(1).max(30).default(8),
      streets: z.coerce.number().int().min(1).max(30).default(1),
      weeks: z.coerce.number().int().min(1).max(26).default(4),
      seed: z.coerce.number().int().min(0).max(2 ** 31).default(1),
      records: z.coerce.number().int().min(100).max(50_000_000).optional(),
      until: z.iso.datetime({ offset: true }).optional(),
      json: z.boolean().default(false),
      /** Leave the flag rules out (they judge the seeded history afterwards: minutes on millions of records). */
      'skip-flags': z.boolean().default(false),
    }),
  );
  try {
    const stats = await seedStreet(
      {
        dataDir: flags['data-dir'],
        venues: flags.venues,
        communities: flags.communities,
        streets: flags.streets,
        weeks: flags.weeks,
        seed: flags.seed,
        records: flags.records,
        until: flags.until === undefined ? undefined : Date.parse(flags.until),
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    // The rows went straight in, so the live flag evaluation never saw them: judge the history now.
    let flagCount: number | undefined;
    if (!flags['skip-flags']) {
      const store = await openStore(stats.file);
      try {
        flagCount = await backfill(store, stats.from, stats.until, (line) => process.stderr.write(`${line}\n`));
      } finally {
        await store.close();
      }
    }
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ seed: 'street', ...stats, flags: flagCount ?? null })}\n`
        : `Seeded ${stats.file}: ${stats.streets > 1 ? `${stats.streets} streets, ` : ''}${stats.communities} communities, ${stats.venues} venues (${stats.violators} cutting corners), ${stats.days} days, ` +
            `${stats.entranceRecords.toLocaleString('en')} entrance records, ${stats.kioskRecords.toLocaleString('en')} kiosk records, ` +
            `${stats.passes.toLocaleString('en')} passes in ${(stats.ms / 1000).toFixed(1)} s` +
            `${flagCount === undefined ? '' : `; ${flagCount} flags from the rules`}\n`,
    );
  } catch (err) {
    process.stderr.write(`seed-street: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
