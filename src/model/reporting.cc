#include "model/reporting.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::model {

namespace {

template <typename E, std::size_t N>
StatusOr<E> parse_named(std::string_view name, const std::pair<E, const char*> (&table)[N],
                        const char* field, const char* what) {
  std::string options;
  for (const auto& [value, text] : table) {
    if (name == text) return value;
    options += options.empty() ? "" : "、";
    options += text;
  }
  return InvalidArgument(
      fmt::format("{}须为 {} 之一，收到“{}”", what, options, sanitize_for_message(name)), field,
      "invalid_value");
}

template <typename E, std::size_t N>
std::string_view name_of(E value, const std::pair<E, const char*> (&table)[N]) {
  for (const auto& [v, text] : table) {
    if (v == value) return text;
  }
  return "";
}

constexpr std::pair<Aggregation, const char*> kAggregations[] = {
    {Aggregation::kSum, "sum"}, {Aggregation::kAverage, "average"}, {Aggregation::kMin, "min"},
    {Aggregation::kMax, "max"}, {Aggregation::kLast, "last"},       {Aggregation::kNone, "none"},
};
constexpr std::pair<IndicatorKind, const char*> kKinds[] = {{IndicatorKind::kStock, "stock"},
                                                            {IndicatorKind::kFlow, "flow"}};
constexpr std::pair<PeriodAggregation, const char*> kPeriodAggregations[] = {
    {PeriodAggregation::kSum, "sum"},
    {PeriodAggregation::kLast, "last"},
    {PeriodAggregation::kAverage, "average"},
    {PeriodAggregation::kMax, "max"}};
constexpr std::pair<FormPeriodType, const char*> kPeriodTypes[] = {
    {FormPeriodType::kMonth, "month"},
    {FormPeriodType::kQuarter, "quarter"},
    {FormPeriodType::kYear, "year"},
    {FormPeriodType::kOnce, "once"}};
constexpr std::pair<RuleOperator, const char*> kOperators[] = {
    {RuleOperator::kLess, "<"},    {RuleOperator::kLessEqual, "<="},
    {RuleOperator::kGreater, ">"}, {RuleOperator::kGreaterEqual, ">="},
    {RuleOperator::kEqual, "=="},  {RuleOperator::kNotEqual, "!="}};
constexpr std::pair<EntryStatus, const char*> kStatuses[] = {
    {EntryStatus::kNotStarted, "not_started"}, {EntryStatus::kDraft, "draft"},
    {EntryStatus::kSubmitted, "submitted"},    {EntryStatus::kApproved, "approved"},
    {EntryStatus::kReturned, "returned"},      {EntryStatus::kWithdrawn, "withdrawn"}};
constexpr std::pair<TaskState, const char*> kTaskStates[] = {{TaskState::kOpen, "open"},
                                                             {TaskState::kCancelled, "cancelled"}};

Status check_text(std::string_view text, std::size_t max_chars, const char* field,
                  const char* label, bool required) {
  if (!is_valid_utf8(text)) {
    return InvalidArgument(fmt::format("{}不是有效的 UTF-8 文本", label), field, "invalid_utf8");
  }
  if (required && trim(text).empty()) {
    return InvalidArgument(fmt::format("{}不能为空", label), field, "required");
  }
  if (utf8_length(text) > max_chars) {
    return InvalidArgument(fmt::format("{}不能超过 {} 个字", label, max_chars), field, "too_long");
  }
  return Status::Ok();
}

}  // namespace

std::string_view aggregation_name(Aggregation a) {
  return name_of(a, kAggregations);
}
StatusOr<Aggregation> parse_aggregation(std::string_view name) {
  return parse_named(name, kAggregations, "aggregation", "汇总方式");
}
std::string_view indicator_kind_name(IndicatorKind k) {
  return name_of(k, kKinds);
}
StatusOr<IndicatorKind> parse_indicator_kind(std::string_view name) {
  return parse_named(name, kKinds, "kind", "指标类别（stock 存量 / flow 流量）");
}
std::string_view period_aggregation_name(PeriodAggregation p) {
  return name_of(p, kPeriodAggregations);
}
StatusOr<PeriodAggregation> parse_period_aggregation(std::string_view name) {
  return parse_named(name, kPeriodAggregations, "periodAggregation",
                     "时间汇总方式（sum 求和 / last 期末值 / average 平均 / max 最大值）");
}
PeriodAggregation period_aggregation_of(IndicatorKind k) {
  return k == IndicatorKind::kStock ? PeriodAggregation::kLast : PeriodAggregation::kSum;
}
IndicatorKind indicator_kind_of(PeriodAggregation p) {
  return p == PeriodAggregation::kLast ? IndicatorKind::kStock : IndicatorKind::kFlow;
}
std::string_view form_period_type_name(FormPeriodType t) {
  return name_of(t, kPeriodTypes);
}
StatusOr<FormPeriodType> parse_form_period_type(std::string_view name) {
  return parse_named(name, kPeriodTypes, "periodType", "报表周期");
}
std::string_view rule_operator_text(RuleOperator op) {
  return name_of(op, kOperators);
}
StatusOr<RuleOperator> parse_rule_operator(std::string_view text) {
  return parse_named(text, kOperators, "operator", "比较符");
}
std::string_view entry_status_name(EntryStatus s) {
  return name_of(s, kStatuses);
}
StatusOr<EntryStatus> parse_entry_status(std::string_view name) {
  return parse_named(name, kStatuses, "status", "状态");
}

std::string_view entry_status_label(EntryStatus s) {
  switch (s) {
    case EntryStatus::kNotStarted:
      return "未填";
    case EntryStatus::kDraft:
      return "草稿";
    case EntryStatus::kSubmitted:
      return "已提交";
    case EntryStatus::kApproved:
      return "已审核";
    case EntryStatus::kReturned:
      return "退回";
    case EntryStatus::kWithdrawn:
      return "已移出";
  }
  return "";
}

bool is_handed_in(EntryStatus s) {
  return s == EntryStatus::kSubmitted || s == EntryStatus::kApproved;
}

bool is_editable(EntryStatus s) {
  return s == EntryStatus::kNotStarted || s == EntryStatus::kDraft || s == EntryStatus::kReturned;
}

std::string_view task_state_name(TaskState s) {
  return name_of(s, kTaskStates);
}
StatusOr<TaskState> parse_task_state(std::string_view name) {
  return parse_named(name, kTaskStates, "state", "任务状态");
}

Status check_code(std::string_view code, const char* field) {
  constexpr std::size_t kMax = 64;
  bool ok = !code.empty() && code.size() <= kMax && code[0] >= 'A' && code[0] <= 'Z';
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) ok = false;
  }
  if (!ok) {
    return InvalidArgument(
        fmt::format("代码须以大写字母开头，由大写字母、数字和下划线组成，不超过 64 位，收到“{}”",
                    sanitize_for_message(code)),
        field, "invalid_code");
  }
  return Status::Ok();
}

Status check_indicator(const Indicator& ind) {
  constexpr std::size_t kMaxName = 100, kMaxUnit = 10, kMaxNote = 2000;
  RETURN_IF_ERROR(check_code(ind.code, "code"));
  RETURN_IF_ERROR(check_text(ind.name, kMaxName, "name", "指标名称", true));
  RETURN_IF_ERROR(check_text(ind.unit, kMaxUnit, "unit", "计量单位", false));
  RETURN_IF_ERROR(check_text(ind.definition, kMaxNote, "definition", "口径说明", false));
  RETURN_IF_ERROR(check_text(ind.guidance, kMaxNote, "guidance", "填报说明", false));
  if (ind.min && ind.max && *ind.min > *ind.max) {
    return InvalidArgument("最小值不能大于最大值", "min", "invalid_range");
  }
  if (ind.derived() &&
      (ind.value_type == ValueType::kText || ind.value_type == ValueType::kBoolean)) {
    return InvalidArgument("计算指标须为数值型", "valueType", "invalid_value_type");
  }
  if (ind.value_type == ValueType::kText && ind.aggregation != Aggregation::kNone) {
    return InvalidArgument("文本型指标不能汇总，汇总方式须为 none", "aggregation", "invalid_value");
  }
  return Status::Ok();
}

std::vector<std::string> Form::indicator_codes() const {
  std::vector<std::string> out;
  for (const FormSection& s : sections)
    out.insert(out.end(), s.indicators.begin(), s.indicators.end());
  return out;
}

Status check_form(const Form& form) {
  RETURN_IF_ERROR(check_code(form.code, "code"));
  RETURN_IF_ERROR(check_text(form.name, 100, "name", "报表名称", true));
  if (form.levels.empty()) {
    return InvalidArgument("须指定填报层级（1 省 … 5 村）", "levels", "required");
  }
  for (int level : form.levels) {
    if (level < 1 || level > 5)
      return InvalidArgument("填报层级须为 1 到 5", "levels", "invalid_level");
  }
  if (form.sections.empty()) return InvalidArgument("报表至少需要一个栏目", "sections", "required");
  std::vector<std::string> seen;
  for (const FormSection& s : form.sections) {
    RETURN_IF_ERROR(check_text(s.title, 100, "sections", "栏目标题", true));
    if (s.indicators.empty()) {
      return InvalidArgument(fmt::format("栏目“{}”中没有指标", s.title), "sections", "required");
    }
    for (const std::string& code : s.indicators) {
      if (std::find(seen.begin(), seen.end(), code) != seen.end()) {
        return InvalidArgument(fmt::format("指标 {} 在报表中出现了两次", code), "sections",
                               "duplicate_indicator");
      }
      seen.push_back(code);
    }
  }
  return Status::Ok();
}

Status check_rule_shape(const ValidationRule& rule) {
  RETURN_IF_ERROR(check_code(rule.code, "code"));
  RETURN_IF_ERROR(check_text(rule.name, 100, "name", "规则名称", true));
  RETURN_IF_ERROR(check_text(rule.message, 500, "message", "提示信息", true));
  return Status::Ok();
}

}  // namespace tianbao::model
