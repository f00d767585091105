#include "model/time.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace tianbao::model {
namespace {

struct MomentCase {
  std::int64_t unix_ms;
  const char* iso;   // format_beijing_iso
  const char* date;  // beijing_date
  int weekday;       // 0 = Sunday
};

TEST(BeijingTimeTest, FormatsMomentsAsBeijingWallTime) {
  const MomentCase cases[] = {
      {0, "1970-01-01T08:00:00+08:00", "1970-01-01", 4},
      {1663430400000, "2022-09-18T00:00:00+08:00", "2022-09-18", 0},
      // The last millisecond before Beijing midnight is still the day before.
      {1663430399999, "2022-09-17T23:59:59+08:00", "2022-09-17", 6},
      {1795221000000, "2026-11-21T08:30:00+08:00", "2026-11-21", 6},
      {1709179200000, "2024-02-29T12:00:00+08:00", "2024-02-29", 4},
      // Before 1970: floor, not truncation towards zero.
      {-32400000, "1969-12-31T23:00:00+08:00", "1969-12-31", 3},
      {-32400001, "1969-12-31T22:59:59+08:00", "1969-12-31", 3},
  };
  for (const MomentCase& c : cases) {
    SCOPED_TRACE(c.iso);
    EXPECT_EQ(format_beijing_iso(c.unix_ms), c.iso);
    EXPECT_EQ(beijing_date(c.unix_ms), c.date);
    EXPECT_EQ(beijing_time(c.unix_ms).weekday, c.weekday);
    EXPECT_EQ(day_of_week(c.date), c.weekday);
  }
}

TEST(BeijingTimeTest, MonthOfAMomentIsTheBeijingMonth) {
  // 2022-08-31T16:00:00Z is already September in Beijing.
  const YearMonth m = beijing_month(1661961600000);
  EXPECT_EQ(m.year, 2022);
  EXPECT_EQ(m.month, 9);
  const YearMonth before = beijing_month(1661961599999);
  EXPECT_EQ(before.month, 8);
}

struct DateCase {
  const char* date;
  int minute_of_day;
  std::int64_t unix_ms;
};

TEST(BeijingTimeTest, DatesBecomeUnixMillisecondsOfBeijingMidnightPlusMinutes) {
  const DateCase cases[] = {
      {"1970-01-01", 8 * 60, 0},
      {"2022-09-18", 0, 1663430400000},
      {"2026-11-21", 8 * 60 + 30, 1795221000000},
      {"2024-02-29", 12 * 60, 1709179200000},
  };
  for (const DateCase& c : cases) {
    SCOPED_TRACE(c.date);
    EXPECT_EQ(beijing_date_ms(c.date, c.minute_of_day), c.unix_ms);
    EXPECT_EQ(beijing_date(beijing_date_ms(c.date, c.minute_of_day)), c.date);
  }
}

TEST(BeijingTimeTest, EndOfDayIsTheLastMillisecondBeforeTheNextBeijingMidnight) {
  EXPECT_EQ(end_of_beijing_day_ms("2022-09-17"), 1663430399999);
  EXPECT_EQ(end_of_beijing_day_ms("2022-09-17") + 1, beijing_date_ms("2022-09-18"));
}

struct ParseCase {
  const char* text;
  std::optional<std::int64_t> unix_ms;
};

TEST(BeijingTimeTest, ParsesIsoDatesAndTimesWithOrWithoutOffset) {
  const ParseCase cases[] = {
      {"2022-09-18", 1663430400000},
      {"2026-11-21T08:30:00", 1795221000000},
      {"2026-11-21T08:30:00+08:00", 1795221000000},
      {"2026-11-21T08:30:00Z", 1795249800000},
      {"2026-11-21T08:30:00-05:00", 1795267800000},
      {"2026-11-21T08:29:60", 1795221000000},
      {"", std::nullopt},
      {"2026-02-30", std::nullopt},
      {"2026-13-01", std::nullopt},
      {"2026-11-21T", std::nullopt},
      {"2026-11-21T24:00:00", std::nullopt},
      {"2026-11-21T08:30", std::nullopt},
      {"2026-11-21T08:30:00+8", std::nullopt},
      {"2026-11-21T08:30:00+08:00 ", std::nullopt},
      {"2026-11-21 08:30:00", std::nullopt},
      {"2026-11-21T+8:30:00", std::nullopt},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_iso_time(c.text), c.unix_ms);
  }
}

TEST(CivilCalendarTest, DaysAndDatesRoundTrip) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  for (std::int64_t day : {-719468LL, -1LL, 0LL, 11016LL, 19253LL, 2932896LL}) {
    SCOPED_TRACE(day);
    const CivilDate d = civil_from_days(day);
    EXPECT_EQ(days_from_civil(d.year, d.month, d.day), day);
  }
}

}  // namespace
}  // namespace tianbao::model
