import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { privateDatabaseFile } from './private-files.js';

export type Db = Database.Database;

/**
 * Opens the hub's SQLite file and brings its schema up to date.
 *
 * WAL lets readers (dashboards) run beside the single writer. synchronous=FULL
 * because a batch is acknowledged to the kiosk after COMMIT and the kiosk then
 * stops resending it: a commit the OS could still lose on power failure would
 * be a silently lost record. The cost is measured in scripts/bench/ingest.ts.
 * The folder and files are private to the hub's user (private-files.ts).
 */
export function openDatabase(file: string): Db {
  // 0700 folder, 0600 files (docs/security.md "Files").
  if (file !== ':memory:') privateDatabaseFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (SQLite's default is 2 MiB): a record's rows land at random places in
  // the id and time indices, and a busy day's index pages then stay in memory.
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this hub knows (${MIGRATIONS.length}); upgrade the hub`,
    );
  }
  if (current === MIGRATIONS.length) return;
  // Foreign keys off while the schema changes (SQLite's way to rebuild a table whose columns or
  // CHECKs change: https://www.sqlite.org/lang_altertable.html#otheralter, the pragma is a no-op
  // inside a transaction); each migration proves them whole before it commits.
  db.pragma('foreign_keys = OFF');
  try {
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
        if (broken.length > 0) {
          throw new Error(`migration ${v + 1} left ${broken.length} rows whose foreign key names nothing (first: ${broken[0]!.table} -> ${broken[0]!.parent})`);
        }
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
