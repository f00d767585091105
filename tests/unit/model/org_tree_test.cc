#include "model/org_tree.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace tianbao::model {
namespace {

OrgUnit region(std::string code, std::string name, std::string parent = {}) {
  int level = division_level(code);
  return OrgUnit{std::move(code), std::move(name), level, OrgUnitKind::kRegion, std::move(parent)};
}

OrgUnit department(std::string code, std::string name, std::string parent, int level) {
  return OrgUnit{std::move(code), std::move(name), level, OrgUnitKind::kDepartment,
                 std::move(parent)};
}

// A small 广东: two cities, 湛江 with a county and a town, 东莞 with a town
// directly under it, and departments at province and city.
std::vector<OrgUnit> small_tree() {
  return {
      region("440802001", "中华街道", "440802"),  // children listed before parents
      region("4408", "湛江市", "44"),
      department("44_ZSJ", "省政数局", "44", 1),
      region("44", "广东省"),
      region("440802", "赤坎区", "4408"),
      region("4419", "东莞市", "44"),
      region("441900003", "东城街道", "4419"),
      department("4408_ZSJ", "湛江市政数局", "4408", 2),
      region("440803", "霞山区", "4408"),
  };
}

std::vector<std::string> codes(const OrgTree& tree, std::span<const Ordinal> ords) {
  std::vector<std::string> out;
  for (Ordinal o : ords) out.push_back(tree.unit(o).code);
  return out;
}

TEST(OrgTreeTest, NumbersUnitsInPreOrderWithRegionsBeforeDepartments) {
  StatusOr<OrgTree> tree = OrgTree::build(small_tree());
  ASSERT_TRUE(tree.ok()) << tree.status().to_string();
  std::vector<std::string> order;
  for (Ordinal o = 0; o < tree->size(); ++o) order.push_back(tree->unit(o).code);
  EXPECT_EQ(order, (std::vector<std::string>{"44", "4408", "440802", "440802001", "440803",
                                             "4408_ZSJ", "4419", "441900003", "44_ZSJ"}));
}

TEST(OrgTreeTest, SubtreesAreContiguousRanges) {
  OrgTree tree = *OrgTree::build(small_tree());
  EXPECT_EQ(tree.subtree(*tree.find("44")), (SubtreeRange{0, 9}));
  EXPECT_EQ(tree.subtree(*tree.find("4408")), (SubtreeRange{1, 6}));
  EXPECT_EQ(tree.subtree(*tree.find("440802")), (SubtreeRange{2, 4}));
  EXPECT_EQ(tree.subtree(*tree.find("440802001")), (SubtreeRange{3, 4}));
  EXPECT_EQ(tree.subtree(*tree.find("4419")), (SubtreeRange{6, 8}));
  EXPECT_TRUE(tree.in_subtree(*tree.find("4408"), *tree.find("4408_ZSJ")));
  EXPECT_FALSE(tree.in_subtree(*tree.find("4408"), *tree.find("441900003")));
}

TEST(OrgTreeTest, ChildrenParentsAndPaths) {
  OrgTree tree = *OrgTree::build(small_tree());
  Ordinal gd = *tree.find("44");
  EXPECT_EQ(codes(tree, tree.children(gd)), (std::vector<std::string>{"4408", "4419", "44_ZSJ"}));
  EXPECT_EQ(codes(tree, tree.roots()), (std::vector<std::string>{"44"}));
  EXPECT_FALSE(tree.parent(gd).has_value());
  Ordinal town = *tree.find("441900003");
  EXPECT_EQ(tree.unit(*tree.parent(town)).code, "4419");
  EXPECT_EQ(tree.path_string(town), "/44/4419/441900003");
  EXPECT_EQ(tree.path_string(*tree.find("440802001")), "/44/4408/440802/440802001");
  EXPECT_TRUE(tree.children(*tree.find("440802001")).empty());
  EXPECT_FALSE(tree.find("9999").has_value());
}

TEST(OrgTreeTest, RejectsDuplicatesMissingParentsAndCycles) {
  std::vector<OrgUnit> dup = small_tree();
  dup.push_back(region("4408", "又一个湛江", "44"));
  EXPECT_EQ(OrgTree::build(dup).status().code(), StatusCode::kAlreadyExists);

  std::vector<OrgUnit> orphan = small_tree();
  orphan.push_back(region("4499", "无上级", "45"));
  Status s = OrgTree::build(orphan).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.field(), "parent");

  std::vector<OrgUnit> cycle = {region("44", "广东省"), region("4401", "甲", "4402"),
                                region("4402", "乙", "4401")};
  EXPECT_EQ(OrgTree::build(cycle).status().reason(), "cycle");
}

TEST(OrgTreeTest, EmptyTree) {
  OrgTree tree = *OrgTree::build({});
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(tree.roots().empty());
}

// Every subtree range holds exactly the unit's descendants, on random trees.
TEST(OrgTreeTest, RangesMatchNaiveDescendantsOnRandomTrees) {
  std::mt19937 rng(20221);
  for (int round = 0; round < 20; ++round) {
    int n = 1 + static_cast<int>(rng() % 300);
    std::vector<OrgUnit> units;
    std::vector<int> parent(n, -1);
    for (int i = 0; i < n; ++i) {
      if (i > 0 && rng() % 10 != 0) parent[i] = static_cast<int>(rng() % i);
      units.push_back(OrgUnit{"U" + std::to_string(i), "单位", 1, OrgUnitKind::kDepartment,
                              parent[i] < 0 ? "" : "U" + std::to_string(parent[i])});
    }
    std::shuffle(units.begin(), units.end(), rng);
    OrgTree tree = *OrgTree::build(units);
    ASSERT_EQ(tree.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      std::set<std::string> naive;
      for (int j = 0; j < n; ++j) {
        for (int k = j; k >= 0; k = parent[k]) {
          if (k == i) naive.insert("U" + std::to_string(j));
        }
      }
      Ordinal o = *tree.find("U" + std::to_string(i));
      std::set<std::string> ranged;
      SubtreeRange r = tree.subtree(o);
      for (Ordinal x = r.begin; x < r.end; ++x) ranged.insert(tree.unit(x).code);
      ASSERT_EQ(ranged, naive) << "unit U" << i << " round " << round;
    }
  }
}

TEST(OrgUnitTest, DivisionLevelsByCodeLength) {
  EXPECT_EQ(division_level("44"), 1);
  EXPECT_EQ(division_level("4408"), 2);
  EXPECT_EQ(division_level("440802"), 3);
  EXPECT_EQ(division_level("440802001"), 4);
  EXPECT_EQ(division_level("440802001001"), 5);
  EXPECT_EQ(division_level("440"), 0);
  EXPECT_EQ(division_level("44A8"), 0);
  EXPECT_EQ(division_level(""), 0);
}

TEST(OrgUnitTest, DepartmentCodes) {
  EXPECT_TRUE(check_department_code("44_ZSJ").ok());
  EXPECT_TRUE(check_department_code("ZSJ").ok());
  EXPECT_FALSE(check_department_code("").ok());
  EXPECT_FALSE(check_department_code("4408").ok());  // reserved for divisions
  EXPECT_FALSE(check_department_code("44_zsj").ok());
  EXPECT_FALSE(check_department_code("44'; DROP TABLE org_unit;--").ok());
  EXPECT_FALSE(check_department_code(std::string(65, 'A')).ok());
}

TEST(OrgUnitTest, UnitNames) {
  EXPECT_TRUE(check_unit_name("广东省政务服务数据管理局").ok());
  EXPECT_EQ(check_unit_name("  ").reason(), "required");
  EXPECT_EQ(check_unit_name("\xFF").reason(), "invalid_utf8");
  EXPECT_EQ(check_unit_name("a\tb").reason(), "invalid_name");
  std::string long_name;
  for (int i = 0; i < 101; ++i) long_name += "局";
  EXPECT_EQ(check_unit_name(long_name).reason(), "too_long");
}

}  // namespace
}  // namespace tianbao::model
