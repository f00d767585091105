#include "model/expression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tianbao::model {
namespace {

// Entered values for the codes the tests use; any other code is missing.
std::optional<double> sample(std::string_view code) {
  static const std::map<std::string, double, std::less<>> kValues = {
      {"A", 6},         {"B", 3},
      {"C", 2},         {"ZERO", 0},
      {"YZY_DAU", 150}, {"YZY_OPENED", 600},
      {"BIG", 1e308},   {"NAN_VALUE", std::numeric_limits<double>::quiet_NaN()},
  };
  auto it = kValues.find(code);
  if (it == kValues.end()) return std::nullopt;
  return it->second;
}

Expression parsed(std::string_view text) {
  StatusOr<Expression> e = Expression::parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().to_string();
  if (!e.ok()) return *Expression::parse("0");
  return *std::move(e);
}

struct EvalCase {
  const char* text;
  std::optional<double> want;
};

TEST(ExpressionTest, Evaluates) {
  const EvalCase kCases[] = {
      // Numbers and codes.
      {"100", 100},
      {"0.5", 0.5},
      {"007.250", 7.25},
      {"A", 6},
      {"YZY_DAU / YZY_OPENED * 100", 25},
      // Precedence and associativity.
      {"A + B * C", 12},
      {"A * B + C", 20},
      {"(A + B) * C", 18},
      {"8-2-1", 5},
      {"8/2/2", 2},
      {"8 - (2 - 1)", 7},
      {"8 / (2 / 2)", 8},
      {"A - B + C", 5},
      {"A / B * C", 4},
      // Unary minus binds tighter than * and may repeat.
      {"-A*2", -12},
      {"--3", 3},
      {"---3", -3},
      {"- - 3", 3},
      {"-(A - B)", -3},
      {"A - -B", 9},
      {"A*-B", -18},
      {"((((A))))", 6},
      // Comparisons give 1 or 0 and bind loosest.
      {"A > B", 1},
      {"A < B", 0},
      {"A >= 6", 1},
      {"A <= 5.5", 0},
      {"A == 6", 1},
      {"A != 6", 0},
      {"A + B > 8", 1},
      {"A + B > 3 * 3", 0},
      {"(A > B) + (B > A)", 1},
      // Decimals that differ only by binary rounding are equal.
      {"0.1 + 0.2 == 0.3", 1},
      {"12.3 + 45.6 == 57.9", 1},
      {"12.3 + 45.6 != 57.9", 0},
      {"1 < 1.0000001", 1},
      // if() needs only the branch it takes.
      {"if(A > B, A, B)", 6},
      {"if(A < B, A, B)", 3},
      {"if(ZERO, MISSING, 7)", 7},
      {"if(A, 1, MISSING)", 1},
      {"if(B - 3, A / ZERO, A)", 6},
      {"if(A > B, if(B > C, 1, 2), 3) * 10", 10},
      {"if(MISSING, 1, 2)", std::nullopt},
      {"if(A, MISSING, 2)", std::nullopt},
      // Missing operands, division by zero and overflow give no value.
      {"MISSING", std::nullopt},
      {"MISSING + 1", std::nullopt},
      {"0 * MISSING", std::nullopt},
      {"-MISSING", std::nullopt},
      {"MISSING > 1", std::nullopt},
      {"MISSING == MISSING", std::nullopt},
      {"A / ZERO", std::nullopt},
      {"A / (B - 3)", std::nullopt},
      {"ZERO / ZERO", std::nullopt},
      {"BIG * 10", std::nullopt},
      {"BIG * 10 > 0", std::nullopt},
      {"NAN_VALUE", std::nullopt},
      {"NAN_VALUE > 0", std::nullopt},
  };
  for (const EvalCase& c : kCases) {
    SCOPED_TRACE(c.text);
    StatusOr<Expression> e = Expression::parse(c.text);
    ASSERT_TRUE(e.ok()) << e.status().to_string();
    std::optional<double> got = e->evaluate(sample);
    if (!c.want.has_value()) {
      EXPECT_FALSE(got.has_value()) << *got;
    } else {
      ASSERT_TRUE(got.has_value());
      EXPECT_DOUBLE_EQ(*got, *c.want);
    }
  }
}

TEST(ExpressionTest, IfLooksUpOnlyTheChosenBranch) {
  Expression e = parsed("if(A > B, C, MISSING) + if(ZERO, MISSING, B)");
  std::vector<std::string> asked;
  auto lookup = [&](std::string_view code) {
    asked.emplace_back(code);
    return sample(code);
  };
  EXPECT_EQ(e.evaluate(lookup), 5);
  EXPECT_EQ(asked, (std::vector<std::string>{"A", "B", "C", "ZERO", "B"}));
}

TEST(ExpressionTest, ReferencesAreSortedAndUnique) {
  EXPECT_EQ(parsed("B + A * B + if(C, A, 1)").references(),
            (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(parsed("YZY_DAU / YZY_OPENED * 100").references(),
            (std::vector<std::string>{"YZY_DAU", "YZY_OPENED"}));
  EXPECT_TRUE(parsed("1 + 2").references().empty());
}

TEST(ExpressionTest, KeepsTrimmedText) {
  EXPECT_EQ(parsed("  A +  B \n").text(), "A +  B");
  EXPECT_EQ(parsed("\xE3\x80\x80"
                   "A\xE3\x80\x80+\xE3\x80\x80"
                   "B\xE3\x80\x80")
                .text(),
            "A\xE3\x80\x80+\xE3\x80\x80"
            "B");
  EXPECT_EQ(parsed("A\xE3\x80\x80+\xE3\x80\x80"
                   "B")
                .evaluate(sample),
            9);  // 全角空格 between tokens
}

TEST(ExpressionTest, CopiesAreDeepAndIndependent) {
  std::optional<Expression> original = parsed("if(A > B, A - B, 0) * 2");
  Expression copy = *original;
  original.reset();
  EXPECT_EQ(copy.evaluate(sample), 6);
  EXPECT_EQ(copy.text(), "if(A > B, A - B, 0) * 2");
  EXPECT_EQ(copy.references(), (std::vector<std::string>{"A", "B"}));

  Expression assigned = parsed("1");
  {
    Expression source = parsed("A / C");
    assigned = source;
  }
  EXPECT_EQ(assigned.evaluate(sample), 3);
  EXPECT_EQ(assigned.text(), "A / C");
  Expression& alias = assigned;
  assigned = alias;
  EXPECT_EQ(assigned.evaluate(sample), 3);

  Expression moved = std::move(copy);
  EXPECT_EQ(moved.evaluate(sample), 6);
  Expression move_assigned = parsed("0");
  move_assigned = std::move(moved);
  EXPECT_EQ(move_assigned.evaluate(sample), 6);
  static_assert(std::is_nothrow_move_constructible_v<Expression>);
  static_assert(std::is_nothrow_move_assignable_v<Expression>);
}

struct ErrorCase {
  std::string text;
  std::string message;
};

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ExpressionParseTest, RejectsWithPositionAndExpectation) {
  const std::string kIfUsage = "if 需要三个参数：if(条件, 值1, 值2)";
  const ErrorCase kCases[] = {
      {"", "公式不能为空"},
      {" \t\n", "公式不能为空"},
      // Parentheses.
      {"(A + B", "公式第 7 个字符处缺少右括号“)”"},
      {"((A)", "公式第 5 个字符处缺少右括号“)”"},
      {"A + B)", "公式第 6 个字符处有多余的右括号“)”"},
      {"()", "公式第 2 个字符处应为数字、指标代码或左括号“(”，遇到的是“)”"},
      {"(A B)", "公式第 4 个字符处缺少运算符或右括号“)”，遇到的是“B”"},
      // Operators and operands.
      {"A +", "公式第 4 个字符处缺少运算数（数字、指标代码或括号）"},
      {"A + ", "公式第 4 个字符处缺少运算数（数字、指标代码或括号）"},
      {"A * / B", "公式第 5 个字符处应为数字、指标代码或左括号“(”，遇到的是“/”"},
      {"+A", "公式第 1 个字符处应为数字、指标代码或左括号“(”，遇到的是“+”"},
      {"A B", "公式第 3 个字符处缺少运算符，遇到的是“B”"},
      {"2A", "公式第 2 个字符处缺少运算符，遇到的是“A”"},
      {"A, B", "公式第 2 个字符处有多余的逗号“,”（逗号只用于分隔 if 的参数）"},
      {"A < B < C", "公式第 7 个字符处不能连续比较（如 A < B < C），请拆成多条规则或使用 if"},
      {"A = B", "公式第 3 个字符处的“=”无效，相等比较请写作“==”"},
      {"A ! B", "公式第 3 个字符处的“!”无效，不等比较请写作“!=”"},
      // Numbers.
      {"1..2", "公式第 3 个字符处缺少小数点后的数字（数字应写作 100 或 0.5）"},
      {"1.", "公式第 3 个字符处缺少小数点后的数字（数字应写作 100 或 0.5）"},
      {".5", "公式第 1 个字符处的小数点“.”位置不对（数字应写作 100 或 0.5）"},
      {"1" + std::string(400, '0'),
       "公式第 1 个字符处的数字“1000000000000000000000000000000000000000…”超出范围"},
      // if().
      {"if(A,B)", "公式第 7 个字符处参数不足，" + kIfUsage},
      {"if(A,B,C,D)", "公式第 9 个字符处参数过多，" + kIfUsage},
      {"if(A,B", "公式第 7 个字符处缺少逗号“,”，" + kIfUsage},
      {"if A", "公式第 4 个字符处缺少左括号“(”，if 的写法是 if(条件, 值1, 值2)"},
      {"IF(A,1,2)", "公式第 1 个字符处的“IF”无效：条件函数须写作小写 if(条件, 值1, 值2)"},
      {"If(A,1,2)", "公式第 1 个字符处的“If”无效：条件函数须写作小写 if(条件, 值1, 值2)"},
      {"SUM(A)", "公式第 1 个字符处的“SUM”后不能跟括号：公式只支持 if(条件, 值1, 值2) 一种函数"},
      // Codes.
      {"yss_users + 1",
       "公式第 1 个字符处的“yss_users”不是有效的指标代码：指标代码须为大写，如 YSS_USERS"},
      {"A + Yzy_dau",
       "公式第 5 个字符处的“Yzy_dau”不是有效的指标代码：指标代码须为大写，如 YZY_DAU"},
      {"_A", "公式第 1 个字符处的“_A”不是有效的指标代码：指标代码须以大写字母开头"},
      {std::string(65, 'A'),
       "公式第 1 个字符处的指标代码“AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…”过长：最多 64 "
       "个字符"},
      // Characters, counted as characters rather than bytes.
      {"A # B", "公式第 3 个字符处有无法识别的字符“#”"},
      {"A + （B）", "公式第 5 个字符处有无法识别的字符“（”，请改用半角字符“(”"},
      {"A × 2", "公式第 3 个字符处有无法识别的字符“×”，乘号请写作“*”"},
      {"日活率 * 100",
       "公式第 1 个字符处有无法识别的字符“日”，公式中须使用指标代码（如 YSS_USERS）而不是指标名称"},
      {"\xE3\x80\x80"
       "A B",
       "公式第 4 个字符处缺少运算符，遇到的是“B”"},
      {"A\x01", "公式第 2 个字符处有无法识别的字符“\xEF\xBF\xBD”"},
      {"A + \xFF", "公式不是有效的 UTF-8 文本"},
      // The leftmost problem wins even if a bad character follows.
      {"A B #", "公式第 3 个字符处缺少运算符，遇到的是“B”"},
      // Limits.
      {"111" + repeat("+1", 999), "公式不能超过 2000 个字节"},
      {repeat("(", 101) + "1" + repeat(")", 101), "公式第 101 个字符处括号嵌套超过 100 层"},
      {repeat("if(1,", 101) + "1" + repeat(",0)", 101), "公式第 503 个字符处括号嵌套超过 100 层"},
  };
  for (const ErrorCase& c : kCases) {
    SCOPED_TRACE(c.text.substr(0, 60));
    Status s = Expression::parse(c.text).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "formula");
    EXPECT_EQ(s.reason(), "invalid_formula");
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(ExpressionParseTest, AcceptsInputsAtTheLimits) {
  Expression longest = parsed("11" + repeat("+1", 999));  // exactly 2,000 bytes
  EXPECT_EQ(longest.text().size(), 2000u);
  EXPECT_EQ(longest.evaluate(sample), 1010);

  EXPECT_EQ(parsed(repeat("(", 100) + "A" + repeat(")", 100)).evaluate(sample), 6);
  EXPECT_EQ(parsed(repeat("if(1,", 100) + "A" + repeat(",0)", 100)).evaluate(sample), 6);
  EXPECT_EQ(parsed(repeat("-", 1999) + "1").evaluate(sample), -1);
  EXPECT_EQ(parsed(repeat("(A*", 99) + "1" + repeat(")", 99) + repeat("*1", 700)).references(),
            (std::vector<std::string>{"A"}));

  // Surrounding whitespace does not count towards the limit.
  EXPECT_TRUE(Expression::parse("  " + repeat("1+", 999) + "11  ").ok());
  EXPECT_TRUE(Expression::parse(std::string(64, 'A')).ok());
}

std::map<std::string, Expression> formulas(
    std::initializer_list<std::pair<std::string, std::string>> texts) {
  std::map<std::string, Expression> out;
  for (const auto& [code, text] : texts) out.emplace(code, parsed(text));
  return out;
}

bool base_exists(std::string_view code) {
  return code == "A" || code == "B" || code == "C";
}

struct CheckCase {
  std::string name;
  std::map<std::string, Expression> formulas;
  std::string reason;  // empty: passes
  std::string message;
};

TEST(FormulaCheckTest, FindsUnknownCodesAndCycles) {
  const CheckCase kCases[] = {
      {"none", formulas({}), "", ""},
      {"plain", formulas({{"RATE", "A / B * 100"}}), "", ""},
      {"diamond",
       formulas({{"TOP", "L + R"}, {"L", "BASE * 2"}, {"R", "BASE + 1"}, {"BASE", "A + B"}}), "",
       ""},
      {"shared leaf", formulas({{"X", "Y + Y * Y"}, {"Y", "C"}}), "", ""},
      {"unknown", formulas({{"RATE", "A / XYZ"}}), "unknown_indicator",
       "计算指标 RATE 的公式引用了不存在的指标 XYZ"},
      {"first unknown in key order", formulas({{"R2", "NOPE_2"}, {"R1", "A + NOPE_1B + NOPE_1A"}}),
       "unknown_indicator", "计算指标 R1 的公式引用了不存在的指标 NOPE_1A"},
      {"self", formulas({{"S", "S + 1"}}), "formula_cycle", "计算指标之间存在循环引用：S → S"},
      {"self in if", formulas({{"S", "if(A > 0, 1, S)"}}), "formula_cycle",
       "计算指标之间存在循环引用：S → S"},
      {"two steps", formulas({{"P", "Q"}, {"Q", "P * 2"}}), "formula_cycle",
       "计算指标之间存在循环引用：P → Q → P"},
      {"three steps", formulas({{"X", "Y + A"}, {"Y", "Z * 2"}, {"Z", "X - 1"}}), "formula_cycle",
       "计算指标之间存在循环引用：X → Y → Z → X"},
      {"cycle below an acyclic entry", formulas({{"E", "F"}, {"F", "G"}, {"G", "F + A"}}),
       "formula_cycle", "计算指标之间存在循环引用：F → G → F"},
      {"unknown reported before cycle", formulas({{"M", "N"}, {"N", "M + GONE"}}),
       "unknown_indicator", "计算指标 N 的公式引用了不存在的指标 GONE"},
  };
  for (const CheckCase& c : kCases) {
    SCOPED_TRACE(c.name);
    Status s = check_formulas(c.formulas, base_exists);
    if (c.reason.empty()) {
      EXPECT_TRUE(s.ok()) << s.to_string();
      continue;
    }
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "formula");
    EXPECT_EQ(s.reason(), c.reason);
    EXPECT_EQ(s.message(), c.message);
  }
}

// Every derived indicator appears once, after the derived indicators it uses.
void expect_dependencies_first(const std::map<std::string, Expression>& f,
                               const std::vector<std::string>& order) {
  ASSERT_EQ(order.size(), f.size());
  std::set<std::string> seen;
  for (const std::string& code : order) {
    ASSERT_TRUE(f.contains(code)) << code;
    for (const std::string& ref : f.at(code).references()) {
      if (!f.contains(ref)) continue;  // a base indicator
      EXPECT_TRUE(seen.contains(ref)) << ref << " before " << code;
    }
    EXPECT_TRUE(seen.insert(code).second) << code << " twice";
  }
}

TEST(FormulaOrderTest, DependenciesComeFirst) {
  EXPECT_TRUE(evaluation_order({}).empty());

  auto chain = formulas({{"A_SUM", "Z_PART + 1"}, {"Z_PART", "M_PART * 2"}, {"M_PART", "A"}});
  EXPECT_EQ(evaluation_order(chain), (std::vector<std::string>{"M_PART", "Z_PART", "A_SUM"}));

  auto diamond =
      formulas({{"TOP", "L + R"}, {"L", "BASE * 2"}, {"R", "BASE + 1"}, {"BASE", "A + B"}});
  EXPECT_EQ(evaluation_order(diamond), (std::vector<std::string>{"BASE", "L", "R", "TOP"}));
  expect_dependencies_first(diamond, evaluation_order(diamond));
}

// Random acyclic sets (each formula uses only lower-numbered ones, named so
// that key order differs from dependency order) pass the check and order.
TEST(FormulaOrderTest, RandomAcyclicSets) {
  std::mt19937 rng(20240);
  for (int round = 0; round < 20; ++round) {
    int n = 1 + static_cast<int>(rng() % 60);
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back("D" + std::to_string((i * 37) % 101));
    std::map<std::string, Expression> f;
    for (int i = 0; i < n; ++i) {
      std::string text = "A";
      for (int k = 0; k < 3 && i > 0; ++k) text += " + " + names[rng() % i];
      f.emplace(names[i], parsed(text));
    }
    ASSERT_TRUE(check_formulas(f, base_exists).ok()) << "round " << round;
    std::vector<std::string> order = evaluation_order(f);
    expect_dependencies_first(f, order);
    EXPECT_EQ(evaluation_order(f), order) << "deterministic";
  }
}

}  // namespace
}  // namespace tianbao::model

namespace tianbao::model {
namespace {

// Column evaluation gives, row by row, what evaluate() gives.
TEST(ExpressionColumnsTest, MatchesRowByRowEvaluation) {
  const char* formulas[] = {"A / B * 100", "if(A > B, A - B, -(B - A) / 2)", "A + B * 2 - 3",
                            "if(B == 0, 0, A / B)", "A <= B", "-A"};
  std::mt19937 rng(11);
  const std::size_t rows = 200;
  Expression::Column a(rows), b(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    if (rng() % 5) a[r] = static_cast<double>(rng() % 7);
    if (rng() % 5) b[r] = static_cast<double>(rng() % 4);
  }
  for (const char* text : formulas) {
    Expression e = *Expression::parse(text);
    Expression::Column got = e.evaluate_columns(rows, [&](std::string_view c) -> const Expression::Column* {
      return c == "A" ? &a : c == "B" ? &b : nullptr;
    });
    for (std::size_t r = 0; r < rows; ++r) {
      std::optional<double> want = e.evaluate([&](std::string_view c) -> std::optional<double> {
        return c == "A" ? a[r] : c == "B" ? b[r] : std::nullopt;
      });
      ASSERT_EQ(got[r].has_value(), want.has_value()) << text << " row " << r;
      if (want) {
        ASSERT_DOUBLE_EQ(*got[r], *want) << text << " row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace tianbao::model
