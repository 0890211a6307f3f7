import { inspectorSession } from '../support/inspector.js';
import { expect, test } from './street-hub.js';

/**
 * A one-time password from `npm run admin` (docs/operations.md "Accounts"): the first login shows
 * only the change-password screen, which checks length, the repeat and "not the old one" before
 * asking the hub; after the change the dashboard opens, the account's other session has ended, and
 * only the new password logs in (docs/security.md "The inspectors' side").
 */
const ONE_TIME = 'Xq7mPz3kRt9wLb2n';
const MINE = '我自己的新密码 2026';

test('the first login with a one-time password asks for a new one before anything else', async ({ page, street }) => {
  await street.store.venues.addCommunity({ id: 'dongfeng', name: '东风社区' });
  await street.store.accounts.create({ name: '东风网格员', role: 'community_inspector', communityId: 'dongfeng', password: ONE_TIME, mustChangePassword: true }, Date.now());
  const url = await street.listen();
  // The same account on another device, logged in with the one-time password too.
  const elsewhere = inspectorSession(url);
  await elsewhere.login('东风网格员', ONE_TIME);

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${url}/dashboard/`);
  await page.getByTestId('login-name').fill('东风网格员');
  await page.getByTestId('login-password').fill(ONE_TIME);
  await page.getByTestId('login-submit').click();

  // Only the change-password screen: no navigation, no street overview.
  await expect(page.getByTestId('password-forced')).toBeVisible();
  await expect(page.getByTestId('nav-street')).toHaveCount(0);
  await expect(page.getByTestId('account')).toContainText('东风网格员');
  await page.screenshot({ path: 'test-results/first-login-1280x800.png', fullPage: true });

  const fill = async (current: string, next: string, again: string) => {
    await page.getByTestId('password-current').fill(current);
    await page.getByTestId('password-new').fill(next);
    await page.getByTestId('password-again').fill(again);
    await page.getByTestId('password-submit').click();
  };
  await fill(ONE_TIME, 'short', 'short');
  await expect(page.getByTestId('password-error')).toHaveText('新密码至少需要 10 个字符');
  await fill(ONE_TIME, MINE, `${MINE}x`);
  await expect(page.getByTestId('password-error')).toHaveText('两次输入的新密码不一致');
  await fill(ONE_TIME, ONE_TIME, ONE_TIME);
  await expect(page.getByTestId('password-error')).toHaveText('新密码不能与当前密码相同');
  await fill('not the password', MINE, MINE);
  await expect(page.getByTestId('password-error')).toHaveText('当前密码不对');
  await fill(ONE_TIME, MINE, MINE);

  // The dashboard opens; the other device's session has ended.
  await expect(page.getByTestId('nav-street')).toBeVisible();
  await expect(page.getByTestId('password-forced')).toHaveCount(0);
  expect((await elsewhere.get('/api/auth/me')).statusCode).toBe(401);

  // Only the new password logs in now, straight to the dashboard.
  await page.getByTestId('logout').click();
  await page.getByTestId('login-name').fill('东风网格员');
  await page.getByTestId('login-password').fill(ONE_TIME);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('账号或密码不对');
  await page.getByTestId('login-password').fill(MINE);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-street')).toBeVisible();
  await expect(page.getByTestId('password-forced')).toHaveCount(0);

  // And from "My account" it can be changed again at any time.
  await page.getByTestId('nav-account').click();
  await fill(MINE, '又换了一个新密码 2027', '又换了一个新密码 2027');
  await expect(page.getByTestId('password-done')).toBeVisible();
});
