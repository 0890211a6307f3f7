/**
 * Schema migrations, applied in order; the index + 1 is SQLite's user_version
 * after it. Never edit a released migration: append a new one.
 *
 * THE RULE for both databases: a new migration appends ONE entry here AND ONE
 * entry to POSTGRES_MIGRATIONS in migrations-postgres.ts (the same change in
 * PostgreSQL's words), so both reach the same schema at the same version
 * (tests/hub/schema-parity.test.ts).
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
  // venue's UTC offset, for the door decision.
  `
  ALTER TABLE venues ADD COLUMN opening_hours TEXT;
  ALTER TABLE venues ADD COLUMN utc_offset_minutes INTEGER NOT NULL DEFAULT 480;
  `,
  // One ledger of every kiosk record, whatever its type: (kiosk_id, seq)
  // and id are unique across types, so exactly-once holds for all of them.
  // entrance_records stays the projection the dashboards query.
  `
  CREATE TABLE kiosk_records (
    id            TEXT PRIMARY KEY,
    kiosk_id      TEXT NOT NULL REFERENCES kiosks(id),
    seq           INTEGER NOT NULL,
    venue_id      TEXT NOT NULL REFERENCES venues(id),
    type          TEXT NOT NULL,
    kiosk_time    TEXT NOT NULL,
    kiosk_time_ms INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    operator_id   TEXT,
    body          TEXT NOT NULL,
    UNIQUE (kiosk_id, seq)
  );
  CREATE INDEX kiosk_records_venue_type_time ON kiosk_records (venue_id, type, kiosk_time_ms);
  INSERT INTO kiosk_records (id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, body)
    SELECT id, kiosk_id, seq, venue_id, 'entrance', kiosk_time, kiosk_time_ms, received_at,
           json_object('checks', json(checks), 'decision', decision, 'reasons', json(reasons), 'policyVersion', policy_version)
      FROM entrance_records;
  ALTER TABLE entrance_records ADD COLUMN operator_id TEXT;
  -- The correction record that undid this entrance, if any (records are never deleted).
  ALTER TABLE entrance_records ADD COLUMN corrected_by TEXT;

  -- Officers named per venue (000 §2(4)): JSON {prevention: {name, phone}, disinfection: {name, phone}}.
  ALTER TABLE venues ADD COLUMN officers TEXT NOT NULL DEFAULT '{}';
  -- Staff who may work the door; the PIN is stored as a salted PBKDF2 hash the kiosk can check offline.
  CREATE TABLE venue_staff (
    id       TEXT PRIMARY KEY,
    venue_id TEXT NOT NULL REFERENCES venues(id),
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    pin_salt TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX venue_staff_venue ON venue_staff (venue_id);
  `,
  // Which policy version each kiosk has acknowledged, and when: the policy is pushed live, and the hub must know who enforces it.
  `
  ALTER TABLE kiosks ADD COLUMN policy_version_acked INTEGER;
  ALTER TABLE kiosks ADD COLUMN policy_acked_at INTEGER;
  `,
  // Patron passes (docs/architecture.md "Patron QR flow"). Each venue gets the secret its kiosks sign the venue code and pass
  // codes with (hex of 32 random bytes, read as base64url key material like any other secret).
  // A pass is stored when issued (the scan event); entrance records point to the pass they used.
  `
  ALTER TABLE venues ADD COLUMN code_secret TEXT;
  UPDATE venues SET code_secret = lower(hex(randomblob(32)));
  CREATE TABLE passes (
    id             TEXT PRIMARY KEY,
    venue_id       TEXT NOT NULL REFERENCES venues(id),
    entrance_id    TEXT NOT NULL REFERENCES entrances(id),
    kiosk_id       TEXT REFERENCES kiosks(id),
    source         TEXT NOT NULL CHECK (source IN ('live', 'poster')),
    code           TEXT NOT NULL,
    code_minute    INTEGER NOT NULL,
    code_n         INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    policy_version INTEGER NOT NULL,
    people         INTEGER NOT NULL,
    verdict        TEXT NOT NULL,
    declaration    TEXT NOT NULL,
    signed         TEXT NOT NULL,
    contact        TEXT,
    left_at        INTEGER,
    UNIQUE (venue_id, code_minute, code_n)
  );
  -- The next pass number per venue and issue minute (the code's middle characters), taken with
  -- one atomic upsert so concurrent issuers never share a code.
  CREATE TABLE pass_numbers (
    venue_id TEXT NOT NULL,
    minute   INTEGER NOT NULL,
    next     INTEGER NOT NULL,
    PRIMARY KEY (venue_id, minute)
  ) WITHOUT ROWID;
  CREATE INDEX passes_venue_issued ON passes (venue_id, issued_at);
  CREATE INDEX passes_venue_code ON passes (venue_id, code, code_minute);
  CREATE INDEX passes_venue_left ON passes (venue_id, left_at) WHERE left_at IS NOT NULL;
  ALTER TABLE entrance_records ADD COLUMN pass_id TEXT;
  ALTER TABLE entrance_records ADD COLUMN pass_person INTEGER;
  CREATE INDEX entrance_records_pass ON entrance_records (pass_id, pass_person) WHERE pass_id IS NOT NULL;
  -- Compliance flags (shared/rules/flags; pass_reused is raised at ingest). One open flag per
  -- venue, rule and window; evidence is JSON (record ids, counts).
  CREATE TABLE flags (
    id         INTEGER PRIMARY KEY,
    venue_id   TEXT NOT NULL REFERENCES venues(id),
    rule       TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'violation')),
    window_key TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    opened_at  INTEGER NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    UNIQUE (venue_id, rule, window_key)
  );
  `,
  // Secrets split by who may hold them. Each kiosk signs its own live venue code
  // (a lost tablet cannot mint another door's codes); posters are signed with a secret kiosks
  // never receive; venues.code_secret stays the venue's pass-code secret its kiosks share.
  `
  ALTER TABLE kiosks ADD COLUMN code_secret TEXT;
  UPDATE kiosks SET code_secret = lower(hex(randomblob(32)));
  ALTER TABLE venues ADD COLUMN poster_secret TEXT;
  UPDATE venues SET poster_secret = lower(hex(randomblob(32)));
  `,
  // The inspectors' accounts and server-side sessions (only hashes stored), the audit log
  // of every inspector and admin action, and the life of a flag (actions with deadlines, visits).
  `
  CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('street_admin', 'community_inspector')),
    community_id  TEXT REFERENCES communities(id),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER,
    CHECK ((role = 'street_admin') = (community_id IS NULL))
  );
  CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_account ON sessions (account_id);
  CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    account_id   TEXT,
    account_name TEXT,
    action       TEXT NOT NULL,
    target       TEXT,
    detail       TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  ALTER TABLE flags ADD COLUMN updated_at INTEGER;
  ALTER TABLE flags ADD COLUMN deadline INTEGER;
  ALTER TABLE flags ADD COLUMN note TEXT;
  UPDATE flags SET updated_at = opened_at;
  CREATE INDEX flags_venue_status ON flags (venue_id, status);
  CREATE INDEX flags_opened ON flags (opened_at);
  CREATE TABLE flag_events (
    id         INTEGER PRIMARY KEY,
    flag_id    INTEGER NOT NULL REFERENCES flags(id),
    at         INTEGER NOT NULL,
    account_id TEXT REFERENCES accounts(id),
    action     TEXT NOT NULL,
    note       TEXT,
    deadline   INTEGER,
    visited_at INTEGER
  );
  CREATE INDEX flag_events_flag ON flag_events (flag_id);
  `,
  // Indices for the inspectors' read model (hub/src/store/dashboard.ts), each measured on
  // the 5-million-record street of scripts/bench/dashboard.ts (docs/benchmarks.md).
  // - entrance_records_venue_outcome: admissions, refusals and skipped records of a venue over a
  //   day or a week (overview, day, ranking, weekly report) from the index alone, never the rows
  //   with their JSON; it also serves the log's time-range pages.
  // - entrance_records_venue_skipped: the log filtered to skipped checks (what inspectors hunt
  //   for) reads only those records, however few a venue has among its thousands.
  // - entrance_records_kiosk_admits: the occupancy fold's admissions since a door's close-out,
  //   read from the index alone; they are most of the rows the street overview reads.
  // - kiosk_records_close_out: a door's last close-out, where the occupancy fold starts (the same
  //   terms as OccupancyRepository.byVenue's query, which the kiosk socket runs after every batch).
  `
  CREATE INDEX entrance_records_venue_outcome ON entrance_records (venue_id, kiosk_time_ms, decision, skipped_count, corrected_by);
  CREATE INDEX entrance_records_venue_skipped ON entrance_records (venue_id, kiosk_time_ms) WHERE skipped_count > 0;
  CREATE INDEX entrance_records_kiosk_admits ON entrance_records (kiosk_id, kiosk_time_ms, seq) WHERE decision = 'admit';
  CREATE INDEX kiosk_records_close_out ON kiosk_records (kiosk_id, seq, kiosk_time_ms)
    WHERE type = 'occupancy' AND json_extract(body, '$.kind') = 'close_out';
  `,
  // Street administration.
  // - kiosks: what each kiosk last reported (app version, records it still held, its clock against
  //   the hub's), and how it left: retired at the door (outbox drained) or revoked at the hub.
  // - enrolment_codes: who issued a code (the audit log has the rest).
  // - policies: a policy is street-wide (community_id NULL) or for one community; versions stay one
  //   street-wide sequence, and a kiosk enforces the newest version that covers its community.
  // - policy_schedules: a switch set for a later time, applied by the hub when due.
  // - venues.updated_at: registry edits (import, form) are dated.
  // - passes_contact_issued: the retention job finds contact numbers past their period from the index.
  `
  ALTER TABLE kiosks ADD COLUMN app_version TEXT;
  ALTER TABLE kiosks ADD COLUMN backlog INTEGER;
  ALTER TABLE kiosks ADD COLUMN clock_skew_ms INTEGER;
  ALTER TABLE kiosks ADD COLUMN status_at INTEGER;
  ALTER TABLE kiosks ADD COLUMN retired_at INTEGER;
  ALTER TABLE kiosks ADD COLUMN revoked_by TEXT;
  ALTER TABLE kiosks ADD COLUMN revoke_reason TEXT;
  ALTER TABLE enrolment_codes ADD COLUMN issued_by TEXT;
  ALTER TABLE policies ADD COLUMN community_id TEXT REFERENCES communities(id);
  ALTER TABLE policies ADD COLUMN created_by TEXT;
  ALTER TABLE policies ADD COLUMN note TEXT;
  CREATE INDEX policies_scope ON policies (community_id, version);
  CREATE TABLE policy_schedules (
    id              INTEGER PRIMARY KEY,
    community_id    TEXT REFERENCES communities(id),
    body            TEXT NOT NULL,
    due_at          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by      TEXT,
    note            TEXT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'cancelled')),
    applied_version INTEGER,
    settled_at      INTEGER
  );
  CREATE INDEX policy_schedules_due ON policy_schedules (due_at) WHERE status = 'pending';
  ALTER TABLE venues ADD COLUMN updated_at INTEGER;
  CREATE INDEX passes_contact_issued ON passes (issued_at) WHERE contact IS NOT NULL;
  `,
  // Venue registry: an entrance where a pass was ever issued cannot be removed (the pass
  // points to it); the registry asks that of every entrance it lists, and passes are the big table.
  `
  CREATE INDEX passes_entrance ON passes (entrance_id);
  `,
  // Revoking a stolen tablet rotates its venue's pass-code secret (the tablet held it).
  // The venue's other kiosks keep the previous one for passes issued before the rotation, until
  // they expire, so they need it and when it was replaced.
  `
  ALTER TABLE venues ADD COLUMN code_secret_previous TEXT;
  ALTER TABLE venues ADD COLUMN code_secret_rotated_at INTEGER;
  `,
  // The one definition of the policy in force for a community: the newest version that is
  // street-wide or for that community (versions are one street-wide sequence, so a later street-wide
  // switch overrides an earlier community one). Every SQL reader uses this view; NULL columns mean
  // no switch has covered the community yet: the normal preset (version 1, never stored) is in force.
  // `override` is 1 when the version in force is the community's own. The time-travel history of the
  // flag rules applies the same rule in TypeScript: policiesFor in shared/rules/flags/policies-for.ts.
  `
  CREATE VIEW community_policy AS
    SELECT c.id AS community_id, p.version, p.body, p.activated_at, coalesce(p.community_id = c.id, 0) AS override
      FROM communities c
      LEFT JOIN policies p ON p.version =
        (SELECT max(q.version) FROM policies q WHERE q.community_id IS NULL OR q.community_id = c.id);
  `,
  // Reservations (003 §13). Per venue, whether it takes bookings and its slots; one row per booking
  // (a party in one slot), apart from passes: a booking is made ahead, not a scan at the door, and
  // must not count as one (scans_below_admissions). Booking codes are numbered from pass_numbers
  // like passes, so a code is never shared between a pass and a booking of a venue.
  `
  CREATE TABLE venue_booking (
    venue_id     TEXT PRIMARY KEY REFERENCES venues(id),
    mode         TEXT NOT NULL CHECK (mode IN ('off', 'optional', 'required')),
    slot_minutes INTEGER NOT NULL,
    slot_cap     INTEGER NOT NULL CHECK (slot_cap >= 1),
    max_party    INTEGER NOT NULL,
    days_ahead   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   TEXT
  );
  CREATE TABLE bookings (
    id             TEXT PRIMARY KEY,
    venue_id       TEXT NOT NULL REFERENCES venues(id),
    slot_start     INTEGER NOT NULL,
    slot_end       INTEGER NOT NULL,
    people         INTEGER NOT NULL CHECK (people >= 1),
    code           TEXT NOT NULL,
    code_minute    INTEGER NOT NULL,
    code_n         INTEGER NOT NULL,
    booked_at      INTEGER NOT NULL,
    policy_version INTEGER NOT NULL,
    verdict        TEXT NOT NULL,
    declaration    TEXT NOT NULL,
    signed         TEXT NOT NULL,
    contact        TEXT,
    cancelled_at   INTEGER
  );
  CREATE INDEX bookings_venue_slot ON bookings (venue_id, slot_start) WHERE cancelled_at IS NULL;
  CREATE INDEX bookings_contact_booked ON bookings (booked_at) WHERE contact IS NOT NULL;
  `,
  // One script must not take every seat with made-up parties. A booking
  // that gave a number keeps a keyed hash of it (HMAC with the hub's contact key of the normalised
  // number; never the number, which is sealed in `contact` and purged on its retention period) so
  // the hub caps live bookings per number, venue and day without decrypting anything.
  `
  ALTER TABLE bookings ADD COLUMN phone_key TEXT;
  CREATE INDEX bookings_phone_key ON bookings (venue_id, phone_key, slot_start) WHERE phone_key IS NOT NULL AND cancelled_at IS NULL;
  `,
  // Who cancelled a booking — null from the booking's own page, 'street_office' when
  // a street admin cancelled it (audited) — so the patron's page can say so. Doors refuse cancelled
  // bookings' QR: the index finds the cancelled ids of slots not yet over for a connecting kiosk.
  `
  ALTER TABLE bookings ADD COLUMN cancelled_by TEXT CHECK (cancelled_by IN ('street_office'));
  CREATE INDEX bookings_cancelled_slot ON bookings (venue_id, slot_end) WHERE cancelled_at IS NOT NULL;
  `,
  // Running figures (hub/src/store/aggregates.ts), kept in the same transaction as the records so
  // a batch is judged and a door counted at the cost of the batch: people inside per kiosk since its
  // last close-out, and per venue and venue-local hour/day/ISO week what the flag rules read (JSON of
  // shared/rules/flags/window-facts.ts). aggregate_state says they were built from the records there
  // were (an upgraded hub builds them once, when it opens the file).
  `
  CREATE TABLE door_counts (
    kiosk_id   TEXT PRIMARY KEY REFERENCES kiosks (id),
    venue_id   TEXT NOT NULL,
    inside     INTEGER NOT NULL,
    reset_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    since_ms   INTEGER,
    stale      INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE window_facts (
    venue_id TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('hour', 'day', 'week')),
    start    INTEGER NOT NULL,
    facts    TEXT NOT NULL,
    PRIMARY KEY (venue_id, kind, start)
  ) WITHOUT ROWID;
  CREATE TABLE aggregate_state (
    name     TEXT PRIMARY KEY,
    built_at INTEGER NOT NULL
  );
  `,
  // A batch's pass flags (raised in its ingest transaction, stamped with its arrival) are read back
  // by venue and that instant: an index seek, not a scan of every flag the venue ever had.
  `
  CREATE INDEX flags_venue_updated ON flags (venue_id, updated_at);
  `,
  // A venue's kiosks and entrances are read by venue on every batch and every connection (the
  // doors' counts, the venue profile): by index, not a scan of the street's tablets. door_counts.held
  // is how many records the hub holds from each kiosk (the kiosk view's figure), kept as they are
  // stored; the running figures are built again once, so it counts what is already there.
  `
  CREATE INDEX kiosks_venue ON kiosks (venue_id);
  CREATE INDEX entrances_venue ON entrances (venue_id);
  ALTER TABLE door_counts ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
  DELETE FROM aggregate_state;
  `,
  // The audit log is a hash chain (store/audit.ts): each entry's hash covers its fields and the
  // hash before it. The entries already there (up to `upto`) are sealed in order, once, the next
  // time the store opens; `sealed_at` then says it was done, and nothing is ever sealed again.
  `
  ALTER TABLE audit_log ADD COLUMN hash TEXT;
  CREATE TABLE audit_seal (upto INTEGER NOT NULL, sealed_at INTEGER);
  INSERT INTO audit_seal (upto) SELECT coalesce(max(id), 0) FROM audit_log;
  `,
  // The patron form's ticket a pass was made for: the same form sent again gets the same pass.
  `
  ALTER TABLE passes ADD COLUMN ticket TEXT;
  CREATE UNIQUE INDEX passes_ticket ON passes (ticket) WHERE ticket IS NOT NULL;
  `,
  // The street's admissions and no-phone admissions per venue-local day (no_phone_share's usual share),
  // and the hours' new figures (missing checks, no-phone share): built again once from the records.
  `
  CREATE TABLE street_days (
    start      INTEGER PRIMARY KEY,
    admissions INTEGER NOT NULL,
    no_phone   INTEGER NOT NULL
  ) WITHOUT ROWID;
  DELETE FROM aggregate_state;
  `,
  // Suspension orders (停业整顿, 000 §5(2)): one venue admits nobody from starts_at (the venue-local
  // midnight of from_date) to ends_at (the midnight after to_date), unless lifted earlier. Ordering
  // and lifting are audit-logged; the kiosks read a venue's orders not yet over, by this index.
  `
  CREATE TABLE venue_suspensions (
    id          INTEGER PRIMARY KEY,
    venue_id    TEXT NOT NULL REFERENCES venues (id),
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL CHECK (ends_at > starts_at),
    reason      TEXT NOT NULL,
    ordered_at  INTEGER NOT NULL,
    ordered_by  TEXT,
    lifted_at   INTEGER,
    lifted_by   TEXT,
    lift_note   TEXT
  );
  CREATE INDEX venue_suspensions_venue ON venue_suspensions (venue_id, ends_at);
  `,
  // Schools and training centres became two venue types (004 §3.1 stops offline training, §3.2 keeps
  // schools open half-closed). A venue of the old joint type is split by its name, the rule of
  // schoolOrTrainingCentre in shared/schemas/venue.ts: 培训 → training centre; 学校, 小学, 中学, 幼儿园,
  // 大学, 学院 → school; otherwise training centre (the stricter). Stored and scheduled policies
  // (compact JSON) that name the old type: in a list of types it becomes both, so a version still
  // judges its own records as it did; a per-type setting (a cap, a test window, door checks) goes to
  // training centres, and schools follow the default until the street sets theirs.
  `
  UPDATE venues SET type = CASE
      WHEN name LIKE '%培训%' THEN 'training_centre'
      WHEN name LIKE '%学校%' OR name LIKE '%小学%' OR name LIKE '%中学%' OR name LIKE '%幼儿园%'
        OR name LIKE '%大学%' OR name LIKE '%学院%' THEN 'school'
      ELSE 'training_centre'
    END
    WHERE type = 'school_training';
  UPDATE policies SET body = replace(replace(body, '"school_training":', '"training_centre":'), '"school_training"', '"school","training_centre"')
    WHERE body LIKE '%"school_training"%';
  UPDATE policy_schedules SET body = replace(replace(body, '"school_training":', '"training_centre":'), '"school_training"', '"school","training_centre"')
    WHERE body LIKE '%"school_training"%';
  `,
  // Accounts that resist guessing (docs/security.md "Rate limits", "The inspectors' side"): a
  // password from `npm run admin` must be changed at first login; street admins may add a second
  // factor (TOTP, its secret sealed with the contact key, the last step used kept against replay);
  // a session remembers whether it was verified with it. Failed logins are counted per account name
  // (known or not), with the time the next try is allowed, so the slowing survives a restart. A
  // street setting says whether tracing needs a TOTP-verified session.
  `
  ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
  ALTER TABLE accounts ADD COLUMN totp_pending TEXT;
  ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;
  ALTER TABLE sessions ADD COLUMN totp_verified INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE login_failures (
    name            TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    first_failed_at INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL,
    next_try_at     INTEGER NOT NULL,
    run_started_at  INTEGER,
    addresses       TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE street_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT
  );
  `,
  // On-site inspections (000 §3 "逐一过滤", the inspection ledger; docs/inspectors-guide.md "On-site
  // inspection"): one row per visit, stamped with the hub's time and the inspector; the checklist
  // (000 §2(2)) as JSON, with the number of failed points kept beside it for the weekly report. A
  // rectification closed by an inspection names it on its mark_rectified event.
  `
  CREATE TABLE inspections (
    id           INTEGER PRIMARY KEY,
    venue_id     TEXT NOT NULL REFERENCES venues (id),
    at           INTEGER NOT NULL,
    inspector_id TEXT REFERENCES accounts (id),
    items        TEXT NOT NULL,
    failed       INTEGER NOT NULL CHECK (failed >= 0),
    note         TEXT
  );
  CREATE INDEX inspections_venue ON inspections (venue_id, at);
  CREATE INDEX inspections_at ON inspections (at);
  ALTER TABLE flag_events ADD COLUMN inspection_id INTEGER REFERENCES inspections (id);
  `,
  // An inspection saved twice (the form resent after a lost reply) is stored once: the form's own
  // id for the filling-in, unique where given.
  `
  ALTER TABLE inspections ADD COLUMN client_id TEXT;
  CREATE UNIQUE INDEX inspections_client ON inspections (client_id) WHERE client_id IS NOT NULL;
  `,
  // Nothing here, on purpose: PostgreSQL's entry at this version creates socket_io_attachments, the
  // table of @socket.io/postgres-adapter (pushes between hub processes on one database,
  // docs/architecture.md "Several hub processes"). A SQLite file has one hub process, which keeps
  // socket.io's in-memory adapter, so it needs no such table; the entry exists so both databases
  // keep the same version numbers (the rule above).
  `
  -- socket_io_attachments is PostgreSQL's only (migrations-postgres.ts).
  `,
  // The street's day in 32 rows (shard, from the venue's id): every batch of the street adds to its
  // day, and one row per day would make every hub process writing side by side on PostgreSQL wait
  // on that one row until each batch commits. A reader sums the day's rows, as it summed days.
  `
  CREATE TABLE street_days_sharded (
    start      INTEGER NOT NULL,
    admissions INTEGER NOT NULL,
    no_phone   INTEGER NOT NULL,
    shard      INTEGER NOT NULL,
    PRIMARY KEY (start, shard)
  ) WITHOUT ROWID;
  INSERT INTO street_days_sharded (start, admissions, no_phone, shard) SELECT start, admissions, no_phone, 0 FROM street_days;
  DROP TABLE street_days;
  ALTER TABLE street_days_sharded RENAME TO street_days;
  `,
  // Streets as tenants (docs/architecture.md "Streets as tenants"): one deployment holds a city's
  // districts and their streets (the seeds' three levels: the street's plans 000–003, the district
  // command of 003, the city of 004). A community belongs to one street; what is a street's own
  // (its policy versions and schedules, settings, the day's figures, audit entries) names it.
  // Accounts gain two roles: a district admin (district_id) and a city admin (the whole
  // deployment); a street admin names a street; an inspector keeps a community and is of its street.
  // What was here before becomes the street 'street' of the district 'district', renamed by the
  // registry. Tables whose CHECK or NOT NULL changes are rebuilt (the migrator runs with foreign
  // keys off and checks them before committing, database.ts); the view is built again after.
  `
  CREATE TABLE districts (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
  );
  CREATE TABLE streets (
    id          TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts (id),
    name        TEXT NOT NULL
  );
  CREATE INDEX streets_district ON streets (district_id);
  INSERT INTO districts (id, name) VALUES ('district', '本区');
  INSERT INTO streets (id, district_id, name) VALUES ('street', 'district', '本街道');

  DROP VIEW community_policy;
  CREATE TABLE communities_new (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    street_id TEXT NOT NULL REFERENCES streets (id)
  );
  INSERT INTO communities_new (id, name, street_id) SELECT id, name, 'street' FROM communities;
  DROP TABLE communities;
  ALTER TABLE communities_new RENAME TO communities;
  CREATE INDEX communities_street ON communities (street_id);

  CREATE TABLE accounts_new (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role                 TEXT NOT NULL CHECK (role IN ('city_admin', 'district_admin', 'street_admin', 'community_inspector')),
    community_id         TEXT REFERENCES communities (id),
    password_hash        TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    disabled_at          INTEGER,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    totp_secret          TEXT,
    totp_pending         TEXT,
    totp_last_step       INTEGER,
    street_id            TEXT REFERENCES streets (id),
    district_id          TEXT REFERENCES districts (id),
    CHECK ((community_id IS NOT NULL) = (role = 'community_inspector')),
    CHECK ((street_id IS NOT NULL) = (role = 'street_admin')),
    CHECK ((district_id IS NOT NULL) = (role = 'district_admin'))
  );
  INSERT INTO accounts_new (id, name, role, community_id, password_hash, created_at, disabled_at, must_change_password,
      totp_secret, totp_pending, totp_last_step, street_id, district_id)
    SELECT id, name, role, community_id, password_hash, created_at, disabled_at, must_change_password,
      totp_secret, totp_pending, totp_last_step, CASE WHEN role = 'street_admin' THEN 'street' END, NULL
    FROM accounts;
  DROP TABLE accounts;
  ALTER TABLE accounts_new RENAME TO accounts;
  CREATE INDEX accounts_street ON accounts (street_id) WHERE street_id IS NOT NULL;

  -- A version or schedule is the city's (no scope column set), a district's, a street's, or a
  -- community's (community_id, with the street it was of then in street_id).
  ALTER TABLE policies ADD COLUMN street_id TEXT REFERENCES streets (id);
  ALTER TABLE policies ADD COLUMN district_id TEXT REFERENCES districts (id);
  UPDATE policies SET street_id = 'street';
  ALTER TABLE policy_schedules ADD COLUMN street_id TEXT REFERENCES streets (id);
  ALTER TABLE policy_schedules ADD COLUMN district_id TEXT REFERENCES districts (id);
  UPDATE policy_schedules SET street_id = 'street';
  CREATE VIEW community_policy AS
    SELECT c.id AS community_id, p.version, p.body, p.activated_at, coalesce(p.community_id = c.id, 0) AS override
      FROM communities c
      LEFT JOIN policies p ON p.version =
        (SELECT max(q.version) FROM policies q WHERE q.community_id = c.id OR (q.community_id IS NULL AND q.street_id = c.street_id));

  -- Whose entry: the street (or district) it concerns; both null for the city's own acts. The
  -- entries already there are the one street's; they were hashed without a place, and stay so:
  -- place_from is the last of them (store/audit.ts auditHash hashes the place only after it).
  ALTER TABLE audit_log ADD COLUMN street_id TEXT;
  ALTER TABLE audit_log ADD COLUMN district_id TEXT;
  UPDATE audit_log SET street_id = 'street';
  ALTER TABLE audit_seal ADD COLUMN place_from INTEGER NOT NULL DEFAULT 0;
  UPDATE audit_seal SET place_from = (SELECT coalesce(max(id), 0) FROM audit_log);
  CREATE INDEX audit_log_street ON audit_log (street_id, at);

  CREATE TABLE street_settings_new (
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT,
    street_id  TEXT NOT NULL REFERENCES streets (id),
    PRIMARY KEY (street_id, key)
  ) WITHOUT ROWID;
  INSERT INTO street_settings_new (street_id, key, value, updated_at, updated_by) SELECT 'street', key, value, updated_at, updated_by FROM street_settings;
  DROP TABLE street_settings;
  ALTER TABLE street_settings_new RENAME TO street_settings;

  CREATE TABLE street_days_new (
    start      INTEGER NOT NULL,
    admissions INTEGER NOT NULL,
    no_phone   INTEGER NOT NULL,
    shard      INTEGER NOT NULL,
    street_id  TEXT NOT NULL,
    PRIMARY KEY (street_id, start, shard)
  ) WITHOUT ROWID;
  INSERT INTO street_days_new (street_id, start, shard, admissions, no_phone) SELECT 'street', start, shard, admissions, no_phone FROM street_days;
  DROP TABLE street_days;
  ALTER TABLE street_days_new RENAME TO street_days;
  `,
  // One act for the city (docs/policy.md "Levels"): a community enforces the meet of the city's,
  // its district's and its own (its street's or its own) newest versions, field by field the
  // stricter (shared/rules/policy-floor.ts). SQL cannot compute that meet, so community_policy
  // becomes a table of the policy in force per community, written by the store in the same
  // transaction as every version it changes (store/policies.ts refreshCommunityPolicies), and
  // when a community is created or moved. Until now only street and community versions existed,
  // so the old view's rows are exactly the meet.
  `
  CREATE TABLE community_policy_in_force (
    community_id TEXT PRIMARY KEY REFERENCES communities (id),
    version      INTEGER,
    body         TEXT,
    activated_at INTEGER,
    override     INTEGER NOT NULL
  );
  INSERT INTO community_policy_in_force (community_id, version, body, activated_at, override)
    SELECT community_id, version, body, activated_at, override FROM community_policy;
  DROP VIEW community_policy;
  ALTER TABLE community_policy_in_force RENAME TO community_policy;
  `,
];
