#include "cli/demo_bulletin.h"

#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

namespace tianbao::cli {

namespace {

// The stages of an information project, with the indicators that count
// the projects at each stage and sum their approved amounts.
struct Stage {
  const char* count;
  const char* amount;
  const char* name;
};
constexpr Stage kStages[] = {
    {"PRJ_PREPARING", "PRJ_AMOUNT_PREPARING", "准备"},
    {"PRJ_PROCURING", "PRJ_AMOUNT_PROCURING", "采购"},
    {"PRJ_IMPLEMENTING", "PRJ_AMOUNT_IMPLEMENTING", "实施"},
    {"PRJ_ACCEPTING", "PRJ_AMOUNT_ACCEPTING", "验收"},
    {"PRJ_ACCEPTED", "PRJ_AMOUNT_ACCEPTED", "已完成验收"},
    {"PRJ_CANCELLED", "PRJ_AMOUNT_CANCELLED", "已取消"},
};
constexpr const char* kDepartments[] = {"44_ZSJ", "44_GAT", "44_RST", "44_SCJGJ", "44_WJW"};

// Projects per stage of department `i` in month `m` (0 = 2021-09): new
// projects enter preparation every month and move on, so some stages grow
// and some shrink from one month to the next.
std::array<double, 6> stage_counts(int i, int m) {
  double accepted = 2 + m + i;
  double cancelled = 1 + (m > 6 ? 1 : 0);
  double accepting = 2 + m % 3;
  double implementing = 5 + i + m % 4;
  double procuring = 3 + (m + i) % 3;
  double total = 30 + 4 * i + 2 * m;
  double preparing = total - accepted - cancelled - accepting - implementing - procuring;
  return {preparing, procuring, implementing, accepting, accepted, cancelled};
}

Status add_project_indicators(service::Services& s, const service::Principal& system,
                              BulletinDemoSummary& summary) {
  for (const Stage& st : kStages) {
    model::Indicator count;
    count.code = st.count;
    count.name = std::string("信息化项目数（") + st.name + "）";
    count.unit = "个";
    count.value_type = model::ValueType::kInteger;
    count.period_aggregation = model::PeriodAggregation::kLast;
    count.aggregation = model::Aggregation::kLast;
    count.min = 0;
    count.definition = std::string("月末处于“") + st.name + "”阶段的信息化项目数";
    count.guidance = "填整数；没有请填 0";
    RETURN_IF_ERROR(s.metadata().create_indicator(system, count).status());
    model::Indicator amount = count;
    amount.code = st.amount;
    amount.name = std::string("信息化项目批复金额（") + st.name + "）";
    amount.unit = "万元";
    amount.value_type = model::ValueType::kNumber;
    amount.definition = std::string("月末处于“") + st.name + "”阶段的项目的批复金额合计";
    amount.guidance = "按万元填写，不要带单位";
    RETURN_IF_ERROR(s.metadata().create_indicator(system, amount).status());
    summary.indicators += 2;
  }
  std::vector<store::ValueWrite> writes;
  for (int m = 0; m < 12; ++m) {
    std::string period = model::Period::month(2021 + (8 + m) / 12, (8 + m) % 12 + 1).to_string();
    for (int i = 0; i < static_cast<int>(std::size(kDepartments)); ++i) {
      std::array<double, 6> counts = stage_counts(i, m);
      for (std::size_t k = 0; k < counts.size(); ++k) {
        double average = 180 + 45 * i + 20 * static_cast<double>(k);  // 万元 per project
        writes.push_back({kStages[k].count, kDepartments[i], period, counts[k], std::nullopt});
        writes.push_back({kStages[k].amount, kDepartments[i], period,
                          std::round(counts[k] * average * 100) / 100, std::nullopt});
      }
    }
  }
  RETURN_IF_ERROR(s.store().write_values(writes, {"demo", "import", s.clock().now_ms()}).status());
  summary.values += writes.size();
  return Status::Ok();
}

constexpr std::string_view kBulletin = R"json({
  "code": "demo",
  "kind": "bulletin",
  "title": "数字政府改革建设工作月报",
  "issuer": "广东省政务服务数据管理局",
  "issueNumber": "{年}年第{月}期",
  "date": "P13D",
  "orgUnit": "44",
  "blocks": [
    {"type": "text", "title": "动态要闻", "html":
      "<p><b>“粤省事”实名注册用户达{{值 指标=YSS_REG_USERS 格式=0.0}}万。</b>截至{月}月底，“粤省事”平台累计上线服务事项{{值 指标=YSS_SERVICES}}项，本月新增{{新增 指标=YSS_SERVICES}}项；实名注册用户本月新增{{新增 指标=YSS_REG_USERS 格式=0.0}}万。</p><p><b>“粤商通”覆盖率达{{值 指标=YST_COVERAGE 格式=0.00}}%。</b>全省{{值 指标=YST_ENTITIES 格式=0.0}}万市场主体在“粤商通”注册，较上月增加{{新增 指标=YST_ENTITIES 格式=0.0}}万。</p><p><b>12345热线接通率{{值 指标=HOTLINE_RATE 格式=0.00}}%。</b>{月}月全省热线来电{{值 指标=HOTLINE_CALLS 格式=0.0}}万次，1—{月}月累计{{累计 指标=HOTLINE_CALLS 格式=0.0}}万次。</p>"},
    {"type": "text", "title": "主要工作进展", "html":
      "<h2>（一）“一网通办”持续深化</h2><p>广东政务服务网可全程网办事项达{{值 指标=GDZWFW_ITEMS}}项；全省投放“粤智助”政务服务自助机{{值 指标=YZZ_MACHINES}}台，本月办件{{值 指标=YZZ_TRANSACTIONS 格式=0.0}}万件。</p><h2>（二）“一网协同”提质增效</h2><p>“粤政易”开通用户{{值 指标=YZY_OPENED 格式=0.00}}万人，日活率{{值 指标=YZY_DAU_RATE 格式=0.00}}%，较上月变化{{新增 指标=YZY_DAU_RATE 格式=0.00}}个百分点。</p>"},
    {"type": "indicators", "title": "主要统计指标", "groups": [
      {"name": "粤省事", "items": [
        {"indicator": "YSS_REG_USERS", "label": "实名注册用户数(万)", "decimals": 1},
        {"indicator": "YSS_SERVICES", "label": "上线服务事项(项)"},
        {"indicator": "YSS_APP_INSTALLS", "label": "APP安装量(万)", "decimals": 1}]},
      {"name": "粤商通", "items": [
        {"indicator": "YST_ENTITIES", "label": "市场主体注册量(万)", "decimals": 1},
        {"indicator": "YST_COVERAGE", "label": "覆盖率"},
        {"indicator": "YST_MAU", "label": "月活跃用户数(万)", "decimals": 1}]},
      {"name": "粤政易", "items": [
        {"indicator": "YZY_OPENED", "label": "开通用户(万人)"},
        {"indicator": "YZY_DAU", "label": "日活用户数(万人)"},
        {"indicator": "YZY_DAU_RATE", "label": "日活率"}]},
      {"name": "粤省心热线", "items": [
        {"indicator": "HOTLINE_CALLS", "label": "来电量(万次)", "decimals": 1},
        {"indicator": "HOTLINE_ANSWERED", "label": "接通量(万次)", "decimals": 1},
        {"indicator": "HOTLINE_RATE", "label": "接通率"}]},
      {"name": "政务服务", "items": [
        {"indicator": "GDZWFW_ITEMS", "label": "广东政务服务网可网办事项(项)"},
        {"indicator": "YZZ_MACHINES", "label": "粤智助自助机(台)"},
        {"indicator": "YZZ_TRANSACTIONS", "label": "粤智助办件量(万件)", "decimals": 1}]}],
     "note": "注：累计栏中，存量指标为月末数，流量指标为1月至{月}月合计；月活跃用户数、日活用户数、日活率按月统计，不作累计，列{月}月数并注明月份。比率按汇总后的分子分母计算，其新增为较上月增减的百分点。"},
    {"type": "projects", "title": "全省信息化项目情况", "stages": [
      {"label": "准备", "count": "PRJ_PREPARING", "amount": "PRJ_AMOUNT_PREPARING"},
      {"label": "采购", "count": "PRJ_PROCURING", "amount": "PRJ_AMOUNT_PROCURING"},
      {"label": "实施", "count": "PRJ_IMPLEMENTING", "amount": "PRJ_AMOUNT_IMPLEMENTING"},
      {"label": "验收", "count": "PRJ_ACCEPTING", "amount": "PRJ_AMOUNT_ACCEPTING"},
      {"label": "已完成验收", "count": "PRJ_ACCEPTED", "amount": "PRJ_AMOUNT_ACCEPTED"},
      {"label": "已取消", "count": "PRJ_CANCELLED", "amount": "PRJ_AMOUNT_CANCELLED"}]},
    {"type": "units", "title": "各地市主要指标", "rowHeader": "地市",
     "orgUnits": ["4401", "4403", "4404", "4405", "4406", "4402", "4416", "4414", "4413", "4415",
                  "4419", "4420", "4407", "4417", "4408", "4409", "4412", "4418", "4451", "4452",
                  "4453"],
     "total": {"orgUnit": "44", "label": "全省", "showDirect": true, "directLabel": "省直"},
     "groups": [
      {"name": "粤省事", "items": [
        {"indicator": "YSS_SERVICES", "label": "上线事项"},
        {"indicator": "YSS_REG_USERS", "label": "注册用户数(万)", "decimals": 1},
        {"indicator": "YSS_APP_INSTALLS", "label": "APP安装量(万)", "decimals": 1}]},
      {"name": "粤商通", "items": [
        {"indicator": "YST_ENTITIES", "label": "市场主体注册量(万)", "decimals": 1},
        {"indicator": "YST_COVERAGE", "label": "覆盖率"},
        {"indicator": "YST_MAU", "label": "月活跃用户数(万)", "decimals": 1}]},
      {"name": "粤政易", "items": [
        {"indicator": "YZY_OPENED", "label": "开通用户(万人)"},
        {"indicator": "YZY_DAU_RATE", "label": "日活率"}]}],
     "note": "注：全省数含省直部门，故不等于各地市之和。"},
    {"type": "text", "title": "地市工作亮点", "html":
      "<p><b>湛江市：</b>“粤省事”实名注册用户{{值 指标=YSS_REG_USERS 单位=4408 格式=0.0}}万，“粤商通”覆盖率{{值 指标=YST_COVERAGE 单位=4408 格式=0.00}}%；赤坎区中华街道各村（居）便民服务站本月代办帮办{{值 指标=VIL_AGENT_CASES 单位=440802001}}件。</p><p><b>广州市：</b>“粤智助”自助机本月办件{{值 指标=YZZ_TRANSACTIONS 单位=4401 格式=0.0}}万件，“粤政易”日活率{{值 指标=YZY_DAU_RATE 单位=4401 格式=0.00}}%。</p>"},
    {"type": "distribution", "lines": [
      {"label": "分送", "text": "省政府办公厅，省直各有关单位，各地级以上市政务服务数据管理局。"},
      {"label": "抄报", "text": "省委办公厅，省政府主要领导、分管领导。"}]}
  ]
})json";

// Built from seeds/000 (a city's 工作进展报告): the `*` it had wherever
// tianbao holds the figure are placeholders now.
constexpr std::string_view kReport = R"json({
  "code": "demo-report",
  "kind": "report",
  "title": "湛江市{年}年1—{月}月数字政府改革建设工作情况",
  "issuer": "湛江市政务服务数据管理局",
  "date": "P10D",
  "orgUnit": "4408",
  "blocks": [
    {"type": "text", "html":
      "<p>{年}年年初以来，我局围绕省下达的各项重点考核事项，按照市委市政府{年}年重点工作任务的要求，认真谋划、统筹推进，努力完成数字政府改革建设工作任务。现将有关工作汇报如下。</p><h1>一、工作成效</h1><p><b>（一）印发工作要点。</b>我局围绕《广东省数字政府改革建设{年}年工作要点》和《湛江市数字政府改革建设“十四五”规划》，起草并报市政府办公室印发了《湛江市数字政府改革建设{年}年工作要点》，对全市数字政府改革建设年度工作任务进行分解，明确责任单位，并进行跟进落实。</p><p><b>（二）抓好“粤系列”产品推广应用。</b>一是组织“粤省事”特色事项上线。“粤省事”湛江版实名注册用户突破{{值 指标=YSS_REG_USERS 格式=0.0}}万，本月新增{{新增 指标=YSS_REG_USERS 格式=0.0}}万。二是完善“粤商通”服务能力。注册使用市场主体{{值 指标=YST_ENTITIES 格式=0.0}}万户，注册率{{值 指标=YST_COVERAGE 格式=0.00}}%。三是加强“粤政易”管理应用。全市有{{值 指标=YZY_OPENED 格式=0.00}}万公职人员开通“粤政易”账号，日活率{{值 指标=YZY_DAU_RATE 格式=0.00}}%。</p><p><b>（三）推进基层政务服务。</b>全市镇街政务服务中心本月受理办件{{值 指标=ZW_CASES}}件，其中网上办件{{值 指标=ZW_ONLINE_CASES}}件，网办率{{值 指标=ZW_ONLINE_RATE 格式=0.0}}%；全市投放“粤智助”自助机{{值 指标=YZZ_MACHINES}}台，本月办件{{值 指标=YZZ_TRANSACTIONS 格式=0.0}}万件。</p><h1>二、存在的主要问题</h1><p><b>（一）信息孤岛问题还是存在。</b>政务大数据中心湛江节点和政务信息资源共享平台虽已建成，但受很多单位信息化系统孤立建设和管理机制因素影响，我市的政务信息共享工作仍存在较大压力。</p><p><b>（二）建设资金缺口很大。</b>数字政府建设涉及众多信息化项目建设，需要大量的资金投入，很多项目建设经费很难落实。</p><h1>三、下一步工作思路</h1><p><b>（一）谋划推进“一网统管”工作。</b>加快完成“粤治慧”基础平台部署工作，以“应急管理”“智慧水利”为试点，逐步建设“一网统管”应用专题。</p><p><b>（二）持续推进数据治理。</b>充分依托政务大数据中心省市一体化湛江节点，加快推动全市各地各单位政务数据共享汇聚，提高政务数据管理和应用效果。</p>"}
  ]
})json";

}  // namespace

StatusOr<BulletinDemoSummary> add_demo_bulletins(service::Services& s) {
  BulletinDemoSummary summary;
  const service::Principal system = service::Principal::system("");
  if (!s.metadata().catalogue()->indicator(kStages[0].count)) {
    RETURN_IF_ERROR(add_project_indicators(s, system, summary));
  }
  for (std::string_view text : {kBulletin, kReport}) {
    ASSIGN_OR_RETURN(service::BulletinTemplate t,
                     service::parse_bulletin_template(nlohmann::json::parse(text)));
    ASSIGN_OR_RETURN(auto existing, s.store().find_bulletin(t.code));
    if (existing) continue;
    RETURN_IF_ERROR(s.bulletins().create(system, std::move(t)).status());
    ++summary.templates;
  }
  return summary;
}

}  // namespace tianbao::cli
