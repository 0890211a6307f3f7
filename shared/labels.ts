import type { EntryWarning } from './rules/decide-entry.js';
import type { FlagRule } from './schemas/flags.js';
import type { ReasonCode } from './schemas/record.js';
import type { VenueType } from './schemas/venue.js';

/**
 * Texts both ends show for the same facts: why a patron may not enter. The
 * kiosk (staff) and the patron page (the patron's phone) must say the same
 * thing, so they live here once. Simplified Chinese first: the language of
 * the door staff and patrons at a Chinese venue.
 */
export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

export const REASON_TEXT: Record<Lang, Record<ReasonCode, string>> = {
  'zh-CN': {
    venue_closed_by_policy: '按防控政策本场所暂停营业',
    outside_opening_hours: '不在营业时间内',
    fever: '体温异常',
    mask_refused: '拒绝佩戴口罩',
    health_code_yellow: '健康码黄码',
    health_code_red: '健康码红码',
    itinerary_high_risk: '7天内到过高风险地区',
    itinerary_medium_risk: '7天内到过中风险地区',
    no_test_or_commitment: '无核酸阴性证明且未签承诺书',
    test_and_commitment_required: '须同时出示时限内核酸阴性证明并签署承诺书',
    no_negative_test: '无时限内核酸阴性证明',
    unvaccinated: '未接种新冠疫苗（三码联查）',
    booking_required: '本场所须预约入场，未预约不得入场',
    slot_full: '本时段名额已满',
    booking_outside_slot: '不在预约时段内',
    booking_cancelled: '该预约已取消',
    venue_suspended: '本场所被责令停业整顿',
    party_held: '同行人员发热，整组暂缓入场',
  },
  en: {
    venue_closed_by_policy: 'Venue closed by the current policy',
    outside_opening_hours: 'Outside opening hours',
    fever: 'Fever',
    mask_refused: 'Refused a mask',
    health_code_yellow: 'Yellow health code',
    health_code_red: 'Red health code',
    itinerary_high_risk: 'High-risk area within 7 days',
    itinerary_medium_risk: 'Medium-risk area within 7 days',
    no_test_or_commitment: 'No negative test and no commitment',
    test_and_commitment_required: 'Needs both a negative test in the window and a signed commitment',
    no_negative_test: 'No negative test within the window',
    unvaccinated: 'Not vaccinated (three-code check)',
    booking_required: 'This venue admits by booking only',
    slot_full: 'No seats left in this time slot',
    booking_outside_slot: 'Outside the booking\'s time slot',
    booking_cancelled: 'This booking was cancelled',
    venue_suspended: 'Venue suspended by inspectors\' order',
    party_held: 'Party held: a companion has a fever',
  },
};

/**
 * What the door tells staff about a patron it admits (decideEntry's warnings). Staff's words, not the
 * patron's: the kiosk shows them under the admission; the pass page does not.
 */
export const WARNING_TEXT: Record<Lang, Record<EntryWarning, string>> = {
  'zh-CN': { unvaccinated: '未接种新冠疫苗：请登记并报告社区（三码联查）' },
  en: { unvaccinated: 'Not vaccinated: note it and tell the community (three-code check)' },
};

/**
 * Venue types in words (000 §2(1), 001 §2(2), 004 §3). The dashboard shows
 * them and the registry's CSV import reads them back (a street office's list names types in Chinese),
 * so there is one table for both.
 */
export const VENUE_TYPE_TEXT: Record<Lang, Record<VenueType, string>> = {
  'zh-CN': {
    ktv: 'KTV',
    bar: '酒吧',
    internet_cafe: '网吧',
    disco: '迪吧',
    arcade: '游艺厅',
    dance_hall: '歌舞厅',
    hotel: '宾馆酒店',
    shopping_mall: '商场',
    supermarket: '超市',
    chess_card_room: '棋牌室',
    mahjong_parlour: '麻将馆',
    script_murder: '剧本杀',
    escape_room: '密室逃脱',
    board_game_room: '桌游室',
    sauna: '桑拿',
    massage: '按摩',
    foot_bath: '足浴',
    spa: '水疗SPA',
    moxibustion: '艾灸馆',
    bathhouse: '洗浴中心',
    billiards: '台球室',
    restaurant: '餐馆',
    farmers_market: '农贸市场',
    pharmacy: '药店',
    cinema_theatre: '影剧院',
    scenic_spot: '景区',
    library: '图书馆',
    museum: '博物馆',
    gym_stadium: '体育场馆',
    religious_venue: '宗教场所',
    elderly_care: '养老机构',
    school: '学校',
    training_centre: '培训机构',
    clinic: '诊所',
    construction_site: '建筑工地',
    residential_compound: '居民小区',
    enterprise_office: '企业办公',
    barber: '理发店',
    cultural_centre: '文化馆',
    art_gallery: '美术馆',
    station: '车站',
  },
  en: {
    ktv: 'KTV',
    bar: 'Bar / pub',
    internet_cafe: 'Internet café',
    disco: 'Disco',
    arcade: 'Arcade / game hall',
    dance_hall: 'Dance hall',
    hotel: 'Hotel',
    shopping_mall: 'Shopping mall',
    supermarket: 'Supermarket',
    chess_card_room: 'Chess and card room',
    mahjong_parlour: 'Mahjong parlour',
    script_murder: 'Script-murder game',
    escape_room: 'Escape room',
    board_game_room: 'Board-game room',
    sauna: 'Sauna',
    massage: 'Massage',
    foot_bath: 'Foot bath',
    spa: 'Spa',
    moxibustion: 'Moxibustion',
    bathhouse: 'Bathhouse',
    billiards: 'Billiards',
    restaurant: 'Restaurant',
    farmers_market: "Farmers' market",
    pharmacy: 'Pharmacy',
    cinema_theatre: 'Cinema / theatre',
    scenic_spot: 'Scenic spot',
    library: 'Library',
    museum: 'Museum',
    gym_stadium: 'Gym / stadium',
    religious_venue: 'Religious venue',
    elderly_care: 'Elderly-care home',
    school: 'School',
    training_centre: 'Training centre',
    clinic: 'Clinic',
    construction_site: 'Construction site',
    residential_compound: 'Residential compound',
    enterprise_office: 'Enterprise / office',
    barber: 'Barber / hairdresser',
    cultural_centre: 'Cultural centre',
    art_gallery: 'Art gallery',
    station: 'Station',
  },
};

/**
 * Other names a street office's list uses for a type (the seeds use several: 酒（餐）吧 and 游艺厅 in
 * 000 §2(1), 游戏厅 in 004 §3.1, 宾馆 beside 酒店 in both …). Read by the CSV import besides the labels
 * above; never shown.
 */
export const VENUE_TYPE_ALIASES: Readonly<Record<string, VenueType>> = {
  餐吧: 'bar',
  网咖: 'internet_cafe',
  迪厅: 'disco',
  游戏厅: 'arcade',
  电玩城: 'arcade',
  宾馆: 'hotel',
  酒店: 'hotel',
  旅馆: 'hotel',
  购物中心: 'shopping_mall',
  麻将室: 'mahjong_parlour',
  桌游: 'board_game_room',
  密室: 'escape_room',
  水疗: 'spa',
  SPA: 'spa',
  浴场: 'bathhouse',
  澡堂: 'bathhouse',
  台球: 'billiards',
  台球厅: 'billiards',
  餐厅: 'restaurant',
  饭店: 'restaurant',
  菜市场: 'farmers_market',
  电影院: 'cinema_theatre',
  剧院: 'cinema_theatre',
  影院: 'cinema_theatre',
  体育馆: 'gym_stadium',
  健身房: 'gym_stadium',
  养老院: 'elderly_care',
  小学: 'school',
  中学: 'school',
  幼儿园: 'school',
  校园: 'school',
  教育培训机构: 'training_centre',
  培训学校: 'training_centre',
  培训班: 'training_centre',
  工地: 'construction_site',
  小区: 'residential_compound',
  写字楼: 'enterprise_office',
  企业: 'enterprise_office',
  理发: 'barber',
  理发馆: 'barber',
  美发店: 'barber',
  美容美发: 'barber',
  火车站: 'station',
  汽车站: 'station',
  客运站: 'station',
  机场: 'station',
};

/**
 * Names of the old joint type (学校培训机构, its English label and code). The CSV import splits
 * a row that uses one by the venue's name (shared/schemas/venue.ts `schoolOrTrainingCentre`).
 */
export const LEGACY_SCHOOL_TRAINING_NAMES: readonly string[] = ['school_training', '学校培训机构', '学校/培训机构', 'school / training centre'];

/** A flag rule's name, as the dashboard shows it and the weekly report's CSV heads its column. */
export const FLAG_RULE_TEXT: Record<Lang, Record<FlagRule, string>> = {
  'zh-CN': {
    skipped_check: '核验项被跳过',
    admitted_despite_risk: '有风险仍放行',
    scans_below_admissions: '入场多于扫码',
    invented_temperatures: '体温疑似编造',
    kiosk_silent: '营业时间设备无数据',
    over_capacity: '超过限流人数',
    admitted_while_closed: '停业期间仍接待',
    ledger_not_kept: '台账未记录',
    staff_health: '员工健康异常',
    clock_skew: '设备时钟偏差',
    pass_reused: '通行凭证重复使用',
    pass_unknown: '通行凭证无效',
    slot_over_cap: '时段入场超过预约限额',
    admitted_without_booking: '须预约场所接待未预约者',
    missing_check: '缺少必查项目',
    no_phone_share: '“无手机”登记比例异常',
    admitted_while_suspended: '停业整顿期间仍接待',
  },
  en: {
    skipped_check: 'Check skipped',
    admitted_despite_risk: 'Admitted despite risk',
    scans_below_admissions: 'More admissions than scans',
    invented_temperatures: 'Temperatures look invented',
    kiosk_silent: 'Kiosk silent while open',
    over_capacity: 'Over capacity',
    admitted_while_closed: 'Admitted while closed',
    ledger_not_kept: 'Ledger not kept',
    staff_health: 'Staff health finding',
    clock_skew: 'Kiosk clock off',
    pass_reused: 'Pass reused',
    pass_unknown: 'Unknown pass',
    slot_over_cap: 'Slot over its cap',
    admitted_without_booking: 'Admitted without a booking',
    missing_check: 'Required check missing',
    no_phone_share: 'Unusual share of "no phone"',
    admitted_while_suspended: 'Admitted while suspended',
  },
};
