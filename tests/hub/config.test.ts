import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../hub/src/config.js';

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:8080 with the database under data/', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', logLevel: 'info' });
    expect(c.dbFile).toMatch(/data\/hub\.sqlite$/);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT:[\s\S]*LOG_LEVEL:/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/PUBLIC_URL/);
  });

  it('takes the public URL tablets use, without a trailing slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://hub.example.cn/' }).publicUrl).toBe('https://hub.example.cn');
  });

  it('keeps the key file beside the database, and reads TRUST_PROXY as a flag, a hop count or addresses', () => {
    expect(loadConfig({ DATA_DIR: '/srv/hub' })).toMatchObject({ dbFile: '/srv/hub/hub.sqlite', keysFile: '/srv/hub/hub-keys.json', trustProxy: false });
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1,10.0.0.0/8' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
  });

  it('opens the SQLite file unless DATABASE_URL names a PostgreSQL database, which it then opens instead', () => {
    expect(loadConfig({ DATA_DIR: '/srv/hub' })).toMatchObject({ store: '/srv/hub/hub.sqlite', databaseUrl: undefined });
    expect(loadConfig({ DATA_DIR: '/srv/hub', DATABASE_URL: '' })).toMatchObject({ store: '/srv/hub/hub.sqlite', databaseUrl: undefined });
    const url = 'postgres://hub:secret@db.example.cn:5432/hub';
    expect(loadConfig({ DATA_DIR: '/srv/hub', DATABASE_URL: url })).toMatchObject({ store: url, databaseUrl: url, keysFile: '/srv/hub/hub-keys.json' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/hub' }).store).toBe('postgresql://localhost/hub');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://localhost/hub' })).toThrow(/DATABASE_URL: a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(() => loadConfig({ DATABASE_URL: '/srv/hub/hub.sqlite' })).toThrow(/DATABASE_URL/);
  });
});
