#include "exchange/xlsx.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>

namespace tianbao::exchange {
namespace {

using Rows = std::vector<Row>;
using Parts = std::vector<std::pair<std::string, std::string>>;  // zip entry name, content

// A temp file path removed at scope exit: minizip only reads and writes files.
class TempPath {
 public:
  TempPath() {
    path_ = (std::filesystem::temp_directory_path() / "tianbao-xlsx-test-XXXXXX").string();
    int fd = mkstemp(path_.data());
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  ~TempPath() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

  std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  std::string path_;
};

// Builds a zip with minizip; `method` 0 stores the data uncompressed so a test
// can find and alter it in the bytes.
std::string make_zip(const Parts& parts, int method = Z_DEFLATED) {
  TempPath file;
  zipFile zip = zipOpen64(file.path().c_str(), APPEND_STATUS_CREATE);
  EXPECT_NE(zip, nullptr);
  if (zip == nullptr) return {};
  for (const auto& [name, content] : parts) {
    zip_fileinfo info{};
    EXPECT_EQ(zipOpenNewFileInZip64(zip, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr,
                                    method, method == 0 ? 0 : Z_DEFAULT_COMPRESSION, 0),
              ZIP_OK);
    EXPECT_EQ(zipWriteInFileInZip(zip, content.data(), static_cast<unsigned>(content.size())),
              ZIP_OK);
    EXPECT_EQ(zipCloseFileInZip(zip), ZIP_OK);
  }
  EXPECT_EQ(zipClose(zip, nullptr), ZIP_OK);
  return file.contents();
}

// One part of a zip, to check what the writer put in the XML.
std::string unzip_part(const std::string& bytes, const std::string& name) {
  TempPath file;
  std::ofstream(file.path(), std::ios::binary) << bytes;
  unzFile zip = unzOpen64(file.path().c_str());
  EXPECT_NE(zip, nullptr);
  if (zip == nullptr) return {};
  std::string out;
  if (unzLocateFile(zip, name.c_str(), 1) == UNZ_OK && unzOpenCurrentFile(zip) == UNZ_OK) {
    char buf[4096];
    int n = 0;
    while ((n = unzReadCurrentFile(zip, buf, sizeof buf)) > 0) out.append(buf, n);
    unzCloseCurrentFile(zip);
  } else {
    ADD_FAILURE() << "no part " << name;
  }
  unzClose(zip);
  return out;
}

constexpr char kMainNs[] = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr char kRelNs[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr char kRelType[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string worksheet(const std::string& rows) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"") + kMainNs +
         "\"><sheetData>" + rows + "</sheetData></worksheet>";
}

std::string workbook(const std::vector<std::pair<std::string, std::string>>& sheets) {
  std::string xml = std::string("<?xml version=\"1.0\"?><workbook xmlns=\"") + kMainNs +
                    "\" xmlns:r=\"" + kRelNs + "\"><sheets>";
  int id = 1;
  for (const auto& [name, rid] : sheets) {
    xml += "<sheet name=\"" + name + "\" sheetId=\"" + std::to_string(id++) + "\" r:id=\"" + rid +
           "\"/>";
  }
  return xml + "</sheets></workbook>";
}

// Relationship Id, type (last segment) and target.
std::string relationships(const std::vector<std::vector<std::string>>& rels) {
  std::string xml =
      "<?xml version=\"1.0\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (const auto& rel : rels) {
    xml += "<Relationship Id=\"" + rel[0] + "\" Type=\"" + kRelType + rel[1] + "\" Target=\"" +
           rel[2] + "\"/>";
  }
  return xml + "</Relationships>";
}

// The parts of a one-sheet workbook around `sheet_rows`, for tests to alter.
Parts one_sheet_parts(const std::string& sheet_rows, const std::string& shared_strings = "") {
  Parts parts = {
      {"xl/worksheets/sheet1.xml", worksheet(sheet_rows)},
      {"xl/workbook.xml", workbook({{"Sheet1", "rId1"}})},
      {"xl/_rels/workbook.xml.rels",
       relationships({{"rId1", "worksheet", "worksheets/sheet1.xml"},
                      {"rId2", "sharedStrings", "sharedStrings.xml"}})},
  };
  if (!shared_strings.empty()) {
    parts.emplace_back("xl/sharedStrings.xml",
                       std::string("<sst xmlns=\"") + kMainNs + "\">" + shared_strings + "</sst>");
  }
  return parts;
}

void replace_part(Parts& parts, const std::string& name, std::string content) {
  for (auto& part : parts) {
    if (part.first == name) part.second = std::move(content);
  }
}

std::string rows_to_string(const Rows& rows) {
  std::string out;
  for (const Row& row : rows) {
    out += "[";
    for (const std::string& cell : row) out += "\"" + cell + "\" ";
    out += "]\n";
  }
  return out;
}

TEST(XlsxTest, RoundTripKeepsTextNumbersAndGaps) {
  struct Case {
    Sheet sheet;
    Rows expected;  // trailing empty cells and rows are trimmed on read
  };
  Sheet contacts{
      .name = "通讯录",
      .rows = {{"姓名", "手机", "人数", "金额", "备注"},
               {"张三", "13800000000", "3", "12.5", "  前后有空格 "},
               {"李四", "", "0", "-0.25", ""},
               {},
               {"", "", "", "", ""},
               {"王五", "010-12345678", "1000000", "0.1", "多行\n文本\t制表\r回车"},
               {"_x0041_ 照原样", "控制\x01字符", "不是数字", "13800000000", " "},
               {"", "", "", "1e3"},
               {"", "", "", "", ""}},
      .column_widths = {10, 16, 8, 12, 30},
      .notes = {{1, 0, "负责人"}, {0, 2, "单位：人"}},
      .numeric_columns = {2, 3},
      .protect_header = true,
  };
  Rows contacts_back = {{"姓名", "手机", "人数", "金额", "备注"},
                        {"张三", "13800000000", "3", "12.5", "  前后有空格 "},
                        {"李四", "", "0", "-0.25"},
                        {},
                        {},
                        {"王五", "010-12345678", "1000000", "0.1", "多行\n文本\t制表\r回车"},
                        {"_x0041_ 照原样", "控制\x01字符", "不是数字", "13800000000", " "},
                        {"", "", "", "1000"}};
  Sheet plain{.name = "数据 2024", .rows = {{"1", "2.50"}, {"", "", "x"}}, .header_row = false};
  Sheet empty{.name = "空表"};
  const Case cases[] = {
      {contacts, contacts_back},
      {plain, {{"1", "2.50"}, {"", "", "x"}}},  // not numeric columns: text as written
      {empty, {}},
  };

  Workbook book;
  for (const Case& c : cases) book.sheets.push_back(c.sheet);
  StatusOr<std::string> bytes = write_xlsx(book);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  StatusOr<Workbook> back = read_xlsx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back->sheets.size(), std::size(cases));
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(back->sheets[i].name, cases[i].sheet.name);
    EXPECT_EQ(back->sheets[i].rows, cases[i].expected) << cases[i].sheet.name << ":\n"
                                                       << rows_to_string(back->sheets[i].rows);
  }
}

// "_x0021" followed by a control character (found by fuzz_xlsx_roundtrip)
// came back as "!": libxlsxwriter escaped the \x02 as "_x0002_" after we had
// looked for escape-like text, and its underscore closed "_x0021_".
TEST(XlsxTest, TextNextToControlCharactersReadsBackAsWritten) {
  const Row cells = {"_x0021\x02", "_x0021\r\n", "a_x00FF\x1F_x0041_", "_x0001_\x01", "_x12"};
  Workbook book;
  book.sheets.push_back({.name = "s", .rows = {cells}, .header_row = false});
  StatusOr<std::string> bytes = write_xlsx(book);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  StatusOr<Workbook> back = read_xlsx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back->sheets.size(), 1u);
  EXPECT_EQ(back->sheets[0].rows, Rows{cells}) << rows_to_string(back->sheets[0].rows);
}

TEST(XlsxTest, WriterMarksHeaderNumbersNotesAndProtection) {
  Workbook book;
  book.sheets.push_back({.name = "报表",
                         .rows = {{"单位", "人数"}, {"东莞市", "3"}, {"中山市", "约 5 人"}},
                         .column_widths = {20},
                         .notes = {{0, 1, "填写整数"}},
                         .numeric_columns = {1},
                         .protect_header = true});
  StatusOr<std::string> bytes = write_xlsx(book);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  std::string sheet = unzip_part(*bytes, "xl/worksheets/sheet1.xml");

  auto cell = [&](const std::string& ref) {
    std::size_t at = sheet.find("<c r=\"" + ref + "\"");
    if (at == std::string::npos) return std::string();
    return sheet.substr(at, sheet.find("</c>", at) - at);
  };
  const struct {
    const char* xml;
    const char* why;
  } checks[] = {
      {"ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"",
       "header row frozen"},
      {"<dataValidation type=\"decimal\"", "numeric column validated"},
      {"error=\"请输入数字\"", "with a Chinese message"},
      {"sqref=\"B2:B1048576\"", "below the header, down to the last row"},
      {"<sheetProtection", "sheet protected"},
      {"customFormat=\"1\"", "header row keeps a locked format"},
      {"customWidth=\"1\"", "column width set"},
  };
  for (const auto& check : checks) {
    EXPECT_NE(sheet.find(check.xml), std::string::npos) << check.why;
  }
  EXPECT_NE(cell("B2").find("<v>3</v>"), std::string::npos) << cell("B2");
  EXPECT_EQ(cell("B2").find("t=\"s\""), std::string::npos) << "3 is written as a number";
  EXPECT_NE(cell("B3").find("t=\"s\""), std::string::npos) << "约 5 人 stays text";
  EXPECT_NE(cell("B1").find("t=\"s\""), std::string::npos) << "header is text";

  EXPECT_NE(unzip_part(*bytes, "xl/comments1.xml").find("填写整数"), std::string::npos);
  std::string styles = unzip_part(*bytes, "xl/styles.xml");
  EXPECT_NE(styles.find("<b/>"), std::string::npos) << "bold header";
  EXPECT_NE(styles.find("locked=\"0\""), std::string::npos) << "unlocked data cells";
}

TEST(XlsxTest, WriterHidesLocksAndValidatesByRule) {
  Workbook book;
  book.sheets.push_back(
      {.name = "模板",
       .rows = {{"代码", "件数", "比例", "版本"},
                {"orgUnit", "A", "B", "version"},
                {"4401", "3", "", "1"},
                {"4402", "4", "50", "2"}},
       .numeric_columns = {1, 2},
       .protect_header = true,
       .number_rules = {{.col = 1, .whole = true, .min = 0, .message = "请填整数"},
                        {.col = 2, .min = 0, .max = 100}},
       .hidden_rows = {1},
       .hidden_columns = {3},
       .locked_rows = {1, 3},
       .locked_columns = {0, 3}});
  StatusOr<std::string> bytes = write_xlsx(book);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  std::string sheet = unzip_part(*bytes, "xl/worksheets/sheet1.xml");
  const struct {
    const char* xml;
    const char* why;
  } checks[] = {
      {"<row r=\"2\" spans=\"1:4\" s=\"4\" customFormat=\"1\" hidden=\"1\">", "key row hidden"},
      {"<row r=\"4\" spans=\"1:4\" s=\"4\" customFormat=\"1\">", "read-only row locked"},
      {"<col min=\"4\" max=\"4\" width=\"0\" style=\"1\" hidden=\"1\"", "hidden, locked column"},
      {"<dataValidation type=\"whole\"", "whole numbers by rule"},
      {"error=\"请填整数\"", "the rule's message"},
      {"<formula1>0</formula1><formula2>100</formula2>", "the rule's bounds"},
  };
  for (const auto& check : checks) {
    EXPECT_NE(sheet.find(check.xml), std::string::npos) << check.why << "\n" << sheet;
  }
  std::string styles = unzip_part(*bytes, "xl/styles.xml");
  EXPECT_NE(styles.find("FFD9D9D9"), std::string::npos) << "read-only rows are grey";
  StatusOr<Workbook> back = read_xlsx(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->sheets[0].rows, book.sheets[0].rows) << "hidden parts read back";

  Workbook bad = book;
  bad.sheets[0].hidden_rows = {1 << 20};
  EXPECT_EQ(write_xlsx(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(XlsxTest, SheetNamesAreSanitisedAndDeduplicated) {
  const std::string long_chinese = [] {
    std::string s;
    for (int i = 0; i < 40; ++i) s += "长";
    return s;
  }();
  const std::string chinese31 = long_chinese.substr(0, 31 * 3);
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"a/b:c", "a_b_c"},
      {"[报表]*?\\", "_报表____"},
      {"Data", "Data"},
      {"DATA", "DATA (2)"},  // Excel compares names case-insensitively
      {"data", "data (3)"},
      {"'引号'", "_引号_"},
      {"", "Sheet7"},
      {"History", "History_"},  // reserved by Excel
      {long_chinese, chinese31},
      {std::string(30, 'x') + "\xF0\x9F\x98\x80", std::string(30, 'x')},  // emoji = 2 units
      {std::string(31, 'y'), std::string(31, 'y')},
      {std::string(31, 'y'), std::string(27, 'y') + " (2)"},
  };
  Workbook book;
  for (const auto& c : cases) book.sheets.push_back({.name = c.in, .rows = {{"x"}}});
  StatusOr<std::string> bytes = write_xlsx(book);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  StatusOr<Workbook> back = read_xlsx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back->sheets.size(), std::size(cases));
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(back->sheets[i].name, cases[i].out) << "input " << cases[i].in;
  }
}

TEST(XlsxTest, WriteRefusesBadInput) {
  auto book_with = [](std::function<void(Sheet&)> edit) {
    Workbook book;
    book.sheets.push_back({.name = "表", .rows = {{"标题"}, {"值"}}});
    edit(book.sheets[0]);
    return book;
  };
  const struct {
    const char* name;
    Workbook book;
    const char* reason;
  } cases[] = {
      {"no sheets", Workbook{}, "invalid_argument"},
      {"cell not utf-8", book_with([](Sheet& s) { s.rows[1][0] = "\xFF\xFE"; }), "invalid_utf8"},
      {"sheet name not utf-8", book_with([](Sheet& s) { s.name = "\xC3\x28"; }), "invalid_utf8"},
      {"note not utf-8", book_with([](Sheet& s) {
         s.notes = {{0, 0, "\xE4\xB8"}};
       }),
       "invalid_utf8"},
      {"nul in cell", book_with([](Sheet& s) { s.rows[1][0] = std::string("a\0b", 3); }),
       "invalid_text"},
      {"cell too long", book_with([](Sheet& s) { s.rows[1][0] = std::string(32768, 'a'); }),
       "xlsx_cell_too_long"},
      {"too many columns", book_with([](Sheet& s) { s.rows[1].resize(16385, "x"); }),
       "xlsx_too_large"},
      {"negative width", book_with([](Sheet& s) { s.column_widths = {-1}; }), "invalid_argument"},
      {"note outside sheet", book_with([](Sheet& s) {
         s.notes = {{1048576, 0, "x"}};
       }),
       "invalid_argument"},
      {"numeric column outside sheet", book_with([](Sheet& s) { s.numeric_columns = {16384}; }),
       "invalid_argument"},
  };
  for (const auto& c : cases) {
    StatusOr<std::string> bytes = write_xlsx(c.book);
    ASSERT_FALSE(bytes.ok()) << c.name;
    EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(bytes.status().reason(), c.reason) << c.name << ": " << bytes.status().to_string();
  }
}

// Position of the data of the first entry of a zip (after its local header).
std::size_t first_entry_data(const std::string& zip) {
  auto u16 = [&](std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(zip[at])) |
           static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 1])) << 8;
  };
  return 30 + u16(26) + u16(28);
}

TEST(XlsxTest, ReadRejectsMalformedFiles) {
  const std::string valid = [] {
    Workbook book;
    book.sheets.push_back({.name = "表", .rows = {{"a", "b"}, {"1", "2"}}});
    return *write_xlsx(book);
  }();
  const std::string random_bytes = [] {
    std::mt19937 gen(42);
    std::string s(4096, '\0');
    for (char& c : s) c = static_cast<char>(gen());
    return s;
  }();
  auto with = [](std::function<void(Parts&)> edit, int method = Z_DEFLATED) {
    Parts parts = one_sheet_parts("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>",
                                  "<si><t>hello world</t></si>");
    edit(parts);
    return make_zip(parts, method);
  };
  auto unchanged = [](Parts&) {};
  const std::string crc_broken = [&] {
    std::string zip = with(unchanged, 0);  // stored, so the text is in the bytes
    std::size_t at = zip.find("hello world");
    if (at != std::string::npos) zip[at] = 'j';
    return zip;
  }();
  const std::string deflate_broken = [&] {
    std::string zip = with(unchanged);
    std::size_t data = first_entry_data(zip);  // the sheet is the first entry
    for (std::size_t i = data + 2; i < data + 12 && i < zip.size(); ++i) zip[i] ^= 0x5A;
    return zip;
  }();

  const struct {
    const char* name;
    std::string bytes;
    const char* message;  // part of the message that says what is wrong
  } cases[] = {
      {"empty", "", "文件为空"},
      {"random bytes", random_bytes, "zip"},
      {"zip that is not xlsx", make_zip({{"readme.txt", "你好"}}), "缺少 xl/workbook.xml"},
      {"truncated to half", valid.substr(0, valid.size() / 2), "zip"},
      {"end record cut", valid.substr(0, valid.size() - 20), "zip"},
      {"crc mismatch", crc_broken, "已损坏"},
      {"deflate data corrupt", deflate_broken, "已损坏"},
      {"workbook not xml",
       with([](Parts& p) { replace_part(p, "xl/workbook.xml", "<workbook><sheets>"); }),
       "xl/workbook.xml 不是格式正确的 XML"},
      {"workbook wrong root", with([](Parts& p) { replace_part(p, "xl/workbook.xml", "<html/>"); }),
       "不是工作簿"},
      {"workbook without sheets",
       with([](Parts& p) { replace_part(p, "xl/workbook.xml", "<workbook/>"); }), "没有工作表列表"},
      {"missing relationships", with([](Parts& p) { p.erase(p.begin() + 2); }),
       "缺少 xl/_rels/workbook.xml.rels"},
      {"unknown relationship id", with([](Parts& p) {
         replace_part(p, "xl/workbook.xml", workbook({{"表", "rId9"}}));
       }),
       "找不到工作表“表”的关系“rId9”"},
      {"sheet part missing", with([](Parts& p) {
         replace_part(p, "xl/_rels/workbook.xml.rels",
                      relationships({{"rId1", "worksheet", "worksheets/sheet9.xml"}}));
       }),
       "缺少 xl/worksheets/sheet9.xml"},
      {"sheet not xml",
       with([](Parts& p) { replace_part(p, "xl/worksheets/sheet1.xml", "<worksheet><sheetData"); }),
       "xl/worksheets/sheet1.xml 不是格式正确的 XML"},
      {"shared string out of range", with([](Parts& p) {
         replace_part(p, "xl/worksheets/sheet1.xml",
                      worksheet("<row><c r=\"B2\" t=\"s\"><v>7</v></c></row>"));
       }),
       "单元格 B2 引用了不存在的共享字符串"},
      {"bad cell reference", with([](Parts& p) {
         replace_part(p, "xl/worksheets/sheet1.xml",
                      worksheet("<row><c r=\"1A\"><v>1</v></c></row>"));
       }),
       "单元格引用“1A”无效"},
      {"bad row number", with([](Parts& p) {
         replace_part(p, "xl/worksheets/sheet1.xml",
                      worksheet("<row r=\"0\"><c><v>1</v></c></row>"));
       }),
       "行号“0”无效"},
      {"cell text not utf-8", with([](Parts& p) {
         replace_part(p, "xl/worksheets/sheet1.xml",
                      worksheet("<row><c t=\"inlineStr\"><is><t>\xFF</t></is></c></row>"));
       }),
       "不是有效的 UTF-8"},
  };
  for (const auto& c : cases) {
    StatusOr<Workbook> book = read_xlsx(c.bytes);
    ASSERT_FALSE(book.ok()) << c.name;
    EXPECT_EQ(book.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(book.status().field(), "file") << c.name;
    EXPECT_EQ(book.status().reason(), "invalid_xlsx") << c.name << ": " << book.status().message();
    EXPECT_NE(book.status().message().find("不是有效的 Excel（xlsx）文件："), std::string::npos)
        << c.name << ": " << book.status().message();
    EXPECT_NE(book.status().message().find(c.message), std::string::npos)
        << c.name << ": " << book.status().message();
  }
}

TEST(XlsxTest, ReadsHandBuiltWorkbook) {
  const std::string shared =
      "<si><t>姓名</t></si>"
      "<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\">三 </t></r>"
      "<rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh></si>"
      "<si><t>a_x000D_b_x005F_x0041_</t></si>";
  const std::string sheet1 = worksheet(
      // A1 shared, B1 inline without r (follows A1), C1 gap, D1 formula string.
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
      "<c t=\"inlineStr\"><is><t>手机</t></is></c><c r=\"D1\" t=\"str\"><f>A1</f><v>公式</v></c>"
      "</row>"
      // Row 2 absent; row 3: rich shared string, number, boolean, error, styled blank.
      "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>1</v></c><c r=\"B3\"><v>13800000000</v></c>"
      "<c t=\"b\"><v>1</v></c><c t=\"e\"><v>#DIV/0!</v></c><c r=\"F3\" s=\"1\"/></row>"
      // Row without r follows row 3; rich inline string; CDATA text.
      "<row><c t=\"inlineStr\"><is><r><t>富</t></r><r><t>文本</t></r></is></c>"
      "<c t=\"s\"><v>2</v></c><c t=\"b\"><v>0</v></c>"
      "<c t=\"inlineStr\"><is><t><![CDATA[<原样>]]></t></is></c></row>"
      // An uncomputed formula: no value, so the row is trailing and dropped.
      "<row r=\"6\"><c r=\"C6\"><f>SUM(A1)</f></c></row>");
  // Prefixed elements, as some generators write them.
  const std::string sheet2 =
      std::string("<x:worksheet xmlns:x=\"") + kMainNs +
      "\"><x:sheetData><x:row><x:c><x:v>1.0E+2</x:v></x:c></x:row></x:sheetData></x:worksheet>";
  Parts parts = {
      {"[Content_Types].xml", "<Types/>"},
      {"_rels/.rels", relationships({{"rId1", "officeDocument", "xl/workbook.xml"}})},
      {"xl/workbook.xml", workbook({{"名单", "rId1"}, {"数字", "rId2"}})},
      {"xl/_rels/workbook.xml.rels",
       relationships({{"rId1", "worksheet", "worksheets/sheet1.xml"},
                      {"rId2", "worksheet", "/xl/worksheets/sheet2.xml"},  // absolute
                      {"rId3", "sharedStrings", "./sharedStrings.xml"}})},
      {"xl/sharedStrings.xml", std::string("<sst xmlns=\"") + kMainNs + "\">" + shared + "</sst>"},
      {"xl/worksheets/sheet1.xml", sheet1},
      {"xl/worksheets/sheet2.xml", sheet2},
  };
  StatusOr<Workbook> book = read_xlsx(make_zip(parts));
  ASSERT_TRUE(book.ok()) << book.status().to_string();
  ASSERT_EQ(book->sheets.size(), 2u);
  EXPECT_EQ(book->sheets[0].name, "名单");
  EXPECT_EQ(book->sheets[1].name, "数字");
  const Rows expected = {
      {"姓名", "手机", "", "公式"},
      {},
      {"张三 ", "13800000000", "TRUE", "#DIV/0!"},
      {"富文本", "a\rb_x0041_", "FALSE", "<原样>"},
  };
  EXPECT_EQ(book->sheets[0].rows, expected) << rows_to_string(book->sheets[0].rows);
  EXPECT_EQ(book->sheets[1].rows, Rows{{"100"}});
}

TEST(XlsxTest, NumbersComeBackInShortestForm) {
  const struct {
    const char* stored;
    const char* read;
  } cases[] = {
      {"3", "3"},
      {"12.5", "12.5"},
      {"-0.25", "-0.25"},
      {"1.0E+2", "100"},
      {"1000000", "1000000"},  // not "1e+06"
      {"13800000000", "13800000000"},
      {"0.1000000000000000055511151231257827", "0.1"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"1E-07", "0.0000001"},
      {"1.5E-10", "1.5e-10"},
      {"1E+21", "1e+21"},
      {"-0", "0"},
      {" 7 ", "7"},
      {"abc", "abc"},  // not a number: kept as written
  };
  std::string rows;
  Rows expected;
  for (const auto& c : cases) {
    rows += std::string("<row><c><v>") + c.stored + "</v></c></row>";
    expected.push_back({c.read});
  }
  StatusOr<Workbook> book = read_xlsx(make_zip(one_sheet_parts(rows)));
  ASSERT_TRUE(book.ok()) << book.status().to_string();
  EXPECT_EQ(book->sheets.at(0).rows, expected) << rows_to_string(book->sheets.at(0).rows);
}

TEST(XlsxTest, ReadEnforcesExcelGridLimits) {
  const struct {
    const char* name;
    const char* rows;
    bool ok;
  } cases[] = {
      {"last column", "<row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row>", true},
      {"last row", "<row r=\"1048576\"><c r=\"A1048576\"><v>1</v></c></row>", true},
      {"column past XFD", "<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>", false},
      {"four-letter column", "<row r=\"1\"><c r=\"AAAA1\"><v>1</v></c></row>", false},
      {"row number past limit", "<row r=\"1048577\"><c><v>1</v></c></row>", false},
      {"cell reference past limit", "<row><c r=\"A1048577\"><v>1</v></c></row>", false},
      {"huge row number", "<row r=\"99999999999999999999999\"><c><v>1</v></c></row>", false},
  };
  for (const auto& c : cases) {
    StatusOr<Workbook> book = read_xlsx(make_zip(one_sheet_parts(c.rows)));
    if (c.ok) {
      ASSERT_TRUE(book.ok()) << c.name << ": " << book.status().to_string();
    } else {
      ASSERT_FALSE(book.ok()) << c.name;
      EXPECT_EQ(book.status().code(), StatusCode::kInvalidArgument) << c.name;
      EXPECT_EQ(book.status().reason(), "xlsx_too_large")
          << c.name << ": " << book.status().to_string();
    }
  }
  // A cell at the last column fills the row with empty cells before it.
  StatusOr<Workbook> wide =
      read_xlsx(make_zip(one_sheet_parts("<row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row>")));
  ASSERT_TRUE(wide.ok());
  ASSERT_EQ(wide->sheets.at(0).rows.size(), 1u);
  EXPECT_EQ(wide->sheets.at(0).rows[0].size(), 16384u);
  EXPECT_EQ(wide->sheets.at(0).rows[0].back(), "1");
}

// Sets the uncompressed size the central directory declares for `name`.
void declare_size(std::string& zip, const std::string& name, std::uint32_t size) {
  const std::string signature("PK\x01\x02", 4);
  for (std::size_t at = zip.find(signature); at != std::string::npos;
       at = zip.find(signature, at + 1)) {
    std::size_t name_len = static_cast<unsigned char>(zip[at + 28]) |
                           static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 29])) << 8;
    if (zip.compare(at + 46, name_len, name) != 0) continue;
    for (int i = 0; i < 4; ++i) zip[at + 24 + i] = static_cast<char>(size >> (8 * i));
    return;
  }
  ADD_FAILURE() << "no central directory entry for " << name;
}

TEST(XlsxTest, ReadRefusesOversizedInput) {
  std::string bomb = make_zip(one_sheet_parts("<row><c><v>1</v></c></row>"));
  declare_size(bomb, "xl/worksheets/sheet1.xml", 300u * 1024 * 1024);
  const struct {
    const char* name;
    std::string bytes;
    const char* message;
  } cases[] = {
      {"input over the compressed cap", std::string(kMaxXlsxBytes + 1, 'P'), "超过 64 MiB"},
      {"part declared over the part cap", bomb, "xl/worksheets/sheet1.xml 解压后超过 256 MiB"},
  };
  for (const auto& c : cases) {
    StatusOr<Workbook> book = read_xlsx(c.bytes);
    ASSERT_FALSE(book.ok()) << c.name;
    EXPECT_EQ(book.status().field(), "file") << c.name;
    EXPECT_EQ(book.status().reason(), "xlsx_too_large") << c.name;
    EXPECT_NE(book.status().message().find(c.message), std::string::npos)
        << c.name << ": " << book.status().message();
  }
}

// Whatever the bytes, reading ends in a workbook or a stated refusal. The
// mutations hit both the zip container and, before zipping, the XML inside.
TEST(XlsxTest, ReadSurvivesMutatedInput) {
  Workbook book;
  book.sheets.push_back({.name = "表",
                         .rows = {{"名称", "数量"}, {"甲", "1"}, {"乙", "2.5"}},
                         .notes = {{0, 0, "批注"}},
                         .numeric_columns = {1}});
  const std::string written = *write_xlsx(book);
  const Parts parts = one_sheet_parts(
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c t=\"inlineStr\"><is><t>x</t></is></c>"
      "</row><row><c r=\"C2\" t=\"b\"><v>1</v></c><c><v>2.5</v></c></row>",
      "<si><r><t>富</t></r><r><t>文本</t></r></si>");
  std::mt19937 gen(7);
  auto mutate = [&](std::string s) {
    if (s.empty()) return s;
    for (int i = 0, n = 1 + static_cast<int>(gen() % 4); i < n; ++i) {
      std::size_t at = gen() % s.size();
      switch (gen() % 3) {
        case 0:
          s[at] = static_cast<char>(gen());
          break;
        case 1:
          s.erase(at, 1 + gen() % 8);
          break;
        default:
          s.insert(at, 1, "<>\"/=&;0A9rvc:"[gen() % 14]);
          break;
      }
      if (s.empty()) break;
    }
    return s;
  };
  for (int round = 0; round < 300; ++round) {
    std::string bytes;
    if (round % 2 == 0) {
      bytes = mutate(written);
    } else {
      Parts changed = parts;
      std::string& xml = changed[gen() % changed.size()].second;
      xml = mutate(xml);
      bytes = make_zip(changed);
    }
    StatusOr<Workbook> read = read_xlsx(bytes);
    if (read.ok()) continue;
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument) << "round " << round;
    EXPECT_TRUE(read.status().reason() == "invalid_xlsx" ||
                read.status().reason() == "xlsx_too_large")
        << "round " << round << ": " << read.status().to_string();
  }
}

}  // namespace
}  // namespace tianbao::exchange
