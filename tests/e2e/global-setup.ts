import { existsSync } from 'node:fs';
import { ensureBuilds } from '../../scripts/ensure-build.js';

export default async function globalSetup(): Promise<void> {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`no Chromium at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  await ensureBuilds();
}
