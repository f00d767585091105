#include "service/analytics_plan.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::service {

namespace {

Status unknown_unit(std::string_view code) {
  return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(code)), "ou",
                  "unknown_org_unit");
}

// A region's 直属 row, gathering its own departments; none for a
// department or a region without departments.
std::optional<OrgUnitRow> direct_row(const model::OrgTree& tree, model::Ordinal o,
                                     AnalyticsTable& names) {
  const model::OrgUnit& u = tree.unit(o);
  if (u.kind != model::OrgUnitKind::kRegion) return std::nullopt;
  OrgUnitRow direct{names.keep(u.code + ":DIRECT"), {}};
  for (model::Ordinal c : tree.children(o)) {
    if (tree.unit(c).kind == model::OrgUnitKind::kDepartment) {
      direct.ranges.push_back(tree.subtree(c));
    }
  }
  if (direct.ranges.empty()) return std::nullopt;
  names.items.emplace_back(direct.id, AnalyticsItem{names.keep(u.name + "直属"), {}, u.level});
  return direct;
}

// The regions at `level` under `bound`, by ascending ordinal. Walks down
// only as far as the level: reaching the 1,757 towns visits ~2,000 units,
// not the 28,000 villages below them. Children go on the stack last first,
// so units come out in pre-order.
void regions_at_level(const model::OrgTree& tree, model::Ordinal bound, int level,
                      std::vector<model::Ordinal>& units) {
  std::vector<model::Ordinal> stack = {bound};
  while (!stack.empty()) {
    model::Ordinal o = stack.back();
    stack.pop_back();
    const model::OrgUnit& u = tree.unit(o);
    if (u.kind != model::OrgUnitKind::kRegion) continue;
    if (u.level == level) {
      units.push_back(o);
    } else if (u.level < level) {
      auto children = tree.children(o);
      stack.insert(stack.end(), children.rbegin(), children.rend());
    }
  }
}

// The units whose rows a selection asks for, in tree order per bound.
std::vector<model::Ordinal> selected_units(const OrgUnitSelection& selection,
                                           const model::OrgTree& tree) {
  std::vector<model::Ordinal> units;
  for (model::Ordinal b : selection.bounds) {
    if (selection.level) {
      regions_at_level(tree, b, *selection.level, units);
    } else if (selection.children) {
      for (model::Ordinal c : tree.children(b)) {
        if (tree.unit(c).kind == model::OrgUnitKind::kRegion) units.push_back(c);
      }
    } else {
      units.push_back(b);
    }
  }
  return units;
}

}  // namespace

PeriodRow shifted(const PeriodRow& row, bool year_ago) {
  PeriodRow out{row.id, {}};
  for (const model::Period& p : row.periods) {
    out.periods.push_back(year_ago ? p.same_period_last_year() : p.previous());
  }
  return out;
}

bool AnalyticsPlan::shows(Dimension d) const {
  return std::find(shown.begin(), shown.end(), d) != shown.end();
}

bool AnalyticsPlan::needs(Measure m) const {
  return std::find(measures.begin(), measures.end(), m) != measures.end();
}

Status check_required(const AnalyticsRequest& request) {
  if (request.dx.empty()) return InvalidArgument("须指定指标维度 dx", "dx", "required");
  if (request.pe.empty()) return InvalidArgument("须指定期间维度 pe", "pe", "required");
  return Status::Ok();
}

StatusOr<std::vector<Dimension>> resolve_shown(const std::vector<std::string>& shown) {
  std::vector<Dimension> out;
  for (const std::string& name : shown) {
    std::optional<Dimension> d = parse_dimension(name);
    if (!d || std::find(out.begin(), out.end(), *d) != out.end()) {
      return InvalidArgument(fmt::format("显示的维度须为 dx、ou、pe 各至多一次，收到“{}”",
                                         model::sanitize_for_message(name)),
                             "dimension", "invalid_dimension");
    }
    out.push_back(*d);
  }
  return out;
}

StatusOr<std::vector<std::string_view>> resolve_indicators(const std::vector<std::string>& dx,
                                                           bool shown, const Catalogue& catalogue,
                                                           AnalyticsTable& names) {
  std::vector<std::string_view> codes;
  codes.reserve(dx.size());
  for (const std::string& code : dx) {
    const model::Indicator* ind = catalogue.indicator(code);
    if (!ind) {
      return NotFound(fmt::format("指标 {} 不存在", model::sanitize_for_message(code)), "dx",
                      "unknown_indicator");
    }
    codes.emplace_back(ind->code);
    names.items.emplace_back(ind->code, AnalyticsItem{ind->name, ind->unit, 0});
  }
  if (!shown && dx.size() > 1) {
    return InvalidArgument("作为筛选条件时 dx 只能有一个指标", "dx", "invalid_filter");
  }
  return codes;
}

StatusOr<std::vector<PeriodRow>> resolve_periods(const std::vector<std::string>& pe, bool shown,
                                                 model::YearMonth today, AnalyticsTable& names) {
  std::vector<model::Period> resolved;
  for (const std::string& text : pe) RETURN_IF_ERROR(model::resolve_periods(text, today, resolved));
  std::vector<PeriodRow> rows;
  rows.reserve(resolved.size());
  names.items.reserve(names.items.size() + resolved.size());
  for (const model::Period& p : resolved) {
    PeriodRow& row = rows.emplace_back();
    row.id = names.keep(p.to_string());
    row.periods.push_back(p);
    names.items.emplace_back(row.id, AnalyticsItem{names.keep(p.label()), "", 0});
  }
  if (shown) return rows;
  PeriodRow all{pe.size() == 1 ? names.keep(pe.front()) : std::string_view(), {}};
  for (const PeriodRow& row : rows) all.periods.push_back(row.periods.front());
  return std::vector<PeriodRow>{std::move(all)};
}

StatusOr<OrgUnitSelection> resolve_org_unit_items(const std::vector<std::string>& ou,
                                                  const model::OrgTree& tree, const Principal& who,
                                                  const Access& access) {
  OrgUnitSelection selection;
  for (const std::string& item : ou) {
    if (item.starts_with("LEVEL-")) {
      int n = std::atoi(item.c_str() + 6);
      if (n < model::kProvinceLevel || n > model::kVillageLevel) {
        return InvalidArgument("LEVEL-n 中的 n 须为 1 到 5", "ou", "invalid_level");
      }
      selection.level = n;
    } else if (item == "CHILDREN") {
      selection.children = true;
    } else {
      std::string code = item == "USER_ORGUNIT" ? who.org_code : item;
      std::optional<model::Ordinal> o = tree.find(code);
      if (!o) return unknown_unit(code);
      Status allowed = access.check(who, Permission::kReadAnalytics, code);
      if (!allowed.ok()) {
        return allowed.code() == StatusCode::kNotFound ? unknown_unit(code) : allowed;
      }
      selection.bounds.push_back(*o);
    }
  }
  if (selection.bounds.empty()) {
    std::optional<model::Ordinal> own =
        who.org_code.empty() ? std::nullopt : tree.find(who.org_code);
    if (own) {
      selection.bounds.push_back(*own);
    } else {
      for (model::Ordinal r : tree.roots()) selection.bounds.push_back(r);
    }
  }
  return selection;
}

std::vector<OrgUnitRow> expand_org_units(const OrgUnitSelection& selection, bool shown,
                                         bool own_departments, const model::OrgTree& tree,
                                         AnalyticsTable& names) {
  const bool listed = !selection.level && !selection.children;
  std::vector<model::Ordinal> units = selected_units(selection, tree);
  std::vector<OrgUnitRow> rows;
  rows.reserve(units.size());
  names.items.reserve(names.items.size() + units.size());
  // A 直属 row gathers a region's own departments: for each listed region,
  // or for each bound when its children or a level are the rows.
  for (model::Ordinal o : units) {
    const model::OrgUnit& u = tree.unit(o);
    rows.push_back({u.code, Ranges(tree.subtree(o))});
    names.items.emplace_back(u.code, AnalyticsItem{u.name, {}, u.level});
    if (own_departments && listed) {
      if (std::optional<OrgUnitRow> d = direct_row(tree, o, names)) rows.push_back(std::move(*d));
    }
  }
  if (own_departments && !listed) {
    for (model::Ordinal b : selection.bounds) {
      if (std::optional<OrgUnitRow> d = direct_row(tree, b, names)) rows.push_back(std::move(*d));
    }
  }
  if (!shown) {
    OrgUnitRow all{selection.bounds.size() == 1 && listed
                       ? std::string_view(tree.unit(selection.bounds[0]).code)
                       : std::string_view(),
                   {}};
    for (const OrgUnitRow& row : rows) {
      for (std::size_t k = 0; k < row.ranges.size(); ++k) all.ranges.push_back(row.ranges[k]);
    }
    rows = {std::move(all)};
  }
  std::vector<std::string_view> listed_ids;
  listed_ids.reserve(rows.size());
  for (const OrgUnitRow& row : rows) {
    if (!row.id.empty()) listed_ids.emplace_back(row.id);
  }
  if (!listed_ids.empty())
    names.dimensions[std::string(dimension_name(Dimension::kOrgUnit))] = std::move(listed_ids);
  return rows;
}

Status check_size(const AnalyticsPlan& plan) {
  const std::size_t cells = plan.cell_count();
  if (cells > kMaxCells) {
    return InvalidArgument(fmt::format("查询结果过大（{} 个单元格），请缩小范围", cells),
                           "dimension", "too_many_cells");
  }
  return Status::Ok();
}

StatusOr<AnalyticsPlan> plan_query(const AnalyticsRequest& request, const Catalogue& catalogue,
                                   model::YearMonth today, AnalyticsTable& names) {
  RETURN_IF_ERROR(check_required(request));
  AnalyticsPlan plan;
  ASSIGN_OR_RETURN(plan.shown, resolve_shown(request.shown));
  plan.measures = request.measures;
  names.shown = plan.shown;
  names.measures = plan.measures;
  ASSIGN_OR_RETURN(plan.indicators,
                   resolve_indicators(request.dx, plan.shows(Dimension::kData), catalogue, names));
  ASSIGN_OR_RETURN(plan.periods,
                   resolve_periods(request.pe, plan.shows(Dimension::kPeriod), today, names));
  return plan;
}

StatusOr<std::vector<OrgUnitRow>> resolve_org_units(const AnalyticsRequest& request,
                                                    const model::OrgTree& tree,
                                                    const Principal& who, const Access& access,
                                                    const AnalyticsPlan& plan,
                                                    AnalyticsTable& names) {
  ASSIGN_OR_RETURN(OrgUnitSelection selection,
                   resolve_org_unit_items(request.ou, tree, who, access));
  return expand_org_units(selection, plan.shows(Dimension::kOrgUnit), request.own_departments, tree,
                          names);
}

void name_dimensions(const AnalyticsPlan& plan, AnalyticsTable& names) {
  names.dimensions[std::string(dimension_name(Dimension::kData))] = plan.indicators;
  std::vector<std::string_view> periods;
  periods.reserve(plan.periods.size());
  for (const PeriodRow& row : plan.periods) {
    if (!row.id.empty()) periods.push_back(row.id);
  }
  if (!periods.empty()) {
    names.dimensions[std::string(dimension_name(Dimension::kPeriod))] = std::move(periods);
  }
}

}  // namespace tianbao::service
