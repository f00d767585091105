// The HTML and XLSX forms of a rendered bulletin; DOCX is in bulletin_docx.cc.
#include <algorithm>

#include <fmt/format.h>

#include "exchange/bulletin_render.h"
#include "exchange/xlsx.h"

namespace tianbao::exchange {

namespace {

using service::BlockType;
using service::BulletinDocument;
using service::DocBlock;
using service::DocCell;
using service::DocTable;

std::string escape_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr std::string_view kStyle = R"css(
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", serif;
       font-size: 16pt; line-height: 1.75; color: #000; max-width: 156mm; margin: 2em auto; }
.masthead { text-align: center; color: #c00000; border-bottom: 2px solid #c00000; padding-bottom: .4em; margin-bottom: 1.2em; }
.masthead h1 { font-family: "方正小标宋简体", "SimSun", "宋体", "Noto Serif CJK SC", serif;
               font-size: 26pt; font-weight: normal; margin: .2em 0; letter-spacing: .05em; }
.masthead .issue { color: #000; font-size: 16pt; }
.masthead .byline { display: flex; justify-content: space-between; color: #000; font-size: 14pt; }
h2 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 1em 0 .3em; }
h3, h4, h5 { font-family: "楷体_GB2312", "KaiTi", "楷体", serif; font-size: 16pt; font-weight: normal; margin: .6em 0 .2em; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.item { text-indent: 0; padding-left: 2em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-family: "宋体", "SimSun", "Noto Serif CJK SC", serif;
        font-size: 10.5pt; line-height: 1.4; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 2pt 4pt; }
th { font-weight: bold; text-align: center; }
td:first-child { white-space: nowrap; }
td.figure { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
thead { display: table-header-group; }
.caption { text-align: center; font-family: "黑体", "SimHei", sans-serif; font-size: 14pt; margin-top: 1em; }
.note { font-size: 12pt; text-indent: 0; }
.distribution { margin-top: 2em; border-top: 1px solid #000; border-bottom: 1px solid #000; font-size: 14pt; }
.distribution p { text-indent: 0; }
)css";

void html_paragraphs(const std::vector<model::Paragraph>& paragraphs, std::string& out) {
  std::vector<std::string> markers = list_markers(paragraphs);
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    const model::Paragraph& p = paragraphs[i];
    std::string tag = "p";
    std::string attrs;
    if (p.style == model::ParagraphStyle::kHeading) tag = fmt::format("h{}", p.level + 1);
    if (p.style == model::ParagraphStyle::kListItem) {
      attrs = fmt::format(" class=\"item\" style=\"padding-left:{}em\"", 2 * p.level);
    }
    out += fmt::format("<{}{}>{}", tag, attrs, escape_html(markers[i]));
    for (const model::TextRun& run : p.runs) {
      if (run.line_break) {
        out += "<br>";
        continue;
      }
      std::string text = escape_html(run.text);
      if (run.italic) text = "<i>" + text + "</i>";
      if (run.bold) text = "<b>" + text + "</b>";
      out += text;
    }
    out += fmt::format("</{}>\n", tag);
  }
}

void html_table(const DocTable& t, std::string& out) {
  out += "<table>\n";
  double total = 0;
  for (double w : t.column_weights) total += w;
  if (total > 0 && t.column_weights.size() == t.columns) {
    out += "<colgroup>";
    for (double w : t.column_weights)
      out += fmt::format("<col style=\"width:{:.1f}%\">", 100 * w / total);
    out += "</colgroup>\n";
  }
  out += "<thead>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (r == t.header_rows) out += "</thead>\n<tbody>\n";
    bool head = r < t.header_rows;
    out += t.emphasized[r] ? "<tr class=\"total\">" : "<tr>";
    for (const DocCell& c : t.rows[r]) {
      if (c.covered) continue;
      std::string attrs;
      if (c.col_span > 1) attrs += fmt::format(" colspan=\"{}\"", c.col_span);
      if (c.row_span > 1) attrs += fmt::format(" rowspan=\"{}\"", c.row_span);
      if (c.figure) attrs += " class=\"figure\"";
      const char* tag = head ? "th" : "td";
      out += fmt::format("<{0}{1}>{2}</{0}>", tag, attrs, escape_html(c.text));
    }
    out += "</tr>\n";
  }
  out += t.rows.size() > t.header_rows ? "</tbody>\n</table>\n" : "</thead>\n</table>\n";
}

std::string sheet_name(const DocBlock& b, std::size_t n) {
  return b.title.empty() ? fmt::format("表{}", n) : b.title;
}

}  // namespace

std::vector<std::string> list_markers(const std::vector<model::Paragraph>& paragraphs) {
  std::vector<std::string> out(paragraphs.size());
  std::vector<int> counters;  // per nesting level, reset when a list run ends
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    const model::Paragraph& p = paragraphs[i];
    if (p.style != model::ParagraphStyle::kListItem) {
      counters.clear();
      continue;
    }
    std::size_t level = static_cast<std::size_t>(std::max(1, p.level));
    counters.resize(level, 0);
    if (!p.numbered) {
      out[i] = "• ";
      continue;
    }
    out[i] = fmt::format("{}. ", ++counters[level - 1]);
  }
  return out;
}

std::string bulletin_file_name(const BulletinDocument& doc, std::string_view ext) {
  return fmt::format("{}-{}.{}", doc.code, doc.period, ext);
}

std::string bulletin_html(const BulletinDocument& doc) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{} {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     escape_html(doc.title), escape_html(doc.issue), kStyle);
  out += "<header class=\"masthead\">\n";
  out += fmt::format("<h1>{}</h1>\n", escape_html(doc.title));
  if (doc.kind == "bulletin")
    out += fmt::format("<div class=\"issue\">{}</div>\n", escape_html(doc.issue));
  out += fmt::format("<div class=\"byline\"><span>{}</span><span>{}</span></div>\n",
                     escape_html(doc.issuer), escape_html(doc.date));
  out += "</header>\n";
  for (const DocBlock& b : doc.blocks) {
    if (b.type == BlockType::kDistribution) {
      out += "<footer class=\"distribution\">\n";
      for (const service::DistributionLine& l : b.lines) {
        out += fmt::format("<p>{}：{}</p>\n", escape_html(l.label), escape_html(l.text));
      }
      out += "</footer>\n";
      continue;
    }
    if (!b.title.empty()) {
      out += b.table ? fmt::format("<div class=\"caption\">{}</div>\n", escape_html(b.title))
                     : fmt::format("<h2>{}</h2>\n", escape_html(b.title));
    }
    html_paragraphs(b.paragraphs, out);
    if (b.table) html_table(*b.table, out);
    if (!b.note.empty()) out += fmt::format("<p class=\"note\">{}</p>\n", escape_html(b.note));
  }
  out += "</body>\n</html>\n";
  return out;
}

StatusOr<BulletinFile> write_bulletin(const BulletinDocument& doc, std::string_view format) {
  BulletinFile out;
  if (format == "html") {
    out.bytes = bulletin_html(doc);
    out.content_type = "text/html; charset=utf-8";
  } else if (format == "docx") {
    ASSIGN_OR_RETURN(out.bytes, bulletin_docx(doc));
    out.content_type = kDocxType;
  } else if (format == "xlsx") {
    ASSIGN_OR_RETURN(out.bytes, bulletin_xlsx(doc));
    out.content_type = kXlsxType;
  } else {
    return InvalidArgument("format 须为 docx、xlsx 或 html", "format", "invalid_format");
  }
  return out;
}

StatusOr<std::string> bulletin_xlsx(const BulletinDocument& doc) {
  Workbook book;
  std::size_t n = 0;
  for (const DocBlock& b : doc.blocks) {
    if (!b.table) continue;
    const DocTable& t = *b.table;
    Sheet sheet;
    sheet.name = sheet_name(b, ++n);
    sheet.header_row = true;
    // Cells sit in their grid columns; spans become merged ranges.
    std::vector<std::size_t> numeric;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      Row row(t.columns);
      std::size_t col = 0;
      for (const DocCell& c : t.rows[r]) {
        if (col >= t.columns) break;
        if (!c.covered) row[col] = c.text;
        if (!c.covered && (c.col_span > 1 || c.row_span > 1)) {
          sheet.merges.push_back({r, col, r + static_cast<std::size_t>(c.row_span) - 1,
                                  col + static_cast<std::size_t>(c.col_span) - 1});
        }
        if (c.figure && r >= t.header_rows) numeric.push_back(col);
        col += static_cast<std::size_t>(std::max(1, c.col_span));
      }
      sheet.rows.push_back(std::move(row));
    }
    std::sort(numeric.begin(), numeric.end());
    numeric.erase(std::unique(numeric.begin(), numeric.end()), numeric.end());
    sheet.numeric_columns = numeric;
    for (double w : t.column_weights) sheet.column_widths.push_back(8.0 * w);
    book.sheets.push_back(std::move(sheet));
  }
  if (book.sheets.empty()) {
    return InvalidArgument("该模板没有统计表，无法导出 Excel，请选择 DOCX 或 HTML", "format",
                           "no_tables");
  }
  return write_xlsx(book);
}

}  // namespace tianbao::exchange
