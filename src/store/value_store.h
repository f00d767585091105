// ValueStore: data values (indicator × unit × period) with their full
// history — who wrote each version, when and through which channel.
//
// A batch of writes is one transaction; an unknown indicator or unit
// refuses the whole batch. A cell that an entry holds (CellHolder) is not
// written by any path: such a write is listed in WriteSummary::refused and
// the rest of the batch is written.
//
//   WriteContext ctx{"alice", "api", now};
//   ASSIGN_OR_RETURN(WriteSummary done, values.write_values({{"A01", "4401", "2022-08", 12.0}},
//   ctx));
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

#include "model/reporting.h"
#include "model/status.h"
#include "store/millis.h"

namespace tianbao::store {

// The entry that holds a cell (indicator × unit × period): one that is
// submitted or approved in an open task. While it does, no path writes the
// cell; it must be returned (退回), unapproved (撤销审核) or recalled first.
struct CellHolder {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::int64_t task_id = 0;
  std::string task_title;
  model::EntryStatus status = model::EntryStatus::kSubmitted;
};

// The store's refusal of a step that would change a held cell:
// FailedPrecondition with reason "cell_locked" and the indicator as field.
// Its message is for logs, not for people: the service words the refusal
// from the holder (service/cell_lock_message.h).
inline constexpr std::string_view kCellLocked = "cell_locked";
Status cell_lock_refusal(const CellHolder& holder);

// How a write treats a value that exists (or not) already.
enum class WriteMode {
  kUpsert,      // create or update (the default)
  kCreateOnly,  // skip if a value exists
  kUpdateOnly,  // skip if none exists
};

// A value to write; neither number nor text means "clear it".
struct ValueWrite {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::optional<double> number;
  std::optional<std::string> text;
  WriteMode mode = WriteMode::kUpsert;
};

// What a batch of writes did.
struct WriteSummary {
  std::size_t created = 0;
  std::size_t updated = 0;
  std::size_t deleted = 0;
  std::size_t unchanged = 0;  // same value again, or skipped by the mode
  std::vector<bool> applied;  // per write, in the order given: whether it changed the store
  // Writes refused because an entry holds the cell (index into the batch).
  struct Refusal {
    std::size_t index = 0;
    CellHolder holder;
  };
  std::vector<Refusal> refused;
  // The change-log record of this write (change_feed.h); 0: none (nothing
  // changed, or a backend without a change feed).
  std::int64_t change_seq = 0;
};

struct DataValueRecord {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::optional<double> number;
  std::optional<std::string> text;
  Millis updated_at = 0;
  std::string updated_by;
  std::string channel;  // "form", "import", "api"
};

struct ValueChange {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::optional<std::string> old_value;  // as text; nullopt: there was none
  std::optional<std::string> new_value;  // nullopt: cleared
  Millis at = 0;
  std::string username;
  std::string channel;
};

// Who changes values, when and through which channel, for the history.
struct WriteContext {
  std::string username;
  std::string channel;
  Millis at = 0;
  bool dry_run = false;  // roll back after counting what would change
};

class ValueStore {
 public:
  virtual ~ValueStore() = default;

  virtual StatusOr<WriteSummary> write_values(const std::vector<ValueWrite>& writes,
                                              const WriteContext& context) = 0;
  virtual StatusOr<std::vector<DataValueRecord>> find_values(
      std::string_view org_code, const std::vector<std::string>& periods,
      const std::vector<std::string>& indicators) = 0;
  virtual StatusOr<std::vector<ValueChange>> value_history(std::string_view indicator,
                                                           std::string_view org_code,
                                                           std::string_view period) = 0;
  // Values of the given periods and indicators (empty list: all), to the
  // visitor, in no particular order; the caller filters units.
  virtual Status select_values(const std::vector<std::string>& periods,
                               const std::vector<std::string>& indicators,
                               const std::function<void(const DataValueRecord&)>& visit) = 0;
  // Every stored value, in no particular order.
  virtual Status scan_values(const std::function<void(const DataValueRecord&)>& visit) = 0;
  // Every numeric value, lean: the views are valid only during the call
  // (building the cube at start-up reads 100M of these), but the code
  // views of one indicator or unit point at the same text for the whole
  // scan, so callers may remember what they found by its address.
  using NumberVisitor = std::function<void(std::string_view indicator, std::string_view org_code,
                                           std::string_view period, double value)>;
  virtual Status scan_numbers(const NumberVisitor& visit) = 0;
};

}  // namespace tianbao::store
