#include "model/bulletin.h"

#include <gtest/gtest.h>

namespace tianbao::model {
namespace {

struct PlaceholderCase {
  const char* text;
  FigureMeasure measure;
  const char* indicator;
  const char* unit;
  const char* period;
  std::optional<int> decimals;
};

TEST(PlaceholderTest, ParsesWhatEditorsWrite) {
  const PlaceholderCase cases[] = {
      {"值 指标=YSS_REG_USERS", FigureMeasure::kValue, "YSS_REG_USERS", "", "", std::nullopt},
      {"值 指标=YSS_REG_USERS 单位=44 期=2022-08 格式=0.0", FigureMeasure::kValue, "YSS_REG_USERS",
       "44", "2022-08", 1},
      {"新增 指标=X 格式=0", FigureMeasure::kNew, "X", "", "", 0},
      {"累计 期=上月 指标=HOTLINE_CALLS", FigureMeasure::kYearToDate, "HOTLINE_CALLS", "", "上月",
       std::nullopt},
      {"环比 指标=A 单位=44_ZSJ", FigureMeasure::kMonthOnMonth, "A", "44_ZSJ", "", std::nullopt},
      {"  同比\u3000指标=B  格式=0.000 ", FigureMeasure::kYearOnYear, "B", "", "", 3},
      {"值 指标=B 期=LAST_MONTH", FigureMeasure::kValue, "B", "", "LAST_MONTH", std::nullopt},
  };
  for (const PlaceholderCase& c : cases) {
    StatusOr<Placeholder> p = parse_placeholder(c.text);
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.status().message();
    EXPECT_EQ(p->measure, c.measure) << c.text;
    EXPECT_EQ(p->indicator, c.indicator) << c.text;
    EXPECT_EQ(p->org_unit, c.unit) << c.text;
    EXPECT_EQ(p->period, c.period) << c.text;
    EXPECT_EQ(p->decimals, c.decimals) << c.text;
  }
}

TEST(PlaceholderTest, MalformedOnesSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "是空的"},
      {"数 指标=X", "开头须为"},
      {"值", "缺少 指标"},
      {"值 单位=44", "缺少 指标"},
      {"值 指标=", "没有填写值"},
      {"值 指标=x_lower", "大写字母"},
      {"值 指标=A 指标=B", "重复"},
      {"值 指标=A 单位=44 单位=4401", "重复"},
      {"值 指标=A 期=2022-13", "无法识别"},
      {"值 指标=A 期=LAST_12_MONTHS", "多个期间"},
      {"值 指标=A 格式=0.0.0", "格式"},
      {"值 指标=A 格式=#,##0", "格式"},
      {"值 指标=A 格式=0.0000000", "格式"},
      {"值 指标=A 颜色=红", "不认识“颜色”"},
      {"值 指标=A 单位", "名称=值"},
      {"值 指标=A 单位=湛江", "单位应写代码"},
  };
  for (const auto& [text, expected] : cases) {
    StatusOr<Placeholder> p = parse_placeholder(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.status().reason(), "invalid_placeholder") << text;
    EXPECT_NE(p.status().message().find(expected), std::string::npos)
        << text << " → " << p.status().message();
  }
}

TEST(PlaceholderTest, RelativePeriods) {
  Period aug = Period::month(2022, 8);
  const std::pair<const char*, const char*> cases[] = {
      {"", "2022-08"},
      {"本月", "2022-08"},
      {"上月", "2022-07"},
      {"上年同月", "2021-08"},
      {"本年累计", "2022-01..2022-08"},
      {"2021Q4", "2021Q4"},
      {"LAST_MONTH", "2022-07"},
      {"THIS_YEAR", "2022"},
  };
  for (const auto& [text, expected] : cases) {
    StatusOr<Period> p = placeholder_period(text, aug);
    ASSERT_TRUE(p.ok()) << text;
    EXPECT_EQ(p->to_string(), expected) << text;
  }
}

std::string plain(const Paragraph& p) {
  std::string out;
  for (const TextRun& r : p.runs) {
    if (r.placeholder)
      out += "{" + r.placeholder->indicator + "}";
    else if (r.line_break)
      out += "|";
    else
      out += r.text;
  }
  return out;
}

TEST(RichTextTest, HtmlSubsetWithPlaceholders) {
  auto parsed = parse_rich_text(
      "<h2>（一）上云</h2>\n<p>目前已有<b>{{值 指标=CLOUD_SYSTEMS 单位=4408}}</b>个系统"
      "部署上云&amp;运行<br/>良好。</p><ul><li>一</li><li><i>二</i></li></ul>"
      "<ol><li>甲</li><li>乙</li></ol>散文");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const std::vector<Paragraph>& ps = *parsed;
  ASSERT_EQ(ps.size(), 7u);
  EXPECT_EQ(ps[0].style, ParagraphStyle::kHeading);
  EXPECT_EQ(ps[0].level, 2);
  EXPECT_EQ(plain(ps[0]), "（一）上云");
  EXPECT_EQ(plain(ps[1]), "目前已有{CLOUD_SYSTEMS}个系统部署上云&运行|良好。");
  ASSERT_TRUE(ps[1].runs[1].placeholder);
  EXPECT_TRUE(ps[1].runs[1].bold);
  EXPECT_EQ(ps[1].runs[1].placeholder->org_unit, "4408");
  EXPECT_EQ(ps[2].style, ParagraphStyle::kListItem);
  EXPECT_FALSE(ps[2].numbered);
  EXPECT_TRUE(ps[3].runs[0].italic);
  EXPECT_TRUE(ps[4].numbered);
  EXPECT_EQ(plain(ps[6]), "散文");
}

TEST(RichTextTest, PlainTextIsOneParagraphPerLine) {
  auto parsed = parse_rich_text("一、工作成效\n\n目前已有{{值 指标=A}}个系统。\n");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(plain((*parsed)[1]), "目前已有{A}个系统。");
}

TEST(RichTextTest, RefusesWhatWouldNotRenderTheSame) {
  const std::pair<const char*, const char*> cases[] = {
      {"<p>x<script>alert(1)</script></p>", "<script>"},
      {"<table><tr><td>1</td></tr></table>", "<table>"},
      {"<p>已有{{值 指标=A</p>", "缺少“}}”"},
      {"<p>已有{{值 <b>指标=A</b>}}</p>", "缺少“}}”"},
      {"<p>已有 指标=A}}</p>", "缺少“{{”"},
      {"<p>{{值 指标=a}}</p>", "大写字母"},
      {"<p>a &bogus; b</p>", "字符引用"},
      {"<p>a &#0; b</p>", "字符引用"},
      {"<p>unclosed <b", "未闭合"},
      {"\xff\xfe", "UTF-8"},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_rich_text(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(expected), std::string::npos)
        << text << " → " << parsed.status().message();
  }
}

TEST(FormatFigureTest, DecimalsAndNoNegativeZero) {
  EXPECT_EQ(format_figure(1234.56, 1), "1234.6");
  EXPECT_EQ(format_figure(2000, 0), "2000");
  EXPECT_EQ(format_figure(-0.04, 1), "0.0");
  EXPECT_EQ(format_figure(-3, 0), "-3");
  EXPECT_EQ(format_figure(90.123, 2), "90.12");
}

}  // namespace
}  // namespace tianbao::model
