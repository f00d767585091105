#include "model/period.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tianbao::model {
namespace {

Period P(std::string_view text) {
  StatusOr<Period> p = Period::parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().to_string();
  return p.ok() ? *p : Period::year(1900);
}

std::vector<std::string> texts(const std::vector<Period>& periods) {
  std::vector<std::string> out;
  for (const Period& p : periods) out.push_back(p.to_string());
  return out;
}

struct ParseCase {
  const char* text;
  Period::Kind kind;
  int first_month_index;
  int last_month_index;
  const char* canonical;
  const char* label;
};

TEST(PeriodParseTest, ParsesPrintsAndLabelsEveryKind) {
  const ParseCase cases[] = {
      {"2022-08", Period::Kind::kMonth, 2022 * 12 + 7, 2022 * 12 + 7, "2022-08", "2022年8月"},
      {"2022-01", Period::Kind::kMonth, 2022 * 12, 2022 * 12, "2022-01", "2022年1月"},
      {"2022-12", Period::Kind::kMonth, 2022 * 12 + 11, 2022 * 12 + 11, "2022-12", "2022年12月"},
      {"2022Q1", Period::Kind::kQuarter, 2022 * 12, 2022 * 12 + 2, "2022Q1", "2022年第1季度"},
      {"2022Q3", Period::Kind::kQuarter, 2022 * 12 + 6, 2022 * 12 + 8, "2022Q3", "2022年第3季度"},
      {"2022Q4", Period::Kind::kQuarter, 2022 * 12 + 9, 2022 * 12 + 11, "2022Q4", "2022年第4季度"},
      {"2022", Period::Kind::kYear, 2022 * 12, 2022 * 12 + 11, "2022", "2022年"},
      {"1900", Period::Kind::kYear, 1900 * 12, 1900 * 12 + 11, "1900", "1900年"},
      {"2999-12", Period::Kind::kMonth, 2999 * 12 + 11, 2999 * 12 + 11, "2999-12", "2999年12月"},
      {"2022-01..2022-08", Period::Kind::kMonthRange, 2022 * 12, 2022 * 12 + 7, "2022-01..2022-08",
       "2022年1–8月"},
      {"2022-03..2022-05", Period::Kind::kMonthRange, 2022 * 12 + 2, 2022 * 12 + 4,
       "2022-03..2022-05", "2022年3–5月"},
      // A range that happens to cover a whole year stays a range.
      {"2022-01..2022-12", Period::Kind::kMonthRange, 2022 * 12, 2022 * 12 + 11, "2022-01..2022-12",
       "2022年1–12月"},
      // One-month range (YEAR_TO_DATE in January) reads as plain 1月.
      {"2022-01..2022-01", Period::Kind::kMonthRange, 2022 * 12, 2022 * 12, "2022-01..2022-01",
       "2022年1月"},
      // ASCII spaces around the text are trimmed.
      {"  2022-08 ", Period::Kind::kMonth, 2022 * 12 + 7, 2022 * 12 + 7, "2022-08", "2022年8月"},
      {" 2022Q3", Period::Kind::kQuarter, 2022 * 12 + 6, 2022 * 12 + 8, "2022Q3", "2022年第3季度"},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    StatusOr<Period> p = Period::parse(c.text);
    ASSERT_TRUE(p.ok()) << p.status().to_string();
    EXPECT_EQ(p->kind(), c.kind);
    EXPECT_EQ(p->first_month_index(), c.first_month_index);
    EXPECT_EQ(p->last_month_index(), c.last_month_index);
    EXPECT_EQ(p->to_string(), c.canonical);
    EXPECT_EQ(p->label(), c.label);
    // The canonical text parses back to the same period.
    StatusOr<Period> again = Period::parse(p->to_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *p);
  }
}

TEST(PeriodParseTest, FactoriesMatchParse) {
  EXPECT_EQ(Period::month(2022, 8), P("2022-08"));
  EXPECT_EQ(Period::quarter(2022, 3), P("2022Q3"));
  EXPECT_EQ(Period::year(2022), P("2022"));
  EXPECT_EQ(Period::month_range(2022, 1, 8), P("2022-01..2022-08"));
  EXPECT_EQ(Period::year(2022).year(), 2022);
  EXPECT_EQ(Period::month(2022, 12).year(), 2022);
  EXPECT_EQ(Period::month(2022, 8).month_count(), 1);
  EXPECT_EQ(Period::quarter(2022, 3).month_count(), 3);
  EXPECT_EQ(Period::year(2022).month_count(), 12);
  EXPECT_EQ(Period::month_range(2022, 1, 8).month_count(), 8);
  // Kind takes part in equality: a full-year range is not the year.
  EXPECT_NE(Period::month_range(2022, 1, 12), Period::year(2022));
  EXPECT_LT(Period::month(2021, 12), Period::month(2022, 1));
}

TEST(PeriodParseTest, RejectsMalformedText) {
  const char* const cases[] = {
      "",
      "   ",
      "2022-8",
      "2022-13",
      "2022-00",
      "20a2-08",
      "2022-0x",
      "2022-/8",
      "2022:08",
      "\xef\xbc\x92"
      "022-08",  // a full-width digit first
      "2022Q5",
      "2022Q0",
      "2022q3",
      "2022-Q3",
      "22",
      "20222",
      "+202",
      "-2022",
      "2022-08..2021-02",
      "2022-01..2023-02",
      "2022-08..2022-01",
      "2022-01..2022-8",
      "2022-01...2022-08",
      "2022-01-2022-08",
      "2022-08x",
      "2022-08 x",
      "\t2022",
      "2022\n",
      "２０２２",
      "1899",
      "3000",
      "1899-12",
      "0000Q1",
      "LAST_MONTH",
      "2022-08-01",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    Status s = Period::parse(text).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "period");
    EXPECT_EQ(s.reason(), "invalid_period");
    EXPECT_FALSE(s.message().empty());
  }
  // Only ASCII spaces are trimmed; tabs and newlines above are rejected.
  EXPECT_TRUE(Period::parse("2022 ").ok());
}

TEST(PeriodParseTest, MessagesQuoteTheTextAndSayWhatIsWrong) {
  EXPECT_NE(Period::parse("2022-13").status().message().find("“2022-13”"), std::string::npos);
  EXPECT_NE(Period::parse("2022-01..2023-02").status().message().find("同一年"), std::string::npos);
  EXPECT_NE(Period::parse("2022-08..2022-02").status().message().find("不能晚于"),
            std::string::npos);
  EXPECT_NE(Period::parse("1899").status().message().find("1900–2999"), std::string::npos);
  // Control characters and over-long input are not echoed raw.
  std::string message = Period::parse("20\x1b[31m22").status().message();
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
  std::string long_text(500, '9');
  EXPECT_LT(Period::parse(long_text).status().message().size(), 300u);
}

TEST(PeriodTest, ContainsMonthsInQuartersYearsAndRanges) {
  struct Case {
    const char* outer;
    const char* inner;
    bool contains;
  };
  const Case cases[] = {
      {"2022Q3", "2022-07", true},
      {"2022Q3", "2022-09", true},
      {"2022Q3", "2022-06", false},
      {"2022Q3", "2022-10", false},
      {"2022", "2022-01", true},
      {"2022", "2022-12", true},
      {"2022", "2021-12", false},
      {"2022", "2022Q4", true},
      {"2022", "2022-01..2022-08", true},
      {"2022-01..2022-08", "2022-08", true},
      {"2022-01..2022-08", "2022-09", false},
      {"2022-01..2022-08", "2022Q2", true},
      {"2022-01..2022-08", "2022Q3", false},
      {"2022-01..2022-08", "2022", false},
      {"2022-08", "2022Q3", false},
      {"2022-08", "2022", false},
      {"2022Q3", "2022", false},
      {"2022-08", "2022-08", true},
      {"2022", "2022", true},
      {"2022", "2023-01", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(P(c.outer).contains(P(c.inner)), c.contains) << c.outer << " ⊇ " << c.inner;
  }
}

TEST(PeriodTest, MonthsListsEachMonthInOrder) {
  EXPECT_EQ(texts(P("2022-08").months()), (std::vector<std::string>{"2022-08"}));
  EXPECT_EQ(texts(P("2022Q3").months()),
            (std::vector<std::string>{"2022-07", "2022-08", "2022-09"}));
  EXPECT_EQ(texts(P("2022-06..2022-08").months()),
            (std::vector<std::string>{"2022-06", "2022-07", "2022-08"}));
  std::vector<Period> year = P("2022").months();
  ASSERT_EQ(year.size(), 12u);
  EXPECT_EQ(year.front().to_string(), "2022-01");
  EXPECT_EQ(year.back().to_string(), "2022-12");
  for (const Period& m : year) EXPECT_EQ(m.kind(), Period::Kind::kMonth);
}

TEST(PeriodTest, PreviousAndSamePeriodLastYear) {
  struct Case {
    const char* period;
    const char* previous;
    const char* last_year;
  };
  const Case cases[] = {
      {"2022-08", "2022-07", "2021-08"},
      {"2022-01", "2021-12", "2021-01"},
      {"2022Q3", "2022Q2", "2021Q3"},
      {"2022Q1", "2021Q4", "2021Q1"},
      {"2022", "2021", "2021"},
      {"2022-01..2022-08", "2021-01..2021-08", "2021-01..2021-08"},
      {"2022-03..2022-12", "2021-03..2021-12", "2021-03..2021-12"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.period);
    Period p = P(c.period);
    EXPECT_EQ(p.previous().to_string(), c.previous);
    EXPECT_EQ(p.previous().kind(), p.kind());
    EXPECT_EQ(p.same_period_last_year().to_string(), c.last_year);
    EXPECT_EQ(p.same_period_last_year().kind(), p.kind());
  }
}

TEST(PeriodTest, StartAndEndDates) {
  struct Case {
    const char* period;
    const char* start;
    const char* end;
  };
  const Case cases[] = {
      {"2022-08", "2022-08-01", "2022-08-31"},          {"2022-09", "2022-09-01", "2022-09-30"},
      {"2022-02", "2022-02-01", "2022-02-28"},          {"2024-02", "2024-02-01", "2024-02-29"},
      {"2000-02", "2000-02-01", "2000-02-29"},          {"2100-02", "2100-02-01", "2100-02-28"},
      {"2022Q1", "2022-01-01", "2022-03-31"},           {"2022Q2", "2022-04-01", "2022-06-30"},
      {"2022Q4", "2022-10-01", "2022-12-31"},           {"2022", "2022-01-01", "2022-12-31"},
      {"2024-01..2024-02", "2024-01-01", "2024-02-29"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.period);
    EXPECT_EQ(P(c.period).start_date(), c.start);
    EXPECT_EQ(P(c.period).end_date(), c.end);
  }
}

TEST(CalendarTest, DaysInMonth) {
  EXPECT_EQ(days_in_month(2022, 1), 31);
  EXPECT_EQ(days_in_month(2022, 2), 28);
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(1900, 2), 28);
  EXPECT_EQ(days_in_month(2000, 2), 29);
  EXPECT_EQ(days_in_month(2022, 4), 30);
  EXPECT_EQ(days_in_month(2022, 12), 31);
  EXPECT_EQ(days_in_month(2022, 0), 0);
  EXPECT_EQ(days_in_month(2022, 13), 0);
}

TEST(CalendarTest, IsValidDate) {
  const char* const valid[] = {"2022-09-18", "2024-02-29", "2000-02-29",
                               "2022-12-31", "2022-01-01", "1900-01-01"};
  for (const char* d : valid) EXPECT_TRUE(is_valid_date(d)) << d;
  const char* const invalid[] = {
      "",           "2022-02-29", "2100-02-29",  "2022-02-30",  "2022-04-31",
      "2022-13-01", "2022-00-10", "2022-01-00",  "2022-1-01",   "2022-01-1",
      "2022/01/01", "20220101",   " 2022-01-01", "2022-01-01 ", "2022-01-01x",
      "2022-+1-01"};
  for (const char* d : invalid) EXPECT_FALSE(is_valid_date(d)) << d;
}

TEST(CalendarTest, AddDays) {
  struct Case {
    const char* date;
    int days;
    const char* expected;
  };
  const Case cases[] = {
      {"2022-08-31", 0, "2022-08-31"},     {"2022-08-31", 18, "2022-09-18"},
      {"2022-08-31", 1, "2022-09-01"},     {"2022-12-31", 1, "2023-01-01"},
      {"2022-12-31", 31, "2023-01-31"},    {"2024-02-28", 1, "2024-02-29"},
      {"2024-02-29", 1, "2024-03-01"},     {"2023-02-28", 1, "2023-03-01"},
      {"2100-02-28", 1, "2100-03-01"},     {"2000-02-28", 1, "2000-02-29"},
      {"2022-01-01", 365, "2023-01-01"},   {"2024-01-01", 365, "2024-12-31"},
      {"2024-01-01", 366, "2025-01-01"},   {"2022-03-01", -1, "2022-02-28"},
      {"2024-03-01", -1, "2024-02-29"},    {"2023-01-01", -1, "2022-12-31"},
      {"2022-09-18", -18, "2022-08-31"},   {"2025-01-01", -366, "2024-01-01"},
      {"2022-08-15", 10000, "2049-12-31"}, {"2049-12-31", -10000, "2022-08-15"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(add_days(c.date, c.days), c.expected) << c.date << " + " << c.days;
  }
}

// Walking day by day agrees with days_in_month over two full leap cycles.
TEST(CalendarTest, AddDaysStepsThroughEveryDay) {
  std::string date = "1999-12-31";
  for (int y = 2000; y <= 2008; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= days_in_month(y, m); ++d) {
        std::string next = add_days(date, 1);
        ASSERT_EQ(next, fmt::format("{:04d}-{:02d}-{:02d}", y, m, d));
        ASSERT_TRUE(is_valid_date(next));
        ASSERT_EQ(add_days(next, -1), date);
        date = next;
      }
    }
  }
}

TEST(CalendarTest, AddDaysSaturatesAtFourDigitYears) {
  EXPECT_EQ(add_days("2022-01-01", 2'000'000'000), "9999-12-31");
  EXPECT_EQ(add_days("2022-01-01", -2'000'000'000), "0000-01-01");
}

struct ResolveCase {
  const char* text;
  YearMonth today;
  std::vector<std::string> expected;
};

TEST(ResolvePeriodsTest, ResolvesEveryKeywordAndFixedPeriods) {
  const ResolveCase cases[] = {
      {"THIS_MONTH", {2022, 8}, {"2022-08"}},
      {"LAST_MONTH", {2022, 8}, {"2022-07"}},
      {"LAST_MONTH", {2022, 1}, {"2021-12"}},
      {"LAST_3_MONTHS", {2022, 8}, {"2022-05", "2022-06", "2022-07"}},
      {"LAST_3_MONTHS", {2022, 2}, {"2021-11", "2021-12", "2022-01"}},
      {"LAST_6_MONTHS",
       {2022, 1},
       {"2021-07", "2021-08", "2021-09", "2021-10", "2021-11", "2021-12"}},
      {"LAST_12_MONTHS",
       {2022, 9},
       {"2021-09", "2021-10", "2021-11", "2021-12", "2022-01", "2022-02", "2022-03", "2022-04",
        "2022-05", "2022-06", "2022-07", "2022-08"}},
      {"LAST_12_MONTHS",
       {2022, 1},
       {"2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06", "2021-07", "2021-08",
        "2021-09", "2021-10", "2021-11", "2021-12"}},
      {"THIS_QUARTER", {2022, 8}, {"2022Q3"}},
      {"THIS_QUARTER", {2022, 1}, {"2022Q1"}},
      {"THIS_QUARTER", {2022, 12}, {"2022Q4"}},
      {"LAST_QUARTER", {2022, 2}, {"2021Q4"}},
      {"LAST_QUARTER", {2022, 8}, {"2022Q2"}},
      {"THIS_YEAR", {2022, 8}, {"2022"}},
      {"LAST_YEAR", {2022, 1}, {"2021"}},
      {"MONTHS_THIS_YEAR",
       {2022, 8},
       {"2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08"}},
      {"MONTHS_THIS_YEAR", {2022, 1}, {"2022-01"}},
      {"YEAR_TO_DATE", {2022, 8}, {"2022-01..2022-08"}},
      {"YEAR_TO_DATE", {2022, 1}, {"2022-01..2022-01"}},
      {"LAST_5_YEARS", {2022, 8}, {"2017", "2018", "2019", "2020", "2021"}},
      {"LAST_5_YEARS", {2022, 1}, {"2017", "2018", "2019", "2020", "2021"}},
      {" LAST_MONTH ", {2022, 8}, {"2022-07"}},
      {"2022-08", {2030, 1}, {"2022-08"}},
      {"2022Q3", {2030, 1}, {"2022Q3"}},
      {"2022", {2030, 1}, {"2022"}},
      {"2022-01..2022-08", {2030, 1}, {"2022-01..2022-08"}},
  };
  for (const ResolveCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.text << " @ " << c.today.year << "-" << c.today.month);
    StatusOr<std::vector<Period>> periods = resolve_periods(c.text, c.today);
    ASSERT_TRUE(periods.ok()) << periods.status().to_string();
    EXPECT_EQ(texts(*periods), c.expected);
  }
}

TEST(ResolvePeriodsTest, KindsOfResolvedPeriods) {
  EXPECT_EQ((*resolve_periods("YEAR_TO_DATE", {2022, 8}))[0], Period::month_range(2022, 1, 8));
  EXPECT_EQ((*resolve_periods("THIS_YEAR", {2022, 8}))[0], Period::year(2022));
  EXPECT_EQ((*resolve_periods("LAST_QUARTER", {2022, 2}))[0], Period::quarter(2021, 4));
  // Held in a variable: a range-for over *resolve_periods(...) would dangle.
  StatusOr<std::vector<Period>> months = resolve_periods("LAST_12_MONTHS", {2022, 9});
  ASSERT_TRUE(months.ok());
  for (const Period& p : *months) EXPECT_EQ(p.kind(), Period::Kind::kMonth);
}

TEST(ResolvePeriodsTest, RejectsUnknownTextNamingIt) {
  const char* const cases[] = {
      "",        "NEXT_MONTH",       "last_month", "LAST_4_MONTHS", "THIS_MONTH!",
      "2022-13", "2022-01..2023-02", "1899"};
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    Status s = resolve_periods(text, {2022, 8}).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "pe");
    EXPECT_EQ(s.reason(), "invalid_period");
    if (*text != '\0') {
      EXPECT_NE(s.message().find(text), std::string::npos) << s.message();
    }
  }
  // Date-like text keeps parse()'s precise explanation.
  EXPECT_NE(resolve_periods("2022-01..2023-02", {2022, 8}).status().message().find("同一年"),
            std::string::npos);
}

TEST(ResolvePeriodsTest, AppendsToAListAndLeavesItAsItWasOnError) {
  std::vector<Period> out = {Period::year(2020)};
  ASSERT_TRUE(resolve_periods("2022-08", {2022, 9}, out).ok());
  ASSERT_TRUE(resolve_periods("LAST_3_MONTHS", {2022, 9}, out).ok());
  EXPECT_EQ(out,
            (std::vector<Period>{Period::year(2020), Period::month(2022, 8), Period::month(2022, 6),
                                 Period::month(2022, 7), Period::month(2022, 8)}));
  for (const char* text : {"2022-13", "NEXT_MONTH"}) {
    SCOPED_TRACE(text);
    Status s = resolve_periods(text, {2022, 9}, out);
    EXPECT_EQ(s.reason(), "invalid_period");
    EXPECT_EQ(out.size(), 5u);
  }
}

TEST(ResolvePeriodsTest, RejectsInvalidToday) {
  EXPECT_EQ(resolve_periods("THIS_MONTH", {2022, 0}).status().field(), "today");
  EXPECT_EQ(resolve_periods("THIS_MONTH", {2022, 13}).status().field(), "today");
  EXPECT_EQ(resolve_periods("THIS_MONTH", {0, 1}).status().field(), "today");
}

struct DeadlineCase {
  const char* text;
  const char* period;
  const char* due_date;
  const char* canonical;
  const char* label;
};

TEST(DeadlineTest, ParsesAndComputesDueDates) {
  const DeadlineCase cases[] = {
      {"P18D", "2022-08", "2022-09-18", "P18D", "期末后18日"},
      {"P18D", "2022-12", "2023-01-18", "P18D", "期末后18日"},
      {"P10D", "2024-01", "2024-02-10", "P10D", "期末后10日"},
      {"P1D", "2024-02", "2024-03-01", "P1D", "期末后1日"},
      {"P1D", "2023-02", "2023-03-01", "P1D", "期末后1日"},
      {"P30D", "2022Q3", "2022-10-30", "P30D", "期末后30日"},
      {"P45D", "2022", "2023-02-14", "P45D", "期末后45日"},
      {"P15D", "2022-01..2022-08", "2022-09-15", "P15D", "期末后15日"},
      {"P0D", "2022-08", "2022-08-31", "P0D", "期末当日"},
      {"P366D", "2023-12", "2024-12-31", "P366D", "期末后366日"},
      {" P18D ", "2022-08", "2022-09-18", "P18D", "期末后18日"},
      {"2022-09-18", "2022-08", "2022-09-18", "2022-09-18", "2022年9月18日前"},
      {"2022-09-18", "2021", "2022-09-18", "2022-09-18", "2022年9月18日前"},
      {"2024-02-29", "2024-01", "2024-02-29", "2024-02-29", "2024年2月29日前"},
      {"2022-12-01", "2022Q3", "2022-12-01", "2022-12-01", "2022年12月1日前"},
  };
  for (const DeadlineCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.text << " for " << c.period);
    StatusOr<Deadline> d = Deadline::parse(c.text);
    ASSERT_TRUE(d.ok()) << d.status().to_string();
    EXPECT_EQ(d->due_date(P(c.period)), c.due_date);
    EXPECT_EQ(d->to_string(), c.canonical);
    EXPECT_EQ(d->label(), c.label);
    StatusOr<Deadline> again = Deadline::parse(d->to_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->to_string(), c.canonical);
  }
}

TEST(DeadlineTest, FactoriesMatchParse) {
  EXPECT_EQ(Deadline::offset(18).to_string(), "P18D");
  EXPECT_EQ(Deadline::offset(18).due_date(Period::month(2022, 8)), "2022-09-18");
  EXPECT_EQ(Deadline::fixed("2022-09-18").to_string(), "2022-09-18");
  EXPECT_EQ(Deadline::fixed("2022-09-18").label(), "2022年9月18日前");
}

TEST(DeadlineTest, RejectsMalformedText) {
  const char* const cases[] = {"",
                               "P-1D",
                               "P400D",
                               "P367D",
                               "P1000D",
                               "P018D",
                               "P18",
                               "18D",
                               "18",
                               "p18d",
                               "P18d",
                               "PD",
                               "P 18D",
                               "P18DX",
                               "P1.5D",
                               "P2W",
                               "P1M",
                               "2022-02-30",
                               "2022-02-29",
                               "2022-13-01",
                               "2022-9-18",
                               "2022/09/18",
                               "2022-09-18T00:00",
                               "\tP18D"};
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    Status s = Deadline::parse(text).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "deadline");
    EXPECT_EQ(s.reason(), "invalid_deadline");
  }
  EXPECT_NE(Deadline::parse("P400D").status().message().find("“P400D”"), std::string::npos);
}

}  // namespace
}  // namespace tianbao::model
