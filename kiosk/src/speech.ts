/**
 * Spoken prompts for a loud door: the decision, its reasons and the call for
 * the next patron, said in Chinese to the queue (whatever language the screen
 * is in). Only with a voice the tablet has on board (Web Speech API voices
 * with `localService`): a network voice would fall silent offline, which is
 * when the door needs it as much as ever. Off by default, switched per tablet
 * on the device screen and remembered like the language; the beeps stay either way.
 */
const STORAGE_KEY = 'kiosk.speech';

/** What the door needs of a voice (SpeechSynthesisVoice has these). */
export interface VoiceLike {
  name: string;
  lang: string;
  localService: boolean;
}

const langOf = (v: VoiceLike) => v.lang.toLowerCase().replace('_', '-');

/** The voice to speak Chinese with, offline: an on-board zh-CN voice first, then any on-board Chinese one; never a network voice. */
export function pickChineseVoice<V extends VoiceLike>(voices: readonly V[]): V | undefined {
  const local = voices.filter((v) => v.localService);
  return local.find((v) => langOf(v) === 'zh-cn') ?? local.find((v) => /^(zh|cmn)\b/.test(langOf(v)));
}

/** One utterance: each part a sentence, so the voice pauses between them. */
export function promptText(parts: readonly string[]): string {
  return parts
    .map((p) => p.trim().replace(/[。.]$/, ''))
    .filter((p) => p !== '')
    .map((p) => `${p}。`)
    .join('');
}

export function speechOn(): boolean {
  return globalThis.localStorage?.getItem(STORAGE_KEY) === 'on';
}

export function setSpeechOn(on: boolean): void {
  localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
}

/** The tablet's on-board Chinese voice, if it has one (the list may fill in a moment after start: see `voiceschanged`). */
export function chineseVoice(): SpeechSynthesisVoice | undefined {
  return 'speechSynthesis' in globalThis ? pickChineseVoice(speechSynthesis.getVoices()) : undefined;
}

/** Says it, cutting off whatever is still being said (the queue wants the latest); silent when off or without a voice. */
export function speak(parts: readonly string[]): void {
  if (!speechOn()) return;
  const voice = chineseVoice();
  if (!voice) return;
  try {
    speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(promptText(parts));
    u.voice = voice;
    u.lang = voice.lang;
    speechSynthesis.speak(u);
  } catch {
    // Speech failed on this tablet: the screen and the beeps still say it.
  }
}
