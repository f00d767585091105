// The reporting vocabulary: indicators (指标), forms (报表), validation rules
// (校验规则), and the states of an entry (one unit's part of a task). Plain
// values with their own checks; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "model/value.h"

namespace tianbao::model {

enum class Aggregation { kSum, kAverage, kMin, kMax, kLast, kNone };
enum class IndicatorKind { kStock, kFlow };  // 存量（累计）/ 流量（当期）

std::string_view aggregation_name(Aggregation a);
StatusOr<Aggregation> parse_aggregation(std::string_view name);
std::string_view indicator_kind_name(IndicatorKind k);
StatusOr<IndicatorKind> parse_indicator_kind(std::string_view name);

// How an indicator's monthly figures combine into a longer period (a
// quarter, a year, 1–8月), after they have been combined over units by
// `Aggregation`: a flow (受理量) is summed, a stock (累计注册用户) takes the
// period's last month with a value, a monthly average (月活, 日均访问) is
// averaged over the months with a value, a peak (峰值) takes the largest
// month. A derived indicator is still evaluated on its operands aggregated
// by their own rule; its own rule says which 累计 and 新增 mean something
// (a rate of flows: year to date; of stocks: at month end).
enum class PeriodAggregation { kSum, kLast, kAverage, kMax };
std::string_view period_aggregation_name(PeriodAggregation p);  // "sum", "last", …
StatusOr<PeriodAggregation> parse_period_aggregation(std::string_view name);
// The old two-valued `kind` and the rule it implied: stock ↔ last, flow ↔
// sum; average and max are flows (their months are not a running total).
PeriodAggregation period_aggregation_of(IndicatorKind k);
IndicatorKind indicator_kind_of(PeriodAggregation p);

struct Indicator {
  std::string code;  // [A-Z][A-Z0-9_]{0,63}
  std::string name;
  std::string unit;  // 万, 项, 个, %, 元, 亿元 …; may be empty for ratios
  ValueType value_type = ValueType::kNumber;
  Aggregation aggregation = Aggregation::kSum;
  PeriodAggregation period_aggregation = PeriodAggregation::kSum;  // over months
  std::string formula;  // non-empty: a derived indicator (计算指标)
  std::optional<double> min;
  std::optional<double> max;
  std::string definition;  // 口径说明
  std::string guidance;    // 填报说明

  bool derived() const { return !formula.empty(); }
  // The older two-valued view (API field `kind`), derived so it never
  // disagrees with period_aggregation.
  IndicatorKind kind() const { return indicator_kind_of(period_aggregation); }
  // A percentage (value type percent or unit "%"): its change is written
  // in 个百分点 and is never its own figure.
  bool percent() const { return value_type == ValueType::kPercent || unit == "%"; }
  // 本期新增 is the period's own figure (a stored flow's month) rather than
  // the change from the previous period (stocks, averages, maxima,
  // percentages, and derived indicators: a ratio's change is this month's
  // ratio minus last month's, whatever its operands are).
  bool new_is_own_figure() const {
    return period_aggregation == PeriodAggregation::kSum && !percent() && !derived();
  }
  FieldSpec field_spec() const { return FieldSpec{value_type, unit, min, max}; }
};

// Indicator codes and form/rule codes: [A-Z][A-Z0-9_]{0,63}.
Status check_code(std::string_view code, const char* field);
// Everything about one indicator that does not depend on others (the
// formula's references are checked by check_formulas).
Status check_indicator(const Indicator& indicator);

enum class FormPeriodType { kMonth, kQuarter, kYear, kOnce };
std::string_view form_period_type_name(FormPeriodType t);
StatusOr<FormPeriodType> parse_form_period_type(std::string_view name);

struct FormSection {
  std::string title;
  std::vector<std::string> indicators;  // codes, in display order
};

struct Form {
  std::string code;
  std::string name;
  FormPeriodType period_type = FormPeriodType::kMonth;
  std::vector<int> levels;  // the levels whose units fill it (1–5)
  std::vector<FormSection> sections;

  std::vector<std::string> indicator_codes() const;
};

// Shape only; that the indicators exist is the service's check.
Status check_form(const Form& form);

enum class RuleOperator { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
std::string_view rule_operator_text(RuleOperator op);  // "<", "<=", …
StatusOr<RuleOperator> parse_rule_operator(std::string_view text);

struct ValidationRule {
  std::string code;
  std::string name;
  std::string left;  // expression over indicator codes
  RuleOperator op = RuleOperator::kLessEqual;
  std::string right;  // expression over indicator codes
  Severity severity = Severity::kError;
  std::string message;  // shown to the filler when the rule fails
};

Status check_rule_shape(const ValidationRule& rule);

// An entry: one unit's part of one task. A withdrawn entry (the unit was
// taken out of the task) is kept as history and counts in no completeness.
enum class EntryStatus { kNotStarted, kDraft, kSubmitted, kApproved, kReturned, kWithdrawn };
std::string_view entry_status_name(EntryStatus s);  // "not_started", "draft", …
std::string_view entry_status_label(EntryStatus s);  // 未填, 草稿, 已提交, 已审核, 退回, 已移出
StatusOr<EntryStatus> parse_entry_status(std::string_view name);

// Submitted or approved: the entry's figures are handed in and locked.
bool is_handed_in(EntryStatus s);
// Not started, draft or returned: the unit may still change its figures.
bool is_editable(EntryStatus s);

// A task is open until its issuer cancels it; a cancelled task keeps its
// entries as history, holds no figure and counts in no completeness.
enum class TaskState { kOpen, kCancelled };
std::string_view task_state_name(TaskState s);  // "open", "cancelled"
StatusOr<TaskState> parse_task_state(std::string_view name);

}  // namespace tianbao::model
