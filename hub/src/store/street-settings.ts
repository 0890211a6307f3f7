import type { StreetSecurity } from '../../../shared/schemas/account.js';
import type { Db } from './database.js';

/** Street-wide security settings (docs/security.md "The inspectors' side"), one row per key. */
export interface StreetSettingsRepository {
  security(): Promise<StreetSecurity>;
  setSecurity(s: StreetSecurity, now: number, by: string): Promise<void>;
}

const TRACING_TOTP = 'tracing_requires_totp';

export function createStreetSettingsRepository(db: Db): StreetSettingsRepository {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM street_settings WHERE key = ?');
  const put = db.prepare('INSERT OR REPLACE INTO street_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)');
  return {
    async security() {
      return { tracingRequiresTotp: get.get(TRACING_TOTP)?.value === 'true' };
    },
    async setSecurity(s, now, by) {
      put.run(TRACING_TOTP, String(s.tracingRequiresTotp), now, by);
    },
  };
}
