// libFuzzer target: formulas of derived indicators and validation rules
// (parse, check_formulas, and evaluation both row by row and by columns,
// which must agree), periods as tasks, imports and analytics take them
// (Period::parse, resolve_periods), deadlines, and value interpretation
// for every value type, as entry and import check a typed figure.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/expression.h"
#include "model/period.h"
#include "model/text.h"
#include "model/value.h"

namespace {

using tianbao::model::Expression;

// Operand values of three rows: all 1; -1, 0 or 1 by the code's length (so
// that divisions by zero happen); missing for codes of even length.
std::optional<double> operand(std::size_t row, std::string_view code) {
  if (row == 0) return 1.0;
  if (row == 1) return static_cast<double>(code.size() % 3) - 1.0;
  if (code.size() % 2 == 0) return std::nullopt;
  return static_cast<double>(code.size()) * 0.5;
}

void evaluate(const Expression& expr) {
  constexpr std::size_t kRows = 3;
  std::map<std::string, Expression::Column, std::less<>> columns;
  for (const std::string& code : expr.references()) {
    Expression::Column& column = columns[code];
    for (std::size_t r = 0; r < kRows; ++r) column.push_back(operand(r, code));
  }
  Expression::Column by_columns =
      expr.evaluate_columns(kRows, [&](std::string_view code) -> const Expression::Column* {
        auto it = columns.find(code);
        return it == columns.end() ? nullptr : &it->second;
      });
  for (std::size_t r = 0; r < kRows; ++r) {
    std::optional<double> by_row =
        expr.evaluate([&](std::string_view code) { return operand(r, code); });
    if (by_row != by_columns[r]) __builtin_trap();  // the two evaluations disagree
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto expr = tianbao::model::Expression::parse(text);
  if (expr.ok()) {
    evaluate(*expr);
    Expression copy = *expr;
    (void)copy.evaluate([](std::string_view) { return std::optional<double>(); });
    // The formula as derived indicator A: a cycle if it refers to A.
    std::map<std::string, Expression> formulas;
    formulas.emplace("A", std::move(copy));
    if (tianbao::model::check_formulas(formulas, [](std::string_view c) {
          return c != "ZZ";
        }).ok()) {
      (void)tianbao::model::evaluation_order(formulas);
    }
  }

  auto period = tianbao::model::Period::parse(text);
  if (period.ok()) {
    // Stored periods are written back as to_string() and must read the same.
    auto again = tianbao::model::Period::parse(period->to_string());
    if (!again.ok() || again->to_string() != period->to_string()) __builtin_trap();
    (void)period->label();
    (void)period->previous().to_string();
    (void)period->same_period_last_year().label();
    (void)period->start_date();
    (void)period->end_date();
  }
  auto periods = tianbao::model::resolve_periods(text, {2022, 9});
  if (periods.ok()) {
    for (const auto& p : *periods) (void)p.to_string();
  }
  auto deadline = tianbao::model::Deadline::parse(text);
  if (deadline.ok()) {
    auto again = tianbao::model::Deadline::parse(deadline->to_string());
    if (!again.ok() || again->to_string() != deadline->to_string()) __builtin_trap();
  }

  // Entry and import check UTF-8 before interpreting a value.
  if (tianbao::model::is_valid_utf8(text)) {
    using tianbao::model::ValueType;
    for (const tianbao::model::FieldSpec& spec : {
             tianbao::model::FieldSpec{ValueType::kInteger, "个", 0, {}},
             tianbao::model::FieldSpec{ValueType::kNumber, "万", 0, {}},
             tianbao::model::FieldSpec{ValueType::kNumber, "亿元", {}, {}},
             tianbao::model::FieldSpec{ValueType::kPercent, "%", {}, 100},
             tianbao::model::FieldSpec{ValueType::kText, "", {}, {}},
             tianbao::model::FieldSpec{ValueType::kBoolean, "", {}, {}},
         }) {
      (void)tianbao::model::interpret_value(text, spec);
    }
  }
  return 0;
}
