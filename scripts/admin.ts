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
 *   npm run admin -- create <name> [--role city_admin|district_admin|street_admin|community_inspector]
 *                              [--street <id>] [--district <id>] [--community <id>]
 *   npm run admin -- reset-password <name>
 *   npm run admin -- reset-totp <name>
 *
 * create and reset-password print a one-time password: shown once, stored only as a scrypt hash,
 * and it must be changed at the first login (the dashboard shows nothing else until it is).
 * reset-totp removes a street admin's second factor (a lost phone): they log in with the password
 * alone and set it up again. Each ends the account's sessions. Every use is in the audit log.
 *
 * Where an account serves follows its role (docs/architecture.md "Streets as tenants"): a street
 * admin names its street with --street (on a deployment with one street it may leave it out), a
 * district admin its district with --district, an inspector its community with --community; the
 * city admin names none. A flag its role does not use is an error, as is a place that is not there.
 */
const [command, name, ...rest] = process.argv.slice(2);
const usage =
  'usage: npm run admin -- create <name> [--role city_admin|district_admin|street_admin|community_inspector] [--street <id>] [--district <id>] [--community <id>]\n       npm run admin -- reset-password <name>\n       npm run admin -- reset-totp <name>';

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

const parsedName = AccountName.safeParse(name ?? '');
if (!command || !['create', 'reset-password', 'reset-totp'].includes(command)) fail(`unknown command: ${command ?? '(none)'}`);
if (!parsedName.success) fail(`<name>: ${parsedName.error.issues[0]?.message}`);

/** The place flag each role takes: required, except a street admin's street on a one-street deployment. */
const PLACE_OF: Record<Role, 'street' | 'district' | 'community' | null> = {
  city_admin: null,
  district_admin: 'district',
  street_admin: 'street',
  community_inspector: 'community',
};
const flags = parseFlags(
  z
    .object({ role: Role.default('street_admin'), street: Id.optional(), district: Id.optional(), community: Id.optional() })
    .superRefine((f, ctx) => {
      const own = PLACE_OF[f.role];
      for (const place of ['street', 'district', 'community'] as const) {
        if (place !== own && f[place] !== undefined) ctx.addIssue({ code: 'custom', path: [place], message: `a ${f.role} does not take --${place}` });
      }
      if ((own === 'district' || own === 'community') && f[own] === undefined) ctx.addIssue({ code: 'custom', path: [own], message: `a ${f.role} needs --${own}` });
    }),
  rest,
);

const config = loadConfig();
const store = await openStore(config.store);
try {
  const password = newPassword();
  const now = Date.now();
  if (command === 'create') {
    // The place named must be there: said plainly, before anything is written.
    if (flags.street !== undefined && !(await store.organisation.street(flags.street))) fail(`--street: no street "${flags.street}"`);
    if (flags.district !== undefined && !(await store.organisation.district(flags.district))) fail(`--district: no district "${flags.district}"`);
    if (flags.community !== undefined && !(await store.organisation.placeOfCommunity(flags.community))) fail(`--community: no community "${flags.community}"`);
    if (flags.role === 'street_admin' && flags.street === undefined && (await store.organisation.streets()).length !== 1) {
      fail('--street: this deployment has several streets: name the street admin\'s street');
    }
    const a = await store.accounts.create(
      { name: parsedName.data, role: flags.role, streetId: flags.street ?? null, districtId: flags.district ?? null, communityId: flags.community ?? null, password, mustChangePassword: true },
      now,
    );
    // In the log of the street (or district) the account serves, where its admins read it.
    await store.audit.record({
      at: now,
      accountId: null,
      accountName: 'npm run admin',
      action: 'account_created',
      target: a.id,
      detail: { name: a.name, role: a.role, communityId: a.communityId, streetId: a.streetId, districtId: a.districtId },
      where: { streetId: a.streetId, districtId: a.districtId },
    });
    const where = a.communityId ? `community ${a.communityId}, street ${a.streetId}` : a.streetId ? `street ${a.streetId}` : a.districtId ? `district ${a.districtId}` : 'the city';
    process.stdout.write(`created ${a.role} ${a.name} (${where})\none-time password: ${password}\nit must be changed at the first login\n`);
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
