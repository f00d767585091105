// Interpreting a figure as a filler typed it, against the field it was
// typed into: 1,234 and １２３ are numbers; "5.0万" in a field kept in 个
// or in 万 is a unit slip with a message saying what was probably meant;
// "93.66%" in a percent field is 93.66, and 0.9366 there is flagged as a
// probable decimal fraction; bounds and whole numbers are checked.
//
//   FieldSpec spec{ValueType::kInteger, "个", 0, std::nullopt};
//   EnteredValue v = interpret_value("5.0万", spec);
//   v.ok();               // false
//   v.violations[0].code  // "unit_slip"; message: "…应填 50000"
//
// Percent fields keep percentage points: 93.66 means 93.66%.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "model/violation.h"

namespace tianbao::model {

enum class ValueType { kInteger, kNumber, kPercent, kText, kBoolean };

std::string_view value_type_name(ValueType t);  // "integer", "number", "percent", "text", "boolean"
StatusOr<ValueType> parse_value_type(std::string_view name);  // field "valueType"

struct FieldSpec {
  ValueType type = ValueType::kNumber;
  std::string unit;  // 个, 项, 万, 万人, 万元, 亿元, %, 元 …
  std::optional<double> min;
  std::optional<double> max;
};

struct EnteredValue {
  std::optional<double> number;       // for numeric and boolean (1/0) types
  std::optional<std::string> text;    // for text type
  std::vector<Violation> violations;  // `field` left empty; the caller fills it

  bool ok() const;                                 // no error-severity violation
  bool empty() const { return !number && !text; }  // the filler cleared the field
};

// Interprets `raw` (already valid UTF-8) for `spec`. Blank input (after
// trimming ASCII spaces and U+3000) is an empty value, not an error.
// Normalises: full-width digits and signs (１２３．５, －, ＋, ％, ，) to ASCII,
// thousands separators (1,234,567 — groups of three only; "1,23" is an
// error "thousands_separator"). Violation codes:
//   not_a_number      text where a number is needed ("abc", "12a")
//   unit_slip         a 万/亿/千 suffix: in a 万 field "5.0万" → suggestion "5.0";
//                     in a 个/项/人/元 field → "50000"; in a 亿元 field "3亿" → "3"
//                     and "5000万" → "0.5"
//   not_integer       a fraction in an integer field
//   percent_form      percent field given a decimal fraction in (0, 1]: warning,
//                     suggestion the value × 100
//   below_min, above_max   outside [min, max] (percent fields default to [0, 100]
//                     unless min/max say otherwise: above_max for 120%)
//   thousands_separator    malformed grouping
//   not_boolean       boolean field not one of 是/否/true/false/1/0/yes/no
//   text_too_long     text over 2,000 characters
// Numbers must be finite and at most 1e15 in magnitude ("too_large" otherwise).
EnteredValue interpret_value(std::string_view raw, const FieldSpec& spec);

// Outlier check against a unit's own history (its last figures, any
// order): a warning "outlier" if there are at least 3 figures, their median
// is non-zero, and `value` is more than 10× or less than 1/10 of it.
std::optional<Violation> check_outlier(double value, const std::vector<double>& history);

}  // namespace tianbao::model
