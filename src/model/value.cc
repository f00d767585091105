#include "model/value.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::model {

namespace {

constexpr double kMaxMagnitude = 1e15;
constexpr std::size_t kMaxTextChars = 2000;

// ---------------------------------------------------------------------------
// Normalisation

// Full-width digits and signs, the ideographic space and U+2212 MINUS SIGN to
// their ASCII forms; everything else is copied unchanged.
std::string normalize_width(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    if (i + 2 < s.size() && byte(i) == 0xEF && byte(i + 1) == 0xBC) {
      unsigned char b = byte(i + 2);
      char ascii = 0;
      if (b >= 0x90 && b <= 0x99) {
        ascii = static_cast<char>('0' + (b - 0x90));  // U+FF10–FF19
      } else if (b == 0x8E) {
        ascii = '.';  // U+FF0E
      } else if (b == 0x8C) {
        ascii = ',';  // U+FF0C
      } else if (b == 0x8D) {
        ascii = '-';  // U+FF0D
      } else if (b == 0x8B) {
        ascii = '+';  // U+FF0B
      } else if (b == 0x85) {
        ascii = '%';  // U+FF05
      }
      if (ascii != 0) {
        out += ascii;
        i += 3;
        continue;
      }
    }
    if (i + 2 < s.size() && byte(i) == 0xE3 && byte(i + 1) == 0x80 && byte(i + 2) == 0x80) {
      out += ' ';  // U+3000
      i += 3;
      continue;
    }
    if (i + 2 < s.size() && byte(i) == 0xE2 && byte(i + 1) == 0x88 && byte(i + 2) == 0x92) {
      out += '-';  // U+2212
      i += 3;
      continue;
    }
    out += s[i];
    ++i;
  }
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// ---------------------------------------------------------------------------
// Magnitude words: 百 千 万 亿 (and the traditional 萬 億).

struct MagnitudeWord {
  std::string_view text;
  int exponent;
};

constexpr std::array<MagnitudeWord, 6> kMagnitudeWords = {{
    {"百", 2},
    {"千", 3},
    {"万", 4},
    {"萬", 4},
    {"亿", 8},
    {"億", 8},
}};

// Consumes a leading run of magnitude words from `s` ("万", "千万", "万亿"),
// returning the total power of ten (0 if none) and the run's length in bytes.
std::pair<int, std::size_t> leading_magnitude(std::string_view s) {
  int exponent = 0;
  std::size_t consumed = 0;
  bool more = true;
  while (more) {
    more = false;
    for (const MagnitudeWord& w : kMagnitudeWords) {
      if (s.substr(consumed).starts_with(w.text)) {
        exponent += w.exponent;
        consumed += w.text.size();
        more = true;
        break;
      }
    }
  }
  return {exponent, consumed};
}

// The power of ten a field's unit carries: 亿元 → 8, 万人 → 4, 千 → 3,
// 个/项/元/"" → 0. Only 千/万/亿 count at the start of a unit.
int unit_exponent(std::string_view unit) {
  if (unit.starts_with("亿") || unit.starts_with("億")) return 8;
  if (unit.starts_with("万") || unit.starts_with("萬")) return 4;
  if (unit.starts_with("千")) return 3;
  return 0;
}

// ---------------------------------------------------------------------------
// Decimal numbers as typed, kept as digit strings so that unit conversions
// and ×100 are exact and print in shortest form.

struct Decimal {
  bool negative = false;
  std::string int_digits;   // commas removed, may be empty (".5")
  std::string frac_digits;  // may be empty

  bool is_integer() const {
    return std::all_of(frac_digits.begin(), frac_digits.end(), [](char c) { return c == '0'; });
  }

  // The digits as the filler typed them, without grouping commas: "5.0", "-12".
  std::string as_typed() const {
    std::string out = negative ? "-" : "";
    out += int_digits.empty() ? "0" : int_digits;
    if (!frac_digits.empty()) out += "." + frac_digits;
    return out;
  }

  // The value × 10^shift in shortest form: no leading or trailing zeros,
  // no exponent, no sign on zero ("50000", "0.5", "1.25").
  std::string shifted(int shift) const {
    std::string digits = int_digits + frac_digits;
    long point = static_cast<long>(int_digits.size()) + shift;
    if (point < 0) {
      digits.insert(0, static_cast<std::size_t>(-point), '0');
      point = 0;
    }
    if (static_cast<std::size_t>(point) > digits.size()) digits.append(point - digits.size(), '0');
    std::string ip = digits.substr(0, static_cast<std::size_t>(point));
    std::string fp = digits.substr(static_cast<std::size_t>(point));
    ip.erase(0, std::min(ip.find_first_not_of('0'), ip.size()));
    fp.erase(std::min(fp.find_last_not_of('0') + 1, fp.size()));
    if (ip.empty()) ip = "0";
    if (ip == "0" && fp.empty()) return "0";
    std::string out = negative ? "-" : "";
    out += ip;
    if (!fp.empty()) out += "." + fp;
    return out;
  }
};

// Parses "1234.5" style text; returns false if out of double's range.
bool to_double(const std::string& ascii, double& out) {
  const char* first = ascii.data();
  const char* last = first + ascii.size();
  auto [ptr, ec] = std::from_chars(first, last, out, std::chars_format::fixed);
  return ec == std::errc() && ptr == last && std::isfinite(out);
}

// A double in shortest fixed notation: 100, 0.5, 120.5.
std::string format_number(double v) {
  if (v == 0) return "0";  // also -0
  std::array<char, 400> buf{};
  auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed);
  if (ec != std::errc()) return fmt::format("{}", v);
  return std::string(buf.data(), ptr);
}

// "0 个", "100%", "5"
std::string with_unit(double v, std::string_view unit) {
  if (unit.empty()) return format_number(v);
  if (unit == "%") return format_number(v) + "%";
  return fmt::format("{} {}", format_number(v), unit);
}

Violation make_violation(Severity severity, std::string code, std::string message,
                         std::string suggestion = {}) {
  Violation v;
  v.severity = severity;
  v.code = std::move(code);
  v.message = std::move(message);
  v.suggestion = std::move(suggestion);
  return v;
}

EnteredValue with_error(std::string code, std::string message, std::string suggestion = {}) {
  EnteredValue out;
  out.violations.push_back(
      make_violation(Severity::kError, std::move(code), std::move(message), std::move(suggestion)));
  return out;
}

EnteredValue not_a_number(std::string_view shown, const FieldSpec& spec) {
  std::string example = spec.type == ValueType::kPercent ? "93.66 或 93.66%" : "1234 或 12.5";
  return with_error("not_a_number",
                    fmt::format("“{}”不是数字，请填写数字（如 {}）", shown, example));
}

// Thousands grouping: the first group 1–3 digits, every later group exactly 3.
bool valid_grouping(std::string_view int_part) {
  std::size_t start = 0;
  bool first = true;
  while (true) {
    std::size_t comma = int_part.find(',', start);
    std::size_t len = (comma == std::string_view::npos ? int_part.size() : comma) - start;
    if (first ? (len < 1 || len > 3) : len != 3) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
    first = false;
  }
}

EnteredValue interpret_text(std::string_view trimmed) {
  if (!is_valid_utf8(trimmed)) {
    return with_error("invalid_utf8", "内容含有无法识别的字符，请检查后重新填写");
  }
  std::size_t chars = utf8_length(trimmed);
  if (chars > kMaxTextChars) {
    return with_error("text_too_long",
                      fmt::format("内容不能超过 {} 个字，现有 {} 个字", kMaxTextChars, chars));
  }
  EnteredValue out;
  out.text = std::string(trimmed);
  return out;
}

EnteredValue interpret_boolean(std::string_view shown, std::string_view normalized) {
  std::string lower(normalized);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  static constexpr std::array<std::string_view, 5> kTrue = {"是", "true", "1", "yes", "对"};
  static constexpr std::array<std::string_view, 5> kFalse = {"否", "false", "0", "no", "错"};
  EnteredValue out;
  if (std::find(kTrue.begin(), kTrue.end(), lower) != kTrue.end()) {
    out.number = 1;
  } else if (std::find(kFalse.begin(), kFalse.end(), lower) != kFalse.end()) {
    out.number = 0;
  } else {
    out = with_error("not_boolean", fmt::format("“{}”无法识别为是或否，请填“是”或“否”", shown));
  }
  return out;
}

EnteredValue interpret_number(std::string_view shown, std::string_view s, const FieldSpec& spec) {
  const bool percent_field = spec.type == ValueType::kPercent;

  // sign, integer part with commas, optional fraction
  Decimal d;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    d.negative = s[i] == '-';
    ++i;
  }
  std::size_t int_start = i;
  while (i < s.size() && (is_digit(s[i]) || s[i] == ',')) ++i;
  std::string_view int_part = s.substr(int_start, i - int_start);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) d.frac_digits += s[i++];
  }
  std::string_view rest = s.substr(i);
  for (char c : int_part) {
    if (c != ',') d.int_digits += c;
  }
  if (d.int_digits.empty() && d.frac_digits.empty()) return not_a_number(shown, spec);

  bool has_comma = int_part.find(',') != std::string_view::npos;
  if ((has_comma && !valid_grouping(int_part)) || rest.starts_with(",")) {
    std::string plain = d.as_typed();
    return with_error("thousands_separator",
                      fmt::format("千分位逗号的位置不对：“{}”。逗号应从个位起每三位一个（如 "
                                  "1,234,567），也可以不写逗号；若要填 {}，请直接写 {}",
                                  shown, plain, plain));
  }

  // what follows the number: nothing, "%", a magnitude suffix, or the unit
  bool percent_sign = false;
  int suffix_exponent = 0;
  std::string_view suffix;
  if (rest.starts_with("%")) {
    if (rest.size() > 1) return not_a_number(shown, spec);
    if (!percent_field) {
      return with_error("not_a_number",
                        fmt::format("本栏不是百分数，请去掉“%”，只填数字（您填的是“{}”）", shown));
    }
    percent_sign = true;
  } else if (!rest.empty()) {
    auto [exponent, consumed] = leading_magnitude(rest);
    if (exponent > 0) {
      std::string_view after = rest.substr(consumed);
      // "万元", "万人" are fine after the magnitude word; ASCII is not ("5万a").
      bool unit_text = std::all_of(after.begin(), after.end(),
                                   [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      if (!unit_text) return not_a_number(shown, spec);
      suffix_exponent = exponent;
      suffix = rest;
    } else if (rest != spec.unit) {
      if (spec.unit.empty()) return not_a_number(shown, spec);
      return with_error("not_a_number",
                        fmt::format("“{}”不是数字，本栏单位是“{}”，请只填数字", shown, spec.unit));
    }
  }

  std::string ascii = (d.int_digits.empty() ? "0" : d.int_digits) + "." +
                      (d.frac_digits.empty() ? "0" : d.frac_digits);
  double magnitude = 0;
  const std::string too_large_message =
      fmt::format("“{}”数值过大，请核实（绝对值不能超过 1000 万亿）", shown);
  if (!to_double(ascii, magnitude) || magnitude > kMaxMagnitude) {
    return with_error("too_large", too_large_message);
  }
  double value = d.negative ? -magnitude : magnitude;
  if (value == 0) value = 0;  // no -0

  if (suffix_exponent > 0) {
    int shift = suffix_exponent - unit_exponent(spec.unit);
    if (magnitude * std::pow(10.0, shift) > kMaxMagnitude) {
      return with_error("too_large", too_large_message);
    }
    if (shift == 0) {
      std::string typed = d.as_typed();
      std::string dont =
          utf8_length(suffix) == 1 ? fmt::format("“{}”字", suffix) : fmt::format("“{}”", suffix);
      return with_error(
          "unit_slip",
          fmt::format("本栏单位已经是“{}”，请直接填 {}，不要带{}", spec.unit, typed, dont), typed);
    }
    std::string meant = d.shifted(shift);
    std::string column = spec.unit.empty() ? std::string("本栏直接填数字")
                                           : fmt::format("本栏单位是“{}”", spec.unit);
    return with_error("unit_slip", fmt::format("您填的是“{}”，{}，应填 {}", shown, column, meant),
                      meant);
  }

  EnteredValue out;
  out.number = value;

  if (spec.type == ValueType::kInteger && !d.is_integer()) {
    std::string rounded = format_number(std::round(value));
    out.violations.push_back(
        make_violation(Severity::kError, "not_integer",
                       fmt::format("本栏只能填整数，您填的 {} 带有小数，请核实（四舍五入为 {}）",
                                   d.as_typed(), rounded),
                       rounded));
  }

  std::optional<double> min = spec.min;
  std::optional<double> max = spec.max;
  std::string unit = spec.unit;
  if (percent_field) {
    if (!min) min = 0;
    if (!max) max = 100;
    unit = "%";
  }
  if (min && value < *min) {
    out.violations.push_back(
        make_violation(Severity::kError, "below_min",
                       fmt::format("本栏不能小于 {}，您填的是“{}”", with_unit(*min, unit), shown)));
  }
  if (max && value > *max) {
    out.violations.push_back(
        make_violation(Severity::kError, "above_max",
                       fmt::format("本栏不能超过 {}，您填的是“{}”", with_unit(*max, unit), shown)));
  }

  if (percent_field && !percent_sign && value > 0 && value <= 1) {
    std::string meant = d.shifted(2);
    out.violations.push_back(make_violation(
        Severity::kWarning, "percent_form",
        fmt::format("本栏按百分数填写（93.66 表示 93.66%），您填的 {} 像是小数，是否应为 {}？",
                    d.as_typed(), meant),
        meant));
  }
  return out;
}

}  // namespace

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::kInteger:
      return "integer";
    case ValueType::kNumber:
      return "number";
    case ValueType::kPercent:
      return "percent";
    case ValueType::kText:
      return "text";
    case ValueType::kBoolean:
      return "boolean";
  }
  return "unknown";
}

StatusOr<ValueType> parse_value_type(std::string_view name) {
  for (ValueType t : {ValueType::kInteger, ValueType::kNumber, ValueType::kPercent,
                      ValueType::kText, ValueType::kBoolean}) {
    if (name == value_type_name(t)) return t;
  }
  return InvalidArgument(
      fmt::format("数据类型只能是 integer（整数）、number（数值）、percent（百分数）、text（文字）"
                  "或 boolean（是/否），收到“{}”",
                  sanitize_for_message(name)),
      "valueType", "invalid_value_type");
}

bool EnteredValue::ok() const {
  return std::none_of(violations.begin(), violations.end(),
                      [](const Violation& v) { return v.severity == Severity::kError; });
}

EnteredValue interpret_value(std::string_view raw, const FieldSpec& spec) {
  std::string_view trimmed = trim(raw);
  if (trimmed.empty()) return EnteredValue{};
  if (spec.type == ValueType::kText) return interpret_text(trimmed);

  std::string shown = sanitize_for_message(trimmed);
  std::string normalized = normalize_width(trimmed);
  std::string_view s = trim(normalized);
  if (spec.type == ValueType::kBoolean) return interpret_boolean(shown, s);
  return interpret_number(shown, s, spec);
}

std::optional<Violation> check_outlier(double value, const std::vector<double>& history) {
  std::vector<double> sorted;
  sorted.reserve(history.size());
  for (double h : history) {
    if (std::isfinite(h)) sorted.push_back(h);
  }
  if (sorted.size() < 3 || !std::isfinite(value)) return std::nullopt;
  std::sort(sorted.begin(), sorted.end());
  std::size_t mid = sorted.size() / 2;
  double median = sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  if (median == 0) return std::nullopt;

  double a = std::fabs(value);
  double m = std::fabs(median);
  std::string how;
  if (a > 10 * m) {
    how = "是其 10 倍以上";
  } else if (a * 10 < m) {
    how = "不到其十分之一";
  } else {
    return std::nullopt;
  }
  return make_violation(Severity::kWarning, "outlier",
                        fmt::format("本期 {} 与本单位近期数值（中位数 {}）相比异常：{}，请核实",
                                    format_number(value), format_number(median), how));
}

}  // namespace tianbao::model
