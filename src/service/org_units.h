// OrgUnits: the use cases over the org-unit tree — look up, list children,
// search, add a department, load the administrative divisions — each
// scoped to the caller through Access.
//
// The tree lives in memory as an immutable model::OrgTree snapshot
// (OrgTreeSnapshots); reads take the current snapshot without touching the
// store. A write goes to the store first (durable commit), then a new
// snapshot is built and published.
//
//   OrgUnits units(store, snapshots, access, audit);
//   RETURN_IF_ERROR(units.load());
//   ASSIGN_OR_RETURN(OrgUnitInfo zj, units.get(who, "4408"));
//
// Thread-safety: all methods are safe to call concurrently; writes are
// serialised among themselves.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/org_tree.h"
#include "model/status.h"
#include "service/access.h"
#include "service/audit_log.h"
#include "service/principal.h"
#include "service/tree_snapshots.h"
#include "store/org_unit_store.h"

namespace tianbao::service {

// One unit as the API shows it.
struct OrgUnitInfo {
  model::OrgUnit unit;
  std::string path;  // "/44/4408/440802"
  std::size_t child_count = 0;
};

struct OrgUnitQuery {
  std::string q;                      // substring of the name, or prefix of the code
  std::optional<int> level;           // 1–5
  std::optional<std::string> parent;  // restrict to this unit's subtree (excluding itself)
  std::size_t offset = 0;
  std::size_t limit = 50;
};

struct OrgUnitPage {
  std::vector<OrgUnitInfo> units;
  std::size_t total = 0;  // matches before offset/limit
};

struct NewDepartment {
  std::string code;
  std::string name;
  std::string parent;  // code of the region it belongs to
};

struct DivisionLoadSummary {
  std::size_t inserted = 0;
  std::size_t updated = 0;
  std::size_t total_units = 0;
};

class OrgUnits {
 public:
  static constexpr std::size_t kMaxPageSize = 1000;

  OrgUnits(store::OrgUnitStore& store, OrgTreeSnapshots& snapshots, const Access& access,
           AuditLog& audit)
      : store_(store), snapshots_(snapshots), access_(access), audit_(audit) {}

  // Builds the first snapshot from the store.
  Status load();

  // The current tree snapshot; never null. Unscoped: for other services.
  std::shared_ptr<const model::OrgTree> tree() const { return snapshots_.current(); }

  // A unit in the caller's scope, or one of the caller's superiors.
  StatusOr<OrgUnitInfo> get(const Principal& who, std::string_view code) const;
  // Children of a unit in the caller's scope.
  StatusOr<std::vector<OrgUnitInfo>> children(const Principal& who, std::string_view code) const;
  // Units of the caller's scope matching the query.
  StatusOr<OrgUnitPage> search(const Principal& who, const OrgUnitQuery& query) const;

  StatusOr<OrgUnitInfo> add_department(const Principal& who, const NewDepartment& department);
  // Inserts or updates the given regions (parents first) in one
  // transaction. Only a system administrator may do this.
  StatusOr<DivisionLoadSummary> load_divisions(const Principal& who,
                                               const std::vector<model::OrgUnit>& units);

 private:
  Status reload();  // REQUIRES: write_mu_ held

  store::OrgUnitStore& store_;
  OrgTreeSnapshots& snapshots_;
  const Access& access_;
  AuditLog& audit_;
  std::mutex write_mu_;  // serialises writers
};

OrgUnitInfo describe(const model::OrgTree& tree, model::Ordinal o);

}  // namespace tianbao::service
