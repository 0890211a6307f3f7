import { z } from 'zod';

/**
 * The rules a kiosk decides under. Issue 4 grows this into the full policy
 * (test windows, closures and caps per venue type, three-code check); what is
 * here is what the door decision already reads. Thresholds are data, never
 * constants in code (DOMAIN.md).
 */
export const Policy = z.object({
  version: z.int().min(1),
  mode: z.enum(['normal', 'emergency']),
  /** At or above this reading entry is refused (37.3 °C is the standard Chinese threshold). */
  feverThresholdC: z.number().min(36).max(39),
});
export type Policy = z.infer<typeof Policy>;

export const NORMAL_POLICY: Policy = { version: 1, mode: 'normal', feverThresholdC: 37.3 };
