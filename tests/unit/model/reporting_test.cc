#include "model/reporting.h"

#include <gtest/gtest.h>

#include <string>

namespace tianbao::model {
namespace {

TEST(PeriodAggregationTest, EveryNameParsesBackToItsValue) {
  for (PeriodAggregation p : {PeriodAggregation::kSum, PeriodAggregation::kLast,
                              PeriodAggregation::kAverage, PeriodAggregation::kMax}) {
    SCOPED_TRACE(std::string(period_aggregation_name(p)));
    StatusOr<PeriodAggregation> parsed = parse_period_aggregation(period_aggregation_name(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_EQ(period_aggregation_name(PeriodAggregation::kAverage), "average");
}

TEST(PeriodAggregationTest, AnUnknownNameIsRefusedNamingTheFieldAndTheChoices) {
  for (const char* bad : {"", "mean", "SUM", "min", "stock"}) {
    SCOPED_TRACE(bad);
    StatusOr<PeriodAggregation> parsed = parse_period_aggregation(bad);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().field(), "periodAggregation");
    EXPECT_NE(parsed.status().message().find("时间汇总方式"), std::string::npos);
    EXPECT_NE(parsed.status().message().find("average"), std::string::npos);
  }
}

// The old two-valued kind and the time aggregation, both ways (API.md).
struct KindCase {
  PeriodAggregation period_aggregation;
  IndicatorKind kind;
};

TEST(PeriodAggregationTest, KindMapsStockToLastAndFlowToSumAndBack) {
  EXPECT_EQ(period_aggregation_of(IndicatorKind::kStock), PeriodAggregation::kLast);
  EXPECT_EQ(period_aggregation_of(IndicatorKind::kFlow), PeriodAggregation::kSum);
  const KindCase cases[] = {
      {PeriodAggregation::kSum, IndicatorKind::kFlow},
      {PeriodAggregation::kLast, IndicatorKind::kStock},
      {PeriodAggregation::kAverage, IndicatorKind::kFlow},
      {PeriodAggregation::kMax, IndicatorKind::kFlow},
  };
  for (const KindCase& c : cases) {
    SCOPED_TRACE(std::string(period_aggregation_name(c.period_aggregation)));
    EXPECT_EQ(indicator_kind_of(c.period_aggregation), c.kind);
    Indicator ind;
    ind.period_aggregation = c.period_aggregation;
    EXPECT_EQ(ind.kind(), c.kind);
  }
}

TEST(PeriodAggregationTest, AnIndicatorIsSummedOverTimeUnlessItSaysOtherwise) {
  Indicator ind;
  EXPECT_EQ(ind.period_aggregation, PeriodAggregation::kSum);
  EXPECT_EQ(ind.kind(), IndicatorKind::kFlow);
}

// 本期新增 is the period's own figure only for a summed, non-percentage
// indicator; everything else reports its change.
struct NewCase {
  PeriodAggregation period_aggregation;
  ValueType type;
  const char* unit;
  const char* formula;
  bool own;
};

TEST(PeriodAggregationTest, NewIsTheOwnFigureOnlyForStoredSummedIndicatorsNotPercentages) {
  const NewCase cases[] = {
      {PeriodAggregation::kSum, ValueType::kNumber, "万次", "", true},
      {PeriodAggregation::kSum, ValueType::kInteger, "件", "", true},
      {PeriodAggregation::kLast, ValueType::kNumber, "万", "", false},
      {PeriodAggregation::kAverage, ValueType::kNumber, "万", "", false},
      {PeriodAggregation::kMax, ValueType::kNumber, "万", "", false},
      {PeriodAggregation::kSum, ValueType::kPercent, "%", "", false},
      {PeriodAggregation::kSum, ValueType::kNumber, "%", "", false},
      {PeriodAggregation::kLast, ValueType::kPercent, "", "", false},
      {PeriodAggregation::kSum, ValueType::kNumber, "", "A / B * 100", false},  // a ratio
  };
  for (const NewCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << period_aggregation_name(c.period_aggregation) << " "
                                      << value_type_name(c.type) << " " << c.unit);
    Indicator ind;
    ind.period_aggregation = c.period_aggregation;
    ind.value_type = c.type;
    ind.unit = c.unit;
    ind.formula = c.formula;
    EXPECT_EQ(ind.new_is_own_figure(), c.own);
  }
}

}  // namespace
}  // namespace tianbao::model
