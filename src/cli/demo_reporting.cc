#include "cli/demo_reporting.h"

#include <fmt/format.h>

#include "cli/demo_figures.h"

namespace tianbao::cli {

namespace {

using model::Aggregation;
using model::PeriodAggregation;
using model::ValueType;

struct DemoIndicator {
  const char* code;
  const char* name;
  const char* unit;
  ValueType type;
  PeriodAggregation over_time;  // stocks last, flows sum, 月活/日均 average
  const char* formula;
  const char* definition;
};

constexpr DemoIndicator kIndicators[] = {
    {"YSS_REG_USERS", "粤省事实名注册用户数", "万", ValueType::kNumber, PeriodAggregation::kLast,
     "", "截至月末在粤省事完成实名注册的用户数（累计）"},
    {"YSS_SERVICES", "粤省事上线服务事项", "项", ValueType::kInteger, PeriodAggregation::kLast, "",
     "截至月末在粤省事上线的服务事项数（累计）"},
    {"YSS_APP_INSTALLS", "粤省事APP安装量", "万", ValueType::kNumber, PeriodAggregation::kLast, "",
     "截至月末粤省事APP累计安装量"},
    {"MARKET_ENTITIES", "市场主体总数", "万", ValueType::kNumber, PeriodAggregation::kLast, "",
     "市场监管部门登记在册的市场主体数"},
    {"YST_ENTITIES", "粤商通市场主体注册量", "万", ValueType::kNumber, PeriodAggregation::kLast, "",
     "在粤商通注册的市场主体数（累计）"},
    {"YST_COVERAGE", "粤商通覆盖率", "%", ValueType::kPercent, PeriodAggregation::kLast,
     "YST_ENTITIES / MARKET_ENTITIES * 100", "粤商通注册市场主体占市场主体总数的比例"},
    {"YST_MAU", "粤商通月活跃用户数", "万", ValueType::kNumber, PeriodAggregation::kAverage, "",
     "当月至少登录一次的用户数"},
    {"YZY_OPENED", "粤政易开通用户", "万人", ValueType::kNumber, PeriodAggregation::kLast, "",
     "截至月末开通粤政易的公职人员数"},
    {"YZY_DAU", "粤政易日活用户数", "万人", ValueType::kNumber, PeriodAggregation::kAverage, "",
     "当月日均活跃用户数"},
    {"YZY_DAU_RATE", "粤政易日活率", "%", ValueType::kPercent, PeriodAggregation::kAverage,
     "YZY_DAU / YZY_OPENED * 100", "日活用户数占开通用户的比例"},
    {"HOTLINE_CALLS", "粤省心热线来电量", "万次", ValueType::kNumber, PeriodAggregation::kSum, "",
     "当月 12345 热线呼入量"},
    {"HOTLINE_ANSWERED", "粤省心热线接通量", "万次", ValueType::kNumber, PeriodAggregation::kSum,
     "", "当月人工接通量"},
    {"HOTLINE_RATE", "粤省心热线接通率", "%", ValueType::kPercent, PeriodAggregation::kSum,
     "HOTLINE_ANSWERED / HOTLINE_CALLS * 100", "接通量占来电量的比例"},
    {"GDZWFW_ITEMS", "广东政务服务网可网办事项", "项", ValueType::kInteger,
     PeriodAggregation::kLast, "", "截至月末可全程网办的政务服务事项数"},
    {"YZZ_MACHINES", "粤智助自助机数量", "台", ValueType::kInteger, PeriodAggregation::kLast, "",
     "截至月末投放运行的粤智助政务服务自助机"},
    {"YZZ_TRANSACTIONS", "粤智助办件量", "万件", ValueType::kNumber, PeriodAggregation::kSum, "",
     "当月通过粤智助自助机办理的业务量"},
    {"ZW_CASES", "政务服务办件量", "件", ValueType::kInteger, PeriodAggregation::kSum, "",
     "当月镇街政务服务中心受理的办件"},
    {"ZW_ONLINE_CASES", "网上办件量", "件", ValueType::kInteger, PeriodAggregation::kSum, "",
     "其中通过网上办理的办件"},
    {"ZW_ONLINE_RATE", "网办率", "%", ValueType::kPercent, PeriodAggregation::kSum,
     "ZW_ONLINE_CASES / ZW_CASES * 100", "网上办件量占办件量的比例"},
    {"VIL_AGENT_CASES", "代办帮办件数", "件", ValueType::kInteger, PeriodAggregation::kSum, "",
     "当月村（居）便民服务站代办帮办的事项数"},
    {"VIL_YZZ_USES", "粤智助使用人次", "人次", ValueType::kInteger, PeriodAggregation::kSum, "",
     "当月本村（居）粤智助自助机使用人次"},
    {"VIL_OPEN_DAYS", "便民服务站开放天数", "天", ValueType::kInteger, PeriodAggregation::kSum, "",
     "当月便民服务站对外开放的天数"},
};

Status add_indicators(service::Services& s, const service::Principal& system,
                      ReportingDemoSummary& summary) {
  for (const DemoIndicator& d : kIndicators) {
    model::Indicator ind;
    ind.code = d.code;
    ind.name = d.name;
    ind.unit = d.unit;
    ind.value_type = d.type;
    ind.period_aggregation = d.over_time;
    ind.formula = d.formula;
    ind.definition = d.definition;
    ind.aggregation = Aggregation::kSum;  // over units; over time is period_aggregation
    ind.min = 0;
    if (d.type == ValueType::kPercent) ind.max = 100;
    if (std::string_view(d.code) == "VIL_OPEN_DAYS") ind.max = 31;
    ind.guidance =
        d.type == ValueType::kInteger ? "填整数；没有发生请填 0" : "按本栏单位填写，不要带单位";
    RETURN_IF_ERROR(s.metadata().create_indicator(system, ind).status());
    ++summary.indicators;
  }
  return Status::Ok();
}

Status add_forms_and_rules(service::Services& s, const service::Principal& system) {
  using model::FormPeriodType;
  std::vector<model::Form> forms = {
      {"CITY_MONTHLY",
       "数字政府改革建设月报（地市）",
       FormPeriodType::kMonth,
       {1, 2},
       {{"粤省事", {"YSS_REG_USERS", "YSS_SERVICES", "YSS_APP_INSTALLS"}},
        {"粤商通", {"MARKET_ENTITIES", "YST_ENTITIES", "YST_COVERAGE", "YST_MAU"}},
        {"粤政易", {"YZY_OPENED", "YZY_DAU", "YZY_DAU_RATE"}},
        {"粤省心热线", {"HOTLINE_CALLS", "HOTLINE_ANSWERED", "HOTLINE_RATE"}},
        {"政务服务网与粤智助", {"GDZWFW_ITEMS", "YZZ_MACHINES", "YZZ_TRANSACTIONS"}}}},
      {"TOWN_MONTHLY",
       "镇街政务服务月报",
       FormPeriodType::kMonth,
       {4},
       {{"政务服务", {"ZW_CASES", "ZW_ONLINE_CASES", "ZW_ONLINE_RATE"}}}},
      {"VILLAGE_MONTHLY",
       "村（居）便民服务月报",
       FormPeriodType::kMonth,
       {5},
       {{"便民服务", {"VIL_AGENT_CASES", "VIL_YZZ_USES", "VIL_OPEN_DAYS"}}}},
  };
  for (const model::Form& f : forms) RETURN_IF_ERROR(s.metadata().create_form(system, f).status());
  using model::RuleOperator;
  using model::Severity;
  std::vector<model::ValidationRule> rules = {
      {"R_YZY_DAU_LE_OPENED", "日活用户不超过开通用户", "YZY_DAU", RuleOperator::kLessEqual,
       "YZY_OPENED", Severity::kError, "粤政易日活用户数不能大于开通用户数"},
      {"R_HOTLINE_ANSWERED_LE_CALLS", "接通量不超过来电量", "HOTLINE_ANSWERED",
       RuleOperator::kLessEqual, "HOTLINE_CALLS", Severity::kError, "热线接通量不能大于来电量"},
      {"R_YST_LE_ENTITIES", "注册主体不超过市场主体", "YST_ENTITIES", RuleOperator::kLessEqual,
       "MARKET_ENTITIES", Severity::kError, "粤商通注册量不能超过市场主体总数"},
      {"R_ZW_ONLINE_LE_CASES", "网上办件不超过办件量", "ZW_ONLINE_CASES", RuleOperator::kLessEqual,
       "ZW_CASES", Severity::kError, "网上办件量不能大于政务服务办件量"},
      {"R_VIL_AGENT_PER_DAY", "代办件数核实", "VIL_AGENT_CASES", RuleOperator::kLessEqual,
       "VIL_OPEN_DAYS * 50", Severity::kWarning, "日均代办超过 50 件，请核实后填写说明"},
  };
  for (const model::ValidationRule& r : rules) {
    RETURN_IF_ERROR(s.metadata().create_rule(system, r).status());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ReportingDemoSummary> add_demo_reporting(service::Services& s, DemoClock& clock) {
  ReportingDemoSummary summary;
  if (s.metadata().catalogue()->indicator("YSS_REG_USERS")) return summary;  // already there
  const service::Principal system = service::Principal::system("");
  RETURN_IF_ERROR(add_indicators(s, system, summary));
  RETURN_IF_ERROR(add_forms_and_rules(s, system));
  // The metadata writes above took their own snapshot; make sure later
  // lookups see everything.
  RETURN_IF_ERROR(s.metadata().load());

  auto tree = s.org_units().tree();
  DemoReporters units;
  units.cities_and_departments = demo_cities();
  for (const std::string& d : demo_provincial_departments()) {
    units.cities_and_departments.push_back(d);
  }
  model::SubtreeRange r = tree->subtree(*tree->find("4408"));
  for (model::Ordinal o = r.begin; o < r.end; ++o) {
    if (tree->unit(o).level == model::kTownLevel) units.towns.push_back(tree->unit(o).code);
  }
  for (model::Ordinal c : tree->children(*tree->find("440802001"))) {
    units.villages.push_back(tree->unit(c).code);
  }
  DemoFigures figures = make_demo_figures(units.towns, units.villages);
  summary.values = figures.all_writes(kDemoHistoryMonths).size();
  ASSIGN_OR_RETURN(std::size_t history, add_demo_history(s, clock, figures, units));
  ASSIGN_OR_RETURN(std::size_t open, add_demo_open_month(s, clock, figures, units));
  summary.tasks = history + open;
  return summary;
}

}  // namespace tianbao::cli
