import { z } from 'zod';
import { loadConfig } from '../hub/src/config.js';
import { newPassword } from '../hub/src/services/passwords.js';
import { openStore } from '../hub/src/store/index.js';
import { AccountName, Role } from '../shared/schemas/account.js';
import { Id } from '../shared/schemas/common.js';
import { parseFlags } from './cli.js';

/**
 * Accounts of the inspectors' dashboard, on the hub's data dir (DATA_DIR):
 *
 *   npm run admin -- create <name> [--role street_admin|community_inspector] [--community <id>]
 *   npm run admin -- reset-password <name>
 *   npm run admin -- reset-totp <name>
 *
 * create and reset-password print a one-time password: shown once, stored only as a scrypt hash,
 * and it must be changed at the first login (the dashboard shows nothing else until it is).
 * reset-totp removes a street admin's second factor (a lost phone): they log in with the password
 * alone and set it up again. Each ends the account's sessions. Every use is in the audit log.
 */
const [command, name, ...rest] = process.argv.slice(2);
const usage =
  'usage: npm run admin -- create <name> [--role street_admin|community_inspector] [--community <id>]\n       npm run admin -- reset-password <name>\n       npm run admin -- reset-totp <name>';

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

const parsedName = AccountName.safeParse(name ?? '');
if (!command || !['create', 'reset-password', 'reset-totp'].includes(command)) fail(`unknown command: ${command ?? '(none)'}`);
if (!parsedName.success) fail(`<name>: ${parsedName.error.issues[0]?.message}`);

const flags = parseFlags(
  z
    .object({ role: Role.default('street_admin'), community: Id.optional() })
    .refine((f) => (f.role === 'community_inspector') === (f.community !== undefined), {
      path: ['community'],
      message: 'a community inspector needs --community, and only they do',
    }),
  rest,
);

const config = loadConfig();
const store = await openStore(config.store);
try {
  const password = newPassword();
  const now = Date.now();
  if (command === 'create') {
    const a = await store.accounts.create({ name: parsedName.data, role: flags.role, communityId: flags.community ?? null, password, mustChangePassword: true }, now);
    await store.audit.record({ at: now, accountId: null, accountName: 'npm run admin', action: 'account_created', target: a.id, detail: { name: a.name, role: a.role, communityId: a.communityId } });
    process.stdout.write(`created ${a.role} ${a.name}${a.communityId ? ` (community ${a.communityId})` : ''}\none-time password: ${password}\nit must be changed at the first login\n`);
  } else if (command === 'reset-totp') {
    if (!(await store.accounts.clearTotp(parsedName.data))) fail(`no account named ${parsedName.data}`);
    await store.audit.record({ at: now, accountId: null, accountName: 'npm run admin', action: 'totp_reset', target: parsedName.data });
    process.stdout.write(`second factor removed for ${parsedName.data}: they log in with the password and set it up again\n`);
  } else {
    if (!(await store.accounts.setPassword(parsedName.data, password, true))) fail(`no account named ${parsedName.data}`);
    await store.audit.record({ at: now, accountId: null, accountName: 'npm run admin', action: 'password_reset', target: parsedName.data });
    process.stdout.write(`new one-time password for ${parsedName.data}: ${password}\nit must be changed at the first login\n`);
  }
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  fail(/UNIQUE|FOREIGN KEY/.test(message) ? `cannot create: ${/UNIQUE/.test(message) ? 'the name is taken' : 'no such community'}` : message);
} finally {
  await store.close();
}
