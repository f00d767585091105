// Internal to the SQLite backend: appending to the change log (change_feed.h)
// inside a writer's transaction, and what a value record's detail holds.
// Include only from sqlite_*.cc.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/status.h"
#include "store/change_feed.h"

namespace tianbao::store {

// The cells of a value record: listed one by one for a small write (a
// form's save), by the periods it wrote for a large one (an import), so
// that the record stays small and reading it back stays cheap either way.
struct ValueChangeDetail {
  struct Cell {
    std::string indicator;
    std::string org_code;
    std::string period;
  };
  static constexpr std::size_t kMostCells = 256;

  std::vector<Cell> cells;
  std::vector<std::string> periods;

  std::string text() const;
};
ValueChangeDetail parse_value_change_detail(const std::string& text);

// Appends `change` (its seq ignored) in the open transaction; returns its seq.
StatusOr<std::int64_t> append_change(sqlite3* db, const ChangeRecord& change);

}  // namespace tianbao::store
