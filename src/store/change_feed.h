// ChangeFeed: the store's change log — every commit that changes what a
// node keeps in memory (values for the cube, the org tree, the catalogue)
// appends one record with a sequence number, in the same transaction, from
// whichever process made it. Each node applies the records past the last
// one it applied, in order, so a `tianbao import` run beside a server
// reaches the server's cube, and several nodes stay alike.
//
// A value record is small whatever the size of the write: it names the
// write, the history rows it added and its cells (a large write: the
// periods it touched), and values_changed() reads the cells from the store. The log is pruned only
// behind every live node (record_node()).
//
//   ASSIGN_OR_RETURN(auto changes, feed.changes_since(last, 1000));
//   for (const ChangeRecord& c : changes)
//     if (c.kind == ChangeKind::kValues) feed.values_changed(c, apply);
//
// Thread-safety: as Store (store.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "store/millis.h"

namespace tianbao::store {

enum class ChangeKind {
  kValues,     // data values written or cleared
  kOrgUnits,   // the org tree changed
  kCatalogue,  // indicators, forms or rules changed
};
std::string_view change_kind_name(ChangeKind kind);  // "values", "org_units", "catalogue"

struct ChangeRecord {
  std::int64_t seq = 0;
  Millis at = 0;
  ChangeKind kind = ChangeKind::kValues;
  // kValues: the write record of the commit and the history rows it added
  // (history_from > history_to: none); detail names its cells, or for a
  // large write the periods it wrote (the backend's own encoding).
  std::int64_t write_id = 0;
  std::int64_t history_from = 0;
  std::int64_t history_to = 0;
  std::string detail;
};

// A cell a value record changed: its number now, or nullopt if it holds
// none (cleared, or a text value). Views valid during the call only.
using ChangedCellVisitor = std::function<void(std::string_view indicator, std::string_view org_code,
                                              std::string_view period, std::optional<double>)>;

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  // The sequence number of the newest record, 0 if none.
  virtual StatusOr<std::int64_t> latest_change() = 0;
  // Whether another connection or process may have committed since the
  // last call (SQLite: PRAGMA data_version moved). Cheap: for polling.
  virtual StatusOr<bool> changed_elsewhere() = 0;
  // Up to `limit` records after `seq`, in order.
  virtual StatusOr<std::vector<ChangeRecord>> changes_since(std::int64_t seq,
                                                            std::size_t limit) = 0;
  // The cells a kValues record changed, as the store holds them now (a
  // later record that changed one again will say so in its turn).
  virtual Status values_changed(const ChangeRecord& change, const ChangedCellVisitor& visit) = 0;
  // A node says it is alive and has applied everything up to `applied_seq`.
  virtual Status record_node(std::string_view node, std::int64_t applied_seq, Millis at) = 0;
  // Drops the records every node seen alive since `live_since` has applied
  // (nodes not seen since are forgotten); returns how many were dropped.
  virtual StatusOr<std::size_t> prune_changes(Millis live_since) = 0;
};

}  // namespace tianbao::store
