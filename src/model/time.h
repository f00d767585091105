// Beijing time: the one place where Unix milliseconds become the calendar
// dates and clock times that offices read, and back.
//
// Every deadline, history date and timestamp tianbao shows is in China
// Standard Time (UTC+08:00, no daylight saving), while the store and the
// clock (service/clock.h) count Unix epoch milliseconds. Dates are
// "YYYY-MM-DD" strings in the proleptic Gregorian calendar, as
// model/period.h uses them.
//
// Usage:
//   std::string today = model::beijing_date(clock.now_ms());        // "2022-09-18"
//   std::int64_t due = model::end_of_beijing_day_ms("2022-09-18");  // 23:59:59.999
//   json["at"] = model::format_beijing_iso(at_ms);  // "2022-09-18T08:30:00+08:00"
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/period.h"

namespace tianbao::model {

inline constexpr std::int64_t kSecondMs = 1000;
inline constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr std::int64_t kHourMs = 60 * kMinuteMs;
inline constexpr std::int64_t kDayMs = 24 * kHourMs;
// China Standard Time is UTC+08:00 all year round.
inline constexpr std::int64_t kBeijingOffsetMs = 8 * kHourMs;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1–12
  int day = 1;    // 1–31
};

// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil); any
// year, 64-bit so that callers may add any int offset.
std::int64_t days_from_civil(std::int64_t year, int month, int day);
// The civil date `days` days after 1970-01-01 (negative: before).
CivilDate civil_from_days(std::int64_t days);

// A moment as a clock on the wall in Beijing shows it.
struct BeijingTime {
  CivilDate date;
  int hour = 0;     // 0–23
  int minute = 0;   // 0–59
  int second = 0;   // 0–59
  int weekday = 4;  // 0 = Sunday … 6 = Saturday
};

BeijingTime beijing_time(std::int64_t unix_ms);
// "2022-09-18": the Beijing calendar date of a moment.
std::string beijing_date(std::int64_t unix_ms);
// The Beijing calendar month of a moment (what "this month" means to users).
YearMonth beijing_month(std::int64_t unix_ms);
// "2022-09-18T08:30:00+08:00": ISO 8601 with Beijing's offset, to the second.
std::string format_beijing_iso(std::int64_t unix_ms);

// Unix milliseconds of a Beijing date at `minute_of_day` minutes past
// midnight. REQUIRES: is_valid_date(date) (a programmer error otherwise;
// validate input with is_valid_date or parse_iso_time first).
std::int64_t beijing_date_ms(std::string_view date, int minute_of_day = 0);
// The last millisecond of a Beijing date (23:59:59.999), for deadlines that
// run to the end of their day. REQUIRES: is_valid_date(date).
std::int64_t end_of_beijing_day_ms(std::string_view date);
// Day of the week of a date: 0 = Sunday … 6 = Saturday.
// REQUIRES: is_valid_date(date).
int day_of_week(std::string_view date);

// Parses "2026-11-21" (start of that day in Beijing), "2026-11-21T08:30:00"
// (Beijing wall time), or the same with "Z" or an offset such as "+08:00" or
// "-05:00", into Unix milliseconds; nullopt for anything else, including
// dates that do not exist (2026-02-30).
std::optional<std::int64_t> parse_iso_time(std::string_view text);

}  // namespace tianbao::model
