// DataImport: bulk data values from files and other systems (DHIS2-style
// dataValueSets), with the same checks as form entry.
//
// Rows come from a RowSource (exchange/ parses JSON, CSV and ADX into
// rows, streaming where the format allows) and are checked one by one:
// the indicator must exist and not be derived, the period must parse, the
// unit must be one the caller may write (filler of it, or administrator
// over it), the value must not sit in a submitted or approved entry, and
// it must pass the same interpretation as entry (5.0万, 1,234, …). Good
// rows are written in batches; bad rows become conflicts naming the row
// and the reason. With atomic, a first pass checks everything and nothing
// is written if anything is wrong. With dry_run nothing is kept, but the
// counts are what a real run would report.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "service/access.h"
#include "service/audit_log.h"
#include "service/clock.h"
#include "service/metadata.h"
#include "service/org_units.h"
#include "store/store.h"

namespace tianbao::service {

struct ImportRow {
  std::size_t line = 0;  // 1-based position in the source (line, or element)
  std::string data_element;
  std::string period;
  std::string org_unit;
  std::optional<std::string> value;  // nullopt: no value given
  bool deleted = false;
};

// Fills `row` and returns true, or returns false at the end; a Status for
// input it cannot read at all (broken JSON, unclosed quote).
using RowSource = std::function<StatusOr<bool>(ImportRow& row)>;
// Opens the source from the start (atomic imports read it twice).
using RowSourceFactory = std::function<StatusOr<RowSource>()>;

enum class ImportStrategy { kCreateAndUpdate, kCreate, kUpdate, kDelete };
StatusOr<ImportStrategy> parse_import_strategy(std::string_view name);

struct ImportOptions {
  ImportStrategy strategy = ImportStrategy::kCreateAndUpdate;
  bool dry_run = false;
  bool atomic = false;
  std::string channel = "import";
};

struct ImportConflict {
  std::string object;  // "第 12 行 YSS_USERS/4408/2022-08"
  std::string value;   // the reason, 中文
};

struct ImportSummary {
  std::string status = "SUCCESS";  // SUCCESS, WARNING (some conflicts), ERROR (nothing written)
  std::size_t imported = 0;
  std::size_t updated = 0;
  std::size_t ignored = 0;
  std::size_t deleted = 0;
  std::vector<ImportConflict> conflicts;  // the first kMaxConflicts
  std::size_t conflict_count = 0;
};

class DataImport {
 public:
  // Values per transaction: large enough that commits (and their fsync)
  // are rare, small enough to hold comfortably in memory.
  static constexpr std::size_t kBatch = 50'000;
  static constexpr std::size_t kMaxConflicts = 1000;

  // Called once each batch's commit has returned, with the writes and what
  // they did (which changed the store, the change-log record).
  using Observer = std::function<void(const std::vector<store::ValueWrite>&,
                                      const store::WriteSummary& written)>;

  DataImport(store::Store& store, const OrgUnits& units, const Metadata& metadata,
             const Access& access, AuditLog& audit, const Clock& clock)
      : store_(store),
        units_(units),
        metadata_(metadata),
        access_(access),
        audit_(audit),
        clock_(clock) {}

  void set_observer(Observer observer) { observer_ = std::move(observer); }

  StatusOr<ImportSummary> run(const Principal& who, const RowSourceFactory& open,
                              const ImportOptions& options);

  // Values for export: the given units (and their subtrees with
  // `children`), periods and indicators; empty lists mean "all".
  StatusOr<std::vector<store::DataValueRecord>> export_values(
      const Principal& who, const std::vector<std::string>& indicators,
      const std::vector<std::string>& org_units, const std::vector<std::string>& periods,
      bool children);

 private:
  class Checker;

  store::Store& store_;
  const OrgUnits& units_;
  const Metadata& metadata_;
  const Access& access_;
  AuditLog& audit_;
  const Clock& clock_;
  Observer observer_;
};

}  // namespace tianbao::service
