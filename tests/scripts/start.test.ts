import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs what `npm start` runs, on a temp data dir, and returns its output once it printed the URLs. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const printed = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('Stop with Ctrl+C')) {
        clearInterval(timer);
        resolve(out);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited ${code}:\n${out}`));
    });
  });
  return { child, printed, exited, output: () => out };
}

describe('npm start', () => {
  const tmp = tempDir();
  afterEach(() => tmp.remove());

  it('seeds the demo street once, prints where the kiosk is, serves it, and stops cleanly', async () => {
    const port = await freePort();
    const first = start({ DATA_DIR: tmp.dir, PORT: String(port) });
    const text = await first.printed;
    expect(text).toContain('demo street created');
    const kioskUrl = /Kiosk:\s+(\S+)/.exec(text)?.[1];
    expect(kioskUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/kiosk/\\?enrol=[2-9A-Z]{4}-[2-9A-Z]{4}$`));
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    const page = await fetch(kioskUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<kiosk-app>');
    // The patron page of the demo entrance, reached through its poster code, with its script built.
    const patronUrl = /Patron:\s+(\S+)/.exec(text)?.[1];
    expect(patronUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/v/p\\.`));
    const patron = await (await fetch(patronUrl!)).text();
    expect(patron).toContain('星光KTV');
    const script = /src="(\/ui\/patron\.js\?v=\w+)"/.exec(patron)?.[1];
    expect((await fetch(`http://127.0.0.1:${port}${script}`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A second start keeps the data and prints a fresh one-time code.
    const second = start({ DATA_DIR: tmp.dir, PORT: String(port) });
    const again = await second.printed;
    expect(again).toContain('existing data');
    expect(/enrol=(\S+)/.exec(again)?.[1]).not.toBe(/enrol=(\S+)/.exec(text)?.[1]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('refuses a bad environment variable by name and exits non-zero', async () => {
    const bad = start({ DATA_DIR: tmp.dir, PORT: 'eighty' });
    await expect(bad.printed).rejects.toThrow(/PORT/);
    expect(await bad.exited).toBe(1);
  });
});
