#include "cli/demo_reporting.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

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

// Rough resident population (millions) of each city, to make figures plausible.
constexpr std::pair<const char*, double> kCityWeights[] = {
    {"4401", 18.7}, {"4402", 2.9}, {"4403", 17.6}, {"4404", 2.4}, {"4405", 5.5},  {"4406", 9.5},
    {"4407", 4.8},  {"4408", 7.0}, {"4409", 6.2},  {"4412", 4.1}, {"4413", 6.0},  {"4414", 3.9},
    {"4415", 2.7},  {"4416", 2.8}, {"4417", 2.6},  {"4418", 4.0}, {"4419", 10.5}, {"4420", 4.4},
    {"4451", 2.6},  {"4452", 5.6}, {"4453", 2.4},
};

constexpr const char* kProvincialDepartments[] = {"44_ZSJ", "44_GAT", "44_RST", "44_SCJGJ",
                                                  "44_WJW"};

double round_to(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

// A small deterministic wobble per unit and month, so series are not straight lines.
double wobble(const std::string& code, int month) {
  std::size_t h = std::hash<std::string>{}(code);
  return std::sin(static_cast<double>(h % 97) + month * 0.9) * 0.04;
}

std::vector<std::string> demo_months() {
  std::vector<std::string> out;
  model::Period p = model::Period::month(2021, 9);
  for (int i = 0; i < 12; ++i) {
    out.push_back(p.to_string());
    p = model::Period::month(2021 + (8 + i + 1) / 12, (8 + i + 1) % 12 + 1);
  }
  return out;
}

void city_values(const std::string& code, double weight, int m, const std::string& period,
                 std::vector<store::ValueWrite>& out) {
  double w = weight / 10.0;
  double g = 1 + wobble(code, m);
  auto put = [&](const char* ind, double v) {
    out.push_back({ind, code, period, v, std::nullopt});
  };
  put("YSS_REG_USERS", round_to(w * 600 * (1 + 0.02 * m), 1));
  put("YSS_SERVICES", std::round(800 + w * 400 + 5 * m));
  put("YSS_APP_INSTALLS", round_to(w * 300 * (1 + 0.015 * m), 1));
  double entities = round_to(w * 700 * (1 + 0.005 * m), 1);
  put("MARKET_ENTITIES", entities);
  put("YST_ENTITIES", round_to(entities * (0.6 + 0.01 * m), 1));
  put("YST_MAU", round_to(w * 80 * g, 1));
  double opened = round_to(w * 30 * (1 + 0.01 * m), 2);
  put("YZY_OPENED", opened);
  put("YZY_DAU", round_to(opened * (0.55 + 0.005 * m) * g, 2));
  double calls = round_to(w * 120 * g, 1);
  put("HOTLINE_CALLS", calls);
  put("HOTLINE_ANSWERED", round_to(calls * (0.88 + 0.005 * m), 1));
  put("GDZWFW_ITEMS", std::round(1500 + w * 200 + 3 * m));
  put("YZZ_MACHINES", std::round(w * 600 + 3 * m));
  put("YZZ_TRANSACTIONS", round_to(w * 40 * g, 1));
}

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

// Marks an entry approved by every level up to its task's issuer, as if the
// month had gone through the workflow.
Status approve_all(service::Services& s, std::int64_t task_id, const std::string& issuer) {
  auto tree = s.org_units().tree();
  ASSIGN_OR_RETURN(auto entries, s.store().list_entries(task_id));
  std::int64_t now = s.clock().now_ms();
  for (const store::EntryRecord& e : entries) {
    store::EntryCommit c;
    c.task_id = task_id;
    c.org_code = e.org_code;
    c.expected_version = e.version;
    c.next = e;
    c.next.status = model::EntryStatus::kApproved;
    c.next.submitted_at = now;
    std::optional<model::Ordinal> at = tree->find(e.org_code);
    std::optional<model::Ordinal> top = tree->find(issuer);
    while (at && top && (at = tree->parent(*at)) && tree->in_subtree(*top, *at)) {
      c.next.approvals.push_back(tree->unit(*at).code);
    }
    c.context = {"demo", "import", now};
    c.event =
        store::EntryEvent{task_id,   e.org_code,    now,        "demo",
                          "approve", "not_started", "approved", "演示数据：历史月份视同已审核"};
    RETURN_IF_ERROR(s.store().commit_entry(c).status());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ReportingDemoSummary> add_demo_reporting(service::Services& s) {
  ReportingDemoSummary summary;
  if (s.metadata().catalogue()->indicator("YSS_REG_USERS")) return summary;  // already there
  const service::Principal system = service::Principal::system("");
  RETURN_IF_ERROR(add_indicators(s, system, summary));
  RETURN_IF_ERROR(add_forms_and_rules(s, system));

  auto tree = s.org_units().tree();
  std::vector<std::string> months = demo_months();
  std::vector<std::string> zj_towns;
  {
    model::SubtreeRange r = tree->subtree(*tree->find("4408"));
    for (model::Ordinal o = r.begin; o < r.end; ++o) {
      if (tree->unit(o).level == model::kTownLevel) zj_towns.push_back(tree->unit(o).code);
    }
  }
  std::vector<std::string> villages;
  for (model::Ordinal c : tree->children(*tree->find("440802001")))
    villages.push_back(tree->unit(c).code);

  std::vector<store::ValueWrite> writes;
  for (int m = 0; m < static_cast<int>(months.size()); ++m) {
    const std::string& period = months[m];
    for (const auto& [code, weight] : kCityWeights) city_values(code, weight, m, period, writes);
    int i = 0;
    for (const char* dept : kProvincialDepartments) {
      // 省直 departments run province-wide services not attributed to a city.
      writes.push_back({"YSS_SERVICES", dept, period, std::round(60 + 25 * i + m), std::nullopt});
      writes.push_back(
          {"GDZWFW_ITEMS", dept, period, std::round(150 + 40 * i + 2 * m), std::nullopt});
      ++i;
    }
    for (const std::string& town : zj_towns) {
      double cases = std::round(900 * (1 + wobble(town, m) * 3));
      writes.push_back({"ZW_CASES", town, period, cases, std::nullopt});
      writes.push_back(
          {"ZW_ONLINE_CASES", town, period, std::round(cases * (0.55 + 0.01 * m)), std::nullopt});
    }
    for (const std::string& v : villages) {
      writes.push_back(
          {"VIL_AGENT_CASES", v, period, std::round(120 * (1 + wobble(v, m) * 3)), std::nullopt});
      writes.push_back(
          {"VIL_YZZ_USES", v, period, std::round(300 * (1 + wobble(v, m) * 3)), std::nullopt});
      writes.push_back({"VIL_OPEN_DAYS", v, period, 22, std::nullopt});
    }
  }
  RETURN_IF_ERROR(s.store().write_values(writes, {"demo", "import", s.clock().now_ms()}).status());
  summary.values = writes.size();
  // The metadata writes above took their own snapshot; make sure later
  // lookups see everything.
  RETURN_IF_ERROR(s.metadata().load());

  // 2022-08 as a finished task of all cities and 省直 departments.
  std::vector<std::string> reporters;
  for (const auto& [code, weight] : kCityWeights) reporters.push_back(code);
  for (const char* dept : kProvincialDepartments) reporters.push_back(dept);
  service::NewTask august{"CITY_MONTHLY", "2022-08", reporters, "", 0, "P13D", ""};
  ASSIGN_OR_RETURN(std::int64_t august_id, s.reporting().create_task(system, august));
  RETURN_IF_ERROR(approve_all(s, august_id, "44"));
  ++summary.tasks;

  // Open tasks for 2022-09, due two weeks from today so the countdown means something.
  std::time_t beijing = static_cast<std::time_t>((s.clock().now_ms() + 8LL * 3600 * 1000) / 1000);
  std::tm tm{};
  gmtime_r(&beijing, &tm);
  std::string due = model::add_days(
      fmt::format("{:04d}-{:02d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), 14);
  service::Principal province = system;
  province.org_code = "44";
  service::NewTask cities{"CITY_MONTHLY", "2022-09", {}, "44", 2, due, ""};
  RETURN_IF_ERROR(s.reporting().create_task(province, cities).status());
  service::Principal zhanjiang = system;
  zhanjiang.org_code = "4408";
  service::NewTask towns{"TOWN_MONTHLY", "2022-09", {}, "4408", 4, due, ""};
  RETURN_IF_ERROR(s.reporting().create_task(zhanjiang, towns).status());
  service::Principal chikan = system;
  chikan.org_code = "440802";
  service::NewTask village{"VILLAGE_MONTHLY", "2022-09", villages, "", 0, due, ""};
  RETURN_IF_ERROR(s.reporting().create_task(chikan, village).status());
  summary.tasks += 3;
  return summary;
}

}  // namespace tianbao::cli
