#include "service/bulletins.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/services.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

using model::OrgUnitKind;
using nlohmann::json;

// 广东(44) ─ 广州(4401), 韶关(4402), 省政数局(44_D, department)
class BulletinsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Services::open(dir_.file("t.db"));
    ASSERT_TRUE(opened.ok());
    s_ = std::move(*opened);
    std::vector<model::OrgUnit> units = {
        {"44", "广东省", 1, OrgUnitKind::kRegion, ""},
        {"4401", "广州市", 2, OrgUnitKind::kRegion, "44"},
        {"4402", "韶关市", 2, OrgUnitKind::kRegion, "44"},
    };
    ASSERT_TRUE(s_->org_units().load_divisions(system_, units).ok());
    ASSERT_TRUE(s_->org_units().add_department(system_, {"44_D", "省政数局", "44"}).ok());
    auto add = [&](const char* code, model::IndicatorKind kind, const char* unit,
                   model::ValueType type, const char* formula = "") {
      model::Indicator i;
      i.code = code;
      i.name = std::string("指标") + code;
      i.unit = unit;
      i.period_aggregation = model::period_aggregation_of(kind);
      i.value_type = type;
      i.formula = formula;
      i.aggregation = kind == model::IndicatorKind::kStock ? model::Aggregation::kLast
                                                           : model::Aggregation::kSum;
      ASSERT_TRUE(s_->metadata().create_indicator(system_, i).ok()) << code;
    };
    add("S", model::IndicatorKind::kStock, "万", model::ValueType::kNumber);
    add("F", model::IndicatorKind::kFlow, "件", model::ValueType::kInteger);
    add("N", model::IndicatorKind::kFlow, "次", model::ValueType::kNumber);
    add("D", model::IndicatorKind::kFlow, "次", model::ValueType::kNumber);
    add("R", model::IndicatorKind::kFlow, "%", model::ValueType::kPercent, "N / D * 100");
    add("EMPTY", model::IndicatorKind::kStock, "个", model::ValueType::kInteger);
    add("PA", model::IndicatorKind::kStock, "个", model::ValueType::kInteger);
    add("PB", model::IndicatorKind::kStock, "个", model::ValueType::kInteger);
  }

  void put(const char* ind, const char* period, const char* org, double v) {
    std::vector<store::ValueWrite> w = {{ind, org, period, v, std::nullopt}};
    ASSERT_TRUE(s_->store().write_values(w, {"t", "import", 0}).ok());
    s_->analytics().apply(w);
  }

  StatusOr<BulletinTemplate> create(const std::string& text, const Principal* who = nullptr) {
    ASSIGN_OR_RETURN(BulletinTemplate t, parse_bulletin_template(json::parse(text)));
    return s_->bulletins().create(who ? *who : system_, std::move(t));
  }

  testing::TempDir dir_;
  std::unique_ptr<Services> s_;
  const Principal system_ = Principal::system("");
};

constexpr const char* kTemplate = R"({
  "code": "t", "title": "月报{年}", "issuer": "局", "issueNumber": "{年}年第{月}期",
  "date": "P13D", "orgUnit": "44",
  "blocks": [
    {"type": "text", "title": "要闻", "html": "<p>S为{{值 指标=S 格式=0.0}}，新增{{新增 指标=S}}，上月{{值 指标=S 期=上月}}，广州{{值 指标=S 单位=4401}}，空{{值 指标=EMPTY}}。</p>"},
    {"type": "indicators", "title": "主要指标", "groups": [
      {"name": "甲", "items": [{"indicator": "S"}, {"indicator": "F"}, {"indicator": "R"}]},
      {"name": "乙", "items": [{"indicator": "EMPTY"}]}]},
    {"type": "units", "title": "分市", "orgUnits": ["4402", "4401"],
     "total": {"orgUnit": "44", "showDirect": true},
     "groups": [{"name": "甲", "items": [{"indicator": "F"}, {"indicator": "R"},
                                          {"indicator": "S", "measure": "new"}]}]},
    {"type": "projects", "title": "项目", "stages": [
      {"label": "准备", "count": "PA"}, {"label": "实施", "count": "PB"}]},
    {"type": "distribution", "lines": [{"label": "分送", "text": "各市"}]}
  ]})";

// Cell text at a row whose first cell is `label`, in column `col`.
std::string cell(const DocTable& t, const std::string& label, std::size_t col) {
  for (const auto& row : t.rows) {
    std::size_t at = 0;
    bool found = false;
    for (const DocCell& c : row) {
      if (!c.covered && c.text == label) found = true;
      if (found && at == col) return c.text;
      at += c.col_span;
    }
  }
  return "<no row " + label + ">";
}

TEST_F(BulletinsTest, FiguresFollowTheAnalyticsSemantics) {
  // Stock S: 累计 at month end, 新增 this month minus last.
  put("S", "2022-07", "4401", 10);
  put("S", "2022-08", "4401", 12.5);
  put("S", "2022-07", "4402", 5);
  put("S", "2022-08", "4402", 4);
  // Flow F: 累计 sums from January, 新增 is the month; 省直 reports too.
  put("F", "2022-01", "4401", 100);
  put("F", "2022-08", "4401", 7);
  put("F", "2022-08", "4402", 3);
  put("F", "2022-08", "44_D", 20);
  put("F", "2021-12", "4401", 1000);  // last year: not in 1–8月
  // Rate R = N / D * 100, a ratio of sums.
  put("N", "2022-08", "4401", 9);
  put("D", "2022-08", "4401", 10);
  put("N", "2022-08", "4402", 1);
  put("D", "2022-08", "4402", 10);
  put("PA", "2022-07", "44_D", 5);
  put("PA", "2022-08", "44_D", 3);
  put("PB", "2022-07", "44_D", 1);
  put("PB", "2022-08", "44_D", 4);
  ASSERT_TRUE(create(kTemplate).ok());

  auto doc = s_->bulletins().render(system_, "t", {"2022-08", "", "html"});
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  EXPECT_EQ(doc->title, "月报2022");
  EXPECT_EQ(doc->issue, "2022年第8期");
  EXPECT_EQ(doc->date, "2022年9月13日");  // P13D after 2022-08-31
  ASSERT_EQ(doc->blocks.size(), 5u);

  std::string text;
  for (const model::TextRun& r : doc->blocks[0].paragraphs[0].runs) text += r.text;
  EXPECT_EQ(text, "S为16.5，新增1.50，上月15.00，广州12.50，空—。");

  const DocTable& ind = *doc->blocks[1].table;
  EXPECT_EQ(ind.rows[0][3].text, "8月新增");
  EXPECT_EQ(cell(ind, "指标S(万)", 2), "16.50");
  EXPECT_EQ(cell(ind, "指标S(万)", 3), "1.50");
  EXPECT_EQ(cell(ind, "指标F(件)", 2), "130");  // 100 + 7 + 3 + 20
  EXPECT_EQ(cell(ind, "指标F(件)", 3), "30");
  EXPECT_EQ(cell(ind, "指标R", 2), "50.00%");    // (9 + 1) / (10 + 10), not 90% + 10%
  EXPECT_EQ(cell(ind, "指标EMPTY(个)", 2), "");  // no figure: an empty cell
  EXPECT_EQ(ind.rows[1][0].text, "甲");
  EXPECT_EQ(ind.rows[1][0].row_span, 3);
  EXPECT_TRUE(ind.rows[2][0].covered);

  const DocTable& units = *doc->blocks[2].table;
  EXPECT_EQ(units.header_rows, 2u);
  EXPECT_EQ(units.rows[0][1].text, "甲");
  EXPECT_EQ(units.rows[0][1].col_span, 3);
  EXPECT_EQ(units.rows[2][0].text, "韶关");  // the order of the template, short names
  EXPECT_EQ(units.rows[3][0].text, "广州");
  EXPECT_EQ(cell(units, "广州", 1), "7");
  EXPECT_EQ(cell(units, "韶关", 1), "3");
  EXPECT_EQ(cell(units, "省直", 1), "20");
  // The total includes 省直, so it is not the sum of the cities' column.
  EXPECT_EQ(cell(units, "全省", 1), "30");
  EXPECT_EQ(cell(units, "广州", 2), "90.00%");
  EXPECT_EQ(cell(units, "全省", 2), "50.00%");
  EXPECT_EQ(cell(units, "韶关", 3), "-1.00");  // a stock falling: negative 新增
  EXPECT_TRUE(units.emphasized.back());

  const DocTable& projects = *doc->blocks[3].table;
  EXPECT_EQ(cell(projects, "准备", 1), "3");
  EXPECT_EQ(cell(projects, "准备", 2), "-2");
  EXPECT_EQ(cell(projects, "实施", 2), "+3");
  EXPECT_EQ(cell(projects, "合计", 1), "7");
  EXPECT_EQ(cell(projects, "合计", 2), "+1");

  ASSERT_EQ(doc->blocks[4].lines.size(), 1u);
}

// Regression (issue 16): the demo bulletin printed 粤商通月活跃用户数 累计 as
// eight months of monthly-active users added up, and the 新增 of a rate in %.
TEST_F(BulletinsTest, AnAverageHasNoYearSumAndARateChangesInPercentagePoints) {
  model::Indicator mau;
  mau.code = "MAU";
  mau.name = "月活";
  mau.unit = "万";
  mau.period_aggregation = model::PeriodAggregation::kAverage;
  ASSERT_TRUE(s_->metadata().create_indicator(system_, mau).ok());
  put("MAU", "2022-07", "4401", 40);
  put("MAU", "2022-08", "4401", 46);
  put("MAU", "2022-08", "4402", 4);
  put("N", "2022-07", "4401", 9);
  put("D", "2022-07", "4401", 10);  // July: 90%
  put("N", "2022-08", "4401", 17);
  put("D", "2022-08", "4401", 20);  // August: 85%
  ASSERT_TRUE(create(R"({
    "code": "a", "title": "月报", "orgUnit": "44", "blocks": [
      {"type": "text", "html": "<p>接通率较上月变化{{新增 指标=R 格式=0.00}}个百分点，1—{月}月月均{{累计 指标=MAU 格式=0.0}}万。</p>"},
      {"type": "indicators", "groups": [{"name": "甲", "items": [
        {"indicator": "MAU"}, {"indicator": "F"}, {"indicator": "R"}]}]},
      {"type": "units", "orgUnits": ["4401"], "groups": [{"name": "甲", "items": [
        {"indicator": "R", "measure": "new"}]}]}]})")
                  .ok());
  auto doc = s_->bulletins().render(system_, "a", {"2022-08", "", "html"});
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  std::string text;
  for (const model::TextRun& r : doc->blocks[0].paragraphs[0].runs) text += r.text;
  EXPECT_EQ(text, "接通率较上月变化-5.00个百分点，1—8月月均45.0万。");  // (40 + 50) / 2
  const DocTable& ind = *doc->blocks[1].table;
  // August's 50 (46 + 4), marked as the month's, not 40 + 50 = 90.
  EXPECT_EQ(cell(ind, "月活(万)", 2), "50.00（8月）");
  EXPECT_EQ(cell(ind, "月活(万)", 3), "10.00");  // 50 − 40
  EXPECT_EQ(cell(ind, "指标R", 2), "86.67%");    // 1—8月: (9 + 17) / (10 + 20)
  EXPECT_EQ(cell(ind, "指标R", 3), "-5.00个百分点");
  EXPECT_EQ(cell(*doc->blocks[2].table, "广州", 1), "-5.00个百分点");
}

TEST_F(BulletinsTest, WritingChecksIndicatorsAndUnitsNamingTheField) {
  std::string unknown = kTemplate;
  unknown.replace(unknown.find(R"({"indicator": "EMPTY"})"), 22, R"({"indicator": "NOPE"})");
  auto refused = create(unknown);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().reason(), "unknown_indicator");
  EXPECT_EQ(refused.status().field(), "blocks[1].groups[1].items[0].indicator");
  EXPECT_NE(refused.status().message().find("NOPE"), std::string::npos);

  std::string in_text = kTemplate;
  const std::string from = "指标=S 单位=4401";
  in_text.replace(in_text.find(from), from.size(), "指标=GONE 单位=4401");
  refused = create(in_text);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().field(), "blocks[0].html");
  EXPECT_NE(refused.status().message().find("GONE"), std::string::npos);

  json bad = json::parse(kTemplate);
  bad["blocks"][2]["type"] = "chart";
  auto parsed = parse_bulletin_template(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().field(), "blocks[2].type");

  bad = json::parse(kTemplate);
  bad["blocks"][0]["html"] = "<p>{{值 指标=S</p>";
  parsed = parse_bulletin_template(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().field(), "blocks[0].html");
  EXPECT_EQ(parsed.status().reason(), "invalid_placeholder");

  // A city admin may not name units outside the city.
  Principal city{7, "gz", "广州管理员", "4401", {model::Role::kAdmin}, "session", "", false};
  std::string gz = kTemplate;
  refused = create(gz, &city);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().reason(), "unknown_org_unit");
  EXPECT_EQ(s_->store().list_bulletins()->size(), 0u);  // nothing stored by refusals
}

TEST_F(BulletinsTest, RenderingRunsInTheCallersScopeAndRole) {
  ASSERT_TRUE(create(kTemplate).ok());
  Principal viewer{8, "sg", "韶关查看者", "4402", {model::Role::kViewer}, "session", "", false};
  auto doc = s_->bulletins().render(viewer, "t", {"2022-08", "", "docx"});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kNotFound);  // 44 is outside 韶关's scope
  Principal filler{9, "f", "填表员", "44", {model::Role::kFiller}, "session", "", false};
  doc = s_->bulletins().render(filler, "t", {"2022-08", "", "docx"});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kPermissionDenied);
  doc = s_->bulletins().render(system_, "t", {"2022Q3", "", "docx"});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().field(), "period");
}

}  // namespace
}  // namespace tianbao::service
