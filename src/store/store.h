// Store: the durable state of tianbao behind one interface.
//
// Callers (the service layer) see domain operations only, never SQL; each
// backend (SQLite now, PostgreSQL next) implements them with its own SQL and
// its own bulk paths. Every method is atomic: it commits fully or not at all,
// and a method that returned OK has committed durably (it survives kill -9 of
// the process and, with synchronous=FULL, a power cut).
//
// Schema changes are numbered migrations (migrations.h) applied by open_store()
// before it returns.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store, open_store("sqlite:var/tianbao.db"));
//   ASSIGN_OR_RETURN(auto units, store->load_org_units());
//
// Thread-safety: implementations are safe to call from several threads; they
// serialise access internally.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/org_unit.h"
#include "model/status.h"

namespace tianbao::store {

struct UpsertSummary {
  std::size_t inserted = 0;
  std::size_t updated = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Highest migration applied.
  virtual StatusOr<int> schema_version() = 0;

  // All org units, parents before children is NOT guaranteed.
  virtual StatusOr<std::vector<model::OrgUnit>> load_org_units() = 0;
  // Inserts new units and updates the name/level/kind/parent of existing ones
  // (matched by code), all in one transaction. A unit's parent must exist in
  // the store or come earlier in `units`.
  virtual StatusOr<UpsertSummary> upsert_org_units(std::span<const model::OrgUnit> units) = 0;
  // Adds one unit; AlreadyExists if the code is taken, NotFound if the parent is missing.
  virtual Status insert_org_unit(const model::OrgUnit& unit) = 0;

  // Small named settings (deployment name, reference-data version, …).
  virtual StatusOr<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Status set_setting(std::string_view key, std::string_view value) = 0;
};

// Opens (creating if needed) and migrates the store named by `url`:
// "sqlite:PATH" or a bare PATH for SQLite; "postgresql://…" is recognised but
// not yet implemented.
StatusOr<std::unique_ptr<Store>> open_store(std::string_view url);

}  // namespace tianbao::store
