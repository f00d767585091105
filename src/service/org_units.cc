#include "service/org_units.h"

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::service {

namespace {

Status unit_not_found(std::string_view code) {
  return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(code)), "code",
                  "unknown_org_unit");
}

StatusOr<std::shared_ptr<const model::OrgTree>> build_tree(store::Store& store) {
  ASSIGN_OR_RETURN(std::vector<model::OrgUnit> units, store.load_org_units());
  ASSIGN_OR_RETURN(model::OrgTree tree, model::OrgTree::build(std::move(units)));
  return std::make_shared<const model::OrgTree>(std::move(tree));
}

}  // namespace

OrgUnitInfo describe(const model::OrgTree& tree, model::Ordinal o) {
  return OrgUnitInfo{tree.unit(o), tree.path_string(o), tree.children(o).size()};
}

StatusOr<std::unique_ptr<OrgUnits>> OrgUnits::load(store::Store& store) {
  ASSIGN_OR_RETURN(auto tree, build_tree(store));
  return std::unique_ptr<OrgUnits>(new OrgUnits(store, std::move(tree)));
}

std::shared_ptr<const model::OrgTree> OrgUnits::tree() const {
  std::lock_guard lock(snapshot_mu_);
  return tree_;
}

Status OrgUnits::reload() {
  ASSIGN_OR_RETURN(auto tree, build_tree(store_));
  publish(std::move(tree));
  return Status::Ok();
}

void OrgUnits::publish(std::shared_ptr<const model::OrgTree> tree) {
  std::lock_guard lock(snapshot_mu_);
  tree_ = std::move(tree);
}

StatusOr<OrgUnitInfo> OrgUnits::get(std::string_view code) const {
  auto tree = this->tree();
  std::optional<model::Ordinal> o = tree->find(code);
  if (!o) return unit_not_found(code);
  return describe(*tree, *o);
}

StatusOr<std::vector<OrgUnitInfo>> OrgUnits::children(std::string_view code) const {
  auto tree = this->tree();
  std::optional<model::Ordinal> o = tree->find(code);
  if (!o) return unit_not_found(code);
  std::vector<OrgUnitInfo> out;
  for (model::Ordinal c : tree->children(*o)) out.push_back(describe(*tree, c));
  return out;
}

StatusOr<OrgUnitPage> OrgUnits::search(const OrgUnitQuery& query) const {
  constexpr std::size_t kMaxQueryChars = 50;
  if (!model::is_valid_utf8(query.q)) {
    return InvalidArgument("查询文字不是有效的 UTF-8", "q", "invalid_utf8");
  }
  std::string_view q = model::trim(query.q);
  if (model::utf8_length(q) > kMaxQueryChars) {
    return InvalidArgument("查询文字不能超过 50 个字", "q", "too_long");
  }
  if (query.level && (*query.level < model::kProvinceLevel || *query.level > model::kVillageLevel)) {
    return InvalidArgument("层级须为 1（省）到 5（村）", "level", "invalid_level");
  }
  if (query.limit == 0 || query.limit > kMaxPageSize) {
    return InvalidArgument(fmt::format("每页条数须在 1 到 {} 之间", kMaxPageSize), "limit",
                           "invalid_limit");
  }
  auto tree = this->tree();
  model::SubtreeRange range{0, static_cast<model::Ordinal>(tree->size())};
  if (query.parent) {
    std::optional<model::Ordinal> p = tree->find(*query.parent);
    if (!p) {
      return NotFound(fmt::format("上级单位 {} 不存在", model::sanitize_for_message(*query.parent)),
                      "parent", "unknown_org_unit");
    }
    range = tree->subtree(*p);
    range.begin += 1;  // descendants only
  }
  // Matches ordered by level, then tree order: 赤坎区 before the villages
  // named 赤坎. Buckets per level keep this a single scan without a sort.
  std::vector<model::Ordinal> by_level[model::kVillageLevel + 1];
  for (model::Ordinal o = range.begin; o < range.end; ++o) {
    const model::OrgUnit& u = tree->unit(o);
    if (query.level && u.level != *query.level) continue;
    if (!q.empty() && u.name.find(q) == std::string::npos && !u.code.starts_with(q)) continue;
    by_level[u.level].push_back(o);
  }
  OrgUnitPage page;
  for (const auto& bucket : by_level) {
    for (model::Ordinal o : bucket) {
      if (page.total >= query.offset && page.units.size() < query.limit) {
        page.units.push_back(describe(*tree, o));
      }
      ++page.total;
    }
  }
  return page;
}

StatusOr<OrgUnitInfo> OrgUnits::add_department(const NewDepartment& department) {
  RETURN_IF_ERROR(model::check_department_code(department.code));
  RETURN_IF_ERROR(model::check_unit_name(department.name));
  std::lock_guard write_lock(write_mu_);
  auto tree = this->tree();
  std::optional<model::Ordinal> parent = tree->find(department.parent);
  if (!parent) {
    return NotFound(fmt::format("上级单位 {} 不存在", model::sanitize_for_message(department.parent)),
                    "parent", "unknown_parent");
  }
  const model::OrgUnit& region = tree->unit(*parent);
  if (region.kind != model::OrgUnitKind::kRegion) {
    return InvalidArgument("部门只能挂在区划（省、市、县、镇、村）之下，不能挂在另一个部门之下",
                           "parent", "parent_not_region");
  }
  if (tree->find(department.code)) {
    return AlreadyExists(fmt::format("单位代码 {} 已存在", department.code), "code");
  }
  model::OrgUnit unit{department.code, std::string(model::trim(department.name)), region.level,
                      model::OrgUnitKind::kDepartment, region.code};
  RETURN_IF_ERROR(store_.insert_org_unit(unit));
  // Rebuild from the snapshot plus the new unit: the same result as reading
  // the store back, without reading 600k rows for one department.
  std::vector<model::OrgUnit> all;
  all.reserve(tree->size() + 1);
  for (model::Ordinal o = 0; o < tree->size(); ++o) all.push_back(tree->unit(o));
  all.push_back(unit);
  ASSIGN_OR_RETURN(model::OrgTree next, model::OrgTree::build(std::move(all)));
  publish(std::make_shared<const model::OrgTree>(std::move(next)));
  return get(unit.code);
}

StatusOr<DivisionLoadSummary> OrgUnits::load_divisions(const std::vector<model::OrgUnit>& units) {
  std::lock_guard write_lock(write_mu_);
  ASSIGN_OR_RETURN(store::UpsertSummary summary, store_.upsert_org_units(units));
  RETURN_IF_ERROR(reload());
  return DivisionLoadSummary{summary.inserted, summary.updated, tree()->size()};
}

}  // namespace tianbao::service
