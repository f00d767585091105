#include "cube/cube.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace tianbao::cube {
namespace {

std::shared_ptr<const model::OrgTree> tree_of(std::vector<model::OrgUnit> units) {
  return std::make_shared<const model::OrgTree>(*model::OrgTree::build(std::move(units)));
}

std::vector<model::OrgUnit> small_units() {
  using model::OrgUnitKind;
  return {{"44", "广东省", 1, OrgUnitKind::kRegion, ""},
          {"4401", "广州市", 2, OrgUnitKind::kRegion, "44"},
          {"440101", "某区", 3, OrgUnitKind::kRegion, "4401"},
          {"4402", "韶关市", 2, OrgUnitKind::kRegion, "44"},
          {"44_D", "省直部门", 1, OrgUnitKind::kDepartment, "44"}};
}

Totals total(const Cube& cube, const char* ind, const char* period, const char* unit) {
  Totals t;
  cube.read([&](const Cube::View& v) {
    t = v.range(v.indicator(ind), v.period(period), v.tree().subtree(*v.tree().find(unit)));
  });
  return t;
}

TEST(CubeTest, RangesSumSubtreesIncludingDepartments) {
  Cube cube(tree_of(small_units()));
  cube.set("A", "2022-08", "440101", 10);
  cube.set("A", "2022-08", "4401", 5);
  cube.set("A", "2022-08", "4402", 7);
  cube.set("A", "2022-08", "44_D", 100);
  cube.set("A", "2022-07", "4402", 1);
  EXPECT_EQ(total(cube, "A", "2022-08", "44").sum, 122);
  EXPECT_EQ(total(cube, "A", "2022-08", "44").count, 4u);
  EXPECT_EQ(total(cube, "A", "2022-08", "4401").sum, 15);
  EXPECT_EQ(total(cube, "A", "2022-08", "4401").min, 5);
  EXPECT_EQ(total(cube, "A", "2022-08", "4401").max, 10);
  EXPECT_TRUE(total(cube, "B", "2022-08", "44").empty());
  EXPECT_TRUE(total(cube, "A", "2022-09", "44").empty());
  EXPECT_EQ(cube.value_count(), 5u);
}

TEST(CubeTest, OverwriteAndRemove) {
  Cube cube(tree_of(small_units()));
  cube.set("A", "2022-08", "4401", 5);
  cube.set("A", "2022-08", "4401", 6);
  EXPECT_EQ(total(cube, "A", "2022-08", "44").sum, 6);
  EXPECT_EQ(cube.value_count(), 1u);
  cube.set("A", "2022-08", "4401", std::nullopt);
  EXPECT_TRUE(total(cube, "A", "2022-08", "44").empty());
  EXPECT_EQ(cube.value_count(), 0u);
  cube.set("A", "2022-08", "no-such-unit", 1);  // ignored
  EXPECT_EQ(cube.value_count(), 0u);
}

TEST(CubeTest, BulkAppendSortsAndKeepsTheLastDuplicate) {
  Cube cube(tree_of(small_units()));
  cube.append("A", "2022-08", "4402", 1);
  cube.append("A", "2022-08", "44_D", 2);
  cube.append("A", "2022-08", "440101", 3);
  cube.append("A", "2022-08", "4402", 4);  // replaces 1
  cube.finish();
  EXPECT_EQ(cube.value_count(), 3u);
  EXPECT_EQ(total(cube, "A", "2022-08", "44").sum, 9);
  EXPECT_EQ(total(cube, "A", "2022-08", "4402").sum, 4);
  EXPECT_LE(cube.memory_bytes(), 3 * 12 + 200u);
}

TEST(CubeTest, RebaseFollowsUnitsToTheirNewOrdinals) {
  Cube cube(tree_of(small_units()));
  cube.set("A", "2022-08", "4402", 7);
  cube.set("A", "2022-08", "44_D", 100);
  std::vector<model::OrgUnit> more = small_units();
  more.push_back({"4401_D", "市直部门", 2, model::OrgUnitKind::kDepartment, "4401"});
  cube.rebase(tree_of(more));
  cube.set("A", "2022-08", "4401_D", 1);
  EXPECT_EQ(total(cube, "A", "2022-08", "4401").sum, 1);
  EXPECT_EQ(total(cube, "A", "2022-08", "4402").sum, 7);
  EXPECT_EQ(total(cube, "A", "2022-08", "44").sum, 108);
}

TEST(CubeTest, ManyRangesAtOnceMatchOneByOne) {
  std::mt19937 rng(7);
  std::vector<model::OrgUnit> units = {{"R", "根", 1, model::OrgUnitKind::kRegion, ""}};
  for (int i = 0; i < 400; ++i) {
    std::string parent = units[rng() % units.size()].code;
    units.push_back({"U" + std::to_string(i), "单位", 2, model::OrgUnitKind::kDepartment, parent});
  }
  auto tree = tree_of(units);
  Cube cube(tree);
  for (int i = 0; i < 300; ++i) {
    cube.set("A", "2022-08", units[rng() % units.size()].code, static_cast<double>(rng() % 100));
  }
  std::vector<model::SubtreeRange> ranges;
  for (int i = 0; i < 50; ++i)
    ranges.push_back(tree->subtree(static_cast<model::Ordinal>(rng() % tree->size())));
  std::vector<Totals> batch(ranges.size());
  cube.read([&](const Cube::View& v) {
    v.ranges(v.indicator("A"), v.period("2022-08"), ranges, batch);
    for (std::size_t k = 0; k < ranges.size(); ++k) {
      Totals one = v.range(v.indicator("A"), v.period("2022-08"), ranges[k]);
      EXPECT_EQ(batch[k].sum, one.sum);
      EXPECT_EQ(batch[k].count, one.count);
    }
  });
}

// Lookups guess a position from the ordinal's place between the slice's
// first and last one; values bunched at both ends of the tree make the
// guesses wrong in both directions, and every answer must still match a
// naive scan.
TEST(CubeTest, LookupsInUnevenSlicesMatchANaiveScan) {
  std::mt19937 rng(11);
  std::vector<model::OrgUnit> units = {{"R", "根", 1, model::OrgUnitKind::kRegion, ""}};
  for (int i = 0; i < 3000; ++i) {
    std::string parent = units[rng() % std::min<std::size_t>(units.size(), 50)].code;
    units.push_back({"U" + std::to_string(i), "单位", 2, model::OrgUnitKind::kDepartment, parent});
  }
  auto tree = tree_of(units);
  Cube cube(tree);
  std::map<model::Ordinal, double> naive;
  auto n = static_cast<model::Ordinal>(tree->size());
  for (int i = 0; i < 1500; ++i) {
    // Two thirds in the first tenth of the tree, the rest in the last fiftieth.
    model::Ordinal o = i % 3 ? rng() % (n / 10) : n - 1 - rng() % (n / 50);
    double v = static_cast<double>(rng() % 1000);
    cube.set("A", "2022-08", tree->unit(o).code, v);
    naive[o] = v;
  }
  cube.read([&](const Cube::View& view) {
    auto a = view.indicator("A");
    auto p = view.period("2022-08");
    for (model::Ordinal o = 0; o < n; ++o) {
      auto it = naive.find(o);
      std::optional<double> expected =
          it == naive.end() ? std::nullopt : std::optional<double>(it->second);
      ASSERT_EQ(view.point(a, p, o), expected) << "ordinal " << o;
      model::SubtreeRange r = tree->subtree(o);
      double sum = 0;
      std::uint32_t count = 0;
      for (auto at = naive.lower_bound(r.begin); at != naive.end() && at->first < r.end; ++at) {
        sum += at->second;
        ++count;
      }
      Totals t = view.range(a, p, r);
      ASSERT_EQ(t.count, count) << "ordinal " << o;
      ASSERT_EQ(t.sum, sum) << "ordinal " << o;
    }
  });
}

}  // namespace
}  // namespace tianbao::cube
