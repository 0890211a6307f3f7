/**
 * The read worker (docs/architecture.md "Reads off the ingest path"): a thread
 * of its own with a READ-ONLY connection to the hub's SQLite file, answering
 * the dashboard's and tracing's reads so a long one (the weekly report, the
 * street overview, a trace) never holds up the main thread, where kiosks'
 * batches are stored and acknowledged. The file is in WAL mode, so each read
 * sees what was committed when it began, while the main thread goes on writing.
 * The connection is wrapped as an Sql (sqliteSql) and the repositories are the
 * ones every store builds over its Sql (read-pool.ts readRepositories); a
 * transaction on a read-only connection takes no write lock, only a snapshot.
 *
 * Started by read-pool.ts with `workerData: { file }`; answers
 * `{ id, repo, method, args }` with `{ id, ok: true, value }` or
 * `{ id, ok: false, error: { message, name, stack, code } }`.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { createAggregates } from './aggregates.js';
import { readRepositories, type ReadReply, type ReadRequest, type ReadWorkerData } from './read-pool.js';
import { createRuleContext } from './rule-context.js';
import { sqliteSql } from './sql.js';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread (hub/src/store/read-pool.ts starts it)');

const { file } = workerData as ReadWorkerData;
const db = new Database(file, { readonly: true, fileMustExist: true });
// The main thread's group commit or a checkpoint can hold the file briefly: wait as the main connection does.
db.pragma('busy_timeout = 5000');
// The aggregates are only read here (doors, hours, spans): never apply or rebuild on this connection.
const repos = readRepositories(sqliteSql(db), createAggregates(createRuleContext())) as unknown as Record<ReadRequest['repo'], Record<string, unknown>>;

function failure(id: number, err: unknown): ReadReply {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { id, ok: false, error: { message: e.message, name: e.name, stack: e.stack, ...(typeof code === 'string' ? { code } : {}) } };
}

port.on('message', async (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    const fn = Object.hasOwn(repos, req.repo) ? repos[req.repo][req.method] : undefined;
    if (typeof fn !== 'function') throw new TypeError(`no read ${req.repo}.${req.method}`);
    reply = { id: req.id, ok: true, value: await (fn as (...args: unknown[]) => Promise<unknown>)(...req.args) };
  } catch (err) {
    reply = failure(req.id, err);
  }
  try {
    port.postMessage(reply);
  } catch (err) {
    // A value that cannot cross to the main thread (a function, a symbol) is an error of the read, not a hang.
    port.postMessage(failure(req.id, err));
  }
});
