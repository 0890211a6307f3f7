import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Kiosk strings, Simplified Chinese first (DOMAIN.md: staff's language) with
 * an English switch that the tablet remembers.
 */
const zh = {
  appTitle: '场所入口核验',
  language: 'English',
  enrolTitle: '绑定本机到场所入口',
  enrolHelp: '请输入街道办提供的一次性绑定码（8位）。',
  enrolCode: '绑定码',
  enrolSubmit: '绑定',
  enrolBusy: '正在绑定…',
  enrolNetwork: '无法连接到街道服务器，请检查网络后重试。',
  scan: '扫场所码',
  scanned: '已扫码',
  noPhonePaper: '无手机·纸质行程',
  noPhoneId: '无手机·出示身份证',
  temperature: '体温 (°C)',
  temperaturePlaceholder: '如 36.5',
  mask: '口罩',
  worn: '已佩戴',
  provided: '现场发放',
  refused: '拒绝佩戴',
  healthCode: '健康码',
  green: '绿码',
  yellow: '黄码',
  red: '红码',
  itinerary: '行程卡',
  local: '本地',
  other_province: '7天内外省',
  starred: '带星号',
  medium_risk: '中风险地区',
  high_risk: '高风险地区',
  testProof: '核酸阴性证明',
  negative: '时限内阴性',
  none: '无',
  commitment: '承诺书',
  signed: '已签署',
  not_signed: '未签署',
  vaccination: '疫苗接种',
  complete: '已完成（含加强针）',
  incomplete: '未全程接种',
  skip: '跳过',
  skipReason: '跳过原因（必填）',
  record: '记录并判定',
  saving: '正在保存…',
  missing: '尚未填写',
  temperatureRange: '请输入 34.0–42.0 之间的体温，精确到 0.1',
  skipReasonMissing: '请填写跳过原因',
  admit: '准予进入',
  refuse: '禁止进入',
  savedOnDevice: '已保存到本机',
  nextPatron: '下一位',
  online: '已连接',
  offline: '离线',
  connecting: '连接中',
  unauthorized: '本机绑定已失效',
  pending: '待同步',
  synced: '已同步',
  rejected: '被拒收',
  recent: '最近记录',
  reason_venue_closed_by_policy: '按防控政策本场所暂停营业',
  reason_outside_opening_hours: '不在营业时间内',
  reason_fever: '体温异常',
  reason_mask_refused: '拒绝佩戴口罩',
  reason_health_code_yellow: '健康码黄码',
  reason_health_code_red: '健康码红码',
  reason_itinerary_high_risk: '7天内到过高风险地区',
  reason_itinerary_medium_risk: '7天内到过中风险地区',
  reason_no_test_or_commitment: '无核酸阴性证明且未签承诺书',
} as const;

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  appTitle: 'Venue entrance check',
  language: '中文',
  enrolTitle: 'Pair this tablet with a venue entrance',
  enrolHelp: 'Enter the one-time enrolment code (8 characters) from the street office.',
  enrolCode: 'Enrolment code',
  enrolSubmit: 'Enrol',
  enrolBusy: 'Enrolling…',
  enrolNetwork: 'Cannot reach the street hub. Check the network and try again.',
  scan: 'Venue code',
  scanned: 'Scanned',
  noPhonePaper: 'No phone · paper itinerary',
  noPhoneId: 'No phone · ID shown',
  temperature: 'Temperature (°C)',
  temperaturePlaceholder: 'e.g. 36.5',
  mask: 'Mask',
  worn: 'Worn',
  provided: 'Provided',
  refused: 'Refused',
  healthCode: 'Health code',
  green: 'Green',
  yellow: 'Yellow',
  red: 'Red',
  itinerary: 'Itinerary',
  local: 'Local',
  other_province: 'Other province (7 d)',
  starred: 'Starred',
  medium_risk: 'Medium-risk area',
  high_risk: 'High-risk area',
  testProof: 'Negative test',
  negative: 'Negative, in window',
  none: 'None',
  commitment: 'Commitment',
  signed: 'Signed',
  not_signed: 'Not signed',
  vaccination: 'Vaccination',
  complete: 'Complete (incl. booster)',
  incomplete: 'Incomplete',
  skip: 'Skip',
  skipReason: 'Reason for skipping (required)',
  record: 'Record and decide',
  saving: 'Saving…',
  missing: 'not filled in',
  temperatureRange: 'Enter a temperature from 34.0 to 42.0, in 0.1 steps',
  skipReasonMissing: 'Give the reason for skipping',
  admit: 'May enter',
  refuse: 'Entry refused',
  savedOnDevice: 'Saved on this tablet',
  nextPatron: 'Next',
  online: 'Online',
  offline: 'Offline',
  connecting: 'Connecting',
  unauthorized: 'Enrolment revoked',
  pending: 'to sync',
  synced: 'synced',
  rejected: 'rejected',
  recent: 'Recent records',
  reason_venue_closed_by_policy: 'Venue closed by the current policy',
  reason_outside_opening_hours: 'Outside opening hours',
  reason_fever: 'Fever',
  reason_mask_refused: 'Refused a mask',
  reason_health_code_yellow: 'Yellow health code',
  reason_health_code_red: 'Red health code',
  reason_itinerary_high_risk: 'High-risk area within 7 days',
  reason_itinerary_medium_risk: 'Medium-risk area within 7 days',
  reason_no_test_or_commitment: 'No negative test and no commitment',
};

export type Lang = 'zh-CN' | 'en';
const STORAGE_KEY = 'kiosk.lang';
const listeners = new Set<() => void>();

let lang: Lang = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = lang;

export function currentLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  listeners.forEach((l) => l());
}

export function t(key: Key): string {
  return lang === 'en' ? en[key] : zh[key];
}

/** Translates a key that may not exist (reason codes from the hub); falls back to the raw code. */
export function tMaybe(key: string): string {
  return key in zh ? t(key as Key) : key;
}

/** Re-renders its host when the language changes. */
export class I18nController implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    listeners.add(this.onChange);
  }
  hostDisconnected(): void {
    listeners.delete(this.onChange);
  }
}
