import { z } from 'zod';

/** Primitives reused by every schema. One definition each (STYLE.md "Shared"). */

export const Uuid = z.uuid();
export type Uuid = z.infer<typeof Uuid>;

/** Ids the hub assigns (venues, kiosks, entrances, communities): short url-safe slugs. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, "_" and "-"');
export type Id = z.infer<typeof Id>;

/**
 * An instant with its UTC offset, as the kiosk's clock read it (ISO 8601). The offset is one a
 * clock can be set to: from -12:00 to +14:00, in quarter hours (+05:45, +08:45 exist; +23:59 does not).
 */
export const Timestamp = z.iso.datetime({ offset: true }).refine(plausibleOffset, 'UTC offset outside -12:00…+14:00 or not in quarter hours');

function plausibleOffset(iso: string): boolean {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  if (!m) return true; // `Z`
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return minutes >= -12 * 60 && minutes <= 14 * 60 && Number(m[3]) % 15 === 0;
}
export type Timestamp = z.infer<typeof Timestamp>;

/** Per-kiosk, gap-free sequence number, starting at 1. */
export const Seq = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * Body temperature in °C at 0.1 °C resolution. 34.0–42.0 is the range a
 * forehead/wrist thermometer at a door reports; anything else is a misreading.
 * zod's number refuses NaN and ±Infinity (a JSON `1e400` parses to Infinity;
 * NaN and Infinity travel as null), so nothing non-finite is ever stored. The
 * kiosk reads typed text with shared/rules/temperature-text.ts first.
 */
export const Temperature = z
  .number()
  .min(34, 'below 34.0 °C: measure again')
  .max(42, 'above 42.0 °C: measure again')
  .refine((c) => Math.abs(c * 10 - Math.round(c * 10)) < 1e-9, 'use 0.1 °C steps');

/** Free text a person typed (reason for a skip, a note). Trimmed, never empty. */
export const ShortText = z.string().trim().min(1).max(200);

/** One pass or booking may carry accompanying people without phones (children, elderly). */
export const MAX_PARTY = 6;
