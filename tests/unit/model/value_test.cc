#include "model/value.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace tianbao::model {
namespace {

const FieldSpec kAnyNumber{ValueType::kNumber, "", std::nullopt, std::nullopt};
const FieldSpec kCount{ValueType::kInteger, "个", 0, std::nullopt};
const FieldSpec kPeople{ValueType::kInteger, "人", 0, std::nullopt};
const FieldSpec kWan{ValueType::kNumber, "万", std::nullopt, std::nullopt};
const FieldSpec kWanYuan{ValueType::kNumber, "万元", std::nullopt, std::nullopt};
const FieldSpec kYiYuan{ValueType::kNumber, "亿元", std::nullopt, std::nullopt};
const FieldSpec kPercent{ValueType::kPercent, "%", std::nullopt, std::nullopt};
const FieldSpec kText{ValueType::kText, "", std::nullopt, std::nullopt};
const FieldSpec kBool{ValueType::kBoolean, "", std::nullopt, std::nullopt};

// One input into one field. `code` empty means no violation at all;
// otherwise exactly one violation with that code, severity and suggestion.
struct Case {
  const char* raw;
  FieldSpec spec;
  std::optional<double> number;
  std::string code = {};
  Severity severity = Severity::kError;
  std::string suggestion = {};
};

void check(const Case& c) {
  SCOPED_TRACE(::testing::Message() << "input “" << c.raw << "” unit “" << c.spec.unit << "” type "
                                    << value_type_name(c.spec.type));
  EnteredValue v = interpret_value(c.raw, c.spec);
  EXPECT_FALSE(v.text.has_value());
  ASSERT_EQ(v.number.has_value(), c.number.has_value());
  if (c.number) {
    EXPECT_DOUBLE_EQ(*v.number, *c.number);
  }
  if (c.code.empty()) {
    EXPECT_TRUE(v.violations.empty()) << v.violations[0].code << ": " << v.violations[0].message;
    EXPECT_TRUE(v.ok());
    return;
  }
  ASSERT_EQ(v.violations.size(), 1u);
  const Violation& got = v.violations[0];
  EXPECT_EQ(got.code, c.code) << got.message;
  EXPECT_EQ(got.severity, c.severity);
  EXPECT_EQ(got.suggestion, c.suggestion);
  EXPECT_TRUE(got.field.empty());
  EXPECT_FALSE(got.message.empty());
  EXPECT_EQ(v.ok(), c.severity != Severity::kError);
}

TEST(ValueTest, PlainAndFullWidthNumbers) {
  const Case cases[] = {
      {"1234", kAnyNumber, 1234},
      {"1,234", kAnyNumber, 1234},
      {"12,345,678.5", kAnyNumber, 12345678.5},
      {"-1,234", kAnyNumber, -1234},
      {"１２３", kAnyNumber, 123},
      {"１２，３４５．６", kAnyNumber, 12345.6},
      {"−5", kAnyNumber, -5},  // U+2212
      {"－5", kAnyNumber, -5},
      {"＋５", kAnyNumber, 5},
      {"+7", kAnyNumber, 7},
      {"  42\t", kAnyNumber, 42},
      {"　42　", kAnyNumber, 42},
      {"0", kAnyNumber, 0},
      {"-0", kAnyNumber, 0},
      {".5", kAnyNumber, 0.5},
      {"5.", kAnyNumber, 5},
      {"007", kAnyNumber, 7},
      {"1000000000000000", kAnyNumber, 1e15},
      {"-1000000000000000", kAnyNumber, -1e15},
      {"12个", kCount, 12},
      {"12 ", kCount, 12},
      {"3.5万元", kAnyNumber, std::nullopt, "unit_slip", Severity::kError, "35000"},
  };
  for (const Case& c : cases) check(c);
}

TEST(ValueTest, NotANumber) {
  for (const char* raw : {"abc", "12a", "一百", "--1", "+-1", ".", "-", "1e3", "1E3", "1e400",
                          "1 234", "1　234", "5万a", "0x10", "1.2.3", "∞", "NaN", "%"}) {
    check({raw, kAnyNumber, std::nullopt, "not_a_number"});
  }
  check({"12人", kCount, std::nullopt, "not_a_number"});
  check({"12元", kYiYuan, std::nullopt, "not_a_number"});
  check({"12个", kAnyNumber, std::nullopt, "not_a_number"});
  check({"93%", kAnyNumber, std::nullopt, "not_a_number"});
  check({"93%%", kPercent, std::nullopt, "not_a_number"});
  check({"\xFF\xFE", kAnyNumber, std::nullopt, "not_a_number"});  // not UTF-8 after all
}

TEST(ValueTest, NotANumberMessage) {
  EnteredValue v = interpret_value("abc", kAnyNumber);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].message, "“abc”不是数字，请填写数字（如 1234 或 12.5）");
  EXPECT_FALSE(v.ok());
  EXPECT_TRUE(v.empty());

  // The echo of what was typed is shortened and made safe.
  std::string long_junk(500, 'x');
  v = interpret_value(long_junk + "\x01", kAnyNumber);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_LT(v.violations[0].message.size(), 200u);
}

TEST(ValueTest, ThousandsSeparators) {
  for (const char* raw :
       {"1,23", ",123", "1,,234", "1234,567", "1，23", "1234,", "12,34,567", "1.234,5", "-,123"}) {
    check({raw, kAnyNumber, std::nullopt, "thousands_separator"});
  }
  EnteredValue v = interpret_value("1,23", kAnyNumber);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].message.find("千分位逗号的位置不对：“1,23”"), std::string::npos)
      << v.violations[0].message;
  EXPECT_NE(v.violations[0].message.find("123"), std::string::npos);
}

TEST(ValueTest, TooLarge) {
  check({"1000000000000001", kAnyNumber, std::nullopt, "too_large"});
  check({"-2,000,000,000,000,000", kAnyNumber, std::nullopt, "too_large"});
  check({("1" + std::string(400, '0')).c_str(), kAnyNumber, std::nullopt, "too_large"});
  check({"99999999亿", kCount, std::nullopt, "too_large"});
  check({"9999999亿", kCount, std::nullopt, "unit_slip", Severity::kError, "999999900000000"});
}

TEST(ValueTest, BlankIsEmpty) {
  for (const char* raw : {"", " ", "\t \n", "　", " 　 　"}) {
    for (const FieldSpec& spec : {kAnyNumber, kCount, kPercent, kText, kBool}) {
      EnteredValue v = interpret_value(raw, spec);
      EXPECT_TRUE(v.empty()) << "“" << raw << "”";
      EXPECT_FALSE(v.number.has_value());
      EXPECT_FALSE(v.text.has_value());
      EXPECT_TRUE(v.violations.empty());
      EXPECT_TRUE(v.ok());
    }
  }
}

TEST(ValueTest, UnitSlips) {
  const Case cases[] = {
      {"5.0万", kCount, std::nullopt, "unit_slip", Severity::kError, "50000"},
      {"5.0万", kWan, std::nullopt, "unit_slip", Severity::kError, "5.0"},
      {"5万元", kWanYuan, std::nullopt, "unit_slip", Severity::kError, "5"},
      {"3亿", kYiYuan, std::nullopt, "unit_slip", Severity::kError, "3"},
      {"5000万", kYiYuan, std::nullopt, "unit_slip", Severity::kError, "0.5"},
      {"5000万元", kYiYuan, std::nullopt, "unit_slip", Severity::kError, "0.5"},
      {"1万亿", kYiYuan, std::nullopt, "unit_slip", Severity::kError, "10000"},
      {"2千", kCount, std::nullopt, "unit_slip", Severity::kError, "2000"},
      {"1.25万", kCount, std::nullopt, "unit_slip", Severity::kError, "12500"},
      {"3万人", kPeople, std::nullopt, "unit_slip", Severity::kError, "30000"},
      {"１．５万", kCount, std::nullopt, "unit_slip", Severity::kError, "15000"},
      {"-2万", kAnyNumber, std::nullopt, "unit_slip", Severity::kError, "-20000"},
      {"0.3亿", kWanYuan, std::nullopt, "unit_slip", Severity::kError, "3000"},
      {"12万", kYiYuan, std::nullopt, "unit_slip", Severity::kError, "0.0012"},
      {"1,500万", kWanYuan, std::nullopt, "unit_slip", Severity::kError, "1500"},
  };
  for (const Case& c : cases) check(c);
}

TEST(ValueTest, UnitSlipMessages) {
  EnteredValue v = interpret_value("5.0万", kCount);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].message, "您填的是“5.0万”，本栏单位是“个”，应填 50000");

  v = interpret_value("5.0万", kWan);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].message, "本栏单位已经是“万”，请直接填 5.0，不要带“万”字");

  v = interpret_value("5000万", kYiYuan);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].message, "您填的是“5000万”，本栏单位是“亿元”，应填 0.5");
}

TEST(ValueTest, PercentFields) {
  const Case cases[] = {
      {"93.66%", kPercent, 93.66},
      {"９３．６６％", kPercent, 93.66},
      {"93.66", kPercent, 93.66},
      {"100", kPercent, 100},
      {"100%", kPercent, 100},
      {"0", kPercent, 0},
      {"0.5%", kPercent, 0.5},
      {"1%", kPercent, 1},
      {"0.9366", kPercent, 0.9366, "percent_form", Severity::kWarning, "93.66"},
      {"1", kPercent, 1, "percent_form", Severity::kWarning, "100"},
      {"1.0", kPercent, 1, "percent_form", Severity::kWarning, "100"},
      {"0.05", kPercent, 0.05, "percent_form", Severity::kWarning, "5"},
      {"120%", kPercent, 120, "above_max"},
      {"120", kPercent, 120, "above_max"},
      {"-1%", kPercent, -1, "below_min"},
      {"120%", {ValueType::kPercent, "%", std::nullopt, 200}, 120},
      {"-5", {ValueType::kPercent, "%", -100, std::nullopt}, -5},
  };
  for (const Case& c : cases) check(c);
}

TEST(ValueTest, PercentMessages) {
  EnteredValue v = interpret_value("0.9366", kPercent);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].message,
            "本栏按百分数填写（93.66 表示 93.66%），您填的 0.9366 像是小数，是否应为 93.66？");
  EXPECT_TRUE(v.ok());  // a warning does not block

  v = interpret_value("120%", kPercent);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].message.find("不能超过 100%"), std::string::npos)
      << v.violations[0].message;
  EXPECT_FALSE(v.ok());
}

TEST(ValueTest, IntegersAndBounds) {
  const FieldSpec score{ValueType::kNumber, "分", 0, 10};
  const Case cases[] = {
      {"12.5", kCount, 12.5, "not_integer", Severity::kError, "13"},
      {"12.4", kCount, 12.4, "not_integer", Severity::kError, "12"},
      {"1.0", kCount, 1},
      {"1.000", kCount, 1},
      {"1,234.00", kCount, 1234},
      {"-1", kCount, -1, "below_min"},
      {"-2.5",
       {ValueType::kInteger, "", std::nullopt, std::nullopt},
       -2.5,
       "not_integer",
       Severity::kError,
       "-3"},
      {"12.5", kAnyNumber, 12.5},
      {"0", score, 0},
      {"10", score, 10},
      {"10.01", score, 10.01, "above_max"},
      {"-0.01", score, -0.01, "below_min"},
  };
  for (const Case& c : cases) check(c);
}

TEST(ValueTest, BoundMessagesNameTheBoundAndUnit) {
  EnteredValue v = interpret_value("-1", kCount);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].message.find("不能小于 0 个"), std::string::npos)
      << v.violations[0].message;

  v = interpret_value("12.5", {ValueType::kNumber, "万元", 0, 10.5});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].message.find("不能超过 10.5 万元"), std::string::npos)
      << v.violations[0].message;

  v = interpret_value("12.5", kCount);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].message.find("整数"), std::string::npos);
  EXPECT_NE(v.violations[0].message.find("13"), std::string::npos);
}

TEST(ValueTest, SeveralViolationsAtOnce) {
  EnteredValue v = interpret_value("-1.5", kCount);
  ASSERT_EQ(v.violations.size(), 2u);
  EXPECT_EQ(v.violations[0].code, "not_integer");
  EXPECT_EQ(v.violations[1].code, "below_min");
  ASSERT_TRUE(v.number.has_value());
  EXPECT_DOUBLE_EQ(*v.number, -1.5);

  v = interpret_value("0.5", {ValueType::kPercent, "%", 10, std::nullopt});
  ASSERT_EQ(v.violations.size(), 2u);
  EXPECT_EQ(v.violations[0].code, "below_min");
  EXPECT_EQ(v.violations[1].code, "percent_form");
  EXPECT_FALSE(v.ok());
}

TEST(ValueTest, Text) {
  struct TextCase {
    std::string raw;
    std::optional<std::string> text;
    std::string code;
  };
  const TextCase cases[] = {
      {"  湛江市赤坎区  ", "湛江市赤坎区", ""},
      {"　备注：无　", "备注：无", ""},
      {"5.0万", "5.0万", ""},
      {"第一行\n第二行", "第一行\n第二行", ""},
      {std::string(2000, 'x'), std::string(2000, 'x'), ""},
      {[] {
         std::string s;
         for (int i = 0; i < 2000; ++i) s += "字";
         return s;
       }(),
       std::nullopt, ""},
      {[] {
         std::string s;
         for (int i = 0; i < 2001; ++i) s += "字";
         return s;
       }(),
       std::nullopt, "text_too_long"},
  };
  for (const TextCase& c : cases) {
    EnteredValue v = interpret_value(c.raw, kText);
    EXPECT_FALSE(v.number.has_value());
    if (c.code.empty()) {
      EXPECT_TRUE(v.violations.empty()) << c.raw.substr(0, 30);
      ASSERT_TRUE(v.text.has_value());
      if (c.text) {
        EXPECT_EQ(*v.text, *c.text);
      }
      EXPECT_LE(v.text->size(), c.raw.size());
    } else {
      ASSERT_EQ(v.violations.size(), 1u);
      EXPECT_EQ(v.violations[0].code, c.code);
      EXPECT_EQ(v.violations[0].severity, Severity::kError);
      EXPECT_FALSE(v.ok());
    }
  }
}

TEST(ValueTest, Boolean) {
  struct BoolCase {
    const char* raw;
    std::optional<double> number;
  };
  const BoolCase cases[] = {
      {"是", 1},   {"否", 0},     {"true", 1}, {"FALSE", 0}, {"True", 1}, {"1", 1},    {"0", 0},
      {"１", 1},   {"０", 0},     {"yes", 1},  {"No", 0},    {"YES", 1},  {"对", 1},   {"错", 0},
      {" 是 ", 1}, {"maybe", {}}, {"2", {}},   {"是的", {}}, {"y", {}},   {"1.0", {}},
  };
  for (const BoolCase& c : cases) {
    EnteredValue v = interpret_value(c.raw, kBool);
    EXPECT_FALSE(v.text.has_value());
    if (c.number) {
      ASSERT_TRUE(v.number.has_value()) << c.raw;
      EXPECT_EQ(*v.number, *c.number) << c.raw;
      EXPECT_TRUE(v.violations.empty()) << c.raw;
    } else {
      EXPECT_FALSE(v.number.has_value()) << c.raw;
      ASSERT_EQ(v.violations.size(), 1u) << c.raw;
      EXPECT_EQ(v.violations[0].code, "not_boolean");
      EXPECT_FALSE(v.ok());
    }
  }
}

TEST(ValueTest, TypeAndSeverityNames) {
  for (ValueType t : {ValueType::kInteger, ValueType::kNumber, ValueType::kPercent,
                      ValueType::kText, ValueType::kBoolean}) {
    StatusOr<ValueType> parsed = parse_value_type(value_type_name(t));
    ASSERT_TRUE(parsed.ok()) << value_type_name(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(value_type_name(ValueType::kPercent), "percent");
  for (const char* bad : {"", "float", "Integer", " text"}) {
    Status s = parse_value_type(bad).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.field(), "valueType");
    EXPECT_EQ(s.reason(), "invalid_value_type");
    EXPECT_NE(s.message().find("integer"), std::string::npos);
  }
  EXPECT_EQ(severity_name(Severity::kError), "error");
  EXPECT_EQ(severity_name(Severity::kWarning), "warning");
}

TEST(ValueTest, OkIgnoresWarnings) {
  EnteredValue v;
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.empty());
  v.violations.push_back({"", Severity::kWarning, "outlier", "", ""});
  EXPECT_TRUE(v.ok());
  v.violations.push_back({"", Severity::kError, "below_min", "", ""});
  EXPECT_FALSE(v.ok());
}

struct OutlierCase {
  const char* name;
  double value;
  std::vector<double> history;
  bool outlier;
  std::string message_part = {};
};

TEST(OutlierTest, AgainstMedianOfHistory) {
  const OutlierCase cases[] = {
      {"no history", 1e6, {}, false},
      {"two points only", 1e6, {100, 120}, false},
      {"median zero", 500, {0, 0, 7}, false},
      {"all zero", 500, {0, 0, 0}, false},
      {"normal", 125, {130, 100, 120}, false},
      {"exactly ten times", 1200, {100, 120, 130}, false},
      {"exactly a tenth", 12, {100, 120, 130}, false},
      {"ten times up", 1300, {130, 100, 120}, true, "中位数 120"},
      {"ten times up says so", 1300, {100, 120, 130}, true, "10 倍以上"},
      {"a tenth down", 11, {100, 120, 130}, true, "不到其十分之一"},
      {"zero against non-zero", 0, {100, 120, 130}, true, "不到其十分之一"},
      {"even count takes mean of middle", 1300, {140, 100, 130, 110}, true, "中位数 120"},
      {"even count fractional median", 1206, {100, 120, 121, 500}, true, "中位数 120.5"},
      {"negative history", -1300, {-100, -120, -130}, true, "10 倍以上"},
      {"sign flip same size", -120, {100, 120, 130}, false},
      {"one wild old point", 120, {100, 120, 130, 99999}, false},
  };
  for (const OutlierCase& c : cases) {
    std::optional<Violation> v = check_outlier(c.value, c.history);
    EXPECT_EQ(v.has_value(), c.outlier) << c.name;
    if (!v) continue;
    EXPECT_EQ(v->code, "outlier") << c.name;
    EXPECT_EQ(v->severity, Severity::kWarning) << c.name;
    EXPECT_TRUE(v->field.empty());
    EXPECT_NE(v->message.find(c.message_part), std::string::npos) << c.name << ": " << v->message;
    EXPECT_NE(v->message.find("请核实"), std::string::npos) << c.name;
  }
}

TEST(OutlierTest, MessageReadsWell) {
  std::optional<Violation> v = check_outlier(1500, {100, 120, 130});
  ASSERT_TRUE(v.has_value());
  EXPECT_NE(v->message.find("与本单位近期数值（中位数 120）相比异常：是其 10 倍以上，请核实"),
            std::string::npos)
      << v->message;
}

}  // namespace
}  // namespace tianbao::model
