import type { Page } from '@playwright/test';
import { makePassCode, minuteOf } from '../../shared/rules/pass-code.js';
import { seedVenue } from '../support/hub.js';
import { padTemperature, startShift } from './kiosk-page.js';
import { expect, test } from './street-hub.js';
import { seriousAxeFindings } from './axe.js';

/**
 * Spoken prompts at a loud door (docs/door-guide.md "Spoken prompts"): a setting of the tablet, off by
 * default; when on, the tablet's own voice says the decision and its reason beside the beep. The init
 * script records every `speechSynthesis.speak` and `cancel` the page makes. Chromium here has no
 * voices at all (`getVoices()` is empty), so one test runs on that and the other gives the page a
 * voice list like an Android tablet's: a local Mandarin voice, a network one, a local English one.
 */

type Heard = { op: 'speak'; text: string; lang: string; voice: string | null } | { op: 'cancel' };

/** Records speech; with `voices`, the page sees that list instead of the browser's and nothing reaches the speakers. */
function listen(page: Page, voices?: { name: string; lang: string; localService: boolean; default: boolean }[]) {
  return page.addInitScript((fake) => {
    const heard: unknown[] = [];
    (window as unknown as { __heard: unknown[] }).__heard = heard;
    const s = window.speechSynthesis;
    const speak = s.speak.bind(s);
    const cancel = s.cancel.bind(s);
    if (fake) {
      const list = fake.map((v) => ({ ...v, voiceURI: v.name }));
      Object.defineProperty(s, 'getVoices', { value: () => list });
      // A real utterance takes only a real SpeechSynthesisVoice; a listed stand-in is kept as given.
      const kept = new WeakMap<object, unknown>();
      Object.defineProperty(SpeechSynthesisUtterance.prototype, 'voice', {
        get() { return kept.get(this) ?? null; },
        set(v: unknown) { kept.set(this, v); },
        configurable: true,
      });
    }
    Object.defineProperty(s, 'speak', {
      value: (u: SpeechSynthesisUtterance) => {
        heard.push({ op: 'speak', text: u.text, lang: u.lang, voice: (u.voice as { name?: string } | null)?.name ?? null });
        if (!fake) speak(u);
      },
    });
    Object.defineProperty(s, 'cancel', {
      value: () => {
        heard.push({ op: 'cancel' });
        cancel();
      },
    });
  }, voices);
}

const heard = (page: Page) => page.evaluate(() => (window as unknown as { __heard: Heard[] }).__heard);
const spoken = async (page: Page) => (await heard(page)).flatMap((h) => (h.op === 'speak' ? [h] : []));

async function openDoor(page: Page, url: string, code: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${url}/kiosk/?enrol=${code}`);
  await startShift(page);
}

/** A routine patron with this reading: the decision shown, saved as number `seq`. */
async function routine(page: Page, reading: string, seq: number) {
  await padTemperature(page, reading);
  await page.getByTestId('routine').click();
  await expect(page.getByTestId('saved')).toContainText(`#${seq}`);
}

test.describe('spoken prompts', () => {
  test('off by default and silent; turned on with no voice on the tablet, the setting says so and the door stays silent', async ({ page, street }) => {
    const entrance = await seedVenue(street.store, 'venue-a', { type: 'restaurant' });
    const code = await street.store.kiosks.issueEnrolmentCode(entrance, Date.now(), 600_000);
    const url = await street.listen();
    await listen(page);
    await openDoor(page, url, code);

    // Off by default: a refusal beeps and nothing is said.
    await routine(page, '38.4', 1);
    await expect(page.getByTestId('decision')).toContainText('体温异常');

    await page.getByTestId('tab-device').click();
    const toggle = page.getByTestId('speech-toggle');
    await expect(toggle).not.toBeChecked();
    // Chromium here reports no voices: the setting says the door would stay silent, and offers no trial.
    await expect(page.getByTestId('speech-voice')).toHaveText('本机没有可离线使用的中文语音：开启后也不会说话，提示音照常。可在平板系统设置的“文字转语音”里安装中文语音。');
    await expect(page.getByTestId('speech-try')).toHaveCount(0);
    await toggle.check();
    await expect(toggle).toBeChecked();
    await page.getByTestId('speech-setting').screenshot({ path: 'test-results/spoken-prompts-no-voice-zh.png' });
    // The device screen, with its setting and notice, as staff and screen readers meet it.
    expect(await seriousAxeFindings(page)).toEqual([]);

    await page.getByTestId('tab-door').click();
    await routine(page, '36.5', 2);
    await expect(page.getByTestId('decision')).toContainText('准予进入');
    await routine(page, '38.1', 3);
    await expect(page.getByTestId('decision')).toContainText('体温异常');
    expect(await spoken(page)).toEqual([]);
  });

  test('with a local Mandarin voice: silent while off; on, it says the decision, the reason and the asks, and stops for the next patron', async ({ page, street }) => {
    const entrance = await seedVenue(street.store, 'venue-a', { type: 'restaurant' });
    const code = await street.store.kiosks.issueEnrolmentCode(entrance, Date.now(), 600_000);
    const url = await street.listen();
    await listen(page, [
      { name: 'Google 普通话（中国大陆）', lang: 'zh-CN', localService: false, default: true },
      { name: '中文（中国）本机', lang: 'zh_CN', localService: true, default: false },
      { name: 'English (United States)', lang: 'en-US', localService: true, default: false },
    ]);
    await openDoor(page, url, code);

    // The setting is off: an admission and a refusal say nothing.
    await routine(page, '36.5', 1);
    await routine(page, '37.9', 2);
    expect(await heard(page)).toEqual([]);

    // Turned on, it names the tablet's own voice (not the network one) and stays on after a reload.
    await page.getByTestId('tab-device').click();
    await expect(page.getByTestId('speech-voice')).toHaveText('使用本机语音：中文（中国）本机（zh_CN）');
    await page.getByTestId('speech-toggle').check();
    await page.getByTestId('speech-setting').screenshot({ path: 'test-results/spoken-prompts-voice-zh.png' });
    await page.reload();
    await page.getByTestId('tab-device').click();
    await expect(page.getByTestId('speech-toggle')).toBeChecked();
    await page.getByTestId('speech-try').click();
    expect(await spoken(page)).toEqual([{ op: 'speak', text: '请出示健康码，请佩戴口罩。', lang: 'zh_CN', voice: '中文（中国）本机' }]);
    await page.getByTestId('tab-door').click();
    // The shift outlives the reload, as it does any reload at the door.
    await expect(page.getByTestId('operator')).toBeVisible();

    // A fever, said with its reading.
    await routine(page, '37.8', 3);
    expect((await spoken(page)).at(-1)).toEqual({ op: 'speak', text: '体温37.8度，偏高，请勿入场。', lang: 'zh_CN', voice: '中文（中国）本机' });

    // The next patron: the first digit stops what the last one heard; the first check tapped asks for the rest.
    const before = (await heard(page)).length;
    await padTemperature(page, '3');
    expect((await heard(page)).slice(before)).toEqual([{ op: 'cancel' }]);
    await page.getByTestId('opt-scan-scanned').click();
    expect((await spoken(page)).at(-1)?.text).toBe('请出示健康码，请佩戴口罩，请出示行程卡。');
    // Further taps ask nothing more.
    const asked = (await spoken(page)).length;
    await page.getByTestId('opt-mask-worn').click();
    await page.getByTestId('opt-healthCode-red').click();
    await page.getByTestId('opt-itinerary-local').click();
    expect((await spoken(page)).length).toBe(asked);
    await padTemperature(page, '6.5');
    await page.getByTestId('record').click();
    await expect(page.getByTestId('saved')).toContainText('#4');
    expect((await spoken(page)).at(-1)?.text).toBe('健康码为红码，请勿入场。');

    await routine(page, '36.6', 5);
    expect((await spoken(page)).at(-1)?.text).toBe('请进');

    // A typed pass for two begins a full check: the scan is done, the rest is asked for.
    const secret = (await street.store.kiosks.passCodeSecret('venue-a'))!.passCodeSecret;
    await page.getByTestId('pass-input').fill(await makePassCode(secret, 'venue-a', minuteOf(Date.now()), 1, 2));
    await page.getByTestId('pass-check').click();
    await expect(page.getByTestId('pass-active')).toHaveAttribute('data-person', '0');
    expect((await spoken(page)).at(-1)?.text).toBe('请出示健康码，请佩戴口罩，请出示行程卡。');
    // The first has a fever; the party is held, and told to wait aside.
    await routine(page, '38.4', 6);
    expect((await spoken(page)).at(-1)?.text).toBe('体温38.4度，偏高，请勿入场。');
    await page.getByTestId('party-hold').click();
    await expect(page.getByTestId('party-held')).toBeVisible();
    expect((await spoken(page)).at(-1)?.text).toBe('同行人员体温异常，请整组在旁等候。');

    // In English, the English voice says it in English.
    await page.getByTestId('lang').click();
    await routine(page, '36.6', 8);
    expect((await spoken(page)).at(-1)).toEqual({ op: 'speak', text: 'Please go in.', lang: 'en-US', voice: 'English (United States)' });

    // Turned off again: nothing more is said.
    await page.getByTestId('tab-device').click();
    await expect(page.getByTestId('speech-voice')).toHaveText('Voice on this tablet: English (United States) (en-US)');
    await page.setViewportSize({ width: 1024, height: 600 });
    await page.screenshot({ path: 'test-results/spoken-prompts-device-en-1024x600.png', fullPage: true });
    await page.getByTestId('speech-toggle').uncheck();
    await page.getByTestId('tab-door').click();
    const said = (await spoken(page)).length;
    await routine(page, '38.0', 9);
    expect((await spoken(page)).length).toBe(said);
  });
});
