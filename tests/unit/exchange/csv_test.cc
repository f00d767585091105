#include "exchange/csv.h"

#include <sstream>

#include <gtest/gtest.h>

namespace tianbao::exchange {
namespace {

StatusOr<std::vector<std::vector<std::string>>> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader csv(in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (true) {
    ASSIGN_OR_RETURN(bool more, csv.next(row));
    if (!more) break;
    rows.push_back(row);
  }
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, Records) {
  struct Case {
    const char* name;
    std::string text;
    Rows rows;
  };
  const Case cases[] = {
      {"empty", "", {}},
      {"plain", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}},
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
      {"crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"bom",
       "\xEF\xBB\xBF"
       "code,name\n",
       {{"code", "name"}}},
      {"quoted comma", "441900,\"东莞市,莞城\"\n", {{"441900", "东莞市,莞城"}}},
      {"doubled quote", "\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}},
      {"embedded newline", "\"a\nb\",c\n", {{"a\nb", "c"}}},
      {"empty fields", ",,\n", {{"", "", ""}}},
      {"short", "ab", {{"ab"}}},
  };
  for (const Case& c : cases) {
    auto rows = read_all(c.text);
    ASSERT_TRUE(rows.ok()) << c.name << ": " << rows.status().to_string();
    EXPECT_EQ(*rows, c.rows) << c.name;
  }
}

TEST(CsvReaderTest, LineNumbersCountEmbeddedNewlines) {
  std::istringstream in("h\n\"a\nb\"\nc\n");
  CsvReader csv(in);
  std::vector<std::string> row;
  ASSERT_TRUE(*csv.next(row));
  EXPECT_EQ(csv.line(), 1u);
  ASSERT_TRUE(*csv.next(row));
  EXPECT_EQ(csv.line(), 2u);
  ASSERT_TRUE(*csv.next(row));
  EXPECT_EQ(csv.line(), 4u);
}

TEST(CsvReaderTest, UnclosedQuoteIsAnError) {
  auto rows = read_all("a,\"b\n");
  EXPECT_EQ(rows.status().reason(), "csv_unclosed_quote");
}

TEST(CsvReaderTest, HugeFieldIsAnError) {
  std::string text(CsvReader::kMaxFieldBytes + 10, 'x');
  EXPECT_EQ(read_all(text).status().reason(), "csv_field_too_long");
}

// A record's memory stays in proportion to its bytes and bounded: a line
// of commas would otherwise cost a std::string per byte, and a file read
// from disk has no size limit.
TEST(CsvReaderTest, RecordLimits) {
  std::string commas(CsvReader::kMaxFields - 1, ',');
  auto at_limit = read_all(commas + "\n");
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().to_string();
  EXPECT_EQ(at_limit->front().size(), CsvReader::kMaxFields);
  EXPECT_EQ(read_all("h\n" + commas + ",\n").status().reason(), "csv_too_many_fields");

  std::string field(CsvReader::kMaxFieldBytes, 'x');
  std::string record;
  for (int i = 0; i < 5; ++i) record += field + ",";
  auto rows = read_all(record);
  EXPECT_EQ(rows.status().reason(), "csv_record_too_long");
  EXPECT_NE(rows.status().message().find("第 1 行"), std::string::npos);
}

// The reader takes its input in 64 KiB blocks: a quote pair, a CRLF or a
// field cut by a block's end must read as if it were not.
TEST(CsvReaderTest, BlockBoundariesChangeNothing) {
  const std::string tricky = "\"a\"\"b\",\"x\r\ny\"\r\n7,,\"\"\r\nlast,one\n";
  const Rows expected = {{"a\"b", "x\r\ny"}, {"7", "", ""}, {"last", "one"}};
  constexpr std::size_t kBlock = 64 * 1024;
  for (std::size_t cut = 0; cut < tricky.size(); ++cut) {
    // A first record of padding that ends just `cut` bytes before the block's end.
    std::string pad(kBlock - cut - 1, 'p');
    auto rows = read_all(pad + "\n" + tricky);
    ASSERT_TRUE(rows.ok()) << "cut " << cut << ": " << rows.status().to_string();
    ASSERT_EQ(rows->size(), 4u) << "cut " << cut;
    EXPECT_EQ((*rows)[0], std::vector<std::string>{pad}) << "cut " << cut;
    EXPECT_EQ(Rows(rows->begin() + 1, rows->end()), expected) << "cut " << cut;
  }
}

TEST(CsvReaderTest, ReusedRowsDropFieldsOfLongerRecords) {
  std::istringstream in("a,b,c\nd\n");
  CsvReader csv(in);
  std::vector<std::string> row;
  ASSERT_TRUE(*csv.next(row));
  ASSERT_TRUE(*csv.next(row));
  EXPECT_EQ(row, std::vector<std::string>{"d"});
  EXPECT_FALSE(*csv.next(row));
  EXPECT_TRUE(row.empty());
}

}  // namespace
}  // namespace tianbao::exchange
