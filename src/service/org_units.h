// OrgUnits: the use cases over the org-unit tree — look up, list children,
// search, add a department, load the administrative divisions.
//
// The tree lives in memory as an immutable model::OrgTree snapshot; reads
// take the current snapshot without touching the store. A write goes to the
// store first (durable commit), then a new snapshot is built from the store's
// units and published. Readers that still hold the old snapshot finish on it,
// which is why snapshots are shared_ptr<const OrgTree> rather than owned by
// one party.
//
//   ASSIGN_OR_RETURN(auto units, OrgUnits::load(store));
//   ASSIGN_OR_RETURN(OrgUnitInfo zj, units->get("4408"));
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
#include "store/store.h"

namespace tianbao::service {

// One unit as the API shows it.
struct OrgUnitInfo {
  model::OrgUnit unit;
  std::string path;  // "/44/4408/440802"
  std::size_t child_count = 0;
};

struct OrgUnitQuery {
  std::string q;                     // substring of the name, or prefix of the code
  std::optional<int> level;          // 1–5
  std::optional<std::string> parent; // restrict to this unit's subtree (excluding itself)
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

  static StatusOr<std::unique_ptr<OrgUnits>> load(store::Store& store);

  // The current tree snapshot; never null.
  std::shared_ptr<const model::OrgTree> tree() const;

  StatusOr<OrgUnitInfo> get(std::string_view code) const;
  StatusOr<std::vector<OrgUnitInfo>> children(std::string_view code) const;
  StatusOr<OrgUnitPage> search(const OrgUnitQuery& query) const;

  StatusOr<OrgUnitInfo> add_department(const NewDepartment& department);
  // Inserts or updates the given regions (parents first) in one transaction.
  StatusOr<DivisionLoadSummary> load_divisions(const std::vector<model::OrgUnit>& units);

 private:
  OrgUnits(store::Store& store, std::shared_ptr<const model::OrgTree> tree)
      : store_(store), tree_(std::move(tree)) {}
  Status reload();  // REQUIRES: write_mu_ held
  void publish(std::shared_ptr<const model::OrgTree> tree);

  store::Store& store_;
  std::mutex write_mu_;               // serialises writers
  mutable std::mutex snapshot_mu_;    // guards tree_ (the pointer, not the tree)
  std::shared_ptr<const model::OrgTree> tree_;
};

OrgUnitInfo describe(const model::OrgTree& tree, model::Ordinal o);

}  // namespace tianbao::service
