#include "model/org_tree.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::model {

std::string_view kind_name(OrgUnitKind kind) {
  return kind == OrgUnitKind::kDepartment ? "department" : "region";
}

StatusOr<OrgUnitKind> parse_kind(std::string_view name) {
  if (name == "region") return OrgUnitKind::kRegion;
  if (name == "department") return OrgUnitKind::kDepartment;
  return InvalidArgument(fmt::format("单位类型只能是 region 或 department，收到“{}”",
                                     sanitize_for_message(name)),
                         "kind");
}

std::string_view level_name(int level) {
  switch (level) {
    case kProvinceLevel: return "省";
    case kCityLevel: return "市";
    case kCountyLevel: return "县";
    case kTownLevel: return "镇(街道)";
    case kVillageLevel: return "村(居)";
    default: return "";
  }
}

int division_level(std::string_view code) {
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return 0;
  }
  switch (code.size()) {
    case 2: return kProvinceLevel;
    case 4: return kCityLevel;
    case 6: return kCountyLevel;
    case 9: return kTownLevel;
    case 12: return kVillageLevel;
    default: return 0;
  }
}

Status check_department_code(std::string_view code) {
  constexpr std::size_t kMaxCode = 64;
  bool valid = !code.empty() && code.size() <= kMaxCode;
  bool has_non_digit = false;
  for (char c : code) {
    bool digit = c >= '0' && c <= '9';
    if (!digit && !(c >= 'A' && c <= 'Z') && c != '_') valid = false;
    if (!digit) has_non_digit = true;
  }
  if (!valid || !has_non_digit) {
    return InvalidArgument(
        "部门代码须为 1–64 位大写字母、数字或下划线，且至少含一个字母或下划线（如 44_ZSJ）",
        "code", "invalid_code");
  }
  return Status::Ok();
}

Status check_unit_name(std::string_view name) {
  constexpr std::size_t kMaxNameChars = 100;
  if (!is_valid_utf8(name)) return InvalidArgument("名称不是有效的 UTF-8 文本", "name", "invalid_utf8");
  std::string_view trimmed = trim(name);
  if (trimmed.empty()) return InvalidArgument("名称不能为空", "name", "required");
  if (utf8_length(trimmed) > kMaxNameChars) {
    return InvalidArgument("名称不能超过 100 个字", "name", "too_long");
  }
  if (has_control_chars(trimmed)) {
    return InvalidArgument("名称不能包含控制字符", "name", "invalid_name");
  }
  return Status::Ok();
}

namespace {

// Regions before departments, then by code; division codes of siblings have
// equal length, so string order is numeric order.
bool sibling_before(const OrgUnit& a, const OrgUnit& b) {
  if (a.kind != b.kind) return a.kind == OrgUnitKind::kRegion;
  if (a.code.size() != b.code.size()) return a.code.size() < b.code.size();
  return a.code < b.code;
}

}  // namespace

StatusOr<OrgTree> OrgTree::build(std::vector<OrgUnit> units) {
  const std::size_t n = units.size();
  std::unordered_map<std::string_view, std::uint32_t> input_index;
  input_index.reserve(n * 2);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!input_index.emplace(units[i].code, i).second) {
      return AlreadyExists(fmt::format("单位代码重复：{}", units[i].code), "code");
    }
  }

  // Children lists in input indices, sorted as siblings.
  std::vector<std::vector<std::uint32_t>> kids(n);
  std::vector<std::uint32_t> root_inputs;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (units[i].parent_code.empty()) {
      root_inputs.push_back(i);
      continue;
    }
    auto it = input_index.find(units[i].parent_code);
    if (it == input_index.end()) {
      return NotFound(fmt::format("单位 {} 的上级 {} 不存在", units[i].code, units[i].parent_code),
                      "parent", "unknown_parent");
    }
    kids[it->second].push_back(i);
  }
  auto by_sibling_order = [&](std::uint32_t a, std::uint32_t b) {
    return sibling_before(units[a], units[b]);
  };
  std::sort(root_inputs.begin(), root_inputs.end(), by_sibling_order);
  for (auto& list : kids) std::sort(list.begin(), list.end(), by_sibling_order);

  // Iterative pre-order walk; `order` maps ordinal → input index.
  std::vector<std::uint32_t> order;
  order.reserve(n);
  std::vector<Ordinal> ordinal_of(n);
  std::vector<std::uint32_t> stack(root_inputs.rbegin(), root_inputs.rend());
  while (!stack.empty()) {
    std::uint32_t i = stack.back();
    stack.pop_back();
    ordinal_of[i] = static_cast<Ordinal>(order.size());
    order.push_back(i);
    for (auto it = kids[i].rbegin(); it != kids[i].rend(); ++it) stack.push_back(*it);
  }
  if (order.size() != n) {
    return InvalidArgument("单位的上下级关系存在循环", "parent", "cycle");
  }

  OrgTree tree;
  tree.parent_.assign(n, -1);
  tree.subtree_end_.assign(n, 0);
  tree.child_begin_.assign(n + 1, 0);
  tree.child_list_.reserve(n);
  tree.units_.reserve(n);
  for (Ordinal o = 0; o < n; ++o) {
    std::uint32_t i = order[o];
    tree.child_begin_[o] = static_cast<std::uint32_t>(tree.child_list_.size());
    for (std::uint32_t k : kids[i]) {
      tree.child_list_.push_back(ordinal_of[k]);
      tree.parent_[ordinal_of[k]] = static_cast<std::int32_t>(o);
    }
  }
  tree.child_begin_[n] = static_cast<std::uint32_t>(tree.child_list_.size());
  // A subtree ends where the next unit that is not a descendant begins:
  // walking ordinals backwards, a node's end is the max end of its children.
  for (Ordinal o = n; o-- > 0;) {
    Ordinal end = o + 1;
    for (Ordinal c : tree.children(o)) end = std::max(end, tree.subtree_end_[c]);
    tree.subtree_end_[o] = end;
  }
  for (std::uint32_t i : root_inputs) tree.roots_.push_back(ordinal_of[i]);
  for (Ordinal o = 0; o < n; ++o) tree.units_.push_back(std::move(units[order[o]]));
  tree.by_code_.reserve(n * 2);
  for (Ordinal o = 0; o < n; ++o) tree.by_code_.emplace(tree.units_[o].code, o);
  return tree;
}

std::optional<Ordinal> OrgTree::find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return std::nullopt;
  return it->second;
}

std::optional<Ordinal> OrgTree::parent(Ordinal o) const {
  if (parent_[o] < 0) return std::nullopt;
  return static_cast<Ordinal>(parent_[o]);
}

std::span<const Ordinal> OrgTree::children(Ordinal o) const {
  return std::span<const Ordinal>(child_list_.data() + child_begin_[o],
                                  child_begin_[o + 1] - child_begin_[o]);
}

std::vector<Ordinal> OrgTree::path(Ordinal o) const {
  std::vector<Ordinal> out{o};
  while (parent_[out.back()] >= 0) out.push_back(static_cast<Ordinal>(parent_[out.back()]));
  std::reverse(out.begin(), out.end());
  return out;
}

std::string OrgTree::path_string(Ordinal o) const {
  std::string out;
  for (Ordinal p : path(o)) {
    out += '/';
    out += units_[p].code;
  }
  return out;
}

}  // namespace tianbao::model
