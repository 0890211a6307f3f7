import { expect, test as base, type Page } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openStore, type Store } from '../../hub/src/store/index.js';
import type { Role } from '../../shared/schemas/account.js';
import { listenHub, tempDir } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';

/** Every account a spec creates has this password. */
export const PASSWORD = 'street office password 2026';

/** A real hub for one spec: its own SQLite file in a temp dir, listening on 127.0.0.1 when asked. */
export interface StreetHub {
  store: Store;
  dbFile: string;
  /** An inspectors' account (street admin by default) with PASSWORD. */
  account(name: string, role?: Role, communityId?: string): Promise<void>;
  /** Starts the hub; its base URL. */
  listen(): Promise<string>;
  /** Closes something the test opened (a kiosk socket, a browser context) before the hub closes. */
  defer(close: () => unknown): void;
}

/** Playwright's `test` with a `street` fixture, torn down after each test whatever happened. */
export const test = base.extend<{ street: StreetHub }>({
  // eslint-disable-next-line no-empty-pattern
  street: async ({}, use) => {
    const tmp = tempDir();
    const dbFile = join(tmp.dir, 'hub.sqlite');
    const store = await openStore(dbFile);
    let app: FastifyInstance | undefined;
    const later: (() => unknown)[] = [];
    await use({
      store,
      dbFile,
      account: async (name, role = 'street_admin', communityId) => {
        await store.accounts.create({ name, role, communityId: role === 'street_admin' ? null : (communityId ?? null), password: PASSWORD }, Date.now());
      },
      listen: async () => {
        app = await listenHub(store, await freePort());
        return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      },
      defer: (close) => void later.push(close),
    });
    for (const close of later.reverse()) await close();
    await app?.close();
    await store.close();
    tmp.remove();
  },
});

export { expect };

/** Logs in on the dashboard (at `hash`, e.g. `#/registry`) as `name` with PASSWORD. */
export async function login(page: Page, url: string, name = 'admin', hash = ''): Promise<void> {
  await page.goto(`${url}/dashboard/${hash}`);
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('account')).toContainText(name);
}
