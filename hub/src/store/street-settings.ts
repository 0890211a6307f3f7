import type { StreetSecurity } from '../../../shared/schemas/account.js';
import type { Sql } from './sql.js';

/** A street's own security settings (docs/security.md "The inspectors' side"), one row per street and key. */
export interface StreetSettingsRepository {
  security(streetId: string): Promise<StreetSecurity>;
  setSecurity(streetId: string, s: StreetSecurity, now: number, by: string): Promise<void>;
}

const TRACING_TOTP = 'tracing_requires_totp';

export function createStreetSettingsRepository(sql: Sql): StreetSettingsRepository {
  return {
    async security(streetId) {
      const row = await sql.get<{ value: string }>('SELECT value FROM street_settings WHERE street_id = ? AND key = ?', [streetId, TRACING_TOTP]);
      return { tracingRequiresTotp: row?.value === 'true' };
    },
    async setSecurity(streetId, s, now, by) {
      await sql.run(
        `INSERT INTO street_settings (street_id, key, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (street_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [streetId, TRACING_TOTP, String(s.tracingRequiresTotp), now, by],
      );
    },
  };
}
