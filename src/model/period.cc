#include "model/period.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "model/text.h"
#include "model/time.h"

namespace tianbao::model {

namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2999;
constexpr int kMaxDeadlineDays = 366;

// Only plain ASCII spaces are forgiven around periods and deadlines: a stray
// space from a form or URL is common and harmless, while tabs, newlines or
// U+3000 suggest pasted text that deserves a second look.
std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// One to four ASCII digits and nothing else: no sign, no spaces (atoi and
// friends would let those through).
std::optional<int> parse_digits(std::string_view s) {
  if (s.empty() || s.size() > 4 || !std::all_of(s.begin(), s.end(), is_digit)) return std::nullopt;
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

int month_index(int year, int month) {
  return year * 12 + (month - 1);
}
int year_of(int index) {
  return index / 12;
}
int month_of(int index) {
  return index % 12 + 1;
}

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

std::string format_date(int year, int month, int day) {
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

// Written by hand rather than with fmt: a village's ten-year history names
// 120 months per request, and the general formatter cost more than the figures.
std::string format_month(int index) {
  const int year = year_of(index), month = month_of(index);
  if (year < 0 || year > 9999) return fmt::format("{:04d}-{:02d}", year, month);
  std::string out = "0000-00";
  out[0] = static_cast<char>('0' + year / 1000);
  out[1] = static_cast<char>('0' + year / 100 % 10);
  out[2] = static_cast<char>('0' + year / 10 % 10);
  out[3] = static_cast<char>('0' + year % 10);
  out[5] = static_cast<char>('0' + month / 10);
  out[6] = static_cast<char>('0' + month % 10);
  return out;
}

// "YYYY-MM" → month index, or nullopt. Year range is checked by the caller
// so that it can say what was wrong.
std::optional<int> parse_year_month(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  // Digit by digit rather than with parse_digits: a history names 120 months.
  constexpr std::size_t kDigits[] = {0, 1, 2, 3, 5, 6};
  int value[7] = {};
  for (std::size_t k : kDigits) {
    const unsigned d = static_cast<unsigned char>(s[k]) - unsigned{'0'};
    if (d > 9) return std::nullopt;
    value[k] = static_cast<int>(d);
  }
  const int year = value[0] * 1000 + value[1] * 100 + value[2] * 10 + value[3];
  const int month = value[5] * 10 + value[6];
  if (month < 1 || month > 12) return std::nullopt;
  return month_index(year, month);
}

Status invalid_period(std::string_view text, std::string_view problem) {
  return InvalidArgument(fmt::format("报告期“{}”{}", sanitize_for_message(text), problem), "period",
                         "invalid_period");
}

constexpr std::string_view kPeriodFormats =
    "格式不正确，应为 2022-08（月）、2022Q3（季度）、2022（年）或 "
    "2022-01..2022-08（同一年内的累计月份）";

}  // namespace

StatusOr<Period> Period::parse(std::string_view text) {
  const std::string_view t = trim_spaces(text);
  if (t.empty()) return InvalidArgument("报告期不能为空", "period", "invalid_period");

  std::optional<Period> parsed;
  if (t.size() == 4) {
    if (std::optional<int> y = parse_digits(t)) parsed = Period::year(*y);
  } else if (t.size() == 6 && t[4] == 'Q') {
    std::optional<int> y = parse_digits(t.substr(0, 4));
    std::optional<int> q = parse_digits(t.substr(5, 1));
    if (y && q && *q >= 1 && *q <= 4) parsed = Period::quarter(*y, *q);
  } else if (t.size() == 7) {
    if (std::optional<int> m = parse_year_month(t)) parsed = Period(Kind::kMonth, *m, *m);
  } else if (t.size() == 16 && t.substr(7, 2) == "..") {
    std::optional<int> first = parse_year_month(t.substr(0, 7));
    std::optional<int> last = parse_year_month(t.substr(9, 7));
    if (first && last) {
      if (year_of(*first) != year_of(*last)) return invalid_period(t, "的起止月份须在同一年内");
      if (*first > *last) return invalid_period(t, "的起始月份不能晚于截止月份");
      parsed = Period(Kind::kMonthRange, *first, *last);
    }
  }
  if (!parsed) return invalid_period(t, kPeriodFormats);
  if (parsed->year() < kMinYear || parsed->year() > kMaxYear) {
    return invalid_period(t, fmt::format("的年份须在 {}–{} 之间", kMinYear, kMaxYear));
  }
  return *parsed;
}

Period Period::month(int year, int month) {
  assert(month >= 1 && month <= 12);
  const int index = month_index(year, month);
  return Period(Kind::kMonth, index, index);
}

Period Period::quarter(int year, int quarter) {
  assert(quarter >= 1 && quarter <= 4);
  return Period(Kind::kQuarter, month_index(year, 3 * quarter - 2), month_index(year, 3 * quarter));
}

Period Period::year(int year) {
  return Period(Kind::kYear, month_index(year, 1), month_index(year, 12));
}

Period Period::month_range(int year, int first_month, int last_month) {
  assert(first_month >= 1 && first_month <= last_month && last_month <= 12);
  return Period(Kind::kMonthRange, month_index(year, first_month), month_index(year, last_month));
}

std::string Period::to_string() const {
  switch (kind_) {
    case Kind::kMonth:
      return format_month(first_);
    case Kind::kQuarter:
      return fmt::format("{:04d}Q{}", year(), month_of(first_) / 3 + 1);
    case Kind::kYear:
      return fmt::format("{:04d}", year());
    case Kind::kMonthRange:
      return format_month(first_) + ".." + format_month(last_);
  }
  return {};
}

std::string Period::label() const {
  switch (kind_) {
    case Kind::kMonth: {
      // By hand, as format_month: a ten-year history labels 120 months.
      // Years are four digits (kMinYear..kMaxYear).
      const int y = year(), m = month_of(first_);
      char text[16] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10),
                       static_cast<char>('0' + y / 10 % 10), static_cast<char>('0' + y % 10)};
      std::size_t n = 4;
      for (char c : std::string_view("年")) text[n++] = c;
      if (m >= 10) text[n++] = '1';
      text[n++] = static_cast<char>('0' + m % 10);
      for (char c : std::string_view("月")) text[n++] = c;
      return std::string(text, n);
    }
    case Kind::kQuarter:
      return fmt::format("{}年第{}季度", year(), month_of(first_) / 3 + 1);
    case Kind::kYear:
      return fmt::format("{}年", year());
    case Kind::kMonthRange:
      // YEAR_TO_DATE in January is the one-month range 1–1月; offices write
      // that as plain 1月.
      if (first_ == last_) return fmt::format("{}年{}月", year(), month_of(first_));
      return fmt::format("{}年{}–{}月", year(), month_of(first_), month_of(last_));
  }
  return {};
}

bool Period::contains(const Period& other) const {
  return first_ <= other.first_ && other.last_ <= last_;
}

std::vector<Period> Period::months() const {
  std::vector<Period> out;
  out.reserve(static_cast<std::size_t>(month_count()));
  for (int i = first_; i <= last_; ++i) out.push_back(Period(Kind::kMonth, i, i));
  return out;
}

Period Period::previous() const {
  // Months, quarters and years tile the calendar, so the one before starts
  // exactly month_count() earlier; a cumulative range only repeats yearly.
  const int step = kind_ == Kind::kMonthRange ? 12 : month_count();
  return Period(kind_, first_ - step, last_ - step);
}

Period Period::same_period_last_year() const {
  return Period(kind_, first_ - 12, last_ - 12);
}

std::string Period::start_date() const {
  return format_date(year_of(first_), month_of(first_), 1);
}

std::string Period::end_date() const {
  const int y = year_of(last_);
  const int m = month_of(last_);
  return format_date(y, m, days_in_month(y, m));
}

Status resolve_periods(std::string_view text, YearMonth today, std::vector<Period>& out) {
  if (today.month < 1 || today.month > 12 || today.year < kMinYear || today.year > kMaxYear) {
    return InvalidArgument(fmt::format("当前月份 {}-{} 无效", today.year, today.month), "today",
                           "invalid_today");
  }
  const std::string_view t = trim_spaces(text);
  // Fixed periods first: a ten-year history names 120 of them per request.
  if (!t.empty() && is_digit(t.front())) {
    StatusOr<Period> fixed = Period::parse(t);
    // Text that starts like a date gets parse()'s precise complaint ("须在同
    // 一年内").
    if (!fixed.ok()) return InvalidArgument(fixed.status().message(), "pe", "invalid_period");
    out.push_back(*fixed);
    return Status::Ok();
  }
  const int now = month_index(today.year, today.month);
  auto month_at = [](int index) { return Period::month(year_of(index), month_of(index)); };
  auto months_before_now = [&](int n) {
    for (int i = n; i >= 1; --i) out.push_back(month_at(now - i));
  };
  const Period this_quarter = Period::quarter(today.year, (today.month - 1) / 3 + 1);

  if (t == "THIS_MONTH") {
    out.push_back(month_at(now));
  } else if (t == "LAST_MONTH") {
    out.push_back(month_at(now - 1));
  } else if (t == "LAST_3_MONTHS") {
    months_before_now(3);
  } else if (t == "LAST_6_MONTHS") {
    months_before_now(6);
  } else if (t == "LAST_12_MONTHS") {
    months_before_now(12);
  } else if (t == "THIS_QUARTER") {
    out.push_back(this_quarter);
  } else if (t == "LAST_QUARTER") {
    out.push_back(this_quarter.previous());
  } else if (t == "THIS_YEAR") {
    out.push_back(Period::year(today.year));
  } else if (t == "LAST_YEAR") {
    out.push_back(Period::year(today.year - 1));
  } else if (t == "MONTHS_THIS_YEAR") {
    for (const Period& p : Period::month_range(today.year, 1, today.month).months())
      out.push_back(p);
  } else if (t == "YEAR_TO_DATE") {
    out.push_back(Period::month_range(today.year, 1, today.month));
  } else if (t == "LAST_5_YEARS") {
    for (int y = today.year - 5; y < today.year; ++y) out.push_back(Period::year(y));
  } else {
    // Anything else is most likely a mistyped keyword.
    return InvalidArgument(
        fmt::format("无法识别的报告期“{}”，应为具体报告期（如 2022-08、2022Q3、2022、"
                    "2022-01..2022-08）或 THIS_MONTH、LAST_MONTH、LAST_12_MONTHS、THIS_YEAR、"
                    "YEAR_TO_DATE 等相对报告期",
                    sanitize_for_message(t)),
        "pe", "invalid_period");
  }
  return Status::Ok();
}

StatusOr<std::vector<Period>> resolve_periods(std::string_view text, YearMonth today) {
  std::vector<Period> out;
  RETURN_IF_ERROR(resolve_periods(text, today, out));
  return out;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && is_leap_year(year)) return 29;
  return kDays[month - 1];
}

bool is_valid_date(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  std::optional<int> year = parse_digits(date.substr(0, 4));
  std::optional<int> month = parse_digits(date.substr(5, 2));
  std::optional<int> day = parse_digits(date.substr(8, 2));
  if (!year || !month || !day) return false;
  return *month >= 1 && *month <= 12 && *day >= 1 && *day <= days_in_month(*year, *month);
}

std::string add_days(std::string_view date, int days) {
  assert(is_valid_date(date));
  if (!is_valid_date(date)) return std::string(date);
  const int year = *parse_digits(date.substr(0, 4));
  const int month = *parse_digits(date.substr(5, 2));
  const int day = *parse_digits(date.substr(8, 2));
  // Saturate at the ends of four-digit years so the result is always a
  // valid "YYYY-MM-DD", whatever offset a caller passes.
  static const std::int64_t kFirstDay = days_from_civil(0, 1, 1);
  static const std::int64_t kLastDay = days_from_civil(9999, 12, 31);
  const std::int64_t z = std::clamp(days_from_civil(year, month, day) + days, kFirstDay, kLastDay);
  const CivilDate c = civil_from_days(z);
  return format_date(c.year, c.month, c.day);
}

StatusOr<Deadline> Deadline::parse(std::string_view text) {
  const std::string_view t = trim_spaces(text);
  if (is_valid_date(t)) return Deadline::fixed(std::string(t));
  if (t.size() >= 3 && t.front() == 'P' && t.back() == 'D') {
    const std::string_view digits = t.substr(1, t.size() - 2);
    std::optional<int> days = parse_digits(digits);
    // No leading zeros, so that to_string() gives back the same text.
    if (days && *days <= kMaxDeadlineDays && (digits.size() == 1 || digits.front() != '0')) {
      return Deadline::offset(*days);
    }
  }
  return InvalidArgument(
      fmt::format("报送期限“{}”格式不正确，应为期末后天数（如 P18D，0–{} 天）或具体日期（如 "
                  "2022-09-18）",
                  sanitize_for_message(t), kMaxDeadlineDays),
      "deadline", "invalid_deadline");
}

Deadline Deadline::offset(int days) {
  assert(days >= 0 && days <= kMaxDeadlineDays);
  return Deadline(days, {});
}

Deadline Deadline::fixed(std::string date) {
  assert(is_valid_date(date));
  return Deadline(0, std::move(date));
}

std::string Deadline::due_date(const Period& period) const {
  if (!date_.empty()) return date_;
  return add_days(period.end_date(), days_);
}

std::string Deadline::to_string() const {
  if (!date_.empty()) return date_;
  return fmt::format("P{}D", days_);
}

std::string Deadline::label() const {
  if (date_.empty()) {
    if (days_ == 0) return "期末当日";
    return fmt::format("期末后{}日", days_);
  }
  // fixed() only asserts its precondition; stay safe in release builds.
  if (!is_valid_date(date_)) return date_ + "前";
  const std::string_view d = date_;
  return fmt::format("{}年{}月{}日前", *parse_digits(d.substr(0, 4)), *parse_digits(d.substr(5, 2)),
                     *parse_digits(d.substr(8, 2)));
}

}  // namespace tianbao::model
