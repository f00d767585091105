#include "service/analytics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include <fmt/format.h>

#include "service/services.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

using model::OrgUnitKind;

// 广东(44) ─ 广州(4401) ─ 越秀(440101) ─ 北京街(440101001) ─ 两个社区
//         │             └ 广州政数局(4401_D, department)
//         ├ 韶关(4402) ─ 浈江(440201) ─ 东河街(440201001)
//         └ 省政数局(44_D, department)
std::vector<model::OrgUnit> tree_units() {
  return {
      {"44", "广东省", 1, OrgUnitKind::kRegion, ""},
      {"4401", "广州市", 2, OrgUnitKind::kRegion, "44"},
      {"440101", "越秀区", 3, OrgUnitKind::kRegion, "4401"},
      {"440101001", "北京街道", 4, OrgUnitKind::kRegion, "440101"},
      {"440101001001", "甲社区", 5, OrgUnitKind::kRegion, "440101001"},
      {"440101001002", "乙社区", 5, OrgUnitKind::kRegion, "440101001"},
      {"4402", "韶关市", 2, OrgUnitKind::kRegion, "44"},
      {"440201", "浈江区", 3, OrgUnitKind::kRegion, "4402"},
      {"440201001", "东河街道", 4, OrgUnitKind::kRegion, "440201"},
  };
}

class AnalyticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Services::open(dir_.file("t.db"));
    ASSERT_TRUE(opened.ok());
    s_ = std::move(*opened);
    ASSERT_TRUE(s_->org_units().load_divisions(system_, tree_units()).ok());
    ASSERT_TRUE(s_->org_units().add_department(system_, {"44_D", "省政数局", "44"}).ok());
    ASSERT_TRUE(s_->org_units().add_department(system_, {"4401_D", "广州政数局", "4401"}).ok());
    auto add = [&](const char* code, model::PeriodAggregation over_time, const char* formula = "",
                   model::Aggregation agg = model::Aggregation::kSum) {
      model::Indicator i;
      i.code = code;
      i.name = code;
      i.period_aggregation = over_time;
      i.formula = formula;
      i.aggregation = agg;
      ASSERT_TRUE(s_->metadata().create_indicator(system_, i).ok()) << code;
    };
    using model::PeriodAggregation;
    add("F", PeriodAggregation::kSum);
    add("S", PeriodAggregation::kLast);
    add("N", PeriodAggregation::kSum);
    add("D", PeriodAggregation::kSum);
    add("R", PeriodAggregation::kSum, "N / D * 100");
    add("AVG", PeriodAggregation::kSum, "", model::Aggregation::kAverage);
    add("MX", PeriodAggregation::kSum, "", model::Aggregation::kMax);
    // One of each time aggregation, summed over units (月活, 累计, 受理量, 峰值).
    add("T_AVERAGE", PeriodAggregation::kAverage);
    add("T_LAST", PeriodAggregation::kLast);
    add("T_SUM", PeriodAggregation::kSum);
    add("T_MAX", PeriodAggregation::kMax);
    add("T_RATE", PeriodAggregation::kAverage, "T_AVERAGE / T_LAST * 100");
  }

  void put(const char* ind, const char* period, const char* org, std::optional<double> v) {
    std::vector<store::ValueWrite> w = {{ind, org, period, v, std::nullopt}};
    ASSERT_TRUE(s_->store().write_values(w, {"t", "import", 0}).ok());
    s_->analytics().apply(w);
  }

  // The single value of a one-cell query.
  std::optional<double> cell(const std::string& dx, const std::string& ou, const std::string& pe,
                             Measure m = Measure::kValue, const Principal* who = nullptr) {
    AnalyticsRequest req;
    req.dx = {dx};
    req.ou = {ou};
    req.pe = {pe};
    req.shown = {"dx", "ou", "pe"};
    req.measures = {m};
    auto t = s_->analytics().query(who ? *who : system_, req);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    if (!t.ok() || t->row_count() == 0) return std::nullopt;
    return t->cell(0, 0);
  }

  testing::TempDir dir_;
  std::unique_ptr<Services> s_;
  const Principal system_ = Principal::system("");
};

TEST_F(AnalyticsTest, TotalsIncludeDepartmentsAndEveryLevel) {
  put("F", "2022-08", "440101001001", 1);
  put("F", "2022-08", "440101001002", 2);
  put("F", "2022-08", "440101001", 4);  // the town's own figure adds to its villages'
  put("F", "2022-08", "4401_D", 8);
  put("F", "2022-08", "440201001", 16);
  put("F", "2022-08", "44_D", 32);
  EXPECT_EQ(cell("F", "44", "2022-08"), 63);
  EXPECT_EQ(cell("F", "4401", "2022-08"), 15);
  EXPECT_EQ(cell("F", "440101", "2022-08"), 7);
  EXPECT_EQ(cell("F", "4402", "2022-08"), 16);
  EXPECT_EQ(cell("F", "440101001002", "2022-08"), 2);
  EXPECT_FALSE(cell("F", "44", "2022-07").has_value());
}

TEST_F(AnalyticsTest, ChildrenLevelsAndTheOwnDepartmentsRow) {
  put("F", "2022-08", "440101001", 5);
  put("F", "2022-08", "440201001", 3);
  put("F", "2022-08", "44_D", 10);
  AnalyticsRequest req;
  req.dx = {"F"};
  req.ou = {"44", "CHILDREN"};
  req.pe = {"2022-08"};
  req.shown = {"ou"};
  req.own_departments = true;
  auto t = s_->analytics().query(system_, req);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  std::map<std::string, double> rows;
  for (std::size_t r = 0; r < t->row_count(); ++r) rows[std::string(t->key(r, 0))] = *t->cell(r, 0);
  EXPECT_EQ(rows, (std::map<std::string, double>{{"4401", 5}, {"4402", 3}, {"44:DIRECT", 10}}));
  ASSERT_NE(t->item("44:DIRECT"), nullptr);
  EXPECT_EQ(t->item("44:DIRECT")->name, "广东省直属");

  req.ou = {"LEVEL-4"};
  req.own_departments = false;
  t = s_->analytics().query(system_, req);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->row_count(), 2u);
  EXPECT_EQ(t->dimensions.at("ou"), (std::vector<std::string_view>{"440101001", "440201001"}));
}

TEST_F(AnalyticsTest, RowKeysFollowTheShownDimensionsInTheirOrder) {
  put("F", "2022-07", "4401_D", 1);
  put("F", "2022-08", "4401_D", 2);
  put("F", "2022-08", "440201001", 4);
  AnalyticsRequest req;
  req.dx = {"F"};
  req.ou = {"4401", "4402"};
  req.pe = {"2022-07", "2022-08"};
  req.shown = {"pe", "ou"};
  auto t = s_->analytics().query(system_, req);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  std::map<std::pair<std::string, std::string>, double> rows;
  for (std::size_t r = 0; r < t->row_count(); ++r)
    rows[{std::string(t->key(r, 0)), std::string(t->key(r, 1))}] = *t->cell(r, 0);
  EXPECT_EQ(rows,
            (std::map<std::pair<std::string, std::string>, double>{
                {{"2022-07", "4401"}, 1}, {{"2022-08", "4401"}, 2}, {{"2022-08", "4402"}, 4}}));

  for (std::vector<std::string> shown :
       {std::vector<std::string>{"ou", "ou"}, std::vector<std::string>{"dx", "period"}}) {
    req.shown = shown;
    auto refused = s_->analytics().query(system_, req);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().field(), "dimension");
  }
}

TEST_F(AnalyticsTest, StocksTakeTheLastValueFlowsSumOverPeriods) {
  for (auto [m, v] : std::vector<std::pair<const char*, double>>{
           {"2022-01", 10}, {"2022-02", 12}, {"2022-03", 15}}) {
    put("S", m, "4401", v);
    put("F", m, "4401", v);
  }
  put("S", "2022-04", "4401", 20);
  EXPECT_EQ(cell("S", "44", "2022Q1"), 15);
  EXPECT_EQ(cell("F", "44", "2022Q1"), 37);
  EXPECT_EQ(cell("F", "44", "2022-01..2022-02"), 22);
  EXPECT_EQ(cell("S", "44", "2022-01..2022-02"), 12);
  // The latest month with data when the period is not over yet.
  EXPECT_EQ(cell("S", "44", "2022Q2"), 20);
  EXPECT_EQ(cell("S", "44", "2022"), 20);
  EXPECT_EQ(cell("F", "44", "2022"), 37);
}

TEST_F(AnalyticsTest, DerivedIndicatorsAreRatiosOfSums) {
  put("N", "2022-08", "4401", 90);
  put("D", "2022-08", "4401", 100);
  put("N", "2022-08", "4402", 1);
  put("D", "2022-08", "4402", 10);
  EXPECT_DOUBLE_EQ(*cell("R", "4401", "2022-08"), 90);
  EXPECT_DOUBLE_EQ(*cell("R", "4402", "2022-08"), 10);
  // (90 + 1) / (100 + 10), not the sum or mean of 90% and 10%.
  EXPECT_DOUBLE_EQ(*cell("R", "44", "2022-08"), 91.0 / 110.0 * 100);
  EXPECT_DOUBLE_EQ(*cell("R", "44", "2022Q3"), 91.0 / 110.0 * 100);
  EXPECT_FALSE(cell("R", "44", "2022-07").has_value());
}

TEST_F(AnalyticsTest, NewMomYoyAndRank) {
  put("S", "2021-08", "4401", 50);
  put("S", "2022-07", "4401", 80);
  put("S", "2022-08", "4401", 100);
  put("F", "2022-07", "4401", 40);
  put("F", "2022-08", "4401", 30);
  EXPECT_EQ(cell("S", "4401", "2022-08", Measure::kNew), 20);  // stock: difference
  EXPECT_EQ(cell("F", "4401", "2022-08", Measure::kNew), 30);  // flow: the month itself
  EXPECT_DOUBLE_EQ(*cell("S", "4401", "2022-08", Measure::kMom), 25);
  EXPECT_DOUBLE_EQ(*cell("F", "4401", "2022-08", Measure::kMom), -25);
  EXPECT_DOUBLE_EQ(*cell("S", "4401", "2022-08", Measure::kYoy), 100);
  EXPECT_FALSE(cell("F", "4401", "2022-08", Measure::kYoy).has_value());

  put("F", "2022-08", "4402", 30);
  put("F", "2022-08", "44_D", 5);
  AnalyticsRequest req;
  req.dx = {"F"};
  req.ou = {"4401", "4402", "44_D"};
  req.pe = {"2022-08"};
  req.shown = {"ou"};
  req.measures = {Measure::kValue, Measure::kRank};
  auto t = s_->analytics().query(system_, req);
  ASSERT_TRUE(t.ok());
  std::map<std::string, double> rank;
  for (std::size_t r = 0; r < t->row_count(); ++r) rank[std::string(t->key(r, 0))] = *t->cell(r, 1);
  EXPECT_EQ(rank, (std::map<std::string, double>{{"4401", 1}, {"4402", 1}, {"44_D", 3}}));
}

TEST_F(AnalyticsTest, AverageAndMaxOverUnits) {
  put("AVG", "2022-08", "4401", 10);
  put("AVG", "2022-08", "4402", 20);
  put("AVG", "2022-08", "440101", 30);
  EXPECT_EQ(cell("AVG", "44", "2022-08"), 20);
  put("MX", "2022-08", "4401", 10);
  put("MX", "2022-08", "440201", 25);
  EXPECT_EQ(cell("MX", "44", "2022-08"), 25);
}

TEST_F(AnalyticsTest, FiltersAggregateTheFilteredDimension) {
  put("F", "2022-07", "4401", 1);
  put("F", "2022-08", "4401", 2);
  put("F", "2022-08", "4402", 4);
  AnalyticsRequest req;
  req.dx = {"F"};
  req.ou = {"4401", "4402"};
  req.pe = {"2022-07", "2022-08"};
  req.shown = {"dx"};
  auto t = s_->analytics().query(system_, req);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  ASSERT_EQ(t->row_count(), 1u);
  EXPECT_EQ(*t->cell(0, 0), 7);
}

TEST_F(AnalyticsTest, ScopeIsEnforced) {
  Principal gz;
  gz.user_id = 9;
  gz.username = "gz";
  gz.org_code = "4401";
  gz.roles = {model::Role::kViewer};
  put("F", "2022-08", "440101001", 5);
  put("F", "2022-08", "440201001", 3);
  EXPECT_EQ(cell("F", "4401", "2022-08", Measure::kValue, &gz), 5);
  AnalyticsRequest req;
  req.dx = {"F"};
  req.ou = {"4402"};
  req.pe = {"2022-08"};
  req.shown = {"ou"};
  EXPECT_EQ(s_->analytics().query(gz, req).status().code(), StatusCode::kNotFound);
  req.ou = {"LEVEL-4"};
  auto t = s_->analytics().query(gz, req);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->row_count(), 1u);
  EXPECT_EQ(t->key(0, 0), "440101001");
  Principal filler = gz;
  filler.roles = {model::Role::kFiller};
  EXPECT_EQ(s_->analytics().query(filler, req).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(AnalyticsTest, ReloadingFromTheStoreGivesTheSameAnswers) {
  put("F", "2022-08", "440101001001", 3);
  put("F", "2022-08", "44_D", 4);
  put("S", "2022-08", "4402", 9);
  put("S", "2022-08", "4402", std::nullopt);  // cleared again
  auto before = cell("F", "44", "2022-08");
  auto reopened = Services::open(dir_.file("t.db"), ServiceOptions{{}, nullptr, true});
  ASSERT_TRUE(reopened.ok());
  s_ = std::move(*reopened);
  EXPECT_EQ(cell("F", "44", "2022-08"), before);
  EXPECT_FALSE(cell("S", "44", "2022-08").has_value());
  EXPECT_EQ(s_->analytics().cube().value_count(), 2u);
}

// Random writes, then random queries compared with a naive recomputation
// over every stored value.
TEST_F(AnalyticsTest, MatchesNaiveRecomputationAfterRandomWrites) {
  std::mt19937 rng(2022);
  auto tree = s_->org_units().tree();
  std::vector<std::string> codes;
  for (model::Ordinal o = 0; o < tree->size(); ++o) codes.push_back(tree->unit(o).code);
  const char* indicators[] = {"F", "S"};
  std::vector<std::string> months;
  for (int m = 1; m <= 12; ++m) months.push_back(fmt::format("2022-{:02d}", m));
  // (indicator, unit, month) → value
  std::map<std::tuple<std::string, std::string, std::string>, double> truth;
  for (int i = 0; i < 600; ++i) {
    std::string ind = indicators[rng() % 2];
    std::string unit = codes[rng() % codes.size()];
    std::string month = months[rng() % months.size()];
    if (rng() % 5 == 0) {
      put(ind.c_str(), month.c_str(), unit.c_str(), std::nullopt);
      truth.erase({ind, unit, month});
    } else {
      double v = static_cast<double>(rng() % 1000);
      put(ind.c_str(), month.c_str(), unit.c_str(), v);
      truth[{ind, unit, month}] = v;
    }
  }
  auto in_subtree = [&](const std::string& unit, const std::string& root) {
    return tree->in_subtree(*tree->find(root), *tree->find(unit));
  };
  auto naive_month = [&](const std::string& ind, const std::string& root,
                         const std::string& month) -> std::optional<double> {
    std::optional<double> sum;
    for (const auto& [key, v] : truth) {
      const auto& [i, u, m] = key;
      if (i == ind && m == month && in_subtree(u, root)) sum = sum.value_or(0) + v;
    }
    return sum;
  };
  for (int q = 0; q < 2000; ++q) {
    std::string ind = indicators[rng() % 2];
    std::string root = codes[rng() % codes.size()];
    int quarter = 1 + static_cast<int>(rng() % 4);
    bool whole_quarter = rng() % 2 == 0;
    std::vector<std::string> span;
    std::string pe;
    if (whole_quarter) {
      pe = fmt::format("2022Q{}", quarter);
      for (int m = 3 * quarter - 2; m <= 3 * quarter; ++m)
        span.push_back(fmt::format("2022-{:02d}", m));
    } else {
      pe = months[rng() % months.size()];
      span = {pe};
    }
    std::optional<double> expected;
    if (ind == "F") {
      for (const auto& m : span) {
        if (auto v = naive_month(ind, root, m)) expected = expected.value_or(0) + *v;
      }
    } else {
      for (auto it = span.rbegin(); it != span.rend() && !expected; ++it)
        expected = naive_month(ind, root, *it);
    }
    std::optional<double> got = cell(ind, root, pe);
    ASSERT_EQ(got.has_value(), expected.has_value()) << ind << " " << root << " " << pe;
    if (got) {
      ASSERT_DOUBLE_EQ(*got, *expected) << ind << " " << root << " " << pe;
    }
  }
}

TEST_F(AnalyticsTest, AveragesAndMaximaOverAQuarterAreOfTheMonthlyTotalsOverUnits) {
  // 广州 reports every month, 韶关 only in July: the province's monthly
  // figures are 10, 25 (10 + 15) and 40; the average is of those three.
  put("T_AVERAGE", "2022-07", "4401", 10);
  put("T_AVERAGE", "2022-08", "4401", 10);
  put("T_AVERAGE", "2022-08", "4402", 15);
  put("T_AVERAGE", "2022-09", "4401", 40);
  EXPECT_DOUBLE_EQ(*cell("T_AVERAGE", "44", "2022Q3"), 25);
  EXPECT_DOUBLE_EQ(*cell("T_AVERAGE", "4401", "2022Q3"), 20);
  EXPECT_DOUBLE_EQ(*cell("T_AVERAGE", "4402", "2022Q3"), 15);  // months without a value skipped
  EXPECT_DOUBLE_EQ(*cell("T_AVERAGE", "44", "2022-07..2022-08"), 17.5);
  EXPECT_DOUBLE_EQ(*cell("T_AVERAGE", "44", "2022"), 25);
  EXPECT_FALSE(cell("T_AVERAGE", "44", "2022Q2").has_value());
  put("T_MAX", "2022-07", "4401", 30);
  put("T_MAX", "2022-08", "4401", 20);
  put("T_MAX", "2022-08", "4402", 15);
  EXPECT_DOUBLE_EQ(*cell("T_MAX", "44", "2022Q3"), 35);  // August's 20 + 15, not 30 + 15
  EXPECT_DOUBLE_EQ(*cell("T_MAX", "4401", "2022Q3"), 30);
}

TEST_F(AnalyticsTest, NewOfAnAverageIsTheChangeAndOfARateTheChangeOfTheRatio) {
  put("T_AVERAGE", "2022-07", "4401", 40);
  put("T_AVERAGE", "2022-08", "4401", 46);
  put("T_LAST", "2022-07", "4401", 100);
  put("T_LAST", "2022-08", "4401", 200);
  put("N", "2022-07", "4401", 90);
  put("D", "2022-07", "4401", 100);
  put("N", "2022-08", "4401", 45);
  put("D", "2022-08", "4401", 50);
  put("N", "2022-08", "4402", 1);
  put("D", "2022-08", "4402", 10);
  EXPECT_DOUBLE_EQ(*cell("T_AVERAGE", "4401", "2022-08", Measure::kNew), 6);
  // 23% in August, 40% in July: −17 个百分点, whatever the operands' rules.
  EXPECT_DOUBLE_EQ(*cell("T_RATE", "4401", "2022-08", Measure::kNew), 23.0 - 40.0);
  // A rate of flows (summed over time) still reports its change: 46/60 − 90/100.
  EXPECT_DOUBLE_EQ(*cell("R", "44", "2022-08", Measure::kNew), 46.0 / 60.0 * 100 - 90.0);
  EXPECT_DOUBLE_EQ(*cell("N", "44", "2022-08", Measure::kNew), 46);  // a flow: the month itself
}

// Random values of one indicator per time aggregation, then quarters,
// years and month ranges of random subtrees (and their children as rows)
// compared with a naive recomputation: per month the sum over the
// subtree, then over the months summed, the last with a value, averaged
// over the months with a value, or the largest.
TEST_F(AnalyticsTest, TimeAggregationsOverQuartersAndYearsMatchNaiveRecomputation) {
  std::mt19937 rng(816);
  auto tree = s_->org_units().tree();
  std::vector<std::string> codes;
  for (model::Ordinal o = 0; o < tree->size(); ++o) codes.push_back(tree->unit(o).code);
  const std::string indicators[] = {"T_AVERAGE", "T_LAST", "T_SUM", "T_MAX"};
  std::vector<std::string> months;
  for (int m = 1; m <= 12; ++m) months.push_back(fmt::format("2022-{:02d}", m));
  std::map<std::tuple<std::string, std::string, std::string>, double> truth;
  std::vector<store::ValueWrite> writes;
  for (int i = 0; i < 1500; ++i) {
    const std::string& ind = indicators[rng() % 4];
    const std::string& unit = codes[rng() % codes.size()];
    const std::string& month = months[rng() % months.size()];
    // Negative values too, so that a maximum is not always the largest sum.
    double v = static_cast<double>(static_cast<int>(rng() % 2000) - 500) / 4;
    writes.push_back({ind, unit, month, v, std::nullopt});
    truth[{ind, unit, month}] = v;
  }
  ASSERT_TRUE(s_->store().write_values(writes, {"t", "import", 0}).ok());
  s_->analytics().apply(writes);

  auto naive_month = [&](const std::string& ind, const std::string& root,
                         const std::string& month) -> std::optional<double> {
    std::optional<double> sum;
    for (const auto& [key, v] : truth) {
      const auto& [i, u, m] = key;
      if (i == ind && m == month && tree->in_subtree(*tree->find(root), *tree->find(u)))
        sum = sum.value_or(0) + v;
    }
    return sum;
  };
  auto naive = [&](const std::string& ind, const std::string& root,
                   const std::vector<std::string>& span) -> std::optional<double> {
    std::optional<double> out;
    int with_value = 0;
    for (const std::string& m : span) {
      std::optional<double> v = naive_month(ind, root, m);
      if (!v) continue;
      ++with_value;
      if (ind == "T_LAST") {
        out = v;  // months run oldest first: the last one with a value stays
      } else if (ind == "T_MAX") {
        out = std::max(out.value_or(*v), *v);
      } else {
        out = out.value_or(0) + *v;
      }
    }
    if (out && ind == "T_AVERAGE") *out /= with_value;
    return out;
  };
  for (int q = 0; q < 300; ++q) {
    const std::string& ind = indicators[rng() % 4];
    const std::string& root = codes[rng() % codes.size()];
    std::string pe;
    std::vector<std::string> span;
    switch (rng() % 3) {
      case 0: {
        int quarter = 1 + static_cast<int>(rng() % 4);
        pe = fmt::format("2022Q{}", quarter);
        span.assign(months.begin() + 3 * (quarter - 1), months.begin() + 3 * quarter);
        break;
      }
      case 1:
        pe = "2022";
        span = months;
        break;
      default: {
        int last = 1 + static_cast<int>(rng() % 12);  // 1—N月
        pe = fmt::format("2022-01..2022-{:02d}", last);
        span.assign(months.begin(), months.begin() + last);
      }
    }
    const bool children = rng() % 2 == 0;
    AnalyticsRequest req;
    req.dx = {ind};
    req.ou = {root};
    if (children) req.ou.push_back("CHILDREN");
    req.pe = {pe};
    req.shown = {"ou"};
    auto t = s_->analytics().query(system_, req);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    std::map<std::string, double> got;
    for (std::size_t r = 0; r < t->row_count(); ++r)
      got[std::string(t->key(r, 0))] = *t->cell(r, 0);
    std::map<std::string, double> expected;
    std::vector<std::string> rows = {root};
    if (children) {
      rows.clear();
      for (model::Ordinal c : tree->children(*tree->find(root))) {
        if (tree->unit(c).kind == model::OrgUnitKind::kRegion) rows.push_back(tree->unit(c).code);
      }
    }
    for (const std::string& code : rows) {
      if (std::optional<double> v = naive(ind, code, span)) expected[code] = *v;
    }
    SCOPED_TRACE(::testing::Message() << ind << " " << root << " " << pe);
    ASSERT_EQ(got.size(), expected.size());
    for (const auto& [code, v] : expected) {
      ASSERT_TRUE(got.count(code)) << code;
      ASSERT_NEAR(got[code], v, 1e-9 * std::max(1.0, std::abs(v))) << code;
    }
  }
}

TEST(AnalyticsTableTest, KeptTextsStayPutAcrossBlocksAndMoves) {
  AnalyticsTable table;
  std::vector<std::pair<std::string_view, std::string>> kept;
  // Short texts fill several blocks; one is larger than a block on its own.
  for (int k = 0; k < 2000; ++k) {
    std::string text = "2022年" + std::to_string(k) + "月";
    kept.emplace_back(table.keep(text), text);
  }
  std::string large(10000, 'x');
  kept.emplace_back(table.keep(large), large);
  kept.emplace_back(table.keep(""), "");
  kept.emplace_back(table.keep("直属"), "直属");
  AnalyticsTable moved = std::move(table);
  kept.emplace_back(moved.keep("after the move"), "after the move");
  for (const auto& [view, text] : kept) EXPECT_EQ(view, text);
}

}  // namespace
}  // namespace tianbao::service
