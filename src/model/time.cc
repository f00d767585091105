#include "model/time.h"

#include <cassert>

#include <fmt/format.h>

namespace tianbao::model {

namespace {

// Floor division: moments before 1970 still fall on the day they are in.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A run of ASCII digits (no sign, no spaces); the caller bounds its length.
std::optional<int> digits(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

CivilDate date_of(std::string_view date) {
  assert(is_valid_date(date));
  return {digits(date.substr(0, 4)).value_or(1970), digits(date.substr(5, 2)).value_or(1),
          digits(date.substr(8, 2)).value_or(1)};
}

// "+08:00" / "-05:00" / "Z" → offset in milliseconds east of UTC.
std::optional<std::int64_t> parse_offset(std::string_view zone) {
  if (zone == "Z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
    return std::nullopt;
  }
  std::optional<int> hours = digits(zone.substr(1, 2));
  std::optional<int> minutes = digits(zone.substr(4, 2));
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  const std::int64_t offset = *hours * kHourMs + *minutes * kMinuteMs;
  return zone[0] == '-' ? -offset : offset;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                                    // [0, 399]
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

BeijingTime beijing_time(std::int64_t unix_ms) {
  const std::int64_t local_ms = unix_ms + kBeijingOffsetMs;
  const std::int64_t days = floor_div(local_ms, kDayMs);
  const std::int64_t ms_of_day = local_ms - days * kDayMs;
  BeijingTime t;
  t.date = civil_from_days(days);
  t.hour = static_cast<int>(ms_of_day / kHourMs);
  t.minute = static_cast<int>(ms_of_day % kHourMs / kMinuteMs);
  t.second = static_cast<int>(ms_of_day % kMinuteMs / kSecondMs);
  // 1970-01-01 was a Thursday.
  t.weekday = static_cast<int>((days % 7 + 7 + 4) % 7);
  return t;
}

std::string beijing_date(std::int64_t unix_ms) {
  const CivilDate d = beijing_time(unix_ms).date;
  return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
}

YearMonth beijing_month(std::int64_t unix_ms) {
  const CivilDate d = beijing_time(unix_ms).date;
  return {d.year, d.month};
}

std::string format_beijing_iso(std::int64_t unix_ms) {
  const BeijingTime t = beijing_time(unix_ms);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}+08:00", t.date.year, t.date.month,
                     t.date.day, t.hour, t.minute, t.second);
}

std::int64_t beijing_date_ms(std::string_view date, int minute_of_day) {
  const CivilDate d = date_of(date);
  return days_from_civil(d.year, d.month, d.day) * kDayMs - kBeijingOffsetMs +
         minute_of_day * kMinuteMs;
}

std::int64_t end_of_beijing_day_ms(std::string_view date) {
  return beijing_date_ms(date) + kDayMs - 1;
}

int day_of_week(std::string_view date) {
  const CivilDate d = date_of(date);
  const std::int64_t days = days_from_civil(d.year, d.month, d.day);
  return static_cast<int>((days % 7 + 7 + 4) % 7);
}

std::optional<std::int64_t> parse_iso_time(std::string_view text) {
  if (text.size() < 10 || !is_valid_date(text.substr(0, 10))) return std::nullopt;
  const std::int64_t midnight_ms = beijing_date_ms(text.substr(0, 10)) + kBeijingOffsetMs;
  std::string_view rest = text.substr(10);
  if (rest.empty()) return midnight_ms - kBeijingOffsetMs;
  if (rest.size() < 9 || rest[0] != 'T' || rest[3] != ':' || rest[6] != ':') return std::nullopt;
  std::optional<int> hour = digits(rest.substr(1, 2));
  std::optional<int> minute = digits(rest.substr(4, 2));
  std::optional<int> second = digits(rest.substr(7, 2));
  // A leap second (:60) is read as the first second of the next minute.
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::string_view zone = rest.substr(9);
  std::optional<std::int64_t> offset = zone.empty() ? kBeijingOffsetMs : parse_offset(zone);
  if (!offset) return std::nullopt;
  return midnight_ms + *hour * kHourMs + *minute * kMinuteMs + *second * kSecondMs - *offset;
}

}  // namespace tianbao::model
