import { describe, expect, it } from 'vitest';
import { draftFromPass, emptyDraft, temperatureErrorKey, typedCelsius, validateDraft, type Draft } from '../../kiosk/src/screens/draft.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';

/** A routine patron at a KTV with the reading typed as `text` (000 §2(2)(1): temperature measured at the door). */
const draft = (text: string): Draft => ({
  ...emptyDraft(),
  values: { scan: 'scanned', mask: 'worn', healthCode: 'green', itinerary: 'local' },
  temperatureText: text,
});

describe('the door form reads a typed temperature with the shared parser (000 §2(2)(1))', () => {
  it.each([
    ['36.5', 36.5],
    ['36,5', 36.5],
    ['37', 37],
  ])('records %j as %s °C', (text, celsius) => {
    const v = validateDraft(draft(text), NORMAL_POLICY, 'ktv');
    expect(v).toMatchObject({ ok: true, checks: { temperature: { outcome: 'measured', celsius } } });
  });

  it.each(['0x25', '3.75e1', '+36', 'Infinity', '36.5.1', '36.'])('refuses %j at the temperature field, saying it is not a plain decimal', (text) => {
    const v = validateDraft(draft(text), NORMAL_POLICY, 'ktv');
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(Object.keys(v.errors)).toEqual(['temperature']);
    expect(v.errors.temperature).toMatchObject({ code: 'invalid', field: 'temperature.celsius', message: expect.stringContaining('decimal') });
    expect(temperatureErrorKey(text)).toBe('temperatureNotDecimal');
  });

  it('tells an empty field (missing) from an out-of-range reading', () => {
    const blank = validateDraft(draft(' '), NORMAL_POLICY, 'ktv');
    expect(blank).toMatchObject({ ok: false, errors: { temperature: { field: 'temperature', message: 'required' } } });
    expect(temperatureErrorKey(' ')).toBe('missing');
    const hot = validateDraft(draft('45'), NORMAL_POLICY, 'ktv');
    expect(hot).toMatchObject({ ok: false, errors: { temperature: { field: 'temperature.celsius' } } });
    expect(temperatureErrorKey('45')).toBe('temperatureRange');
  });

  it('leaves a skipped reading alone whatever text was left in the field', () => {
    const d = { ...draft('0x25'), values: { ...draft('').values, temperature: 'skipped' }, skipReasons: { temperature: '测温枪没电' } };
    expect(validateDraft(d, NORMAL_POLICY, 'ktv')).toMatchObject({ ok: true, checks: { temperature: { outcome: 'skipped' } } });
  });

  it('a pass pre-fills the declaration but never the reading', () => {
    const d = { ...draftFromPass({ h: 'green', i: 'local' }), values: { ...draftFromPass({ h: 'green', i: 'local' }).values, mask: 'worn' }, temperatureText: '3.75e1' };
    expect(validateDraft(d, NORMAL_POLICY, 'ktv')).toMatchObject({ ok: false, errors: { temperature: { field: 'temperature.celsius' } } });
  });

  it('the staff ledger reads its temperature the same way (NaN, refused by the schema, unless a plain decimal)', () => {
    expect(typedCelsius('36,4')).toBe(36.4);
    expect(typedCelsius('0x25')).toBeNaN();
    expect(typedCelsius('')).toBeNaN();
  });
});
