import { describe, expect, it } from 'vitest';
import { askPhrase, decisionPhrase, langFit, pickVoice, type VoiceInfo } from '../../kiosk/src/speech-phrases.js';
import { ReasonCode } from '../../shared/schemas/record.js';

/**
 * What a loud door says (docs/door-guide.md "Spoken prompts"): the decision and its reason in the
 * patron's words, the checks to have ready, and the tablet's own voice to say them with.
 */

const voice = (name: string, lang: string, localService: boolean, isDefault = false): VoiceInfo => ({ name, lang, localService, default: isDefault });

describe('decisionPhrase', () => {
  it.each([
    { row: 'an admission', d: { decision: 'admit' as const, reasons: [] }, zh: '请进', en: 'Please go in.' },
    {
      row: 'a fever, said with its reading',
      d: { decision: 'refuse' as const, reasons: ['fever' as const] },
      checks: { temperature: { outcome: 'measured' as const, celsius: 37.8 } },
      zh: '体温37.8度，偏高，请勿入场。',
      en: 'Your temperature is 37.8 degrees, too high. Please do not enter.',
    },
    { row: 'a fever with no reading to hand', d: { decision: 'refuse' as const, reasons: ['fever' as const] }, zh: '体温偏高，请勿入场。', en: 'Your temperature is high. Please do not enter.' },
    {
      row: 'a whole degree keeps its tenth',
      d: { decision: 'refuse' as const, reasons: ['fever' as const] },
      checks: { temperature: { outcome: 'measured' as const, celsius: 38 } },
      zh: '体温38.0度，偏高，请勿入场。',
      en: 'Your temperature is 38.0 degrees, too high. Please do not enter.',
    },
    {
      row: 'two reasons, in the order decided',
      d: { decision: 'refuse' as const, reasons: ['mask_refused' as const, 'health_code_red' as const] },
      zh: '未佩戴口罩，健康码为红码，请勿入场。',
      en: 'No mask. Your health code is red. Please do not enter.',
    },
    { row: 'a held party waits aside rather than being turned away', d: { decision: 'refuse' as const, reasons: ['party_held' as const] }, zh: '同行人员体温异常，请整组在旁等候。', en: 'A companion has a fever: please wait aside together.' },
  ])('$row', ({ d, checks, zh, en }) => {
    expect(decisionPhrase(d, 'zh-CN', checks)).toBe(zh);
    expect(decisionPhrase(d, 'en', checks)).toBe(en);
  });

  it('says every reason code in words in both languages (none falls through as a raw code)', () => {
    for (const r of ReasonCode.options) {
      for (const lang of ['zh-CN', 'en'] as const) {
        const said = decisionPhrase({ decision: 'refuse', reasons: [r] }, lang);
        expect(said).not.toContain(r);
        expect(said).not.toContain('undefined');
        expect(said.length).toBeGreaterThan(lang === 'en' ? 12 : 4);
      }
    }
  });
});

describe('askPhrase', () => {
  it('asks for the code and the mask first, whatever order the policy lists them in', () => {
    expect(askPhrase(['scan', 'temperature', 'mask', 'healthCode', 'itinerary'], 'zh-CN')).toBe('请出示健康码，请佩戴口罩，请扫场所码，请出示行程卡。');
    expect(askPhrase(['mask', 'healthCode'], 'en')).toBe('Please show your health code. Please wear your mask.');
  });

  it('says nothing when nothing is left to see (the temperature is taken, not asked)', () => {
    expect(askPhrase([], 'zh-CN')).toBe('');
    expect(askPhrase(['temperature'], 'zh-CN')).toBe('');
  });

  it('asks for the starred itinerary\'s test and commitment and the three-code vaccination', () => {
    expect(askPhrase(['testProof', 'commitment', 'vaccination'], 'zh-CN')).toBe('请出示核酸阴性证明，请签署承诺书，请出示疫苗接种记录。');
  });
});

describe('langFit', () => {
  it.each([
    ['zh-CN', 3],
    ['zh_CN', 3],
    ['cmn-Hans-CN', 3],
    ['zh-Hans-CN', 3],
    ['cmn-CN', 3],
    ['zh', 2],
    ['zh-Hans', 2],
    ['zh-SG', 2],
    ['zh-TW', 1],
    ['cmn-Hant-TW', 1],
    ['zh-HK', 0],
    ['yue-HK', 0],
    ['en-US', 0],
  ])('%s fits Mandarin %i', (tag, fit) => expect(langFit(tag, 'zh-CN')).toBe(fit));

  it('takes any English voice for the English interface, US or British first', () => {
    expect(langFit('en-GB', 'en')).toBe(3);
    expect(langFit('en_IN', 'en')).toBe(2);
    expect(langFit('zh-CN', 'en')).toBe(0);
  });
});

describe('pickVoice', () => {
  it('picks the tablet\'s own mainland Mandarin voice over a network voice and over Taiwan Mandarin', () => {
    const voices = [
      voice('Google 普通话（中国大陆）', 'zh-CN', false, true),
      voice('Meijia', 'zh-TW', true),
      voice('Tingting', 'zh-CN', true),
      voice('Samantha', 'en-US', true),
    ];
    expect(pickVoice(voices, 'zh-CN')?.name).toBe('Tingting');
    expect(pickVoice(voices, 'en')?.name).toBe('Samantha');
  });

  it('stays silent with only network voices (an offline door cannot use them)', () => {
    expect(pickVoice([voice('Google 普通话（中国大陆）', 'zh-CN', false), voice('Google US English', 'en-US', false)], 'zh-CN')).toBeUndefined();
  });

  it('stays silent with no voices at all, or only Cantonese', () => {
    expect(pickVoice([], 'zh-CN')).toBeUndefined();
    expect(pickVoice([voice('Sinji', 'zh-HK', true)], 'zh-CN')).toBeUndefined();
  });

  it('prefers the tablet\'s default among equally fitting voices, and Taiwan Mandarin over nothing', () => {
    expect(pickVoice([voice('A', 'zh-CN', true), voice('B', 'zh-CN', true, true)], 'zh-CN')?.name).toBe('B');
    expect(pickVoice([voice('Meijia', 'zh-TW', true)], 'zh-CN')?.name).toBe('Meijia');
  });
});
