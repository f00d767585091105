#include "exchange/data_value_sets.h"

#include <gtest/gtest.h>

namespace tianbao::exchange {
namespace {

TEST(AdxPeriodTest, FromIsoStartAndDuration) {
  const std::pair<const char*, const char*> ok[] = {
      {"2022-08-01/P1M", "2022-08"},
      {"2022-07-01/P3M", "2022Q3"},
      {"2022-01-01/P1Y", "2022"},
      {"2022-01-01/P2M", "2022-01..2022-02"},
      {"2022-01-01/P8M", "2022-01..2022-08"},
      {"2022-01-01/P12M", "2022-01..2022-12"},
      {"2022-12-01/P1M", "2022-12"},
  };
  for (auto [adx, period] : ok) {
    auto p = period_from_adx(adx);
    ASSERT_TRUE(p.ok()) << adx;
    EXPECT_EQ(*p, period);
    EXPECT_EQ(period_to_adx(period), adx);
  }
  // 0022-01-01/P3M (found by fuzz_adx_rows) read as the period "0022Q1",
  // which no other part accepts: years are those of Period::parse.
  for (const char* bad : {"2022-08", "2022-08-15/P1M", "2022-08-01/P3M", "2022-02-01/P1Y",
                          "2022-03-01/P2M", "2022-01-01/P13M", "2022-13-01/P1M", "x/P1M",
                          "0022-01-01/P3M", "1899-12-01/P1M", "3000-01-01/P1Y",
                          // 2022-01-01/P1]M (fuzz_adx_rows) was the range 1–1月, whose ADX
                          // form P1M reads back as the month.
                          "2022-01-01/P1]M", "2022-01-01/P01M", "2022-01-01/P+2M",
                          "2022-01-01/P 2M", "2022-01-01/PM", "2022-01-01/P123M"}) {
    EXPECT_EQ(period_from_adx(bad).status().reason(), "invalid_period") << bad;
  }
}

TEST(AdxRowsTest, FlattensGroupsAndRefusesMalformedXml) {
  auto body = std::make_shared<const std::string>(
      "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group orgUnit=\"4408\" period=\"2022-08-01/P1M\">"
      "<dataValue dataElement=\"A\" value=\"1\"/><dataValue dataElement=\"B\" deleted=\"true\"/>"
      "</group></adx>");
  auto source = adx_rows(body);
  ASSERT_TRUE(source.ok());
  service::ImportRow row;
  ASSERT_TRUE(*(*source)(row));
  EXPECT_EQ(row.data_element, "A");
  EXPECT_EQ(row.period, "2022-08");
  EXPECT_EQ(row.org_unit, "4408");
  EXPECT_EQ(row.value, "1");
  row = {};
  ASSERT_TRUE(*(*source)(row));
  EXPECT_TRUE(row.deleted);
  EXPECT_FALSE(row.value.has_value());
  EXPECT_FALSE(*(*source)(row));
  EXPECT_EQ(adx_rows(std::make_shared<const std::string>("<adx><group")).status().reason(),
            "invalid_adx");
  EXPECT_EQ(adx_rows(std::make_shared<const std::string>("")).status().reason(), "invalid_adx");
}

// Namespaces may be bound to any prefix; other elements (DHIS2's
// <annotation>, comments) are skipped.
TEST(AdxRowsTest, AcceptsPrefixedNamespaceAndSkipsOtherElements) {
  auto body = std::make_shared<const std::string>(
      "<adx:adx xmlns:adx=\"urn:ihe:qrph:adx:2015\"><!-- x --><adx:group orgUnit=\"4408\" "
      "period=\"2022-07-01/P3M\"><adx:dataValue dataElement=\"A\" value=\"2\">"
      "<adx:annotation>note</adx:annotation></adx:dataValue><other dataElement=\"B\"/>"
      "</adx:group></adx:adx>");
  auto source = adx_rows(body);
  ASSERT_TRUE(source.ok()) << source.status().message();
  service::ImportRow row;
  ASSERT_TRUE(*(*source)(row));
  EXPECT_EQ(row.data_element, "A");
  EXPECT_EQ(row.period, "2022Q3");
  EXPECT_EQ(row.org_unit, "4408");
  EXPECT_EQ(row.value, "2");
  EXPECT_FALSE(*(*source)(row));
  EXPECT_EQ(adx_rows(std::make_shared<const std::string>("<adx:dataValueSet xmlns:adx=\"u\"/>"))
                .status()
                .reason(),
            "invalid_adx");
}

// A value nested a million arrays deep (a 2 MB body, under the 8 MiB
// request limit) overflowed the stack when it was turned into text for the
// conflict message. Such a body is now refused before any row; ordinary
// nesting still reaches the checker as JSON text and becomes a conflict.
TEST(JsonRowsTest, RefusesValuesNestedWithoutBound) {
  constexpr std::size_t kDepth = 1'000'000;
  auto deep = std::make_shared<const std::string>(
      R"({"dataValues":[{"dataElement":"A","period":"2022-08","orgUnit":"4408","value":)" +
      std::string(kDepth, '[') + std::string(kDepth, ']') + "}]}");
  auto source = json_rows(deep);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().reason(), "invalid_json");
  EXPECT_NE(source.status().message().find("dataValues 第 1 项的 value"), std::string::npos)
      << source.status().message();

  auto second = json_rows(std::make_shared<const std::string>(
      R"({"dataValues":[{"dataElement":"A","value":"1"},{"dataElement":)" + std::string(33, '[') +
      std::string(33, ']') + "}]}"));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("dataValues 第 2 项的 dataElement"), std::string::npos)
      << second.status().message();
  auto top = json_rows(std::make_shared<const std::string>(
      R"({"dataValues":[],"period":)" + std::string(40, '[') + std::string(40, ']') + "}"));
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("JSON 顶层的 period"), std::string::npos)
      << top.status().message();

  auto shallow = json_rows(std::make_shared<const std::string>(
      R"({"orgUnit":4408,"dataValues":[{"dataElement":"A","period":"2022-08","value":1.5},)"
      R"({"dataElement":{"x":[1]},"value":)" +
      std::string(32, '[') + std::string(32, ']') + "}]}"));
  ASSERT_TRUE(shallow.ok()) << shallow.status().message();
  service::ImportRow row;
  ASSERT_TRUE(*(*shallow)(row));
  EXPECT_EQ(row.org_unit, "4408");
  EXPECT_EQ(row.value, "1.5");
  row = {};
  ASSERT_TRUE(*(*shallow)(row));
  EXPECT_EQ(row.data_element, R"({"x":[1]})");
  EXPECT_EQ(row.value, std::string(32, '[') + std::string(32, ']'));
  EXPECT_FALSE(*(*shallow)(row));
}

}  // namespace
}  // namespace tianbao::exchange
