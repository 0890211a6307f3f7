import { describe, expect, it } from 'vitest';
import { pickChineseVoice, promptText, type VoiceLike } from '../../kiosk/src/speech.js';

const voice = (name: string, lang: string, localService: boolean): VoiceLike => ({ name, lang, localService });

describe('pickChineseVoice: the voice a loud door speaks with', () => {
  it.each<[string, VoiceLike[], string | undefined]>([
    ['an on-board zh-CN voice', [voice('English', 'en-US', true), voice('Ting-Ting', 'zh-CN', true)], 'Ting-Ting'],
    ['zh-CN before other Chinese voices', [voice('Sin-ji', 'zh-HK', true), voice('Xiaoxiao', 'zh_CN', true)], 'Xiaoxiao'],
    ['another on-board Chinese voice when there is no zh-CN one', [voice('Mei-Jia', 'zh-TW', true), voice('English', 'en-GB', true)], 'Mei-Jia'],
    ['a Mandarin voice tagged cmn', [voice('cmn', 'cmn-Hans-CN', true)], 'cmn'],
    ['never a network voice, which falls silent offline', [voice('Google 普通话（中国大陆）', 'zh-CN', false)], undefined],
    ['no Chinese voice at all', [voice('English', 'en-US', true)], undefined],
    ['no voices (a browser without speech)', [], undefined],
  ])('%s', (_, voices, expected) => {
    expect(pickChineseVoice(voices)?.name).toBe(expected);
  });
});

describe('promptText: one utterance, a sentence per part', () => {
  it('ends each part with a full stop, once, and drops empty parts', () => {
    expect(promptText(['禁止进入', '体温38.0度，达到发热标准。', '', '请下一位出示健康码和行程卡'])).toBe(
      '禁止进入。体温38.0度，达到发热标准。请下一位出示健康码和行程卡。',
    );
  });
});
