// SqliteStore: the embedded Store backend on SQLite 3.
//
// One connection in WAL mode with synchronous=FULL and foreign keys on;
// prepared statements only. Calls are serialised by a mutex: SQLite allows
// one writer at a time anyway, and the reads that matter for speed are
// served from memory (the org tree, the cube), not from here.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"

struct sqlite3;

namespace tianbao::store {

class SqliteStore final : public Store {
 public:
  static StatusOr<std::unique_ptr<Store>> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  StatusOr<int> schema_version() override;
  StatusOr<std::vector<model::OrgUnit>> load_org_units() override;
  StatusOr<UpsertSummary> upsert_org_units(std::span<const model::OrgUnit> units) override;
  Status insert_org_unit(const model::OrgUnit& unit) override;
  StatusOr<std::optional<std::string>> get_setting(std::string_view key) override;
  Status set_setting(std::string_view key, std::string_view value) override;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status migrate();  // REQUIRES: mu_ held or not yet shared

  std::mutex mu_;
  sqlite3* db_;  // owned; closed in the destructor
};

}  // namespace tianbao::store
