import type { AddressInfo } from 'node:net';
import { buildHub } from '../../hub/src/app.js';
import { totpCode } from '../../hub/src/services/totp.js';
import { hubOptions, seedVenue } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';
import { inspectorSession } from '../support/inspector.js';
import { testClock } from '../support/policy-street.js';
import { PASSWORD, expect, login, test, type StreetHub } from './street-hub.js';

/**
 * The login screen under guessing and with a second factor (docs/security.md "Rate limits", "The
 * inspectors' side"): it says how long the account must wait; a street admin sets up an
 * authenticator from "My account" and the next login asks for its code.
 */
/**
 * The spec's hub on a test clock, so waits pass and authenticator codes change when the test says
 * so, not by the wall clock.
 */
async function clockedHub(street: StreetHub) {
  const clock = testClock(Date.now());
  const app = await buildHub(await hubOptions(street.store, { now: clock.now }), { forceCloseConnections: true });
  street.defer(() => app.close());
  await app.listen({ port: await freePort(), host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, clock };
}

test('the login screen says how long the account must wait after a run of wrong passwords', async ({ page, street }) => {
  await street.account('admin');
  const { url, clock } = await clockedHub(street);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Five wrong passwords for the account (from a script, as a guesser would): the owner is told to wait.
  const guesser = inspectorSession(url);
  for (let i = 0; i < 5; i++) expect((await guesser.post('/api/auth/login', { name: 'admin', password: `guess-${i}` })).statusCode).toBe(401);
  await page.goto(`${url}/dashboard/`);
  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('尝试次数过多，请 1 秒后再试');
  // The first wait is one second; then the right password works.
  clock.advance(1000);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('account')).toContainText('admin');
});

test('a street admin sets up an authenticator from My account, and the next login asks for its code', async ({ page, street }) => {
  await street.account('admin');
  const { url, clock } = await clockedHub(street);
  await page.setViewportSize({ width: 1280, height: 800 });
  await login(page, url);

  // Set up the authenticator: the current password first (a session alone is not enough), then the
  // QR code and the link, confirmed with a code from "the phone".
  await page.getByTestId('nav-account').click();
  await page.getByTestId('totp-start').click();
  await expect(page.getByTestId('totp-error')).toHaveText('请输入当前密码后再设置身份验证器');
  await page.getByTestId('totp-password').fill('not my password');
  await page.getByTestId('totp-start').click();
  await expect(page.getByTestId('totp-error')).toHaveText('当前密码不对');
  await expect(page.getByTestId('totp-qr')).toHaveCount(0);
  await page.locator('totp-setup').screenshot({ path: 'test-results/totp-password-wrong.png' });
  await page.getByTestId('totp-password').fill(PASSWORD);
  await page.getByTestId('totp-start').click();
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  const uri = (await page.getByTestId('totp-uri').textContent())!.trim();
  const secret = new URL(uri).searchParams.get('secret')!;
  await page.screenshot({ path: 'test-results/totp-setup-1280x800.png', fullPage: true });
  await page.getByTestId('totp-code').fill(totpCode(secret, clock.now()));
  await page.getByTestId('totp-confirm').click();
  await expect(page.getByTestId('totp-status')).toHaveAttribute('data-enrolled', 'true');
  await page.getByTestId('tracing-totp').check();
  await expect(page.getByTestId('tracing-totp')).toBeChecked();
  expect(await street.store.streetSettings.security('street')).toEqual({ tracingRequiresTotp: true });

  // The next login asks for the code after the password.
  await page.getByTestId('logout').click();
  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('请输入身份验证器 App 上的 6 位动态验证码');
  // Half a minute on (the code used at set-up is spent); first a code the hub cannot accept now
  // (none of the three it takes, one step either side).
  clock.advance(30_000);
  const good = new Set([-1, 0, 1].map((d) => totpCode(secret, clock.now() + d * 30_000)));
  await page.getByTestId('login-code').fill(['000000', '111111', '222222', '333333', '444444'].find((c) => !good.has(c))!);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('动态验证码不对或已用过，请等下一个验证码');
  await page.screenshot({ path: 'test-results/login-code-1280x800.png', fullPage: true });
  await page.getByTestId('login-code').fill(totpCode(secret, clock.now()));
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('account')).toContainText('admin');
});

test('a street admin whose session has no second factor cannot change the street setting, and is told why tracing is refused', async ({ page, street }) => {
  await seedVenue(street.store, 'venue-a');
  await street.account('admin');
  await street.store.streetSettings.setSecurity('street', { tracingRequiresTotp: true }, Date.now(), 'test');
  const url = await street.listen();
  await page.setViewportSize({ width: 1280, height: 800 });
  await login(page, url, 'admin', '#/account');
  await expect(page.getByTestId('tracing-totp')).toBeChecked();
  await expect(page.getByTestId('tracing-totp')).toBeDisabled();

  await page.getByTestId('nav-tracing').click();
  await page.getByTestId('tracing-venue').selectOption('venue-a');
  await page.getByTestId('tracing-reason').fill('确诊病例 2026-118 流调');
  await page.getByTestId('tracing-run').click();
  await expect(page.getByTestId('forbidden')).toHaveText(/流调查询需要用动态验证码登录/);
  expect((await street.store.audit.list({ limit: 20 })).map((e) => e.action)).not.toContain('tracing_run');
});
