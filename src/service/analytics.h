// Analytics: tables of figures over indicators (dx), org units (ou) and
// periods (pe), computed from the cube at request time, so every committed
// value is already included.
//
// Semantics (see also docs/api.md):
//   - over org units, figures sum (or average/min/max per the indicator's
//     aggregation); a region's total includes its departments;
//   - over periods, by the indicator's periodAggregation: sum adds the
//     months, last takes the latest month with data, average is the mean
//     of the monthly figures (each summed over units first) over the months
//     that have one, max the largest monthly figure; a quarter, a year or
//     1–N月 (2022-01..2022-08) aggregates accordingly;
//   - derived indicators are computed on the aggregated operands (ratio of
//     sums, never the sum of ratios);
//   - measures per cell: value, new (本期新增: a stored summed indicator's
//     own figure; for last/average/max indicators, percentages and derived
//     indicators, this period minus the previous — in 个百分点 for a
//     percentage), mom (环比 %), yoy (同比 %), rank
//     (1 = largest among the requested units, per indicator and period).
// Every unit asked for must lie in the caller's scope (404 otherwise, as
// for unknown units); LEVEL-n and CHILDREN expand within the scope.
//
// A query runs in two halves: resolution (analytics_plan.h) turns the
// request into a typed plan, execution (analytics_execute.h) runs the plan
// against one cube snapshot; `Analytics::query` composes them.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cube/cube.h"
#include "model/period.h"
#include "service/access.h"
#include "service/clock.h"
#include "service/metadata.h"
#include "service/org_units.h"
#include "store/store.h"

namespace tianbao::service {

// The three dimensions of a query. Requests and answers name them as
// DHIS2 does, "dx", "ou" and "pe"; they are parsed once, by the planner.
enum class Dimension { kData, kOrgUnit, kPeriod };
std::string_view dimension_name(Dimension d);
std::optional<Dimension> parse_dimension(std::string_view name);

enum class Measure { kValue, kNew, kMom, kYoy, kRank };
std::string_view measure_name(Measure m);
StatusOr<Measure> parse_measure(std::string_view name);

struct AnalyticsRequest {
  // Dimension items in request order; `shown` lists which of "dx", "ou",
  // "pe" are row dimensions (in order), the others are filters. Names as the
  // client sent them: the planner checks and parses them.
  std::vector<std::string> dx, ou, pe;
  std::vector<std::string> shown;
  std::vector<Measure> measures = {Measure::kValue};
  bool own_departments = false;  // add a 直属 row per region (its departments)
};

struct AnalyticsItem {
  std::string_view name;
  std::string_view unit;  // for dx
  int level = 0;          // for ou
};

// The result, stored flat (a query may return hundreds of thousands of
// cells): row r's key for shown dimension d is axis[d][keys[r * shown + d]];
// its cell for measure m is cells[r * measures + m], NaN when empty.
//
// Codes and names are views: of units into the tree snapshot the query
// read, of indicators into the catalogue it used (both kept alive by the
// table), of everything else (periods, 直属 rows) into texts the table owns.
// So a level of 1,757 towns is answered without copying their codes and
// names. Movable, not copyable (the views would point into the original).
struct AnalyticsTable {
  AnalyticsTable() = default;
  AnalyticsTable(AnalyticsTable&&) = default;
  AnalyticsTable& operator=(AnalyticsTable&&) = default;
  AnalyticsTable(const AnalyticsTable&) = delete;
  AnalyticsTable& operator=(const AnalyticsTable&) = delete;

  std::vector<Dimension> shown;
  std::vector<Measure> measures;
  std::vector<std::vector<std::string_view>> axis;  // per shown dimension
  std::vector<std::uint32_t> keys;
  std::vector<double> cells;
  // Names of everything that appears, in no particular order (ids unique).
  std::vector<std::pair<std::string_view, AnalyticsItem>> items;
  // Resolved items per dimension, by its name in the answer ("dx" …).
  std::map<std::string, std::vector<std::string_view>> dimensions;

  const AnalyticsItem* item(std::string_view id) const {
    for (const auto& [k, v] : items) {
      if (k == id) return &v;
    }
    return nullptr;
  }
  std::size_t row_count() const { return measures.empty() ? 0 : cells.size() / measures.size(); }
  std::string_view key(std::size_t row, std::size_t dim) const {
    return axis[dim][keys[row * shown.size() + dim]];
  }
  std::optional<double> cell(std::size_t row, std::size_t measure) const {
    double v = cells[row * measures.size() + measure];
    return std::isnan(v) ? std::nullopt : std::optional<double>(v);
  }

  // A copy of `text` the table keeps for its views: stable, since texts are
  // packed into blocks that never move (moving the table moves none either).
  std::string_view keep(std::string_view text);
  // What the views point into.
  std::shared_ptr<const model::OrgTree> tree;
  std::shared_ptr<const Catalogue> catalogue;

 private:
  static constexpr std::size_t kTextBlock = 4096;
  std::vector<std::unique_ptr<char[]>> texts_;
  std::size_t text_used_ = 0, text_size_ = 0;  // of texts_.back()
};

class Analytics {
 public:
  Analytics(cube::Cube& cube, const OrgUnits& units, const Metadata& metadata, const Access& access,
            const Clock& clock)
      : cube_(cube), units_(units), metadata_(metadata), access_(access), clock_(clock) {}

  // Fills the cube from the store (start-up).
  Status load(store::Store& store);
  // Brings committed writes into the cube; called right after each commit.
  // With `applied` (store::WriteSummary::applied), only the writes that
  // changed the store: one a CREATE import skipped must not reach the cube.
  void apply(const std::vector<store::ValueWrite>& writes, const std::vector<bool>& applied = {});

  StatusOr<AnalyticsTable> query(const Principal& who, const AnalyticsRequest& request);

  const cube::Cube& cube() const { return cube_; }
  // For bulk loading outside the store (the benchmark's generator).
  cube::Cube& cube() { return cube_; }

 private:
  void sync_tree();

  cube::Cube& cube_;
  const OrgUnits& units_;
  const Metadata& metadata_;
  const Access& access_;
  const Clock& clock_;
};

}  // namespace tianbao::service
