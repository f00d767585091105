#include "model/validation.h"

#include <cmath>

#include <fmt/format.h>

namespace tianbao::model {

namespace {

constexpr double kEqualWithin = 1e-9;

Expression::Lookup lookup_in(const Figures& figures) {
  return [&figures](std::string_view code) -> std::optional<double> {
    auto it = figures.find(std::string(code));
    return it == figures.end() ? std::nullopt : std::optional<double>(it->second);
  };
}

}  // namespace

bool rule_holds(RuleOperator op, double left, double right) {
  switch (op) {
    case RuleOperator::kLess:
      return left < right;
    case RuleOperator::kLessEqual:
      return left <= right;
    case RuleOperator::kGreater:
      return left > right;
    case RuleOperator::kGreaterEqual:
      return left >= right;
    case RuleOperator::kEqual:
      return std::abs(left - right) < kEqualWithin;
    case RuleOperator::kNotEqual:
      return std::abs(left - right) >= kEqualWithin;
  }
  return false;
}

std::optional<Violation> evaluate(const ValidationRule& rule, const Expression& left,
                                  const Expression& right, const Figures& figures) {
  const Expression::Lookup lookup = lookup_in(figures);
  std::optional<double> a = left.evaluate(lookup);
  std::optional<double> b = right.evaluate(lookup);
  if (!a || !b) return std::nullopt;  // not enough figures yet
  if (rule_holds(rule.op, *a, *b)) return std::nullopt;
  return Violation{
      rule.code, rule.severity, "rule",
      fmt::format("{}（{} = {}，{} = {}）", rule.message, rule.left, *a, rule.right, *b), ""};
}

Figures with_derived(const std::map<std::string, Expression>& formulas, Figures figures) {
  const Expression::Lookup lookup = lookup_in(figures);
  for (const std::string& code : evaluation_order(formulas)) {
    if (std::optional<double> v = formulas.at(code).evaluate(lookup)) figures[code] = *v;
  }
  return figures;
}

}  // namespace tianbao::model
