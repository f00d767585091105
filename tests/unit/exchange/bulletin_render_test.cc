#include "exchange/bulletin_render.h"

#include <gtest/gtest.h>

#include <minizip/unzip.h>

#include <pugixml.hpp>

#include "exchange/xlsx.h"

namespace tianbao::exchange {
namespace {

using service::BlockType;
using service::BulletinDocument;
using service::DocBlock;
using service::DocCell;
using service::DocTable;

// A document with every kind of block, and text that needs escaping.
BulletinDocument sample() {
  BulletinDocument doc;
  doc.code = "t";
  doc.kind = "bulletin";
  doc.title = "数字政府改革建设工作月报";
  doc.issue = "2022年第8期";
  doc.issuer = "广东省政务服务数据管理局";
  doc.date = "2022年9月13日";
  doc.period = "2022-08";
  DocBlock text;
  text.title = "动态要闻 <&>";
  model::Paragraph p;
  p.runs.push_back({"已有", std::nullopt, false, false, false});
  p.runs.push_back({"1234.5", std::nullopt, true, false, false});
  p.runs.push_back({"", std::nullopt, false, false, true});
  p.runs.push_back({"万\"人\"", std::nullopt, false, true, false});
  text.paragraphs.push_back(p);
  model::Paragraph li;
  li.style = model::ParagraphStyle::kListItem;
  li.level = 1;
  li.numbered = true;
  li.runs.push_back({"一项", std::nullopt, false, false, false});
  text.paragraphs.push_back(li);
  doc.blocks.push_back(text);

  DocBlock table;
  table.type = BlockType::kUnits;
  table.title = "各地市主要指标";
  DocTable t;
  t.columns = 4;
  t.header_rows = 2;
  t.column_weights = {1.4, 1, 1, 1};
  t.rows = {
      {DocCell{"地市", 1, 2}, DocCell{"粤省事", 2, 1}, DocCell{"粤政易", 1, 1}},
      {DocCell{"", 1, 1, true}, DocCell{"上线事项"}, DocCell{"注册用户数(万)"}, DocCell{"日活率"}},
      {DocCell{"广州"}, DocCell{"1200", 1, 1, false, true}, DocCell{"", 1, 1, false, true},
       DocCell{"55.00%", 1, 1, false, true}},
      {DocCell{"全省"}, DocCell{"9000", 1, 1, false, true}, DocCell{"123.4", 1, 1, false, true},
       DocCell{"50.00%", 1, 1, false, true}}};
  t.emphasized = {false, false, false, true};
  table.table = t;
  table.note = "注：全省含省直";
  doc.blocks.push_back(table);

  DocBlock lines;
  lines.type = BlockType::kDistribution;
  lines.lines = {{"分送", "各市"}, {"抄报", "省委办公厅"}};
  doc.blocks.push_back(lines);
  return doc;
}

TEST(BulletinDocxTest, EveryPartIsWellFormedXml) {
  for (const auto& [name, xml] : bulletin_docx_parts(sample())) {
    pugi::xml_document parsed;
    pugi::xml_parse_result ok = parsed.load_buffer(xml.data(), xml.size());
    EXPECT_TRUE(ok) << name << ": " << ok.description() << " at " << ok.offset;
  }
}

TEST(BulletinDocxTest, TablesMergeHeadersAndRepeatThem) {
  std::string xml;
  for (const auto& [name, content] : bulletin_docx_parts(sample())) {
    if (name == "word/document.xml") xml = content;
  }
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(xml.data(), xml.size()));
  pugi::xml_node body = doc.child("w:document").child("w:body");
  pugi::xml_node tbl = body.child("w:tbl");
  ASSERT_TRUE(tbl);
  EXPECT_EQ(std::distance(tbl.child("w:tblGrid").children("w:gridCol").begin(),
                          tbl.child("w:tblGrid").children("w:gridCol").end()),
            4);
  std::vector<pugi::xml_node> rows;
  for (pugi::xml_node tr : tbl.children("w:tr")) rows.push_back(tr);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[0].child("w:trPr").child("w:tblHeader"));
  EXPECT_TRUE(rows[1].child("w:trPr").child("w:tblHeader"));
  EXPECT_FALSE(rows[2].child("w:trPr").child("w:tblHeader"));
  pugi::xml_node first = rows[0].child("w:tc");
  EXPECT_STREQ(first.child("w:tcPr").child("w:vMerge").attribute("w:val").value(), "restart");
  pugi::xml_node group = first.next_sibling("w:tc");
  EXPECT_STREQ(group.child("w:tcPr").child("w:gridSpan").attribute("w:val").value(), "2");
  EXPECT_TRUE(rows[1].child("w:tc").child("w:tcPr").child("w:vMerge"));
  EXPECT_FALSE(rows[1].child("w:tc").child("w:tcPr").child("w:vMerge").attribute("w:val"));
  // Every row fills the four grid columns.
  for (pugi::xml_node tr : rows) {
    int cols = 0;
    for (pugi::xml_node tc : tr.children("w:tc")) {
      pugi::xml_attribute span = tc.child("w:tcPr").child("w:gridSpan").attribute("w:val");
      cols += span ? span.as_int() : 1;
    }
    EXPECT_EQ(cols, 4);
  }
  EXPECT_NE(xml.find("动态要闻 &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(xml.find("1. "), std::string::npos);  // the numbered item
}

TEST(BulletinDocxTest, TheZipHoldsThePartsAndStylesNameChineseFonts) {
  auto bytes = bulletin_docx(sample());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->substr(0, 2), "PK");
  std::string styles;
  for (const auto& [name, content] : bulletin_docx_parts(sample())) {
    if (name == "word/styles.xml") styles = content;
  }
  EXPECT_NE(styles.find("w:eastAsia=\"仿宋_GB2312\""), std::string::npos);
  EXPECT_NE(styles.find("方正小标宋简体"), std::string::npos);
  EXPECT_NE(styles.find("w:eastAsia=\"zh-CN\""), std::string::npos);
  // Written out and read back with minizip, every part is there.
  std::string path = ::testing::TempDir() + "bulletin_test.docx";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  std::fwrite(bytes->data(), 1, bytes->size(), f);
  std::fclose(f);
  unzFile zip = unzOpen64(path.c_str());
  ASSERT_TRUE(zip);
  for (const char* part : {"[Content_Types].xml", "word/document.xml", "word/styles.xml",
                           "word/fontTable.xml", "_rels/.rels"}) {
    EXPECT_EQ(unzLocateFile(zip, part, 1), UNZ_OK) << part;
  }
  unzClose(zip);
  std::remove(path.c_str());
}

TEST(BulletinXlsxTest, OneSheetPerTableWithGroupedHeaders) {
  auto bytes = bulletin_xlsx(sample());
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto book = read_xlsx(*bytes);
  ASSERT_TRUE(book.ok()) << book.status().message();
  ASSERT_EQ(book->sheets.size(), 1u);
  const Sheet& s = book->sheets[0];
  EXPECT_EQ(s.name, "各地市主要指标");
  ASSERT_GE(s.rows.size(), 4u);
  EXPECT_EQ(s.rows[0][1], "粤省事");
  EXPECT_EQ(s.rows[1][2], "注册用户数(万)");
  EXPECT_EQ(s.rows[3][0], "全省");
  EXPECT_EQ(s.rows[3][2], "123.4");
}

TEST(BulletinHtmlTest, EscapedSpannedAndPrintable) {
  std::string html = bulletin_html(sample());
  EXPECT_NE(html.find("<th rowspan=\"2\">地市</th>"), std::string::npos);
  EXPECT_NE(html.find("<th colspan=\"2\">粤省事</th>"), std::string::npos);
  EXPECT_NE(html.find("动态要闻 &lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<&>"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"total\">"), std::string::npos);
  EXPECT_NE(html.find("@page"), std::string::npos);
}

}  // namespace
}  // namespace tianbao::exchange
