import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The database holds password and door-PIN hashes and patrons' contact numbers, so its folder is
 * 0700 and its files 0600, whatever the process's umask (docs/security.md "Files"). SQLite creates
 * the WAL and shared-memory files with the database file's own permissions, so a database file that
 * exists, 0600, before SQLite opens it is enough for all three; a file an older hub left readable
 * is tightened when it is next opened.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and its parents) if needed and makes it private to the hub's user. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes an SQLite file (and its folder) private before SQLite opens it: creates it empty, 0600, if
 * it does not exist, and tightens it and its `-wal` and `-shm` files if they do.
 */
export function privateDatabaseFile(file: string): void {
  privateDir(dirname(file));
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const side of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(`${file}${side}`)) tighten(`${file}${side}`, PRIVATE_FILE_MODE);
  }
}

/**
 * A new private file where someone else chose the folder (`npm run backup -- --to FILE`): folders
 * it creates are 0700, an existing folder is left as it is (it may be /tmp or a shared mount), and
 * the file itself is created 0600 before anything is written to it.
 */
export function privateFileIn(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}

function tighten(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (e) {
    // A folder the hub's user does not own (a shared mount) cannot be changed; it stays as its owner set it.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
  }
}
