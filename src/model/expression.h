// Expression: a parsed formula over indicator codes, as used by derived
// indicators (日活率 = YZY_DAU / YZY_OPENED * 100) and validation rules
// (YZY_ACTIVE <= YZY_OPENED).
//
// Grammar (whitespace between tokens is ignored):
//   expression := comparison
//   comparison := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//   sum        := product { ("+" | "-") product }
//   product    := unary { ("*" | "/") unary }
//   unary      := "-" unary | primary
//   primary    := number | code | "if" "(" expression "," expression "," expression ")"
//               | "(" expression ")"
//   number     := digits [ "." digits ]      (e.g. 100, 0.5)
//   code       := [A-Z][A-Z0-9_]{0,63}       (an indicator code; "if" is not a code)
// Comparisons evaluate to 1 (true) or 0 (false); if(c, a, b) is a when c is
// non-zero, else b (only the chosen branch needs its operands).
//
//   ASSIGN_OR_RETURN(Expression e, Expression::parse("A / B * 100"));
//   e.references();                          // {"A", "B"}
//   e.evaluate([](std::string_view code) -> std::optional<double> { ... });
//
// Thread-safety: immutable after parse(); evaluate() is const and reentrant.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace tianbao::model {

class Expression {
 public:
  using Lookup = std::function<std::optional<double>(std::string_view code)>;

  // InvalidArgument (field "formula", reason "invalid_formula") with a 中文
  // message saying what was expected at which character position (1-based),
  // e.g. "公式第 5 个字符处缺少右括号". Empty text, texts over 2,000 bytes and
  // nesting deeper than 100 levels are refused.
  static StatusOr<Expression> parse(std::string_view text);

  Expression(const Expression& other);
  Expression& operator=(const Expression& other);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  // Indicator codes referenced, sorted, without duplicates.
  const std::vector<std::string>& references() const { return references_; }
  // The value, or nullopt if an operand it needs is missing (lookup returned
  // nullopt), a division by zero occurs, or the result is not finite.
  std::optional<double> evaluate(const Lookup& lookup) const;
  // The same evaluation over `rows` rows at once, operand by operand (for
  // analytics over thousands of units): `column(code)` gives that code's
  // values for every row, or null if it has none. Results are those
  // evaluate() would give row by row.
  using Column = std::vector<std::optional<double>>;
  using ColumnLookup = std::function<const Column*(std::string_view code)>;
  Column evaluate_columns(std::size_t rows, const ColumnLookup& column) const;
  // The text as given to parse() (trimmed).
  const std::string& text() const { return text_; }

  struct Node;  // defined in expression.cc

 private:
  Expression() = default;
  std::string text_;
  std::vector<std::string> references_;
  std::unique_ptr<Node> root_;
};

// Checks a set of derived indicators' formulas: every referenced code must
// satisfy `exists` (or be another derived indicator in `formulas`), and no
// derived indicator may depend on itself through any chain. On failure:
// InvalidArgument (field "formula") naming the culprit — reason
// "unknown_indicator" ("公式引用了不存在的指标 XYZ") or "formula_cycle"
// ("计算指标之间存在循环引用：A → B → A").
Status check_formulas(const std::map<std::string, Expression>& formulas,
                      const std::function<bool(std::string_view)>& exists);

// The derived indicators of `formulas` in an order where every formula
// comes after the derived indicators it references (assumes
// check_formulas passed).
std::vector<std::string> evaluation_order(const std::map<std::string, Expression>& formulas);

}  // namespace tianbao::model
