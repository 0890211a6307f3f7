import type { ReasonCode } from './schemas/record.js';

/**
 * Texts both ends show for the same facts: why a patron may not enter. The
 * kiosk (staff) and the patron page (the patron's phone) must say the same
 * thing, so they live here once. Simplified Chinese first (DOMAIN.md).
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
  },
};
