// Resolution, the first half of an analytics query: the request's items
// (dx, ou, pe and which of them are shown) checked and turned into an
// AnalyticsPlan of typed rows. Each step is a function returning StatusOr,
// with the 中文 message and stable code the caller shows. Execution
// (analytics_execute.h) then runs the plan against one cube snapshot.
//
// The steps that need no org tree run first (`plan_query`); the units are
// resolved afterwards against the very tree snapshot the execution reads
// (`resolve_org_units`), inside the cube's read.
//
// Ids in the plan are views: indicator codes into the catalogue, unit codes
// into the tree snapshot, everything else (periods, 直属 rows) into texts
// the table being built keeps. So the steps that name rows take that table
// as `names` and append the items they name to it, in the order the table
// lists them (indicators, periods, then units).
//
// Usage:
//   AnalyticsTable table;
//   ASSIGN_OR_RETURN(AnalyticsPlan plan, plan_query(request, catalogue, today, table));
//   // under the cube's read, with its tree:
//   ASSIGN_OR_RETURN(plan.units, resolve_org_units(request, tree, who, access, plan, table));
//   RETURN_IF_ERROR(check_size(plan));
//
// Thread-safety: pure functions of their arguments (`names` is written).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "model/org_tree.h"
#include "model/period.h"
#include "service/analytics.h"
#include "service/metadata.h"

namespace tianbao::service {

// Most cells one query may produce.
inline constexpr std::size_t kMaxCells = 200'000;

// The subtrees an ou row sums: almost always one (a 直属 row or a filter
// gathers several), kept inline, since a level of towns is 1,757 rows.
class Ranges {
 public:
  Ranges() = default;
  explicit Ranges(model::SubtreeRange r) : first_(r), size_(1) {}
  void push_back(model::SubtreeRange r) {
    if (size_ == 0) {
      first_ = r;
    } else {
      rest_.push_back(r);
    }
    ++size_;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const model::SubtreeRange& operator[](std::size_t k) const {
    return k == 0 ? first_ : rest_[k - 1];
  }

 private:
  model::SubtreeRange first_;
  std::size_t size_ = 0;
  std::vector<model::SubtreeRange> rest_;
};

// An ou row: its id is a unit's code in the tree snapshot or a text the
// table keeps (a 直属 row's); empty for the one row of an ou filter that
// gathers several units.
struct OrgUnitRow {
  std::string_view id;
  Ranges ranges;
};

// A pe row: almost always one period (a filter gathers several), kept
// inline, since a village's history is 120 of them. The id is kept by the
// table; empty for a filter of several periods.
struct PeriodRow {
  std::string_view id;
  boost::container::small_vector<model::Period, 1> periods;  // aggregated together
};

// The same row a month (`year_ago`: a year) earlier, for 环比 and 同比.
PeriodRow shifted(const PeriodRow& row, bool year_ago);

// The units the ou items name, before expansion: explicit units bound the
// rows, LEVEL-n and CHILDREN say which units under them are the rows.
struct OrgUnitSelection {
  std::vector<model::Ordinal> bounds;  // the listed units, else the caller's unit
  std::optional<int> level;            // LEVEL-n
  bool children = false;               // CHILDREN
};

struct AnalyticsPlan {
  std::vector<Dimension> shown;  // row dimensions, in order; the others filter
  std::vector<Measure> measures;
  std::vector<std::string_view> indicators;  // catalogue codes, in request order
  std::vector<PeriodRow> periods;            // a single row when pe filters
  std::vector<OrgUnitRow> units;             // a single row when ou filters

  bool shows(Dimension d) const;
  bool needs(Measure m) const;
  std::size_t cell_count() const {
    return indicators.size() * units.size() * periods.size() * measures.size();
  }
};

// dx and pe are required ("须指定指标维度 dx"); code "required".
Status check_required(const AnalyticsRequest& request);

// The shown dimensions by name, each at most once ("显示的维度须为 dx、ou、pe
// 各至多一次，收到“period”"); field "dimension", code "invalid_dimension".
StatusOr<std::vector<Dimension>> resolve_shown(const std::vector<std::string>& shown);

// Indicator codes into the catalogue's ("指标 X 不存在", not found,
// "unknown_indicator"); as a filter, one only ("作为筛选条件时 dx 只能有一个
// 指标", "invalid_filter"). Names each indicator in `names`.
StatusOr<std::vector<std::string_view>> resolve_indicators(const std::vector<std::string>& dx,
                                                           bool shown, const Catalogue& catalogue,
                                                           AnalyticsTable& names);

// Period texts (2022-08, 2022Q3, LAST_12_MONTHS …, relative to `today`)
// into one row per period, or, as a filter, one row of them all (named by
// the text when there is one). Errors are model::resolve_periods's.
StatusOr<std::vector<PeriodRow>> resolve_periods(const std::vector<std::string>& pe, bool shown,
                                                 model::YearMonth today, AnalyticsTable& names);

// The ou items: LEVEL-n (n in 1..5, else "invalid_level"), CHILDREN, unit
// codes and USER_ORGUNIT (the caller's unit). A unit the tree lacks or
// outside the caller's scope is "单位 X 不存在" (not found,
// "unknown_org_unit"); other refusals of `access` pass through. No unit
// listed: the caller's own, or the roots for a caller without one.
StatusOr<OrgUnitSelection> resolve_org_unit_items(const std::vector<std::string>& ou,
                                                  const model::OrgTree& tree, const Principal& who,
                                                  const Access& access);

// The rows of a selection: the bounds themselves, their regions at a level
// (in tree order) or their child regions; with `own_departments`, a 直属
// row per region that has departments. As a filter, one row of them all.
// Names each row in `names` and lists the ou dimension there.
std::vector<OrgUnitRow> expand_org_units(const OrgUnitSelection& selection, bool shown,
                                         bool own_departments, const model::OrgTree& tree,
                                         AnalyticsTable& names);

// At most kMaxCells cells ("查询结果过大（N 个单元格），请缩小范围",
// "too_many_cells").
Status check_size(const AnalyticsPlan& plan);

// The steps that need no tree, in the order their errors take precedence:
// required, shown, indicators, periods. Sets `names`'s shown and measures.
StatusOr<AnalyticsPlan> plan_query(const AnalyticsRequest& request, const Catalogue& catalogue,
                                   model::YearMonth today, AnalyticsTable& names);

// The units of `request` against `tree` (items, then expansion).
StatusOr<std::vector<OrgUnitRow>> resolve_org_units(const AnalyticsRequest& request,
                                                    const model::OrgTree& tree,
                                                    const Principal& who, const Access& access,
                                                    const AnalyticsPlan& plan,
                                                    AnalyticsTable& names);

// The dx and pe dimensions of the answer's metadata (ou's is listed by
// expand_org_units).
void name_dimensions(const AnalyticsPlan& plan, AnalyticsTable& names);

}  // namespace tianbao::service
