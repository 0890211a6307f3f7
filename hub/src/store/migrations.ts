/**
 * Schema migrations, applied in order; the index + 1 is SQLite's user_version
 * after it. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE communities (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
  );
  CREATE TABLE venues (
    id             TEXT PRIMARY KEY,
    community_id   TEXT NOT NULL REFERENCES communities(id),
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    rated_capacity INTEGER NOT NULL CHECK (rated_capacity >= 0)
  );
  CREATE TABLE entrances (
    id       TEXT PRIMARY KEY,
    venue_id TEXT NOT NULL REFERENCES venues(id),
    name     TEXT NOT NULL
  );
  CREATE TABLE policies (
    version      INTEGER PRIMARY KEY,
    body         TEXT NOT NULL,
    activated_at INTEGER NOT NULL
  );
  CREATE TABLE enrolment_codes (
    code_hash   TEXT PRIMARY KEY,
    entrance_id TEXT NOT NULL REFERENCES entrances(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    kiosk_id    TEXT
  );
  CREATE TABLE kiosks (
    id           TEXT PRIMARY KEY,
    entrance_id  TEXT NOT NULL REFERENCES entrances(id),
    venue_id     TEXT NOT NULL REFERENCES venues(id),
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at   INTEGER
  );
  -- One row per patron at a door. (kiosk_id, seq) and id both identify a
  -- record, so a resent batch is recognised either way.
  CREATE TABLE entrance_records (
    id             TEXT PRIMARY KEY,
    kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
    seq            INTEGER NOT NULL,
    venue_id       TEXT NOT NULL REFERENCES venues(id),
    kiosk_time     TEXT NOT NULL,
    kiosk_time_ms  INTEGER NOT NULL,
    received_at    INTEGER NOT NULL,
    policy_version INTEGER NOT NULL,
    decision       TEXT NOT NULL CHECK (decision IN ('admit', 'refuse')),
    reasons        TEXT NOT NULL,
    skipped        TEXT NOT NULL,
    skipped_count  INTEGER NOT NULL,
    checks         TEXT NOT NULL,
    UNIQUE (kiosk_id, seq)
  );
  CREATE INDEX entrance_records_venue_time ON entrance_records (venue_id, kiosk_time_ms);
  `,
  // Opening hours (JSON {open, close} in local time, NULL = always open) and the
  // venue's UTC offset, for the door decision (issue 4).
  `
  ALTER TABLE venues ADD COLUMN opening_hours TEXT;
  ALTER TABLE venues ADD COLUMN utc_offset_minutes INTEGER NOT NULL DEFAULT 480;
  `,
];
