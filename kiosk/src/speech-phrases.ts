import type { Lang } from '../../shared/labels.js';
import type { EntryDecision } from '../../shared/rules/decide-entry.js';
import type { CheckName, Checks } from '../../shared/schemas/checks.js';
import type { ReasonCode } from '../../shared/schemas/record.js';

/**
 * What a loud door says aloud to the queue (docs/door-guide.md "Spoken prompts"). Pure: the words
 * for a decision and its reasons, the checks to have ready, and which of the tablet's voices says
 * them. The patron hears these, so they are the patron's words, shorter than the staff's labels
 * (shared/labels.ts); staff still read the full reason on the screen.
 */

/** What is said about each reason, addressed to the patron. */
const REASON_SPOKEN: Record<Lang, Record<ReasonCode, string>> = {
  'zh-CN': {
    venue_closed_by_policy: '按防控要求，本场所暂停营业',
    outside_opening_hours: '现在不是营业时间',
    fever: '体温偏高',
    mask_refused: '未佩戴口罩',
    health_code_yellow: '健康码为黄码',
    health_code_red: '健康码为红码',
    itinerary_high_risk: '七天内到过高风险地区',
    itinerary_medium_risk: '七天内到过中风险地区',
    no_test_or_commitment: '没有核酸阴性证明，也没有签署承诺书',
    test_and_commitment_required: '须出示核酸阴性证明，并签署承诺书',
    no_negative_test: '没有时限内的核酸阴性证明',
    unvaccinated: '未接种新冠疫苗',
    booking_required: '本场所须预约入场',
    slot_full: '本时段名额已满',
    booking_outside_slot: '不在您的预约时段内',
    booking_cancelled: '您的预约已取消',
    venue_suspended: '本场所停业整顿',
    party_held: '同行人员体温异常，请整组在旁等候',
  },
  en: {
    venue_closed_by_policy: 'The venue is closed under the current rules',
    outside_opening_hours: 'The venue is not open now',
    fever: 'Your temperature is high',
    mask_refused: 'No mask',
    health_code_yellow: 'Your health code is yellow',
    health_code_red: 'Your health code is red',
    itinerary_high_risk: 'You were in a high-risk area in the last seven days',
    itinerary_medium_risk: 'You were in a medium-risk area in the last seven days',
    no_test_or_commitment: 'No negative test and no signed commitment',
    test_and_commitment_required: 'A negative test and a signed commitment are both needed',
    no_negative_test: 'No negative test within the time allowed',
    unvaccinated: 'Not vaccinated',
    booking_required: 'This venue admits by booking only',
    slot_full: 'This time slot is full',
    booking_outside_slot: 'This is not your booking\'s time slot',
    booking_cancelled: 'Your booking was cancelled',
    venue_suspended: 'The venue is suspended by order',
    party_held: 'A companion has a fever: please wait aside together',
  },
};

/** What the patron is asked to have ready for each check staff look at (the temperature is taken, not shown). */
const ASK_SPOKEN: Record<Lang, Partial<Record<CheckName, string>>> = {
  'zh-CN': {
    scan: '请扫场所码',
    mask: '请佩戴口罩',
    healthCode: '请出示健康码',
    itinerary: '请出示行程卡',
    testProof: '请出示核酸阴性证明',
    commitment: '请签署承诺书',
    vaccination: '请出示疫苗接种记录',
  },
  en: {
    scan: 'Please scan the venue code',
    mask: 'Please wear your mask',
    healthCode: 'Please show your health code',
    itinerary: 'Please show your itinerary card',
    testProof: 'Please show your negative test',
    commitment: 'Please sign the commitment',
    vaccination: 'Please show your vaccination record',
  },
};

/** The order the asks are said in: the queue hears the code and the mask first, as a door says them. */
const ASK_ORDER: readonly CheckName[] = ['healthCode', 'mask', 'scan', 'itinerary', 'testProof', 'commitment', 'vaccination'];

const WORDS = {
  'zh-CN': { admit: '请进', refuse: '请勿入场', sep: '，', end: '。', reading: (c: string) => `体温${c}度，偏高` },
  en: { admit: 'Please go in.', refuse: 'Please do not enter', sep: '. ', end: '.', reading: (c: string) => `Your temperature is ${c} degrees, too high` },
} as const;

/** The sentence for a decision: "请进", or the reasons in words and "请勿入场". A fever is said with its reading. */
export function decisionPhrase(d: Pick<EntryDecision, 'decision' | 'reasons'>, lang: Lang, checks?: Pick<Checks, 'temperature'>): string {
  const w = WORDS[lang];
  if (d.decision === 'admit') return w.admit;
  const reading = checks?.temperature?.outcome === 'measured' ? checks.temperature.celsius.toFixed(1) : undefined;
  const parts = d.reasons.map((r) => (r === 'fever' && reading ? w.reading(reading) : REASON_SPOKEN[lang][r]));
  // A held party is told to wait aside, not turned away.
  if (!d.reasons.includes('party_held')) parts.push(w.refuse);
  return parts.join(w.sep) + w.end;
}

/** The sentence asking for the checks still to be seen, in the door's order; empty when nothing is asked. */
export function askPhrase(checks: readonly CheckName[], lang: Lang): string {
  const asks = ASK_ORDER.filter((c) => checks.includes(c)).map((c) => ASK_SPOKEN[lang][c]);
  return asks.length ? asks.join(WORDS[lang].sep) + WORDS[lang].end : '';
}

/** The fields of a SpeechSynthesisVoice the choice reads (a plain object in tests). */
export interface VoiceInfo {
  name: string;
  lang: string;
  localService: boolean;
  default: boolean;
}

/**
 * How well a voice's language tag fits: 3 mainland Mandarin (zh-CN, cmn-Hans-CN; Android's older
 * zh_CN), 2 other Mandarin in simplified script or bare zh, 1 Taiwan Mandarin, 0 not usable (Cantonese
 * voices read Mandarin text in Cantonese). For English any en voice fits, en-US/en-GB first.
 */
export function langFit(tag: string, lang: Lang): number {
  const t = tag.replace(/_/g, '-').toLowerCase();
  if (lang === 'en') return /^en-(us|gb)\b/.test(t) ? 3 : /^en\b/.test(t) ? 2 : 0;
  if (/^(zh|cmn)(-hans)?-cn\b/.test(t)) return 3;
  if (/^(zh|cmn)(-hans)?$/.test(t) || /^(zh|cmn)-hans\b/.test(t) || /^(zh|cmn)-sg\b/.test(t)) return 2;
  if (/^(zh|cmn)(-hant)?-tw\b/.test(t)) return 1;
  return 0;
}

/**
 * The voice the door speaks with, or undefined (the door stays silent; the beep remains). Only voices
 * on the tablet itself (`localService`) count: a network voice says nothing when the venue's line is
 * down, and a door that speaks only sometimes teaches the queue not to listen.
 */
export function pickVoice<V extends VoiceInfo>(voices: readonly V[], lang: Lang): V | undefined {
  let best: V | undefined;
  let bestScore = 0;
  for (const v of voices) {
    if (!v.localService) continue;
    const fit = langFit(v.lang, lang);
    if (fit === 0) continue;
    const score = fit * 2 + (v.default ? 1 : 0);
    if (score > bestScore) [best, bestScore] = [v, score];
  }
  return best;
}
