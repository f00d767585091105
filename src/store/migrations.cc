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

constexpr std::array kMigrations = {
    Migration{1, "org units and settings", kOrgUnits},
    Migration{2, "users, sessions, tokens, audit log, contacts", kAccounts},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace tianbao::store
