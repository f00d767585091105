#include "service/analytics_plan.h"

#include <gtest/gtest.h>

#include "service/services.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

using model::OrgUnitKind;

// 广东(44) ─ 广州(4401) ─ 越秀(440101) ─ 北京街(440101001)
//         │             └ 广州政数局(4401_D, department)
//         ├ 韶关(4402) ─ 浈江(440201) ─ 东河街(440201001)
//         └ 省政数局(44_D, department)
class AnalyticsPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Services::open(dir_.file("t.db"));
    ASSERT_TRUE(opened.ok());
    s_ = std::move(*opened);
    ASSERT_TRUE(
        s_->org_units()
            .load_divisions(system_,
                            {
                                {"44", "广东省", 1, OrgUnitKind::kRegion, ""},
                                {"4401", "广州市", 2, OrgUnitKind::kRegion, "44"},
                                {"440101", "越秀区", 3, OrgUnitKind::kRegion, "4401"},
                                {"440101001", "北京街道", 4, OrgUnitKind::kRegion, "440101"},
                                {"4402", "韶关市", 2, OrgUnitKind::kRegion, "44"},
                                {"440201", "浈江区", 3, OrgUnitKind::kRegion, "4402"},
                                {"440201001", "东河街道", 4, OrgUnitKind::kRegion, "440201"},
                            })
            .ok());
    ASSERT_TRUE(s_->org_units().add_department(system_, {"44_D", "省政数局", "44"}).ok());
    ASSERT_TRUE(s_->org_units().add_department(system_, {"4401_D", "广州政数局", "4401"}).ok());
    for (const char* code : {"F", "S"}) {
      model::Indicator i;
      i.code = code;
      i.name = std::string("指标") + code;
      i.unit = "个";
      ASSERT_TRUE(s_->metadata().create_indicator(system_, i).ok()) << code;
    }
    gz_.user_id = 9;
    gz_.username = "gz";
    gz_.org_code = "4401";
    gz_.roles = {model::Role::kViewer};
  }

  const model::OrgTree& tree() {
    tree_ = s_->org_units().tree();
    return *tree_;
  }
  // The codes of units at `ordinals`.
  std::vector<std::string> codes(const std::vector<model::Ordinal>& ordinals) {
    std::vector<std::string> out;
    for (model::Ordinal o : ordinals) out.push_back(tree_->unit(o).code);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Services> s_;
  std::shared_ptr<const model::OrgTree> tree_;
  const Principal system_ = Principal::system("");
  Principal gz_;
};

// An expected refusal: code, field, reason and the 中文 message.
struct Refusal {
  StatusCode code;
  std::string field, reason, message;
};

void expect_refusal(const Status& s, const Refusal& want) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), want.code);
  EXPECT_EQ(s.field(), want.field);
  EXPECT_EQ(s.reason(), want.reason);
  EXPECT_EQ(s.message(), want.message);
}

TEST(AnalyticsDimensionTest, NamesParseBackToTheirDimension) {
  for (Dimension d : {Dimension::kData, Dimension::kOrgUnit, Dimension::kPeriod}) {
    EXPECT_EQ(parse_dimension(dimension_name(d)), d);
  }
  EXPECT_EQ(dimension_name(Dimension::kOrgUnit), "ou");
  EXPECT_FALSE(parse_dimension("period").has_value());
  EXPECT_FALSE(parse_dimension("DX").has_value());
}

TEST(AnalyticsPlanStepTest, RequiredDimensionsAreCheckedFirst) {
  struct Case {
    std::vector<std::string> dx, pe;
    std::optional<Refusal> refusal;
  };
  const std::vector<Case> cases = {
      {{"F"}, {"2022-08"}, std::nullopt},
      {{},
       {"2022-08"},
       Refusal{StatusCode::kInvalidArgument, "dx", "required", "须指定指标维度 dx"}},
      {{"F"}, {}, Refusal{StatusCode::kInvalidArgument, "pe", "required", "须指定期间维度 pe"}},
      {{}, {}, Refusal{StatusCode::kInvalidArgument, "dx", "required", "须指定指标维度 dx"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.dx) + " " + ::testing::PrintToString(c.pe));
    AnalyticsRequest req;
    req.dx = c.dx;
    req.pe = c.pe;
    Status s = check_required(req);
    if (c.refusal) {
      expect_refusal(s, *c.refusal);
    } else {
      EXPECT_TRUE(s.ok()) << s.to_string();
    }
  }
}

TEST(AnalyticsPlanStepTest, ShownDimensionsParseOnceEachAtMostOnce) {
  struct Case {
    std::vector<std::string> shown;
    std::vector<Dimension> want;  // empty with a refusal
    std::string refused;          // the name quoted in the message
  };
  using enum Dimension;
  const std::vector<Case> cases = {
      {{"dx", "ou", "pe"}, {kData, kOrgUnit, kPeriod}, ""},
      {{"pe", "ou"}, {kPeriod, kOrgUnit}, ""},
      {{}, {}, ""},
      {{"ou", "ou"}, {}, "ou"},
      {{"dx", "period"}, {}, "period"},
      {{"DX"}, {}, "DX"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.shown));
    StatusOr<std::vector<Dimension>> got = resolve_shown(c.shown);
    if (c.refused.empty()) {
      ASSERT_TRUE(got.ok()) << got.status().to_string();
      EXPECT_EQ(*got, c.want);
    } else {
      expect_refusal(got.status(),
                     {StatusCode::kInvalidArgument, "dimension", "invalid_dimension",
                      "显示的维度须为 dx、ou、pe 各至多一次，收到“" + c.refused + "”"});
    }
  }
}

TEST_F(AnalyticsPlanTest, IndicatorsResolveToTheCataloguesCodesAndAreNamed) {
  struct Case {
    std::vector<std::string> dx;
    bool shown;
    std::vector<std::string_view> want;
    std::optional<Refusal> refusal;
  };
  const std::vector<Case> cases = {
      {{"F", "S"}, true, {"F", "S"}, std::nullopt},
      {{"S"}, false, {"S"}, std::nullopt},
      {{"F", "NOPE"},
       true,
       {},
       Refusal{StatusCode::kNotFound, "dx", "unknown_indicator", "指标 NOPE 不存在"}},
      {{"F", "S"},
       false,
       {},
       Refusal{StatusCode::kInvalidArgument, "dx", "invalid_filter",
               "作为筛选条件时 dx 只能有一个指标"}},
  };
  auto catalogue = s_->metadata().catalogue();
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.dx));
    AnalyticsTable names;
    StatusOr<std::vector<std::string_view>> got =
        resolve_indicators(c.dx, c.shown, *catalogue, names);
    if (c.refusal) {
      expect_refusal(got.status(), *c.refusal);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    EXPECT_EQ(*got, c.want);
    ASSERT_EQ(names.items.size(), c.want.size());
    EXPECT_EQ(names.item(c.want[0])->name, std::string("指标") + std::string(c.want[0]));
    EXPECT_EQ(names.item(c.want[0])->unit, "个");
  }
}

TEST(AnalyticsPlanStepTest, PeriodsBecomeOneRowEachOrOneFilterRow) {
  struct Case {
    std::vector<std::string> pe;
    bool shown;
    std::vector<std::string> ids;            // one per row
    std::vector<std::size_t> period_counts;  // per row
  };
  const std::vector<Case> cases = {
      {{"2022-07", "2022-08"}, true, {"2022-07", "2022-08"}, {1, 1}},
      {{"2022Q3"}, true, {"2022Q3"}, {1}},
      {{"LAST_3_MONTHS"}, true, {"2022-06", "2022-07", "2022-08"}, {1, 1, 1}},
      // A filter of one text is named by it; of several, not at all.
      {{"LAST_3_MONTHS"}, false, {"LAST_3_MONTHS"}, {3}},
      {{"2022-07", "2022-08"}, false, {""}, {2}},
  };
  const model::YearMonth today{2022, 9};
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.pe) + (c.shown ? " shown" : " filter"));
    AnalyticsTable names;
    StatusOr<std::vector<PeriodRow>> got = resolve_periods(c.pe, c.shown, today, names);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    ASSERT_EQ(got->size(), c.ids.size());
    for (std::size_t r = 0; r < got->size(); ++r) {
      EXPECT_EQ((*got)[r].id, c.ids[r]);
      EXPECT_EQ((*got)[r].periods.size(), c.period_counts[r]);
    }
  }
  AnalyticsTable names;
  StatusOr<std::vector<PeriodRow>> named = resolve_periods({"2022-08"}, true, today, names);
  ASSERT_TRUE(named.ok());
  ASSERT_NE(names.item("2022-08"), nullptr);
  EXPECT_EQ(names.item("2022-08")->name, model::Period::parse("2022-08")->label());

  StatusOr<std::vector<PeriodRow>> bad = resolve_periods({"2022-13"}, true, today, names);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AnalyticsPlanTest, OrgUnitItemsSelectBoundsLevelsAndChildren) {
  struct Case {
    std::vector<std::string> ou;
    const Principal* who;
    std::vector<std::string> bounds;
    std::optional<int> level;
    bool children;
  };
  const std::vector<Case> cases = {
      {{"4401", "4402"}, &system_, {"4401", "4402"}, std::nullopt, false},
      {{"44", "LEVEL-3"}, &system_, {"44"}, 3, false},
      {{"44", "CHILDREN"}, &system_, {"44"}, std::nullopt, true},
      // No unit listed: the caller's own, or the roots for the system.
      {{"LEVEL-4"}, &gz_, {"4401"}, 4, false},
      {{"LEVEL-2"}, &system_, {"44"}, 2, false},
      {{"USER_ORGUNIT"}, &gz_, {"4401"}, std::nullopt, false},
      {{"440101"}, &gz_, {"440101"}, std::nullopt, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.ou));
    StatusOr<OrgUnitSelection> got = resolve_org_unit_items(c.ou, tree(), *c.who, s_->access());
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    EXPECT_EQ(codes(got->bounds), c.bounds);
    EXPECT_EQ(got->level, c.level);
    EXPECT_EQ(got->children, c.children);
  }
}

TEST_F(AnalyticsPlanTest, OrgUnitItemsRefuseBadLevelsAndUnitsOutOfReach) {
  struct Case {
    std::vector<std::string> ou;
    bool as_filler;  // a 填表员 of 4401, whose role cannot read analytics
    Refusal refusal;
  };
  const Refusal bad_level{StatusCode::kInvalidArgument, "ou", "invalid_level",
                          "LEVEL-n 中的 n 须为 1 到 5"};
  const std::vector<Case> cases = {
      {{"LEVEL-0"}, false, bad_level},
      {{"LEVEL-6"}, false, bad_level},
      {{"LEVEL-x"}, false, bad_level},
      {{"4499"}, false, {StatusCode::kNotFound, "ou", "unknown_org_unit", "单位 4499 不存在"}},
      // Outside the caller's scope reads as not existing.
      {{"4402"}, false, {StatusCode::kNotFound, "ou", "unknown_org_unit", "单位 4402 不存在"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.ou));
    StatusOr<OrgUnitSelection> got = resolve_org_unit_items(c.ou, tree(), gz_, s_->access());
    expect_refusal(got.status(), c.refusal);
  }
  Principal filler = gz_;
  filler.roles = {model::Role::kFiller};
  StatusOr<OrgUnitSelection> denied =
      resolve_org_unit_items({"4401"}, tree(), filler, s_->access());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(AnalyticsPlanTest, ExpansionListsRowsInTreeOrderWithDirectRows) {
  struct Case {
    std::vector<std::string> ou;
    bool shown;
    bool own_departments;
    std::vector<std::string> rows;  // ids; "" for a filter row of several units
  };
  const std::vector<Case> cases = {
      {{"4402", "4401"}, true, false, {"4402", "4401"}},
      {{"44", "LEVEL-4"}, true, false, {"440101001", "440201001"}},
      {{"44", "CHILDREN"}, true, false, {"4401", "4402"}},
      {{"44", "CHILDREN"}, true, true, {"4401", "4402", "44:DIRECT"}},
      {{"4401", "4402"}, true, true, {"4401", "4401:DIRECT", "4402"}},
      {{"4401"}, false, false, {"4401"}},
      {{"44", "CHILDREN"}, false, false, {""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.ou) + (c.shown ? " shown" : " filter"));
    StatusOr<OrgUnitSelection> selection =
        resolve_org_unit_items(c.ou, tree(), system_, s_->access());
    ASSERT_TRUE(selection.ok());
    AnalyticsTable names;
    std::vector<OrgUnitRow> rows =
        expand_org_units(*selection, c.shown, c.own_departments, *tree_, names);
    std::vector<std::string> ids;
    for (const OrgUnitRow& r : rows) ids.emplace_back(r.id);
    EXPECT_EQ(ids, c.rows);
  }
  // A 直属 row sums the region's departments and is named after the region.
  auto selection = resolve_org_unit_items({"44", "CHILDREN"}, tree(), system_, s_->access());
  ASSERT_TRUE(selection.ok());
  AnalyticsTable names;
  std::vector<OrgUnitRow> rows = expand_org_units(*selection, true, true, *tree_, names);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows[2].ranges.size(), 1u);
  EXPECT_EQ(rows[2].ranges[0], tree_->subtree(*tree_->find("44_D")));
  EXPECT_EQ(names.item("44:DIRECT")->name, "广东省直属");
  EXPECT_EQ(names.dimensions.at("ou"),
            (std::vector<std::string_view>{"4401", "4402", "44:DIRECT"}));
}

TEST(AnalyticsPlanStepTest, SizeIsCappedAtTheMostCells) {
  AnalyticsPlan plan;
  plan.indicators = {"F"};
  plan.measures = {Measure::kValue, Measure::kRank};
  plan.periods.resize(100);
  plan.units.resize(kMaxCells / 200);
  EXPECT_TRUE(check_size(plan).ok());
  plan.units.resize(kMaxCells / 200 + 1);
  expect_refusal(check_size(plan), {StatusCode::kInvalidArgument, "dimension", "too_many_cells",
                                    "查询结果过大（200200 个单元格），请缩小范围"});
}

TEST_F(AnalyticsPlanTest, PlanningTakesTheStepsInOrder) {
  auto catalogue = s_->metadata().catalogue();
  AnalyticsRequest req;
  req.dx = {"NOPE"};
  req.pe = {"2022-13"};
  req.shown = {"dx", "dx"};
  AnalyticsTable names;
  // The shown dimensions are refused before the indicators, those before
  // the periods.
  EXPECT_EQ(plan_query(req, *catalogue, {2022, 9}, names).status().reason(), "invalid_dimension");
  req.shown = {"dx", "pe"};
  EXPECT_EQ(plan_query(req, *catalogue, {2022, 9}, names).status().reason(), "unknown_indicator");
  req.dx = {"F"};
  EXPECT_FALSE(plan_query(req, *catalogue, {2022, 9}, names).ok());
  req.pe = {"2022-08"};
  AnalyticsTable table;
  StatusOr<AnalyticsPlan> plan = plan_query(req, *catalogue, {2022, 9}, table);
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  EXPECT_EQ(plan->shown, (std::vector<Dimension>{Dimension::kData, Dimension::kPeriod}));
  EXPECT_EQ(table.shown, plan->shown);
  EXPECT_EQ(plan->indicators, (std::vector<std::string_view>{"F"}));
  ASSERT_EQ(plan->periods.size(), 1u);
  EXPECT_EQ(plan->periods[0].id, "2022-08");
  // Indicators are named first, then periods.
  ASSERT_EQ(table.items.size(), 2u);
  EXPECT_EQ(table.items[0].first, "F");
  EXPECT_EQ(table.items[1].first, "2022-08");
}

}  // namespace
}  // namespace tianbao::service
