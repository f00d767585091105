#include "store/migrations.h"

#include <array>

namespace tianbao::store {

namespace {

constexpr std::string_view kOrgUnits = R"sql(
CREATE TABLE org_unit (
  id         INTEGER PRIMARY KEY,
  code       TEXT    NOT NULL UNIQUE,
  name       TEXT    NOT NULL,
  level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  kind       TEXT    NOT NULL CHECK (kind IN ('region', 'department')),
  parent_id  INTEGER REFERENCES org_unit(id),
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX org_unit_parent ON org_unit(parent_id);
CREATE TABLE setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

constexpr std::string_view kAccounts = R"sql(
CREATE TABLE app_user (
  id                   INTEGER PRIMARY KEY,
  username             TEXT    NOT NULL UNIQUE,
  display_name         TEXT    NOT NULL,
  -- NULL only for system administrators created by `tianbao init`, who
  -- belong to no unit and act everywhere.
  org_unit_id          INTEGER REFERENCES org_unit(id),
  password_hash        TEXT    NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 1,
  disabled             INTEGER NOT NULL DEFAULT 0,
  failed_logins        INTEGER NOT NULL DEFAULT 0,
  locked_until         INTEGER NOT NULL DEFAULT 0,
  totp_secret          TEXT    NOT NULL DEFAULT '',
  created_at           INTEGER NOT NULL,
  password_changed_at  INTEGER NOT NULL
);
CREATE TABLE user_role (
  user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  role    TEXT    NOT NULL CHECK (role IN ('sysadmin', 'admin', 'approver', 'filler', 'viewer')),
  PRIMARY KEY (user_id, role)
);
CREATE TABLE user_session (
  id_hash    TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  csrf_token TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  remote     TEXT    NOT NULL
);
CREATE INDEX user_session_user ON user_session(user_id);
CREATE TABLE api_token (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  token_hash   TEXT    NOT NULL UNIQUE,
  prefix       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  username  TEXT    NOT NULL,
  org_code  TEXT    NOT NULL,
  remote    TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  object    TEXT    NOT NULL,
  outcome   TEXT    NOT NULL,
  detail    TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
-- Append-only: the database itself refuses edits and deletions through SQL
-- issued by tianbao; the SM3 chain detects edits made around it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE contact (
  id           INTEGER PRIMARY KEY,
  org_unit_id  INTEGER NOT NULL REFERENCES org_unit(id),
  name         TEXT    NOT NULL,
  title        TEXT    NOT NULL,
  mobile       TEXT    NOT NULL,
  office_phone TEXT    NOT NULL,
  email        TEXT    NOT NULL,
  note         TEXT    NOT NULL
);
CREATE INDEX contact_org ON contact(org_unit_id);
)sql";

constexpr std::string_view kReporting = R"sql(
CREATE TABLE indicator (
  id          INTEGER PRIMARY KEY,
  code        TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  unit        TEXT    NOT NULL,
  value_type  TEXT    NOT NULL,
  aggregation TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  formula     TEXT    NOT NULL,
  min_value   REAL,
  max_value   REAL,
  definition  TEXT    NOT NULL,
  guidance    TEXT    NOT NULL
);
CREATE TABLE form (
  id          INTEGER PRIMARY KEY,
  code        TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  period_type TEXT    NOT NULL,
  levels      TEXT    NOT NULL,  -- "4,5"
  sections    TEXT    NOT NULL   -- JSON [{"title":…,"indicators":[…]}]
);
CREATE TABLE validation_rule (
  id         INTEGER PRIMARY KEY,
  code       TEXT    NOT NULL UNIQUE,
  name       TEXT    NOT NULL,
  left_expr  TEXT    NOT NULL,
  operator   TEXT    NOT NULL,
  right_expr TEXT    NOT NULL,
  severity   TEXT    NOT NULL CHECK (severity IN ('error', 'warning')),
  message    TEXT    NOT NULL
);
CREATE TABLE task (
  id            INTEGER PRIMARY KEY,
  form_id       INTEGER NOT NULL REFERENCES form(id),
  period        TEXT    NOT NULL,
  deadline      TEXT    NOT NULL,
  due_date      TEXT    NOT NULL,
  issuer_org_id INTEGER NOT NULL REFERENCES org_unit(id),
  title         TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  created_by    TEXT    NOT NULL
);
CREATE TABLE entry (
  task_id       INTEGER NOT NULL REFERENCES task(id),
  org_unit_id   INTEGER NOT NULL REFERENCES org_unit(id),
  status        TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  submitted_at  INTEGER NOT NULL DEFAULT 0,
  explanation   TEXT    NOT NULL DEFAULT '',
  return_reason TEXT    NOT NULL DEFAULT '',
  approvals     TEXT    NOT NULL DEFAULT '',  -- org codes, comma-separated, lowest first
  updated_at    INTEGER NOT NULL DEFAULT 0,
  updated_by    TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (task_id, org_unit_id)
);
CREATE INDEX entry_org ON entry(org_unit_id);
CREATE TABLE entry_event (
  id          INTEGER PRIMARY KEY,
  task_id     INTEGER NOT NULL,
  org_unit_id INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  username    TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  from_status TEXT    NOT NULL,
  to_status   TEXT    NOT NULL,
  reason      TEXT    NOT NULL
);
CREATE INDEX entry_event_entry ON entry_event(task_id, org_unit_id);
CREATE TABLE data_value (
  indicator_id INTEGER NOT NULL REFERENCES indicator(id),
  org_unit_id  INTEGER NOT NULL REFERENCES org_unit(id),
  period       TEXT    NOT NULL,
  value        REAL,
  text_value   TEXT,
  updated_at   INTEGER NOT NULL,
  updated_by   TEXT    NOT NULL,
  channel      TEXT    NOT NULL,
  PRIMARY KEY (indicator_id, org_unit_id, period)
) WITHOUT ROWID;
CREATE INDEX data_value_org ON data_value(org_unit_id, period);
CREATE TABLE data_value_history (
  id           INTEGER PRIMARY KEY,
  indicator_id INTEGER NOT NULL,
  org_unit_id  INTEGER NOT NULL,
  period       TEXT    NOT NULL,
  old_value    TEXT,
  new_value    TEXT,
  at           INTEGER NOT NULL,
  username     TEXT    NOT NULL,
  channel      TEXT    NOT NULL
);
CREATE INDEX data_value_history_key ON data_value_history(indicator_id, org_unit_id, period);
CREATE TABLE notice (
  id          INTEGER PRIMARY KEY,
  org_unit_id INTEGER NOT NULL REFERENCES org_unit(id),
  task_id     INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  message     TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  created_by  TEXT    NOT NULL
);
CREATE INDEX notice_org ON notice(org_unit_id, at);
)sql";

constexpr std::string_view kBulletins = R"sql(
CREATE TABLE bulletin_template (
  id         INTEGER PRIMARY KEY,
  code       TEXT    NOT NULL UNIQUE,
  title      TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('bulletin', 'report')),
  definition TEXT    NOT NULL,  -- the template as JSON (docs/api.md, /api/bulletins)
  updated_at INTEGER NOT NULL,
  updated_by TEXT    NOT NULL
);
)sql";

// Data values laid out for bulk writes: keyed (indicator, period, unit) so
// that a month's import appends to a few places of the tree; who/when/how
// of a write is one `value_write` row shared by every value it wrote; no
// foreign keys on the big table (the store resolves ids from codes just
// before writing, and refuses to delete an indicator that has values).
// History rows are written when a value is replaced or cleared and keep
// the replaced version's who/when, so a value's first write needs none.
constexpr std::string_view kBulkValues = R"sql(
CREATE TABLE value_write (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  username TEXT    NOT NULL,
  channel  TEXT    NOT NULL
);
CREATE TABLE data_value_next (
  indicator_id INTEGER NOT NULL,
  period       TEXT    NOT NULL,
  org_unit_id  INTEGER NOT NULL,
  value        REAL,
  text_value   TEXT,
  write_id     INTEGER NOT NULL,
  PRIMARY KEY (indicator_id, period, org_unit_id)
) WITHOUT ROWID;
INSERT INTO value_write(at, username, channel)
  SELECT DISTINCT updated_at, updated_by, channel FROM data_value;
INSERT INTO data_value_next
  SELECT d.indicator_id, d.period, d.org_unit_id, d.value, d.text_value, w.id
  FROM data_value d JOIN value_write w
    ON w.at = d.updated_at AND w.username = d.updated_by AND w.channel = d.channel
  ORDER BY d.indicator_id, d.period, d.org_unit_id;
DROP TABLE data_value;
ALTER TABLE data_value_next RENAME TO data_value;
ALTER TABLE data_value_history ADD COLUMN old_at INTEGER;
ALTER TABLE data_value_history ADD COLUMN old_username TEXT;
ALTER TABLE data_value_history ADD COLUMN old_channel TEXT;
)sql";

// Data values keyed (period, unit, indicator): a month's figures, however
// a file orders its units, land in one run at the end of the table, where
// SQLite's B-tree inserts cost least, and a unit's form for a period is one
// run of rows. `has_values` lets an indicator that never had a value be
// deleted without scanning the values for it (their key no longer starts
// with the indicator); the writes set it.
constexpr std::string_view kPeriodFirstValues = R"sql(
ALTER TABLE indicator ADD COLUMN has_values INTEGER NOT NULL DEFAULT 0;
UPDATE indicator SET has_values = 1
  WHERE EXISTS (SELECT 1 FROM data_value d WHERE d.indicator_id = indicator.id);
CREATE TABLE data_value_next (
  period       TEXT    NOT NULL,
  org_unit_id  INTEGER NOT NULL,
  indicator_id INTEGER NOT NULL,
  value        REAL,
  text_value   TEXT,
  write_id     INTEGER NOT NULL,
  PRIMARY KEY (period, org_unit_id, indicator_id)
) WITHOUT ROWID;
INSERT INTO data_value_next
  SELECT period, org_unit_id, indicator_id, value, text_value, write_id FROM data_value
  ORDER BY period, org_unit_id, indicator_id;
DROP TABLE data_value;
ALTER TABLE data_value_next RENAME TO data_value;
)sql";

// One cell, one lock (一事一报): `cell_lock` lists the cells (period, unit,
// indicator) each submitted or approved entry holds; every write checks it
// in the same transaction. Tasks can be cancelled, a unit's deadline
// extended, a submission recalled (撤回). Entries handed in before this
// migration hold their form's stored indicators from now on.
constexpr std::string_view kCellLocks = R"sql(
ALTER TABLE task ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE task ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE task ADD COLUMN cancelled_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task ADD COLUMN cancelled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE entry ADD COLUMN due_date TEXT NOT NULL DEFAULT '';
ALTER TABLE entry ADD COLUMN recall_requested_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry ADD COLUMN recall_reason TEXT NOT NULL DEFAULT '';
CREATE TABLE cell_lock (
  period       TEXT    NOT NULL,
  org_unit_id  INTEGER NOT NULL,
  indicator_id INTEGER NOT NULL,
  task_id      INTEGER NOT NULL,
  PRIMARY KEY (period, org_unit_id, indicator_id, task_id)
) WITHOUT ROWID;
CREATE INDEX cell_lock_entry ON cell_lock(task_id, org_unit_id);
INSERT OR IGNORE INTO cell_lock(period, org_unit_id, indicator_id, task_id)
  SELECT t.period, e.org_unit_id, i.id, t.id
  FROM entry e JOIN task t ON t.id = e.task_id JOIN form f ON f.id = t.form_id,
       json_each(f.sections) AS s, json_each(s.value, '$.indicators') AS x
       JOIN indicator i ON i.code = x.value
  WHERE e.status IN ('submitted', 'approved') AND i.formula = '';
)sql";

// How an indicator combines its months (sum, last, average, max), apart
// from how it combines units (`aggregation`); the old `kind` implied it.
constexpr std::string_view kPeriodAggregation = R"sql(
ALTER TABLE indicator ADD COLUMN period_aggregation TEXT NOT NULL DEFAULT 'sum';
UPDATE indicator SET period_aggregation = CASE kind WHEN 'stock' THEN 'last' ELSE 'sum' END;
)sql";

// The change log (change_feed.h): a record per commit that changes what
// nodes keep in memory, and the nodes that follow it, so that it is pruned
// only behind every live one.
constexpr std::string_view kChangeLog = R"sql(
CREATE TABLE change_log (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  kind         TEXT    NOT NULL,
  write_id     INTEGER NOT NULL DEFAULT 0,
  history_from INTEGER NOT NULL DEFAULT 0,
  history_to   INTEGER NOT NULL DEFAULT 0,
  detail       TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE node (
  id          TEXT    PRIMARY KEY,
  applied_seq INTEGER NOT NULL,
  seen_at     INTEGER NOT NULL
);
)sql";

constexpr std::array kMigrations = {
    Migration{1, "org units and settings", kOrgUnits},
    Migration{2, "users, sessions, tokens, audit log, contacts", kAccounts},
    Migration{3, "indicators, forms, rules, tasks, entries, data values, notices", kReporting},
    Migration{4, "bulletin and work-report templates", kBulletins},
    Migration{5, "data values keyed for bulk writes, shared write records", kBulkValues},
    Migration{6, "data values keyed by period and unit, indicators marked when used",
              kPeriodFirstValues},
    Migration{7, "cell locks, task cancellation, per-unit deadlines, recall", kCellLocks},
    Migration{8, "indicators say how they combine over time (periodAggregation)",
              kPeriodAggregation},
    Migration{9, "change log and the nodes that follow it", kChangeLog},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace tianbao::store
