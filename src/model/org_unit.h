// OrgUnit: one node of the administrative tree (区划) or a department (部门).
//
// Levels follow the 统计用区划代码: 1 省, 2 市, 3 县, 4 镇(街道/乡), 5 村(居).
// A level is the unit's kind of place, not its depth: the towns of 东莞 and
// 中山 (cities without counties) are level 4 and hang directly under their
// level-2 city. A department hangs under a region and carries that region's
// level. Codes are the user-visible keys: division codes for regions
// ("44", "4408", "440802"), chosen codes for departments ("44_ZSJ").
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/status.h"

namespace tianbao::model {

enum class OrgUnitKind { kRegion, kDepartment };

inline constexpr int kProvinceLevel = 1;
inline constexpr int kCityLevel = 2;
inline constexpr int kCountyLevel = 3;
inline constexpr int kTownLevel = 4;
inline constexpr int kVillageLevel = 5;

struct OrgUnit {
  std::string code;
  std::string name;
  int level = 0;
  OrgUnitKind kind = OrgUnitKind::kRegion;
  std::string parent_code;  // empty for a root (a province)

  bool operator==(const OrgUnit&) const = default;
};

std::string_view kind_name(OrgUnitKind kind);  // "region" | "department"
StatusOr<OrgUnitKind> parse_kind(std::string_view name);
// 中文 name of a level ("省", "市", "县", "镇(街道)", "村(居)").
std::string_view level_name(int level);

// The level a division code denotes by its length: 2 → 1, 4 → 2, 6 → 3,
// 9 → 4, 12 → 5; 0 if the code is not a division code.
int division_level(std::string_view code);

// Department codes: [A-Z0-9_]{1,64} with at least one non-digit, so they can
// never collide with a division code.
Status check_department_code(std::string_view code);
// Names: 1–100 characters of valid UTF-8, no control characters.
Status check_unit_name(std::string_view name);

}  // namespace tianbao::model
