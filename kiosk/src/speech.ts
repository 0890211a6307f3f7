import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EntryDecision } from '../../shared/rules/decide-entry.js';
import type { CheckName, Checks } from '../../shared/schemas/checks.js';
import { getSpokenPrompts, saveSpokenPrompts } from './db.js';
import { currentLang, type Lang } from './i18n.js';
import { askPhrase, decisionPhrase, pickVoice } from './speech-phrases.js';

/**
 * Spoken prompts for a loud door (docs/door-guide.md "Spoken prompts"): the tablet's own voice says
 * the decision and its reason, beside the beep (sound.ts), which stays. A setting of this tablet, off
 * until staff turn it on; silent where the tablet has no local voice for the language. The words are
 * in speech-phrases.ts.
 */

let on = false;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function synth(): SpeechSynthesis | undefined {
  return typeof speechSynthesis === 'undefined' ? undefined : speechSynthesis;
}

/**
 * Reads the setting from IndexedDB, each time the door or the setting is shown: a tablet retired and
 * enrolled again starts with it off, as its storage was wiped. A tablet that cannot read it stays silent.
 */
export async function loadSpokenPrompts(): Promise<void> {
  try {
    on = await getSpokenPrompts();
  } catch {
    on = false;
  }
  notify();
}

export function spokenPromptsOn(): boolean {
  return on;
}

/** Saves the setting on the tablet; turning it off stops anything being said. */
export async function setSpokenPrompts(next: boolean): Promise<void> {
  await saveSpokenPrompts(next);
  on = next;
  if (!next) synth()?.cancel();
  notify();
}

/** Calls back when the setting or the tablet's list of voices changes (the list often arrives late). */
export function onSpeechChange(listener: () => void): () => void {
  listeners.add(listener);
  const s = synth();
  s?.addEventListener('voiceschanged', listener);
  return () => {
    listeners.delete(listener);
    s?.removeEventListener('voiceschanged', listener);
  };
}

/** Whether the browser has speech at all. */
export function speechAvailable(): boolean {
  return synth() !== undefined;
}

/** The voice the door would speak with in this language, or undefined (it stays silent). */
export function doorVoice(lang: Lang = currentLang()): SpeechSynthesisVoice | undefined {
  return pickVoice(synth()?.getVoices() ?? [], lang);
}

/** Stops what is being said and says `text` instead; false when there is no voice to say it. */
export function say(text: string, lang: Lang = currentLang()): boolean {
  const s = synth();
  const voice = doorVoice(lang);
  if (!s || !voice || !text) return false;
  s.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.voice = voice;
  u.lang = voice.lang;
  s.speak(u);
  return true;
}

/**
 * The entrance screen's voice: says each decision, asks for the checks when a full check begins
 * (a pass accepted, or staff tap a check for a new patron), and stops what the last patron heard as
 * soon as staff start on the next. Does nothing while the setting is off.
 */
export class DoorVoice implements ReactiveController {
  /** Nothing entered since the last decision: the next input is a new patron. */
  private fresh = true;
  /** The asks were said for this patron already. */
  private asked = false;

  constructor(host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    void loadSpokenPrompts();
  }

  hostDisconnected(): void {
    if (on) synth()?.cancel();
  }

  /** Beside the beep: the decision and its reasons in words. */
  decision(d: Pick<EntryDecision, 'decision' | 'reasons'>, checks?: Pick<Checks, 'temperature'>): void {
    this.fresh = true;
    this.asked = false;
    if (on) say(decisionPhrase(d, currentLang(), checks));
  }

  /** Staff started entering the next patron: the previous patron's words stop. */
  patronStarts(): void {
    if (!this.fresh) return;
    this.fresh = false;
    if (on) synth()?.cancel();
  }

  /** A full check began: the patron is asked for the checks still to be seen, once. */
  fullCheck(toSee: readonly CheckName[]): void {
    this.patronStarts();
    if (this.asked) return;
    this.asked = true;
    if (on) say(askPhrase(toSee, currentLang()));
  }
}
