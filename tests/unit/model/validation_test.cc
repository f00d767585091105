#include "model/validation.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace tianbao::model {
namespace {

Expression E(std::string_view text) {
  StatusOr<Expression> e = Expression::parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().to_string();
  return e.ok() ? *e : *Expression::parse("0");
}

struct HoldsCase {
  RuleOperator op;
  double left;
  double right;
  bool holds;
};

TEST(RuleHoldsTest, ComparesWithEqualityWithinOneBillionth) {
  const HoldsCase cases[] = {
      {RuleOperator::kLess, 1, 2, true},
      {RuleOperator::kLess, 2, 2, false},
      {RuleOperator::kLessEqual, 2, 2, true},
      {RuleOperator::kLessEqual, 3, 2, false},
      {RuleOperator::kGreater, 3, 2, true},
      {RuleOperator::kGreater, 2, 2, false},
      {RuleOperator::kGreaterEqual, 2, 2, true},
      {RuleOperator::kGreaterEqual, 1, 2, false},
      {RuleOperator::kEqual, 0.1 + 0.2, 0.3, true},
      {RuleOperator::kEqual, 1, 1.001, false},
      {RuleOperator::kNotEqual, 1, 1.001, true},
      {RuleOperator::kNotEqual, 0.1 + 0.2, 0.3, false},
  };
  for (const HoldsCase& c : cases) {
    SCOPED_TRACE(fmt::format("{} {} {}", c.left, rule_operator_text(c.op), c.right));
    EXPECT_EQ(rule_holds(c.op, c.left, c.right), c.holds);
  }
}

ValidationRule rule(std::string left, RuleOperator op, std::string right, Severity severity) {
  return {"R1", "规则", std::move(left), op, std::move(right), severity, "日活不能大于开通"};
}

TEST(EvaluateRuleTest, AFailingRuleIsAViolationShowingBothSides) {
  const ValidationRule r = rule("DAU", RuleOperator::kLessEqual, "OPENED", Severity::kError);
  std::optional<Violation> v = evaluate(r, E(r.left), E(r.right), {{"DAU", 12}, {"OPENED", 10}});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->field, "R1");
  EXPECT_EQ(v->code, "rule");
  EXPECT_EQ(v->severity, Severity::kError);
  EXPECT_EQ(v->message, "日活不能大于开通（DAU = 12，OPENED = 10）");
}

TEST(EvaluateRuleTest, AWarningRuleKeepsItsSeverityAndShowsComputedSides) {
  const ValidationRule r = rule("CASES", RuleOperator::kLessEqual, "DAYS * 50", Severity::kWarning);
  std::optional<Violation> v = evaluate(r, E(r.left), E(r.right), {{"CASES", 1600}, {"DAYS", 30}});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->severity, Severity::kWarning);
  EXPECT_EQ(v->message, "日活不能大于开通（CASES = 1600，DAYS * 50 = 1500）");
}

TEST(EvaluateRuleTest, AHoldingRuleOrOneWithoutItsFiguresIsNoViolation) {
  const ValidationRule r = rule("DAU", RuleOperator::kLessEqual, "OPENED", Severity::kError);
  EXPECT_FALSE(evaluate(r, E(r.left), E(r.right), {{"DAU", 10}, {"OPENED", 10}}));
  EXPECT_FALSE(evaluate(r, E(r.left), E(r.right), {{"DAU", 12}}));
  EXPECT_FALSE(evaluate(r, E(r.left), E(r.right), {}));
  // A side that cannot be computed (division by zero) is not enough figures.
  const ValidationRule ratio = rule("A / B", RuleOperator::kLess, "1", Severity::kError);
  EXPECT_FALSE(evaluate(ratio, E(ratio.left), E(ratio.right), {{"A", 5}, {"B", 0}}));
}

TEST(WithDerivedTest, AddsDerivedIndicatorsInDependencyOrder) {
  std::map<std::string, Expression> formulas;
  formulas.emplace("PCT", E("RATE * 100"));  // uses another derived indicator
  formulas.emplace("RATE", E("A / B"));
  formulas.emplace("MISSING", E("A + C"));
  const Figures all = with_derived(formulas, {{"A", 1}, {"B", 4}});
  EXPECT_DOUBLE_EQ(all.at("RATE"), 0.25);
  EXPECT_DOUBLE_EQ(all.at("PCT"), 25);
  EXPECT_EQ(all.count("MISSING"), 0u);
  EXPECT_DOUBLE_EQ(all.at("A"), 1);
}

}  // namespace
}  // namespace tianbao::model
