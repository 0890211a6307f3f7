import { chromium } from '@playwright/test';

/**
 * Re-takes the two pictures in README.md (docs/img/door.png, docs/img/dashboard.png)
 * against a hub started with `npm start` on a fresh DATA_DIR:
 *
 *   PORT=18080 DATA_DIR=$(mktemp -d) npm start
 *   node --import tsx scripts/docs-screenshots.ts <kiosk link> <admin password>
 *
 * Both arguments are what `npm start` prints on its first run ("Kiosk:" and the
 * admin's one-time password under "Dashboard:"). The kiosk is enrolled with the
 * link, the demo door staff member 王芳 signs in with PIN 1234 and admits one
 * routine patron (36.5 °C), and the door is shot at 1024×600 (a small door
 * tablet); the dashboard is shot at 1280×800, logged in as admin.
 * Viewport only, so each PNG stays small. Not part of `npm test`.
 */
const [kioskLink, adminPassword, outDir = 'docs/img'] = process.argv.slice(2);
if (!kioskLink || !adminPassword) {
  process.stderr.write('usage: node --import tsx scripts/docs-screenshots.ts <kiosk link> <admin password> [out dir]\n');
  process.exit(1);
}
const base = new URL(kioskLink).origin;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const door = await browser.newPage({ viewport: { width: 1024, height: 600 } });
  await door.goto(kioskLink);
  await door.getByTestId('staff-xingguang-ktv-wangfang').click();
  for (const d of '1234') await door.getByTestId(`pad-${d}`).click();
  await door.getByTestId('start-shift').click();
  await door.getByTestId('operator').waitFor();
  // One routine patron, as at a real door: the digits on the pad, then 常规通行.
  for (const ch of '36.5') await door.getByTestId('entrance-pad').getByTestId(`pad-${ch}`).click();
  await door.getByTestId('routine').click();
  await door.getByTestId('saved').waitFor();
  await door.evaluate(() => window.scrollTo(0, 0));
  await door.waitForTimeout(500);
  await door.screenshot({ path: `${outDir}/door.png` });

  const dash = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await dash.goto(`${base}/dashboard/`);
  await dash.getByTestId('login-name').fill('admin');
  await dash.getByTestId('login-password').fill(adminPassword);
  await dash.getByTestId('login-submit').click();
  await dash.getByTestId('login-name').waitFor({ state: 'detached' });
  await dash.waitForTimeout(1500);
  await dash.screenshot({ path: `${outDir}/dashboard.png` });
} finally {
  await browser.close();
}
