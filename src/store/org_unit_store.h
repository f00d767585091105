// OrgUnitStore: the durable org tree (省 → 市 → 县 → 镇 → 村), as flat rows.
//
// The service keeps the tree itself in memory (model::OrgTree); the store
// only loads and writes units. Thread-safety: as Store (store.h).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "model/org_unit.h"
#include "model/status.h"

namespace tianbao::store {

struct UpsertSummary {
  std::size_t inserted = 0;
  std::size_t updated = 0;
};

class OrgUnitStore {
 public:
  virtual ~OrgUnitStore() = default;

  // All org units, parents before children is NOT guaranteed.
  virtual StatusOr<std::vector<model::OrgUnit>> load_org_units() = 0;
  // Inserts new units and updates the name/level/kind/parent of existing ones
  // (matched by code), all in one transaction. A unit's parent must exist in
  // the store or come earlier in `units`.
  virtual StatusOr<UpsertSummary> upsert_org_units(std::span<const model::OrgUnit> units) = 0;
  // Adds one unit; AlreadyExists if the code is taken, NotFound if the parent is missing.
  virtual Status insert_org_unit(const model::OrgUnit& unit) = 0;
};

}  // namespace tianbao::store
