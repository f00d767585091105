#include "service/analytics_execute.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <span>
#include <unordered_map>

namespace tianbao::service {

namespace {

std::optional<double> percent_change(std::optional<double> now, std::optional<double> before) {
  if (!now || !before || *before == 0) return std::nullopt;
  return (*now - *before) / std::abs(*before) * 100.0;
}

// The months a query reads, oldest first (count 0: none, or too many to
// keep a block per indicator).
struct MonthWindow {
  int first = 0;
  std::uint32_t count = 0;
};

// Reads indicators' figures as columns, one figure per unit row of the
// plan, for one period row at a time. It keeps what it swept for the query
// (per indicator, a block of totals over the query's month window), so an
// indicator's chunks are swept once however many periods ask for it.
class ColumnReader {
 public:
  using Column = std::vector<std::optional<double>>;  // one per unit row

  ColumnReader(const cube::Cube::View& view, const Catalogue& catalogue,
               const std::vector<OrgUnitRow>& ou, MonthWindow window)
      : view_(view), catalogue_(catalogue), ou_(ou), window_(window) {
    flat_.reserve(ou_.size());
    owner_.reserve(ou_.size());
    for (std::size_t i = 0; i < ou_.size(); ++i) {
      for (std::size_t k = 0; k < ou_[i].ranges.size(); ++k) {
        flat_.push_back(ou_[i].ranges[k]);
        owner_.push_back(static_cast<std::uint32_t>(i));
      }
      single_ = single_ && ou_[i].ranges.size() == 1;
    }
    if (window_.count * std::max<std::size_t>(flat_.size(), ou_.size()) > kBlockBudget) {
      window_.count = 0;
    }
  }

  // An indicator as the run reads it, resolved once per query.
  struct Source {
    const model::Indicator* indicator = nullptr;  // null: unknown code
    const model::Expression* formula = nullptr;   // derived indicators
    cube::Cube::IndicatorId id = cube::Cube::kUnknown;
    std::vector<std::pair<std::string_view, const Source*>> operands;  // of the formula
  };

  const Source& source(std::string_view code) {
    auto it = sources_.find(code);
    if (it != sources_.end()) return it->second;
    Source& s = sources_.try_emplace(std::string(code)).first->second;
    s.indicator = catalogue_.indicator(code);
    if (!s.indicator) return s;
    if (s.indicator->derived()) {
      auto f = catalogue_.formulas.find(s.indicator->code);
      if (f == catalogue_.formulas.end()) return s;
      s.formula = &f->second;
      // The catalogue refuses cycles, so this recursion ends.
      for (const std::string& ref : f->second.references())
        s.operands.emplace_back(ref, &source(ref));
    } else {
      s.id = view_.indicator(code);
    }
    return s;
  }

  // The figure of `s` for every ou item over `pe`, into `out`.
  void values(const Source& s, const PeriodRow& pe, Column& out) {
    const model::Indicator* ind = s.indicator;
    if (ind && s.id != cube::Cube::kUnknown && pe.periods.size() == 1 &&
        pe.periods[0].kind() == model::Period::Kind::kMonth) {
      // One month of a stored indicator (a history is thousands of them):
      // its totals as they are.
      std::span<const cube::Totals> t = totals(
          s.id, cube::Cube::month_id(pe.periods[0].first_month_index()), needs_extremes(*ind));
      out.resize(ou_.size());
      if (t.empty()) {
        std::fill(out.begin(), out.end(), std::nullopt);
      } else {
        for (std::size_t u = 0; u < t.size(); ++u) out[u] = combine(*ind, t[u]);
      }
      return;
    }
    out.assign(ou_.size(), std::nullopt);
    if (!ind) return;
    if (ind->derived()) {
      if (!s.formula) return;
      // Operands by code; a formula mentions a handful, so a linear scan
      // beats a map. The formula then runs once over whole columns.
      std::vector<Column> columns(s.operands.size());
      for (std::size_t k = 0; k < s.operands.size(); ++k)
        values(*s.operands[k].second, pe, columns[k]);
      out = s.formula->evaluate_columns(ou_.size(), [&](std::string_view c) -> const Column* {
        for (std::size_t k = 0; k < s.operands.size(); ++k) {
          if (s.operands[k].first == c) return &columns[k];
        }
        return nullptr;
      });
      return;
    }
    if (s.id == cube::Cube::kUnknown) return;
    const bool extremes = needs_extremes(*ind);
    // The cube's ids of the months covered (a year's or fewer mostly).
    boost::container::small_vector<cube::Cube::PeriodId, 12> months;
    for (const model::Period& p : pe.periods) {
      for (int m = p.first_month_index(); m <= p.last_month_index(); ++m)
        months.push_back(cube::Cube::month_id(m));
    }
    const model::PeriodAggregation over_time = ind->period_aggregation;
    if (over_time == model::PeriodAggregation::kSum && months.size() > 1 &&
        pe.periods.size() == 1 && summed_over_months(*ind)) {
      // A run of months summed: the cube adds them up in one pass.
      const model::Period& p = pe.periods[0];
      std::span<const cube::Totals> t =
          total_over(s.id, p.first_month_index(), static_cast<std::uint32_t>(months.size()));
      for (std::size_t u = 0; u < t.size(); ++u) {
        if (!t[u].empty()) out[u] = t[u].sum;
      }
    } else if (over_time == model::PeriodAggregation::kLast) {
      std::size_t missing = ou_.size();
      for (auto it = months.rbegin(); it != months.rend() && missing > 0; ++it) {
        std::span<const cube::Totals> t = totals(s.id, *it, extremes);
        if (t.empty()) continue;
        for (std::size_t u = 0; u < ou_.size(); ++u) {
          if (out[u]) continue;
          out[u] = combine(*ind, t[u]);
          if (out[u]) --missing;
        }
      }
    } else {
      // Month by month: each month's figure over the units first, then
      // those figures summed, averaged (over the months with one) or maxed.
      months_with_value_.assign(ou_.size(), 0);
      for (cube::Cube::PeriodId m : months) {
        std::span<const cube::Totals> t = totals(s.id, m, extremes);
        if (t.empty()) continue;
        for (std::size_t u = 0; u < ou_.size(); ++u) {
          std::optional<double> v = combine(*ind, t[u]);
          if (!v) continue;
          ++months_with_value_[u];
          out[u] = over_time == model::PeriodAggregation::kMax ? std::max(out[u].value_or(*v), *v)
                                                               : out[u].value_or(0) + *v;
        }
      }
      if (over_time == model::PeriodAggregation::kAverage) {
        for (std::size_t u = 0; u < ou_.size(); ++u) {
          if (out[u]) *out[u] /= months_with_value_[u];
        }
      }
    }
    // A period stored as a whole (a quarterly form's 2022Q3) fills what its
    // months left empty.
    if (pe.periods.size() == 1 && pe.periods[0].kind() != model::Period::Kind::kMonth) {
      std::span<const cube::Totals> t =
          totals(s.id, cube::Cube::period_id(pe.periods[0]), extremes);
      for (std::size_t u = 0; u < ou_.size() && !t.empty(); ++u) {
        if (!out[u]) out[u] = combine(*ind, t[u]);
      }
    }
  }

 private:
  // Most Totals kept for one indicator's window (32 MB): beyond it, each
  // month is read on its own.
  static constexpr std::size_t kBlockBudget = std::size_t{1} << 20;

  static bool needs_extremes(const model::Indicator& ind) {
    return ind.aggregation == model::Aggregation::kMin ||
           ind.aggregation == model::Aggregation::kMax;
  }

  // A flow whose months add up to its total over them: the sum of the
  // monthly sums is the sum of all values (not so for averages, minima).
  static bool summed_over_months(const model::Indicator& ind) {
    return ind.aggregation != model::Aggregation::kAverage && !needs_extremes(ind);
  }

  static std::optional<double> combine(const model::Indicator& ind, const cube::Totals& t) {
    if (t.empty()) return std::nullopt;
    switch (ind.aggregation) {
      case model::Aggregation::kAverage:
        return t.sum / t.count;
      case model::Aggregation::kMin:
        return t.min;
      case model::Aggregation::kMax:
        return t.max;
      default:
        return t.sum;
    }
  }

  // Totals per ou item for `count` periods from `first`, period-major;
  // `any` says which periods have a value anywhere.
  struct Block {
    std::vector<cube::Totals> totals;
    std::vector<bool> any;
  };

  // Totals per ou item over `count` months from `first_month` together.
  std::span<const cube::Totals> total_over(cube::Cube::IndicatorId i, int first_month,
                                           std::uint32_t count) {
    const std::uint64_t key =
        (std::uint64_t{i} << 40) | (static_cast<std::uint64_t>(first_month) << 8) | count;
    auto [it, inserted] = totals_over_.try_emplace(key);
    if (inserted) fill(i, cube::Cube::month_id(first_month), count, false, it->second, true);
    if (!it->second.any[0]) return {};
    return it->second.totals;
  }
  // With `collapse`, the `count` periods are totalled together (one row).
  void fill(cube::Cube::IndicatorId i, cube::Cube::PeriodId first, std::uint32_t count,
            bool extremes, Block& b, bool collapse = false) {
    const std::size_t width = ou_.size();
    const std::uint32_t periods = count;
    auto sweep = [&](std::span<cube::Totals> into) {
      if (collapse) {
        view_.block_total(i, first, periods, flat_, into, extremes);
      } else {
        view_.block(i, first, periods, flat_, into, extremes);
      }
    };
    if (collapse) count = 1;  // rows of the result
    b.totals.resize(count * width);
    if (single_) {
      sweep(b.totals);
    } else {
      scratch_.resize(count * flat_.size());
      sweep(scratch_);
      std::fill(b.totals.begin(), b.totals.end(), cube::Totals{});
      for (std::uint32_t k = 0; k < count; ++k) {
        for (std::size_t f = 0; f < flat_.size(); ++f) {
          const cube::Totals& t = scratch_[k * flat_.size() + f];
          if (!t.empty()) b.totals[k * width + owner_[f]].merge(t);
        }
      }
    }
    b.any.assign(count, false);
    for (std::uint32_t k = 0; k < count; ++k) {
      for (std::size_t u = 0; u < width && !b.any[k]; ++u)
        b.any[k] = !b.totals[k * width + u].empty();
    }
  }

  // Totals per ou item for one period; empty if the indicator has no
  // values there. Valid for the run's lifetime (blocks never move).
  std::span<const cube::Totals> totals(cube::Cube::IndicatorId i, cube::Cube::PeriodId p,
                                       bool extremes) {
    if (p == cube::Cube::kUnknown) return {};
    const std::size_t width = ou_.size();
    if (window_.count > 0 && p >= window_first_ && p - window_first_ < window_.count) {
      // Cells come indicator by indicator: the last block found is the one.
      if (i != last_indicator_) {
        auto [it, inserted] = blocks_.try_emplace(i);
        if (inserted) fill(i, window_first_, window_.count, extremes, it->second);
        last_indicator_ = i;
        last_block_ = &it->second;
      }
      const std::uint32_t k = p - window_first_;
      if (!last_block_->any[k]) return {};
      return {last_block_->totals.data() + k * width, width};
    }
    std::uint64_t key = (std::uint64_t{i} << 32) | p;
    auto [it, inserted] = singles_.try_emplace(key);
    if (inserted) fill(i, p, 1, extremes, it->second);
    if (!it->second.any[0]) return {};
    return {it->second.totals.data(), width};
  }

  const cube::Cube::View& view_;
  const Catalogue& catalogue_;
  const std::vector<OrgUnitRow>& ou_;
  MonthWindow window_;
  cube::Cube::PeriodId window_first_ = cube::Cube::month_id(window_.first);
  cube::Cube::IndicatorId last_indicator_ = cube::Cube::kUnknown;
  const Block* last_block_ = nullptr;  // of last_indicator_ in blocks_ (nodes stay put)
  std::vector<model::SubtreeRange> flat_;
  std::vector<std::uint32_t> owner_;
  bool single_ = true;                                  // one range per item: no regrouping needed
  std::map<std::string, Source, std::less<>> sources_;  // by code; nodes stay put
  std::unordered_map<cube::Cube::IndicatorId, Block> blocks_;  // the window, per indicator
  std::unordered_map<std::uint64_t, Block> singles_;           // (indicator, period) outside it
  std::unordered_map<std::uint64_t, Block> totals_over_;       // (indicator, months) together
  std::vector<cube::Totals> scratch_;
  std::vector<std::uint32_t> months_with_value_;  // per ou item, for averages over months
};

// The months the query reads: its periods, and the ones before them or a
// year earlier when 环比, 本期新增 or 同比 are asked for.
MonthWindow month_window(const AnalyticsPlan& plan) {
  const bool before = plan.needs(Measure::kMom) || plan.needs(Measure::kNew);
  const bool year_ago = plan.needs(Measure::kYoy);
  int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
  auto cover = [&](const model::Period& p) {
    lo = std::min(lo, p.first_month_index());
    hi = std::max(hi, p.last_month_index());
  };
  for (const PeriodRow& row : plan.periods) {
    for (const model::Period& p : row.periods) {
      cover(p);
      if (before) cover(p.previous());
      if (year_ago) cover(p.same_period_last_year());
    }
  }
  if (lo > hi) return {};
  return {lo, static_cast<std::uint32_t>(hi - lo + 1)};
}

// The columns of one (indicator, period row), reused for every pair: a
// village's history is thousands of them.
struct PairColumns {
  ColumnReader::Column values, before, year_ago, ranks;
  bool own = false;  // 本期新增 is the figure itself (a stored flow's)
  std::vector<std::pair<double, std::uint32_t>> sorted;  // value, unit row; for ranks
};

// Ranks of `values` into `ranks`: highest first; equal values share the
// rank of the first of them.
void rank_values(PairColumns& c) {
  c.ranks.assign(c.values.size(), std::nullopt);
  c.sorted.clear();
  for (std::size_t u = 0; u < c.values.size(); ++u) {
    if (c.values[u]) c.sorted.emplace_back(*c.values[u], static_cast<std::uint32_t>(u));
  }
  std::sort(c.sorted.begin(), c.sorted.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  double rank = 0;
  for (std::size_t k = 0; k < c.sorted.size(); ++k) {
    if (k == 0 || c.sorted[k].first != c.sorted[k - 1].first) rank = static_cast<double>(k + 1);
    c.ranks[c.sorted[k].second] = rank;
  }
}

// The cell of measure `m` for unit row `u`. 本期新增 is a stored flow's own
// figure, else the change from the previous period (stocks, averages,
// maxima, percentages in 个百分点, derived indicators).
std::optional<double> measure_cell(Measure m, const PairColumns& c, std::size_t u) {
  switch (m) {
    case Measure::kValue:
      return c.values[u];
    case Measure::kNew:
      if (c.own) return c.values[u];
      if (c.values[u] && c.before[u]) return *c.values[u] - *c.before[u];
      return std::nullopt;
    case Measure::kMom:
      return percent_change(c.values[u], c.before[u]);
    case Measure::kYoy:
      return percent_change(c.values[u], c.year_ago[u]);
    case Measure::kRank:
      return c.ranks[u];
  }
  return std::nullopt;
}

// A row's key: the same indicator and period for every unit row, the unit
// row's place set per row. A dimension not shown writes to a scratch slot
// after the shown ones.
class RowKey {
 public:
  explicit RowKey(const std::vector<Dimension>& shown) : width_(shown.size()) {
    for (std::size_t k = 0; k < shown.size(); ++k) slot_[static_cast<std::size_t>(shown[k])] = k;
  }
  void set(Dimension d, std::size_t index) {
    key_[slot_[static_cast<std::size_t>(d)]] = static_cast<std::uint32_t>(index);
  }
  void append_to(std::vector<std::uint32_t>& keys) const {
    for (std::size_t k = 0; k < width_; ++k) keys.push_back(key_[k]);
  }

 private:
  std::array<std::uint32_t, 4> key_{};
  std::array<std::size_t, 3> slot_ = {3, 3, 3};  // by Dimension
  std::size_t width_;
};

// The rows of one (indicator, period row): one per unit row with any cell.
void append_rows(const AnalyticsPlan& plan, const PairColumns& c, RowKey& key,
                 AnalyticsTable& out) {
  const bool values_only = plan.measures.size() == 1 && plan.measures[0] == Measure::kValue;
  for (std::size_t u = 0; u < plan.units.size(); ++u) {
    if (values_only) {
      if (!c.values[u]) continue;
      out.cells.push_back(*c.values[u]);
    } else {
      const std::size_t first_cell = out.cells.size();
      bool any = false;
      for (Measure m : plan.measures) {
        std::optional<double> cell = measure_cell(m, c, u);
        any = any || cell.has_value();
        out.cells.push_back(cell.value_or(std::nan("")));
      }
      if (!any) {
        out.cells.resize(first_cell);
        continue;
      }
    }
    key.set(Dimension::kOrgUnit, u);
    key.append_to(out.keys);
  }
}

// The ids along each shown dimension, which the row keys index.
void name_axes(const AnalyticsPlan& plan, AnalyticsTable& out) {
  for (Dimension d : plan.shown) {
    std::vector<std::string_view> axis;
    switch (d) {
      case Dimension::kData:
        axis = plan.indicators;
        break;
      case Dimension::kOrgUnit:
        axis.reserve(plan.units.size());
        for (const OrgUnitRow& row : plan.units) axis.emplace_back(row.id);
        break;
      case Dimension::kPeriod:
        for (const PeriodRow& row : plan.periods) axis.push_back(row.id);
        break;
    }
    out.axis.push_back(std::move(axis));
  }
}

}  // namespace

void execute(const AnalyticsPlan& plan, const cube::Cube::View& view, const Catalogue& catalogue,
             AnalyticsTable& out) {
  ColumnReader reader(view, catalogue, plan.units, month_window(plan));
  const std::size_t cells = plan.cell_count();
  out.cells.reserve(cells);
  out.keys.reserve(cells / std::max<std::size_t>(1, plan.measures.size()) * plan.shown.size());
  const bool rank = plan.needs(Measure::kRank), yoy = plan.needs(Measure::kYoy);
  RowKey key(plan.shown);
  PairColumns c;
  for (std::size_t d = 0; d < plan.indicators.size(); ++d) {
    const ColumnReader::Source& source = reader.source(plan.indicators[d]);
    c.own = source.indicator && source.indicator->new_is_own_figure();
    const bool previous = plan.needs(Measure::kMom) || (plan.needs(Measure::kNew) && !c.own);
    key.set(Dimension::kData, d);
    for (std::size_t p = 0; p < plan.periods.size(); ++p) {
      const PeriodRow& pe = plan.periods[p];
      reader.values(source, pe, c.values);
      if (previous) reader.values(source, shifted(pe, false), c.before);
      if (yoy) reader.values(source, shifted(pe, true), c.year_ago);
      if (rank) rank_values(c);
      key.set(Dimension::kPeriod, p);
      append_rows(plan, c, key, out);
    }
  }
  name_axes(plan, out);
}

}  // namespace tianbao::service
