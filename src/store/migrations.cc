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

constexpr std::array kMigrations = {
    Migration{1, "org units and settings", kOrgUnits},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace tianbao::store
