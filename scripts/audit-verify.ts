import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../hub/src/config.js';
import { verifyAuditChain } from '../hub/src/store/audit.js';
import { sqliteSql } from '../hub/src/store/sql.js';
import { parseFlags } from './cli.js';

/**
 * Checks the audit log's hash chain (docs/security.md "The audit log"):
 *
 *   npm run audit:verify -- [--file DATA_DIR/hub.sqlite] [--head ID:HASH] [--json]
 *
 * Exit 0 and the head (the newest entry's id and hash: write it down somewhere else, e.g. with
 * the weekly report) when every entry holds; exit 1 naming the first entry that does not. With
 * `--head`, also exit 1 if the entry written down earlier is no longer in the chain with that
 * hash (the newest entries were removed, or the whole chain was rewritten). Reads only; the hub
 * may keep running.
 */
const flags = parseFlags(
  z.object({
    file: z.string().min(1).optional(),
    head: z
      .string()
      .regex(/^\d+:[0-9a-f]{64}$/, 'ID:HASH, as a previous run printed it')
      .optional(),
    json: z.boolean().default(false),
  }),
);
const file = flags.file ?? loadConfig().dbFile;
if (!existsSync(file)) {
  process.stderr.write(`no database at ${file}\n`);
  process.exit(2);
}
const db = new Database(file, { readonly: true, fileMustExist: true });
const columns = db.prepare<[], { name: string }>('PRAGMA table_info(audit_log)').all().map((c) => c.name);
if (!columns.includes('hash')) {
  process.stderr.write(`${file} is from a hub that did not chain its audit log yet: start the hub once to upgrade it\n`);
  process.exit(2);
}
const sql = sqliteSql(db);
const verdict = await verifyAuditChain(sql);
let headProblem: string | undefined;
if (verdict.ok && flags.head) {
  const [id, hash] = flags.head.split(':') as [string, string];
  const row = await sql.get<{ hash: string | null }>('SELECT hash FROM audit_log WHERE id = ?', [Number(id)]);
  if (!row) headProblem = `entry #${id} written down earlier is gone: the newest entries were removed`;
  else if (row.hash !== hash) headProblem = `entry #${id} no longer has the hash written down earlier: the chain was rewritten`;
}
await sql.close();

const time = (ms: number) => new Date(ms).toISOString();
if (flags.json) {
  process.stdout.write(`${JSON.stringify(headProblem ? { ...verdict, ok: false, head_problem: headProblem } : verdict)}\n`);
} else if (!verdict.ok) {
  process.stdout.write(`audit log BROKEN at entry #${verdict.broken.id} (${verdict.broken.action}, ${time(verdict.broken.at)}): ${verdict.broken.reason}\n`);
} else if (headProblem) {
  process.stdout.write(`audit log BROKEN: ${headProblem}\n`);
} else {
  const head = verdict.head ? `head ${verdict.head.id}:${verdict.head.hash}` : 'no entries yet';
  process.stdout.write(`audit log intact: ${verdict.entries} entries, ${head}\n`);
}
process.exit(verdict.ok && !headProblem ? 0 : 1);
