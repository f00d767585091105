#include "service/analytics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <limits>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/container/small_vector.hpp>

#include "model/text.h"
#include "service/batch_pipe.h"

namespace tianbao::service {

namespace {

constexpr std::int64_t kBeijingOffsetMs = 8LL * 3600 * 1000;
constexpr std::size_t kMaxCells = 200'000;

// The subtrees an ou item sums: almost always one (a 直属 row or a filter
// gathers several), kept inline, since a level of towns is 1,757 items.
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

// An ou row: its id points at the tree's code (valid for the query's read)
// or at a text the query keeps (a 直属 row's).
struct OuItem {
  std::string_view id;
  Ranges ranges;
};

// A pe row: almost always one period (a filter gathers several), kept
// inline, since a village's history is 120 of them.
struct PeItem {
  std::string_view id;                                       // kept by the table
  boost::container::small_vector<model::Period, 1> periods;  // aggregated together
};

PeItem shifted(const PeItem& item, bool year_ago) {
  PeItem out{item.id, {}};
  for (const model::Period& p : item.periods) {
    out.periods.push_back(year_ago ? p.same_period_last_year() : p.previous());
  }
  return out;
}

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

// One query's evaluation, vectorised over the requested units: each
// indicator's chunks are swept once for all units and all the months of
// the query's window together (a unit's months lie side by side), and every
// cell of a (dx, pe) pair is produced in one pass.
class Run {
 public:
  using Column = std::vector<std::optional<double>>;  // one per ou item

  Run(const cube::Cube::View& view, const Catalogue& catalogue, const std::vector<OuItem>& ou,
      MonthWindow window)
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
  void values(const Source& s, const PeItem& pe, Column& out) {
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
  const std::vector<OuItem>& ou_;
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
MonthWindow month_window(const std::vector<PeItem>& periods, const std::vector<Measure>& measures) {
  auto has = [&](Measure m) {
    return std::find(measures.begin(), measures.end(), m) != measures.end();
  };
  const bool before = has(Measure::kMom) || has(Measure::kNew);
  const bool year_ago = has(Measure::kYoy);
  int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
  auto cover = [&](const model::Period& p) {
    lo = std::min(lo, p.first_month_index());
    hi = std::max(hi, p.last_month_index());
  };
  for (const PeItem& item : periods) {
    for (const model::Period& p : item.periods) {
      cover(p);
      if (before) cover(p.previous());
      if (year_ago) cover(p.same_period_last_year());
    }
  }
  if (lo > hi) return {};
  return {lo, static_cast<std::uint32_t>(hi - lo + 1)};
}

model::YearMonth beijing_month(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>((ms + kBeijingOffsetMs) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1};
}

Status unknown_unit(std::string_view code) {
  return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(code)), "ou",
                  "unknown_org_unit");
}

}  // namespace

std::string_view AnalyticsTable::keep(std::string_view text) {
  if (texts_.empty() || text_size_ - text_used_ < text.size()) {
    text_size_ = std::max(kTextBlock, text.size());
    texts_.push_back(std::make_unique_for_overwrite<char[]>(text_size_));
    text_used_ = 0;
  }
  char* at = texts_.back().get() + text_used_;
  std::copy(text.begin(), text.end(), at);
  text_used_ += text.size();
  return {at, text.size()};
}

std::string_view measure_name(Measure m) {
  switch (m) {
    case Measure::kValue:
      return "value";
    case Measure::kNew:
      return "new";
    case Measure::kMom:
      return "mom";
    case Measure::kYoy:
      return "yoy";
    case Measure::kRank:
      return "rank";
  }
  return "value";
}

StatusOr<Measure> parse_measure(std::string_view name) {
  for (Measure m : {Measure::kValue, Measure::kNew, Measure::kMom, Measure::kYoy, Measure::kRank}) {
    if (measure_name(m) == name) return m;
  }
  return InvalidArgument(
      fmt::format(
          "measure 须为 "
          "value（数值）、new（本期新增）、mom（环比）、yoy（同比）、rank（排名），收到“{}”",
          model::sanitize_for_message(name)),
      "measure", "invalid_measure");
}

Status Analytics::load(store::Store& store) {
  cube_.rebase(units_.tree());
  cube::Cube::Loader loader(cube_);
  const model::OrgTree& tree = loader.tree();
  // Two threads: this one scans the store and resolves each row's ids (the
  // store's part is most of the work), the other puts the rows into the
  // cube. The catalogue's indicators are interned first, so that only the
  // other thread touches the cube while the scan runs; a value of an
  // indicator the catalogue lacks is kept aside and added at the end.
  struct Row {
    cube::Cube::IndicatorId indicator;
    cube::Cube::PeriodId period;
    model::Ordinal ordinal;
    double value;
  };
  std::unordered_map<std::string_view, cube::Cube::IndicatorId> interned;
  auto catalogue = metadata_.catalogue();
  for (const auto& [code, indicator] : catalogue->indicators) {
    if (!indicator.derived()) interned.emplace(code, loader.indicator(code));
  }
  BatchPipe<Row> pipe(std::size_t{1} << 16);
  std::thread filler([&] {
    while (std::optional<std::vector<Row>> rows = pipe.take()) {
      for (const Row& r : *rows) loader.add(r.indicator, r.period, r.ordinal, r.value);
      pipe.give_back(std::move(*rows));
    }
  });
  std::vector<Row> rows = pipe.empty_batch();
  std::vector<std::pair<std::string, Row>> unlisted;  // by indicator code
  // Rows arrive by period and unit, so the indicator changes every row and
  // the unit every few: both are remembered by the address of the store's
  // code text, which stays the same for the whole scan.
  std::string last_period;
  std::unordered_map<const char*, cube::Cube::IndicatorId> indicators;
  std::unordered_map<const char*, std::optional<model::Ordinal>> ordinals;
  cube::Cube::PeriodId p = cube::Cube::kUnknown;
  const char* last_org = nullptr;
  std::optional<model::Ordinal> o;
  Status scanned = store.scan_numbers(
      [&](std::string_view indicator, std::string_view org, std::string_view period, double value) {
        auto [i, new_indicator] = indicators.try_emplace(indicator.data());
        if (new_indicator) {
          auto known = interned.find(indicator);
          i->second = known == interned.end() ? cube::Cube::kUnknown : known->second;
        }
        if (org.data() != last_org) {
          auto [known, added] = ordinals.try_emplace(org.data());
          if (added) known->second = tree.find(org);
          o = known->second;
          last_org = org.data();
        }
        if (period != last_period) {
          last_period = period;
          p = cube::Cube::period_id(period);
        }
        if (!o) return;
        if (i->second == cube::Cube::kUnknown) {
          unlisted.emplace_back(std::string(indicator), Row{0, p, *o, value});
          return;
        }
        rows.push_back({i->second, p, *o, value});
        if (rows.size() >= pipe.batch_size()) pipe.put(std::exchange(rows, pipe.empty_batch()));
      });
  pipe.put(std::move(rows));
  pipe.close();
  filler.join();
  for (const auto& [code, r] : unlisted)
    loader.add(loader.indicator(code), r.period, r.ordinal, r.value);
  return scanned;
}

void Analytics::sync_tree() {
  auto current = units_.tree();
  if (cube_.tree() != current) cube_.rebase(current);
}

void Analytics::apply(const std::vector<store::ValueWrite>& writes,
                      const std::vector<bool>& applied) {
  sync_tree();
  std::vector<cube::Cube::Write> changes;
  changes.reserve(writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (!applied.empty() && !applied[i]) continue;
    const store::ValueWrite& w = writes[i];
    changes.push_back({w.indicator, w.period, w.org_code, w.number});
  }
  cube_.set(changes);
}

StatusOr<AnalyticsTable> Analytics::query(const Principal& who, const AnalyticsRequest& req) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "analytics"));
  if (req.dx.empty()) return InvalidArgument("须指定指标维度 dx", "dx", "required");
  if (req.pe.empty()) return InvalidArgument("须指定期间维度 pe", "pe", "required");
  for (std::size_t k = 0; k < req.shown.size(); ++k) {
    const std::string& d = req.shown[k];
    if ((d != "dx" && d != "ou" && d != "pe") ||
        std::find(req.shown.begin(), req.shown.begin() + static_cast<std::ptrdiff_t>(k), d) !=
            req.shown.begin() + static_cast<std::ptrdiff_t>(k)) {
      return InvalidArgument(fmt::format("显示的维度须为 dx、ou、pe 各至多一次，收到“{}”",
                                         model::sanitize_for_message(d)),
                             "dimension", "invalid_dimension");
    }
  }
  sync_tree();
  auto catalogue = metadata_.catalogue();
  AnalyticsTable table;
  table.catalogue = catalogue;
  table.shown = req.shown;
  table.measures = req.measures;
  auto is_shown = [&](std::string_view d) {
    return std::find(req.shown.begin(), req.shown.end(), d) != req.shown.end();
  };

  for (const std::string& code : req.dx) {
    const model::Indicator* ind = catalogue->indicator(code);
    if (!ind) {
      return NotFound(fmt::format("指标 {} 不存在", model::sanitize_for_message(code)), "dx",
                      "unknown_indicator");
    }
    table.items.emplace_back(ind->code, AnalyticsItem{ind->name, ind->unit, 0});
  }
  if (!is_shown("dx") && req.dx.size() > 1) {
    return InvalidArgument("作为筛选条件时 dx 只能有一个指标", "dx", "invalid_filter");
  }

  std::vector<PeItem> periods;
  model::YearMonth today = beijing_month(clock_.now_ms());
  std::vector<model::Period> resolved;
  for (const std::string& text : req.pe)
    RETURN_IF_ERROR(model::resolve_periods(text, today, resolved));
  periods.reserve(resolved.size());
  table.items.reserve(table.items.size() + resolved.size());
  for (const model::Period& p : resolved) {
    std::string_view id = table.keep(p.to_string());
    PeItem& item = periods.emplace_back();
    item.id = id;
    item.periods.push_back(p);
    table.items.emplace_back(id, AnalyticsItem{table.keep(p.label()), "", 0});
  }
  if (!is_shown("pe")) {
    PeItem all{"", {}};
    for (const PeItem& p : periods) all.periods.push_back(p.periods.front());
    all.id = req.pe.size() == 1 ? table.keep(req.pe.front()) : std::string_view();
    periods = {all};
  }

  AnalyticsTable* out = &table;
  Status failed;
  cube_.read([&](const cube::Cube::View& view) {
    const model::OrgTree& tree = view.tree();
    out->tree = view.tree_ptr();
    // Units: explicit codes are rows unless LEVEL-n/CHILDREN make them boundaries.
    std::vector<model::Ordinal> bounds;
    std::optional<int> level;
    bool children = false;
    for (const std::string& item : req.ou) {
      if (item.starts_with("LEVEL-")) {
        int n = std::atoi(item.c_str() + 6);
        if (n < model::kProvinceLevel || n > model::kVillageLevel) {
          failed = InvalidArgument("LEVEL-n 中的 n 须为 1 到 5", "ou", "invalid_level");
          return;
        }
        level = n;
      } else if (item == "CHILDREN") {
        children = true;
      } else {
        std::string code = item == "USER_ORGUNIT" ? who.org_code : item;
        std::optional<model::Ordinal> o = tree.find(code);
        if (!o) {
          failed = unknown_unit(code);
          return;
        }
        Status allowed = access_.check(who, Permission::kReadAnalytics, code);
        if (!allowed.ok()) {
          failed = allowed.code() == StatusCode::kNotFound ? unknown_unit(code) : allowed;
          return;
        }
        bounds.push_back(*o);
      }
    }
    if (bounds.empty()) {
      if (who.org_code.empty() || !tree.find(who.org_code)) {
        for (model::Ordinal r : tree.roots()) bounds.push_back(r);
      } else {
        bounds.push_back(*tree.find(who.org_code));
      }
    }
    std::vector<model::Ordinal> units;
    for (model::Ordinal b : bounds) {
      if (level) {
        // Walk down only as far as the level asked for: reaching the 1,757
        // towns visits ~2,000 units, not the 28,000 villages below them.
        // Children go on the stack last first, so units come out in
        // pre-order, i.e. by ascending ordinal.
        std::vector<model::Ordinal> stack = {b};
        while (!stack.empty()) {
          model::Ordinal o = stack.back();
          stack.pop_back();
          const model::OrgUnit& u = tree.unit(o);
          if (u.kind != model::OrgUnitKind::kRegion) continue;
          if (u.level == *level) {
            units.push_back(o);
          } else if (u.level < *level) {
            auto children = tree.children(o);
            stack.insert(stack.end(), children.rbegin(), children.rend());
          }
        }
      } else if (children) {
        for (model::Ordinal c : tree.children(b)) {
          if (tree.unit(c).kind == model::OrgUnitKind::kRegion) units.push_back(c);
        }
      } else {
        units.push_back(b);
      }
    }
    // A 直属 row gathers a region's own departments: for each boundary when
    // its children or a level are listed, else for each listed region.
    auto direct_row = [&](model::Ordinal o) -> std::optional<OuItem> {
      const model::OrgUnit& u = tree.unit(o);
      if (u.kind != model::OrgUnitKind::kRegion) return std::nullopt;
      OuItem direct{out->keep(u.code + ":DIRECT"), {}};
      for (model::Ordinal c : tree.children(o)) {
        if (tree.unit(c).kind == model::OrgUnitKind::kDepartment) {
          direct.ranges.push_back(tree.subtree(c));
        }
      }
      if (direct.ranges.empty()) return std::nullopt;
      out->items.emplace_back(direct.id, AnalyticsItem{out->keep(u.name + "直属"), {}, u.level});
      return direct;
    };
    std::vector<OuItem> ou;
    ou.reserve(units.size());
    out->items.reserve(out->items.size() + units.size());
    for (model::Ordinal o : units) {
      const model::OrgUnit& u = tree.unit(o);
      ou.push_back({u.code, Ranges(tree.subtree(o))});
      out->items.emplace_back(u.code, AnalyticsItem{u.name, {}, u.level});
      if (req.own_departments && !level && !children) {
        if (std::optional<OuItem> d = direct_row(o)) ou.push_back(std::move(*d));
      }
    }
    if (req.own_departments && (level || children)) {
      for (model::Ordinal b : bounds) {
        if (std::optional<OuItem> d = direct_row(b)) ou.push_back(std::move(*d));
      }
    }
    if (!is_shown("ou")) {
      OuItem all{bounds.size() == 1 && !level && !children
                     ? std::string_view(tree.unit(bounds[0]).code)
                     : std::string_view(),
                 {}};
      for (const OuItem& i : ou) {
        for (std::size_t k = 0; k < i.ranges.size(); ++k) all.ranges.push_back(i.ranges[k]);
      }
      ou = {all};
    }
    std::vector<std::string_view>& ou_dimension = out->dimensions["ou"];
    ou_dimension.reserve(ou.size());
    for (const OuItem& i : ou) {
      if (!i.id.empty()) ou_dimension.emplace_back(i.id);
    }
    if (ou_dimension.empty()) out->dimensions.erase("ou");
    std::size_t cells = req.dx.size() * ou.size() * periods.size() * req.measures.size();
    if (cells > kMaxCells) {
      failed = InvalidArgument(fmt::format("查询结果过大（{} 个单元格），请缩小范围", cells),
                               "dimension", "too_many_cells");
      return;
    }

    Run run(view, *catalogue, ou, month_window(periods, req.measures));
    // Row keys are written per row: name the shown dimensions once.
    enum class Dimension { kDx, kOu, kPe };
    std::vector<Dimension> shown_dims;
    for (const std::string& d : req.shown) {
      shown_dims.push_back(d == "dx"   ? Dimension::kDx
                           : d == "ou" ? Dimension::kOu
                                       : Dimension::kPe);
    }
    // The catalogue's codes: the first items, one per requested indicator.
    std::vector<std::string_view> dx_items;
    for (std::size_t k = 0; k < (is_shown("dx") ? req.dx.size() : 1); ++k)
      dx_items.push_back(out->items[k].first);
    out->cells.reserve(cells);
    out->keys.reserve(cells / std::max<std::size_t>(1, req.measures.size()) * req.shown.size());
    auto needs = [&](Measure m) {
      return std::find(req.measures.begin(), req.measures.end(), m) != req.measures.end();
    };
    const bool rank = needs(Measure::kRank), yoy = needs(Measure::kYoy);
    const bool values_only = req.measures.size() == 1 && req.measures[0] == Measure::kValue;
    // Where each dimension goes in a row's key; one not shown writes to a
    // scratch slot after the shown ones.
    std::array<std::uint32_t, 4> key{};
    std::size_t slot_dx = 3, slot_ou = 3, slot_pe = 3;
    for (std::size_t k = 0; k < shown_dims.size(); ++k) {
      (shown_dims[k] == Dimension::kDx   ? slot_dx
       : shown_dims[k] == Dimension::kOu ? slot_ou
                                         : slot_pe) = k;
    }
    // Columns reused for every (dx, pe): a village's history is thousands of them.
    Run::Column values, before, year_ago, ranks;
    std::vector<std::pair<double, std::uint32_t>> sorted;  // value, ou row
    for (const std::string_view& dx : dx_items) {
      const Run::Source& source = run.source(dx);
      // 本期新增: a stored flow's own figure; the change from the previous
      // period for stocks, averages, maxima, percentages (in 个百分点) and
      // derived indicators (a ratio's change).
      const bool own = source.indicator && source.indicator->new_is_own_figure();
      const bool previous = needs(Measure::kMom) || (needs(Measure::kNew) && !own);
      for (const PeItem& pe : periods) {
        run.values(source, pe, values);
        if (previous) run.values(source, shifted(pe, false), before);
        if (yoy) run.values(source, shifted(pe, true), year_ago);
        if (rank) {
          // Highest first; equal values share the rank of the first of them.
          ranks.assign(ou.size(), std::nullopt);
          sorted.clear();
          for (std::size_t u = 0; u < ou.size(); ++u) {
            if (values[u]) sorted.emplace_back(*values[u], static_cast<std::uint32_t>(u));
          }
          std::sort(sorted.begin(), sorted.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
          double rank = 0;
          for (std::size_t k = 0; k < sorted.size(); ++k) {
            if (k == 0 || sorted[k].first != sorted[k - 1].first) rank = static_cast<double>(k + 1);
            ranks[sorted[k].second] = rank;
          }
        }
        // A row's key: the same dx and pe for every unit, the unit's place
        // filled in per row (slots past the shown ones are scratch).
        key[slot_dx] = static_cast<std::uint32_t>(&dx - dx_items.data());
        key[slot_pe] = static_cast<std::uint32_t>(&pe - periods.data());
        for (std::size_t u = 0; u < ou.size(); ++u) {
          if (values_only) {
            if (!values[u]) continue;
            out->cells.push_back(*values[u]);
          } else {
            std::size_t first_cell = out->cells.size();
            bool any = false;
            for (Measure m : req.measures) {
              std::optional<double> cell;
              switch (m) {
                case Measure::kValue:
                  cell = values[u];
                  break;
                case Measure::kNew:
                  if (own) {
                    cell = values[u];
                  } else if (values[u] && before[u]) {
                    cell = *values[u] - *before[u];
                  }
                  break;
                case Measure::kMom:
                  cell = percent_change(values[u], before[u]);
                  break;
                case Measure::kYoy:
                  cell = percent_change(values[u], year_ago[u]);
                  break;
                case Measure::kRank:
                  cell = ranks[u];
                  break;
              }
              any = any || cell.has_value();
              out->cells.push_back(cell.value_or(std::nan("")));
            }
            if (!any) {
              out->cells.resize(first_cell);
              continue;
            }
          }
          key[slot_ou] = static_cast<std::uint32_t>(u);
          for (std::size_t k = 0; k < shown_dims.size(); ++k) out->keys.push_back(key[k]);
        }
      }
    }
    for (const std::string& d : req.shown) {
      std::vector<std::string_view> axis;
      if (d == "dx") axis = dx_items;
      if (d == "ou") {
        axis.reserve(ou.size());
        for (const OuItem& i : ou) axis.emplace_back(i.id);
      }
      if (d == "pe") {
        for (const PeItem& p : periods) axis.push_back(p.id);
      }
      out->axis.push_back(std::move(axis));
    }
  });
  RETURN_IF_ERROR(failed);
  std::vector<std::string_view>& dx = table.dimensions["dx"];
  for (std::size_t k = 0; k < req.dx.size(); ++k) dx.push_back(table.items[k].first);
  std::vector<std::string_view>& pe = table.dimensions["pe"];
  pe.reserve(periods.size());
  for (const PeItem& p : periods) {
    if (!p.id.empty()) pe.push_back(p.id);
  }
  if (pe.empty()) table.dimensions.erase("pe");
  return table;
}

}  // namespace tianbao::service
