import type { StreetSecurity } from '../../../shared/schemas/account.js';
import type { Sql } from './sql.js';

/** Street-wide security settings (docs/security.md "The inspectors' side"), one row per key. */
export interface StreetSettingsRepository {
  security(): Promise<StreetSecurity>;
  setSecurity(s: StreetSecurity, now: number, by: string): Promise<void>;
}

const TRACING_TOTP = 'tracing_requires_totp';

export function createStreetSettingsRepository(sql: Sql): StreetSettingsRepository {
  return {
    async security() {
      const row = await sql.get<{ value: string }>('SELECT value FROM street_settings WHERE key = ?', [TRACING_TOTP]);
      return { tracingRequiresTotp: row?.value === 'true' };
    },
    async setSecurity(s, now, by) {
      await sql.run(
        `INSERT INTO street_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [TRACING_TOTP, String(s.tracingRequiresTotp), now, by],
      );
    },
  };
}
