#include "cube/cube.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

#include <fmt/format.h>

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

// A root and `n` departments, each under a unit drawn from those before it.
std::vector<model::OrgUnit> random_units(std::mt19937& rng, int n) {
  std::vector<model::OrgUnit> units = {{"R", "根", 1, model::OrgUnitKind::kRegion, ""}};
  for (int i = 0; i < n; ++i) {
    std::string parent = units[rng() % units.size()].code;
    units.push_back({"U" + std::to_string(i), "单位", 2, model::OrgUnitKind::kDepartment, parent});
  }
  return units;
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

TEST(CubeTest, BulkLoadSortsAndKeepsTheLastDuplicate) {
  auto tree = tree_of(small_units());
  Cube cube(tree);
  {
    Cube::Loader load(cube);
    Cube::IndicatorId a = load.indicator("A");
    Cube::PeriodId p = load.period("2022-08");
    load.add(a, p, *tree->find("4402"), 1);
    load.add(a, p, *tree->find("44_D"), 2);
    load.add(a, p, *tree->find("440101"), 3);
    load.add(a, p, *tree->find("4402"), 4);                            // replaces 1
    load.add(a, load.period("not a period"), *tree->find("4402"), 5);  // ignored
  }
  EXPECT_EQ(cube.value_count(), 3u);
  EXPECT_EQ(total(cube, "A", "2022-08", "44").sum, 9);
  EXPECT_EQ(total(cube, "A", "2022-08", "4402").sum, 4);
  // Three one-value series: 8 bytes of value, 4 of ordinal and a header each.
  EXPECT_LE(cube.memory_bytes(), 3 * (8 + 4 + 32) + 4 * 200u);
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
  std::vector<model::OrgUnit> units = random_units(rng, 400);
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

// Random writes and removals over months far apart (a unit then has several
// series), quarters, years and month ranges, some before a series' first
// period; every point, range and block must match a naive map.
TEST(CubeTest, SeriesAfterRandomWritesMatchANaiveMap) {
  std::mt19937 rng(23);
  std::vector<model::OrgUnit> units = random_units(rng, 200);
  auto tree = tree_of(units);
  Cube cube(tree);
  // Periods: months of 1990 and of 2020–2022 (more than kMaxSpan apart),
  // quarters, years, month ranges.
  std::vector<std::string> periods;
  for (int m = 1; m <= 12; ++m) periods.push_back(fmt::format("1990-{:02d}", m));
  for (int y = 2020; y <= 2022; ++y) {
    for (int m = 1; m <= 12; ++m) periods.push_back(fmt::format("{}-{:02d}", y, m));
    for (int q = 1; q <= 4; ++q) periods.push_back(fmt::format("{}Q{}", y, q));
    periods.push_back(std::to_string(y));
    periods.push_back(fmt::format("{}-01..{}-08", y, y));
  }
  std::map<std::tuple<std::string, std::string, model::Ordinal>, double> naive;
  const char* indicators[] = {"A", "B"};
  for (int k = 0; k < 6000; ++k) {
    std::string ind = indicators[rng() % 2];
    const std::string& period = periods[rng() % periods.size()];
    auto o = static_cast<model::Ordinal>(rng() % tree->size());
    if (rng() % 4 == 0) {
      cube.set(ind, period, tree->unit(o).code, std::nullopt);
      naive.erase({ind, period, o});
    } else {
      double v = static_cast<double>(rng() % 1000);
      cube.set(ind, period, tree->unit(o).code, v);
      naive[{ind, period, o}] = v;
    }
  }
  EXPECT_EQ(cube.value_count(), naive.size());
  cube.read([&](const Cube::View& view) {
    for (const char* ind : indicators) {
      auto i = view.indicator(ind);
      for (const std::string& period : periods) {
        auto p = view.period(period);
        for (model::Ordinal o = 0; o < tree->size(); ++o) {
          auto it = naive.find({ind, period, o});
          std::optional<double> expected =
              it == naive.end() ? std::nullopt : std::optional<double>(it->second);
          ASSERT_EQ(view.point(i, p, o), expected) << ind << " " << period << " " << o;
        }
      }
    }
    // Blocks of consecutive months against one range at a time.
    std::vector<model::SubtreeRange> ranges;
    for (int k = 0; k < 40; ++k)
      ranges.push_back(tree->subtree(static_cast<model::Ordinal>(rng() % tree->size())));
    for (const char* first : {"1990-01", "2020-01", "2021-07"}) {
      const std::uint32_t count = 18;
      std::vector<Totals> block(count * ranges.size());
      auto i = view.indicator("A");
      view.block(i, view.period(first), count, ranges, block);
      // The periods totalled together are the sum of the block's rows.
      std::vector<Totals> together(ranges.size()), sums_only(ranges.size());
      view.block_total(i, view.period(first), count, ranges, together);
      view.block_total(i, view.period(first), count, ranges, sums_only, /*extremes=*/false);
      for (std::size_t r = 0; r < ranges.size(); ++r) {
        Totals expected;
        for (std::uint32_t m = 0; m < count; ++m) expected.merge(block[m * ranges.size() + r]);
        ASSERT_EQ(together[r].count, expected.count) << first << " range " << r;
        ASSERT_DOUBLE_EQ(together[r].sum, expected.sum) << first << " range " << r;
        ASSERT_EQ(together[r].min, expected.min) << first << " range " << r;
        ASSERT_EQ(together[r].max, expected.max) << first << " range " << r;
        ASSERT_EQ(sums_only[r].count, expected.count) << first << " range " << r;
        ASSERT_DOUBLE_EQ(sums_only[r].sum, expected.sum) << first << " range " << r;
      }
      for (std::uint32_t m = 0; m < count; ++m) {
        Cube::PeriodId p = view.period(first) + m;
        for (std::size_t r = 0; r < ranges.size(); ++r) {
          Totals one = view.range(i, p, ranges[r]);
          double sum = 0;
          std::uint32_t n = 0;
          for (const auto& [key, v] : naive) {
            const auto& [ind, period, o] = key;
            if (ind == "A" && view.period(period) == p && ranges[r].contains(o)) {
              sum += v;
              ++n;
            }
          }
          ASSERT_EQ(one.count, n) << first << "+" << m;
          ASSERT_EQ(one.sum, sum) << first << "+" << m;
          ASSERT_EQ(block[m * ranges.size() + r].count, n) << first << "+" << m;
          ASSERT_EQ(block[m * ranges.size() + r].sum, sum) << first << "+" << m;
        }
      }
    }
  });
  // Removing everything leaves nothing behind.
  for (const auto& [key, v] : naive) {
    const auto& [ind, period, o] = key;
    cube.set(ind, period, tree->unit(o).code, std::nullopt);
  }
  EXPECT_EQ(cube.value_count(), 0u);
  cube.read([&](const Cube::View& view) {
    EXPECT_TRUE(view.range(view.indicator("A"), view.period("2020-05"), tree->subtree(0)).empty());
  });
}

TEST(CubeTest, LargeBatchesInAnyOrderMatchANaiveMap) {
  // Batches large enough to be grouped by chunk and ordered by unit: dense
  // ones (a month of every unit, in an order unlike the tree's) and sparse
  // ones (a few units of a big tree), with repeated keys where the later
  // write wins, and removals.
  std::mt19937 rng(7);
  std::vector<model::OrgUnit> units = random_units(rng, 3000);
  auto tree = tree_of(units);
  Cube cube(tree);
  const std::vector<std::string> periods = {"2021-12", "2022-01", "2022-02", "2022-08", "2022Q3"};
  std::map<std::tuple<std::string, std::string, model::Ordinal>, double> naive;
  {
    Cube::Loader load(cube);
    for (int k = 0; k < 40000; ++k) {
      const std::string ind = k % 3 == 0 ? "A" : "B";
      const std::string& period = periods[rng() % periods.size()];
      auto o = static_cast<model::Ordinal>(rng() % tree->size());
      double v = static_cast<double>(rng() % 1000);
      load.add(load.indicator(ind), load.period(period), o, v);
      naive[{ind, period, o}] = v;
    }
  }
  // Batches through set(): one dense with removals, one of a few units.
  for (int round = 0; round < 2; ++round) {
    std::vector<std::string> codes;
    std::vector<Cube::Write> batch;
    std::vector<std::tuple<std::string, std::string, model::Ordinal, std::optional<double>>> done;
    const std::size_t n = round == 0 ? 20000 : 600;
    for (std::size_t k = 0; k < n; ++k) {
      const char* ind = k % 2 == 0 ? "A" : "B";
      const std::string& period = periods[rng() % periods.size()];
      auto o = static_cast<model::Ordinal>(round == 0 ? rng() % tree->size() : rng() % 5 * 600);
      std::optional<double> v;
      if (rng() % 5 != 0) v = static_cast<double>(rng() % 1000);
      done.emplace_back(ind, period, o, v);
    }
    for (const auto& [ind, period, o, v] : done) {
      batch.push_back({ind, period, tree->unit(o).code, v});
      if (v) {
        naive[{ind, period, o}] = *v;
      } else {
        naive.erase({ind, period, o});
      }
    }
    cube.set(batch);
  }
  EXPECT_EQ(cube.value_count(), naive.size());
  cube.read([&](const Cube::View& view) {
    for (const char* ind : {"A", "B"}) {
      for (const std::string& period : periods) {
        for (model::Ordinal o = 0; o < tree->size(); ++o) {
          auto it = naive.find({ind, period, o});
          std::optional<double> expected =
              it == naive.end() ? std::nullopt : std::optional<double>(it->second);
          ASSERT_EQ(view.point(view.indicator(ind), view.period(period), o), expected)
              << ind << " " << period << " " << o;
        }
      }
    }
  });
}

TEST(CubeTest, PeriodIdsNumberConsecutiveMonthsConsecutively) {
  EXPECT_EQ(Cube::period_id("2022-08") + 1, Cube::period_id("2022-09"));
  EXPECT_EQ(Cube::period_id("2022-12") + 1, Cube::period_id("2023-01"));
  EXPECT_EQ(Cube::period_id("2022Q4") + 1, Cube::period_id("2023Q1"));
  EXPECT_EQ(Cube::period_id("2022") + 1, Cube::period_id("2023"));
  EXPECT_NE(Cube::period_id("2022-01..2022-08"), Cube::period_id("2022-01..2022-07"));
  EXPECT_NE(Cube::period_id("2022"), Cube::period_id("2022-01..2022-12"));
  EXPECT_EQ(Cube::period_id("2022-13"), Cube::kUnknown);
  EXPECT_EQ(Cube::month_id(2022 * 12 + 7), Cube::period_id("2022-08"));
}

}  // namespace
}  // namespace tianbao::cube
