// Period: the time a figure is about — a month (2022-08), a quarter
// (2022Q3), a year (2022), or a cumulative run of months within one year
// (2022-01..2022-08, what offices call 1–8月). Plus relative periods
// (LAST_12_MONTHS, THIS_YEAR, LAST_MONTH …) resolved against a given month,
// and deadlines written the way offices write them (月后18日 → P18D).
//
//   ASSIGN_OR_RETURN(Period p, Period::parse("2022-08"));
//   p.previous().to_string();               // "2022-07"
//   p.same_period_last_year().to_string();  // "2021-08"
//   Period::parse("2022Q3")->contains(p);   // true
//
// Months are numbered internally as year * 12 + (month - 1) ("month
// index"), so ranges and arithmetic are integer operations.
//
// Thread-safety: values.
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace tianbao::model {

struct YearMonth {
  int year = 0;
  int month = 0;  // 1–12
};

class Period {
 public:
  enum class Kind { kMonth, kQuarter, kYear, kMonthRange };

  // "2022-08", "2022Q3", "2022", "2022-01..2022-08". Years 1900–2999. A
  // range must lie within one year and have first <= last. InvalidArgument
  // (field "period", reason "invalid_period", 中文 message quoting the text).
  static StatusOr<Period> parse(std::string_view text);

  static Period month(int year, int month);
  static Period quarter(int year, int quarter);  // 1–4
  static Period year(int year);
  static Period month_range(int year, int first_month, int last_month);

  Kind kind() const { return kind_; }
  int year() const { return first_ / 12; }
  int first_month_index() const { return first_; }
  int last_month_index() const { return last_; }
  int month_count() const { return last_ - first_ + 1; }

  // Canonical text, as parse() accepts it. A range covering a whole
  // quarter or year still prints as a range.
  std::string to_string() const;
  // 中文 label: "2022年8月", "2022年第3季度", "2022年", "2022年1–8月".
  std::string label() const;

  // True if every month of `other` lies within this period.
  bool contains(const Period& other) const;
  // The months of this period, in order.
  std::vector<Period> months() const;
  // The period of the same kind and length just before this one
  // (2022-08 → 2022-07, 2022Q1 → 2021Q4, 2022 → 2021). For a month range
  // it is the same range one year earlier (1–8月 has no "previous" 1–8月
  // within the year).
  Period previous() const;
  // The same period one year earlier.
  Period same_period_last_year() const;

  // First and last day, "2022-08-01" / "2022-08-31".
  std::string start_date() const;
  std::string end_date() const;

  friend bool operator==(const Period&, const Period&) = default;
  friend auto operator<=>(const Period&, const Period&) = default;

 private:
  Period(Kind kind, int first, int last) : kind_(kind), first_(first), last_(last) {}
  Kind kind_;
  int first_;  // month index
  int last_;   // month index
};

// Resolves a period expression against the current month `today`:
//   fixed periods ("2022-08", "2022Q3", "2022", "2022-01..2022-08") → [that];
//   THIS_MONTH, LAST_MONTH → [that month];
//   LAST_3_MONTHS, LAST_6_MONTHS, LAST_12_MONTHS → the months ending last month, oldest first;
//   THIS_QUARTER, LAST_QUARTER → [that quarter];
//   THIS_YEAR, LAST_YEAR → [that year];
//   MONTHS_THIS_YEAR → each month from January to the current month;
//   YEAR_TO_DATE → [month range January..current month] (本年累计);
//   LAST_5_YEARS → the five years before this one, oldest first.
// Unknown text → InvalidArgument naming it (field "pe").
StatusOr<std::vector<Period>> resolve_periods(std::string_view text, YearMonth today);
// The same, appended to `out` (left as it was on error).
Status resolve_periods(std::string_view text, YearMonth today, std::vector<Period>& out);

// Calendar helpers on "YYYY-MM-DD" dates.
int days_in_month(int year, int month);
// Adds `days` (may be negative) to a valid date.
std::string add_days(std::string_view date, int days);
// True for a valid "YYYY-MM-DD" date.
bool is_valid_date(std::string_view date);

// A reporting deadline: either an offset in days after the period's last
// day (ISO 8601 "P18D": for 2022-08 it is due 2022-09-18), or a fixed date.
class Deadline {
 public:
  // "P18D" (0–366 days) or "2022-09-18". InvalidArgument (field
  // "deadline", reason "invalid_deadline") otherwise.
  static StatusOr<Deadline> parse(std::string_view text);
  static Deadline offset(int days);
  static Deadline fixed(std::string date);

  // The due date for `period`: its end date plus the offset, or the fixed date.
  std::string due_date(const Period& period) const;
  std::string to_string() const;  // as parse() accepts it
  // 中文, e.g. "期末后18日" or "2022年9月18日前".
  std::string label() const;

 private:
  Deadline(int days, std::string date) : days_(days), date_(std::move(date)) {}
  int days_ = 0;
  std::string date_;  // empty for offsets
};

}  // namespace tianbao::model
