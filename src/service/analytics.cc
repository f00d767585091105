#include "service/analytics.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::service {

namespace {

constexpr std::int64_t kBeijingOffsetMs = 8LL * 3600 * 1000;
constexpr std::size_t kMaxCells = 200'000;

struct OuItem {
  std::string id;
  std::vector<model::SubtreeRange> ranges;
};

struct PeItem {
  std::string id;
  std::vector<model::Period> periods;  // aggregated together
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

// One query's evaluation: slices are summed once per (indicator, period)
// for all requested units together, then cells are assembled.
class Run {
 public:
  Run(const cube::Cube::View& view, const Catalogue& catalogue, std::vector<OuItem> ou)
      : view_(view), catalogue_(catalogue), ou_(std::move(ou)) {
    for (std::size_t i = 0; i < ou_.size(); ++i) {
      for (const model::SubtreeRange& r : ou_[i].ranges) {
        flat_.push_back(r);
        owner_.push_back(i);
      }
    }
  }

  std::optional<double> value(const std::string& code, std::size_t ou, const PeItem& pe) {
    const model::Indicator* ind = catalogue_.indicator(code);
    if (!ind) return std::nullopt;
    if (ind->derived()) {
      auto f = catalogue_.formulas.find(code);
      if (f == catalogue_.formulas.end()) return std::nullopt;
      return f->second.evaluate([&](std::string_view c) { return value(std::string(c), ou, pe); });
    }
    // The months to look at, oldest first; a period stored as a whole
    // (a quarterly form's 2022Q3) is used when its months have nothing.
    std::vector<std::string> periods;
    for (const model::Period& p : pe.periods) {
      for (const model::Period& m : p.months()) periods.push_back(m.to_string());
    }
    auto totals_of = [&](const std::string& period) { return totals(code, period, ou); };
    std::optional<double> result;
    if (ind->kind == model::IndicatorKind::kFlow) {
      for (const std::string& p : periods) {
        if (std::optional<double> v = combine(*ind, totals_of(p))) result = result.value_or(0) + *v;
      }
    } else {
      for (auto it = periods.rbegin(); it != periods.rend() && !result; ++it) {
        result = combine(*ind, totals_of(*it));
      }
    }
    if (!result && pe.periods.size() == 1 && pe.periods[0].kind() != model::Period::Kind::kMonth) {
      result = combine(*ind, totals_of(pe.periods[0].to_string()));
    }
    return result;
  }

 private:
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

  cube::Totals totals(const std::string& code, const std::string& period, std::size_t ou) {
    auto key = std::make_pair(code, period);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::vector<cube::Totals> flat(flat_.size());
      view_.ranges(view_.indicator(code), view_.period(period), flat_, flat);
      std::vector<cube::Totals> per_item(ou_.size());
      for (std::size_t k = 0; k < flat.size(); ++k) {
        cube::Totals& into = per_item[owner_[k]];
        const cube::Totals& t = flat[k];
        if (t.empty()) continue;
        into.sum += t.sum;
        into.count += t.count;
        into.min = std::min(into.min, t.min);
        into.max = std::max(into.max, t.max);
      }
      it = cache_.emplace(std::move(key), std::move(per_item)).first;
    }
    return it->second[ou];
  }

  const cube::Cube::View& view_;
  const Catalogue& catalogue_;
  std::vector<OuItem> ou_;
  std::vector<model::SubtreeRange> flat_;
  std::vector<std::size_t> owner_;
  std::map<std::pair<std::string, std::string>, std::vector<cube::Totals>> cache_;
};

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
  // Rows arrive grouped by indicator and unit; remember the last ids.
  std::string last_indicator, last_unit, last_period;
  cube::Cube::IndicatorId i = cube::Cube::kUnknown;
  cube::Cube::PeriodId p = cube::Cube::kUnknown;
  std::optional<model::Ordinal> o;
  return store.scan_numbers([&](std::string_view indicator, std::string_view org,
                                std::string_view period, double value) {
    if (indicator != last_indicator) {
      last_indicator = indicator;
      i = loader.indicator(indicator);
    }
    if (org != last_unit) {
      last_unit = org;
      o = tree.find(org);
    }
    if (period != last_period) {
      last_period = period;
      p = loader.period(period);
    }
    if (o) loader.add(i, p, *o, value);
  });
}

void Analytics::sync_tree() {
  auto current = units_.tree();
  if (cube_.tree() != current) cube_.rebase(current);
}

void Analytics::apply(const std::vector<store::ValueWrite>& writes) {
  sync_tree();
  for (const store::ValueWrite& w : writes) cube_.set(w.indicator, w.period, w.org_code, w.number);
}

StatusOr<AnalyticsTable> Analytics::query(const Principal& who, const AnalyticsRequest& req) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "analytics"));
  if (req.dx.empty()) return InvalidArgument("须指定指标维度 dx", "dx", "required");
  if (req.pe.empty()) return InvalidArgument("须指定期间维度 pe", "pe", "required");
  sync_tree();
  auto catalogue = metadata_.catalogue();
  AnalyticsTable table;
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
    table.items[code] = {ind->name, ind->unit, 0};
  }
  if (!is_shown("dx") && req.dx.size() > 1) {
    return InvalidArgument("作为筛选条件时 dx 只能有一个指标", "dx", "invalid_filter");
  }

  std::vector<PeItem> periods;
  model::YearMonth today = beijing_month(clock_.now_ms());
  for (const std::string& text : req.pe) {
    ASSIGN_OR_RETURN(std::vector<model::Period> resolved, model::resolve_periods(text, today));
    for (const model::Period& p : resolved) {
      periods.push_back({p.to_string(), {p}});
      table.items[p.to_string()] = {p.label(), "", 0};
    }
  }
  if (!is_shown("pe")) {
    PeItem all{"", {}};
    for (const PeItem& p : periods) all.periods.push_back(p.periods.front());
    all.id = req.pe.size() == 1 ? req.pe.front() : "";
    periods = {all};
  }

  AnalyticsTable* out = &table;
  Status failed;
  cube_.read([&](const cube::Cube::View& view) {
    const model::OrgTree& tree = view.tree();
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
        model::SubtreeRange r = tree.subtree(b);
        for (model::Ordinal o = r.begin; o < r.end; ++o) {
          const model::OrgUnit& u = tree.unit(o);
          if (u.level == *level && u.kind == model::OrgUnitKind::kRegion) units.push_back(o);
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
      OuItem direct{u.code + ":DIRECT", {}};
      for (model::Ordinal c : tree.children(o)) {
        if (tree.unit(c).kind == model::OrgUnitKind::kDepartment) {
          direct.ranges.push_back(tree.subtree(c));
        }
      }
      if (direct.ranges.empty()) return std::nullopt;
      out->items[direct.id] = {u.name + "直属", "", u.level};
      return direct;
    };
    std::vector<OuItem> ou;
    for (model::Ordinal o : units) {
      const model::OrgUnit& u = tree.unit(o);
      ou.push_back({u.code, {tree.subtree(o)}});
      out->items[u.code] = {u.name, "", u.level};
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
      OuItem all{bounds.size() == 1 && !level && !children ? tree.unit(bounds[0]).code : "", {}};
      for (const OuItem& i : ou)
        all.ranges.insert(all.ranges.end(), i.ranges.begin(), i.ranges.end());
      ou = {all};
    }
    for (const OuItem& i : ou) {
      if (!i.id.empty()) out->dimensions["ou"].push_back(i.id);
    }
    std::size_t cells = req.dx.size() * ou.size() * periods.size() * req.measures.size();
    if (cells > kMaxCells) {
      failed = InvalidArgument(fmt::format("查询结果过大（{} 个单元格），请缩小范围", cells),
                               "dimension", "too_many_cells");
      return;
    }

    Run run(view, *catalogue, ou);
    std::vector<std::string> dx_items =
        is_shown("dx") ? req.dx : std::vector<std::string>{req.dx.front()};
    // Rows in the order the dimensions were asked for.
    std::map<std::string, std::size_t> position;
    for (std::size_t d = 0; d < req.shown.size(); ++d) position[req.shown[d]] = d;
    for (const std::string& dx : dx_items) {
      for (const PeItem& pe : periods) {
        std::vector<std::optional<double>> values(ou.size());
        for (std::size_t u = 0; u < ou.size(); ++u) values[u] = run.value(dx, u, pe);
        std::vector<std::optional<double>> ranks(ou.size());
        for (std::size_t u = 0; u < ou.size(); ++u) {
          if (!values[u]) continue;
          std::size_t higher = 0;
          for (const auto& v : values) higher += v && *v > *values[u];
          ranks[u] = static_cast<double>(higher + 1);
        }
        for (std::size_t u = 0; u < ou.size(); ++u) {
          AnalyticsRow row;
          row.keys.resize(req.shown.size());
          if (position.count("dx")) row.keys[position["dx"]] = dx;
          if (position.count("ou")) row.keys[position["ou"]] = ou[u].id;
          if (position.count("pe")) row.keys[position["pe"]] = pe.id;
          bool any = false;
          for (Measure m : req.measures) {
            std::optional<double> cell;
            const model::Indicator* ind = catalogue->indicator(dx);
            bool flow = ind && ind->kind == model::IndicatorKind::kFlow;
            switch (m) {
              case Measure::kValue:
                cell = values[u];
                break;
              case Measure::kNew:
                if (flow) {
                  cell = values[u];
                } else if (values[u]) {
                  std::optional<double> before = run.value(dx, u, shifted(pe, false));
                  if (before) cell = *values[u] - *before;
                }
                break;
              case Measure::kMom:
                cell = percent_change(values[u], run.value(dx, u, shifted(pe, false)));
                break;
              case Measure::kYoy:
                cell = percent_change(values[u], run.value(dx, u, shifted(pe, true)));
                break;
              case Measure::kRank:
                cell = ranks[u];
                break;
            }
            any = any || cell.has_value();
            row.cells.push_back(cell);
          }
          if (any) out->rows.push_back(std::move(row));
        }
      }
    }
  });
  RETURN_IF_ERROR(failed);
  table.dimensions["dx"] = req.dx;
  for (const PeItem& p : periods) {
    if (!p.id.empty()) table.dimensions["pe"].push_back(p.id);
  }
  return table;
}

}  // namespace tianbao::service
