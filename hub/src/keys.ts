import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { generatePassKeys } from '../../shared/rules/pass-signature.js';
import { PRIVATE_FILE_MODE, privateDir } from './store/private-files.js';

/**
 * The hub's own secrets, kept in a key file beside the database and never in
 * it (the pass-signing key and the contact key; docs/security.md): a copied database
 * alone can neither sign passes nor read phone numbers. Created on first start
 * with mode 0600.
 */
const Jwk = z.looseObject({ kty: z.string() });
export const HubKeys = z.object({
  /** ECDSA P-256 pair that signs patrons' passes; kiosks get the public half at enrolment. */
  passSigning: z.object({ privateKey: Jwk, publicKey: Jwk }),
  /** AES-256-GCM key for contact numbers at rest, base64. */
  contactKey: z.base64().refine((k) => Buffer.from(k, 'base64').length === 32, 'a 32-byte key'),
});
export type HubKeys = z.infer<typeof HubKeys>;

export async function newHubKeys(): Promise<HubKeys> {
  return { passSigning: await generatePassKeys(), contactKey: randomBytes(32).toString('base64') } as HubKeys;
}

/**
 * Reads the key file, or creates it if there is none. A malformed file stops the hub: it is never
 * overwritten. Several hub processes starting at once on one data dir (docs/operations.md "A district
 * on PostgreSQL") end up with one set of keys: the file appears whole or not at all (written aside,
 * then hard-linked into place, which fails if another process's file got there first), and a process
 * that loses the race reads the winner's.
 */
export async function loadOrCreateKeys(file: string): Promise<HubKeys> {
  if (existsSync(file)) return readKeys(file);
  const keys = await newHubKeys();
  privateDir(dirname(file));
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(keys, null, 2), { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  try {
    linkSync(tmp, file);
    return keys;
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
    return readKeys(file);
  } finally {
    unlinkSync(tmp);
  }
}

function readKeys(file: string): HubKeys {
  const parsed = HubKeys.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`key file ${file} is not valid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
