// The DOCX form of a rendered bulletin: WordprocessingML parts written as
// text and zipped in memory with minizip.
#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>
#include <type_traits>

#include <fmt/format.h>
#include <minizip/zip.h>

#include "exchange/bulletin_render.h"

namespace tianbao::exchange {

namespace {

using service::BlockType;
using service::BulletinDocument;
using service::DocBlock;
using service::DocCell;
using service::DocTable;

// A4 with the margins of GB/T 9704 (党政机关公文格式), in twentieths of a point.
constexpr int kPageWidth = 11906;
constexpr int kPageHeight = 16838;
constexpr int kMarginTop = 2098;
constexpr int kMarginBottom = 1984;
constexpr int kMarginLeft = 1588;
constexpr int kMarginRight = 1474;
constexpr int kTextWidth = kPageWidth - kMarginLeft - kMarginRight;
constexpr int kIndentPerLevel = 640;  // two characters of 三号

constexpr std::string_view kW =
    R"(xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships")";

std::string escape_xml(std::string_view s) {
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
        // XML 1.0 has no place for other C0 controls; templates refuse them
        // already, figures never hold them.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

// --- the in-memory zip ------------------------------------------------------

// minizip writes through these callbacks into a string instead of a file.
struct MemoryFile {
  std::string data;
  std::size_t pos = 0;
};

voidpf memory_open(voidpf opaque, const void*, int) {
  return opaque;
}
uLong memory_read(voidpf, voidpf stream, void* buf, uLong size) {
  auto* f = static_cast<MemoryFile*>(stream);
  std::size_t n = std::min<std::size_t>(size, f->data.size() - std::min(f->pos, f->data.size()));
  std::memcpy(buf, f->data.data() + f->pos, n);
  f->pos += n;
  return static_cast<uLong>(n);
}
uLong memory_write(voidpf, voidpf stream, const void* buf, uLong size) {
  auto* f = static_cast<MemoryFile*>(stream);
  if (f->pos + size > f->data.size()) f->data.resize(f->pos + size);
  std::memcpy(f->data.data() + f->pos, buf, size);
  f->pos += size;
  return size;
}
ZPOS64_T memory_tell(voidpf, voidpf stream) {
  return static_cast<MemoryFile*>(stream)->pos;
}
long memory_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* f = static_cast<MemoryFile*>(stream);
  std::size_t base = origin == ZLIB_FILEFUNC_SEEK_CUR   ? f->pos
                     : origin == ZLIB_FILEFUNC_SEEK_END ? f->data.size()
                                                        : 0;
  f->pos = base + offset;
  return 0;
}
int memory_close(voidpf, voidpf) {
  return 0;
}
int memory_error(voidpf, voidpf) {
  return 0;
}

struct ZipCloser {
  void operator()(std::remove_pointer_t<zipFile>* zip) const { zipClose(zip, nullptr); }
};

StatusOr<std::string> zip_parts(const std::vector<std::pair<std::string, std::string>>& parts) {
  MemoryFile file;
  zlib_filefunc64_def io{memory_open, memory_read,  memory_write, memory_tell,
                         memory_seek, memory_close, memory_error, &file};
  zipFile zip = zipOpen2_64("bulletin.docx", APPEND_STATUS_CREATE, nullptr, &io);
  if (!zip) return Internal("无法创建 DOCX 压缩包");
  std::unique_ptr<std::remove_pointer_t<zipFile>, ZipCloser> guard(zip);
  for (const auto& [name, content] : parts) {
    zip_fileinfo info{};
    info.tmz_date = {0, 0, 0, 1, 0, 2022};  // fixed, so the same document zips the same
    if (zipOpenNewFileInZip64(zip, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED,
                              Z_DEFAULT_COMPRESSION, 0) != ZIP_OK ||
        zipWriteInFileInZip(zip, content.data(), static_cast<unsigned>(content.size())) != ZIP_OK ||
        zipCloseFileInZip(zip) != ZIP_OK) {
      return Internal(fmt::format("写入 DOCX 部件 {} 失败", name));
    }
  }
  if (zipClose(guard.release(), nullptr) != ZIP_OK) return Internal("无法完成 DOCX 压缩包");
  return std::move(file.data);
}

// --- parts --------------------------------------------------------------------

constexpr std::string_view kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>
)";

constexpr std::string_view kPackageRels = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>
)";

constexpr std::string_view kDocumentRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>
</Relationships>
)";

// The fonts offices name, each with the alternate a reader without it
// should use (Word and WPS read w:altName; LibreOffice substitutes through
// fontconfig by the zh-CN language of the text).
constexpr std::string_view kFontTable = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="仿宋"><w:altName w:val="FangSong"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>
<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>
</w:fonts>
)";

std::string fonts(std::string_view east_asia) {
  return fmt::format(
      R"(<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{}" w:cs="Times New Roman"/>)",
      east_asia);
}

// Style: id, name, paragraph properties, run properties.
std::string paragraph_style(std::string_view id, std::string_view name, std::string_view ppr,
                            std::string_view rpr, std::string_view extra = {}) {
  return fmt::format(
      R"(<w:style w:type="paragraph" w:customStyle="1" w:styleId="{0}"><w:name w:val="{1}"/><w:basedOn w:val="Normal"/>{4}<w:qFormat/><w:pPr>{2}</w:pPr><w:rPr>{3}</w:rPr></w:style>)",
      id, name, ppr, rpr, extra);
}

std::string styles_xml() {
  constexpr std::string_view kNoIndent = R"(<w:ind w:firstLine="0" w:firstLineChars="0"/>)";
  constexpr std::string_view kSingle =
      R"(<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>)";
  std::string out = fmt::format(R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {}>
<w:docDefaults><w:rPrDefault><w:rPr>{}<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/></w:pPr></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
)",
                                kW, fonts("仿宋_GB2312"));
  out += paragraph_style(
      "Masthead", "月报报头",
      fmt::format(
          R"(<w:jc w:val="center"/>{}<w:spacing w:before="240" w:after="120" w:line="240" w:lineRule="auto"/>)",
          kNoIndent),
      fonts("方正小标宋简体") +
          R"(<w:color w:val="C00000"/><w:spacing w:val="20"/><w:sz w:val="60"/><w:szCs w:val="60"/>)");
  out += paragraph_style(
      "IssueNumber", "期号",
      fmt::format(R"(<w:jc w:val="center"/>{}<w:spacing w:after="240"/>)", kNoIndent), "");
  out += paragraph_style(
      "Byline", "发文机关与日期",
      fmt::format(
          R"({}<w:tabs><w:tab w:val="right" w:pos="{}"/></w:tabs><w:pBdr><w:bottom w:val="single" w:sz="18" w:space="4" w:color="C00000"/></w:pBdr><w:spacing w:after="360"/>)",
          kNoIndent, kTextWidth),
      R"(<w:sz w:val="28"/><w:szCs w:val="28"/>)");
  out += paragraph_style("Heading1", "heading 1", R"(<w:keepNext/><w:outlineLvl w:val="0"/>)",
                         fonts("黑体"), R"(<w:next w:val="Normal"/>)");
  out += paragraph_style("Heading2", "heading 2", R"(<w:keepNext/><w:outlineLvl w:val="1"/>)",
                         fonts("楷体_GB2312"), R"(<w:next w:val="Normal"/>)");
  out += paragraph_style("Heading3", "heading 3", R"(<w:keepNext/><w:outlineLvl w:val="2"/>)",
                         "<w:b/><w:bCs/>", R"(<w:next w:val="Normal"/>)");
  out += paragraph_style("Heading4", "heading 4", R"(<w:keepNext/><w:outlineLvl w:val="3"/>)",
                         "<w:b/><w:bCs/>", R"(<w:next w:val="Normal"/>)");
  out += paragraph_style(
      "TableCaption", "表题",
      fmt::format(
          R"(<w:keepNext/><w:jc w:val="center"/>{}<w:spacing w:before="240" w:after="120" w:line="240" w:lineRule="auto"/>)",
          kNoIndent),
      fonts("黑体") + R"(<w:sz w:val="28"/><w:szCs w:val="28"/>)");
  out += paragraph_style("TableText", "表格文字",
                         fmt::format(R"(<w:jc w:val="center"/>{}{})", kNoIndent, kSingle),
                         fonts("宋体") + R"(<w:sz w:val="21"/><w:szCs w:val="21"/>)");
  out += paragraph_style(
      "TableNote", "表注",
      fmt::format(R"({}<w:spacing w:before="60" w:after="120" w:line="320" w:lineRule="exact"/>)",
                  kNoIndent),
      R"(<w:sz w:val="24"/><w:szCs w:val="24"/>)");
  out += paragraph_style(
      "Distribution", "分送",
      fmt::format(
          R"({}<w:pBdr><w:top w:val="single" w:sz="6" w:space="4" w:color="000000"/><w:bottom w:val="single" w:sz="6" w:space="4" w:color="000000"/></w:pBdr><w:ind w:left="280" w:hanging="280"/>)",
          kNoIndent),
      R"(<w:sz w:val="28"/><w:szCs w:val="28"/>)");
  out += paragraph_style("Footer", "footer",
                         R"(<w:jc w:val="center"/><w:ind w:firstLine="0" w:firstLineChars="0"/>)",
                         R"(<w:sz w:val="28"/><w:szCs w:val="28"/>)");
  out += "</w:styles>\n";
  return out;
}

std::string footer_xml() {
  // "— 1 —": the page number between dashes, as 公文 print it.
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr {}><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>
)",
      kW);
}

std::string core_xml(const BulletinDocument& doc) {
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{} {}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>
)",
      escape_xml(doc.title), escape_xml(doc.issue), escape_xml(doc.issuer));
}

// --- the body -------------------------------------------------------------------

std::string run(std::string_view text, std::string_view rpr = {}) {
  std::string props = rpr.empty() ? "" : fmt::format("<w:rPr>{}</w:rPr>", rpr);
  return fmt::format(R"(<w:r>{}<w:t xml:space="preserve">{}</w:t></w:r>)", props, escape_xml(text));
}

std::string styled_paragraph(std::string_view style, std::string_view runs,
                             std::string_view extra_ppr = {}) {
  return fmt::format(R"(<w:p><w:pPr><w:pStyle w:val="{}"/>{}</w:pPr>{}</w:p>)", style, extra_ppr,
                     runs);
}

void write_paragraphs(const std::vector<model::Paragraph>& paragraphs, std::string& out) {
  std::vector<std::string> markers = list_markers(paragraphs);
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    const model::Paragraph& p = paragraphs[i];
    std::string ppr;
    if (p.style == model::ParagraphStyle::kHeading) {
      ppr = fmt::format(R"(<w:pStyle w:val="Heading{}"/>)", std::clamp(p.level, 1, 4));
    } else if (p.style == model::ParagraphStyle::kListItem) {
      ppr = fmt::format(R"(<w:ind w:left="{}" w:firstLine="0" w:firstLineChars="0"/>)",
                        kIndentPerLevel * std::max(1, p.level));
    }
    std::string runs = markers[i].empty() ? "" : run(markers[i]);
    for (const model::TextRun& r : p.runs) {
      if (r.line_break) {
        runs += "<w:r><w:br/></w:r>";
        continue;
      }
      std::string rpr;
      if (r.bold) rpr += "<w:b/><w:bCs/>";
      if (r.italic) rpr += "<w:i/><w:iCs/>";
      runs += run(r.text, rpr);
    }
    out += fmt::format("<w:p>{}{}</w:p>", ppr.empty() ? "" : "<w:pPr>" + ppr + "</w:pPr>", runs);
  }
}

void write_table(const DocTable& t, std::string& out) {
  double total_weight = std::accumulate(t.column_weights.begin(), t.column_weights.end(), 0.0);
  std::vector<int> widths;
  for (std::size_t c = 0; c < t.columns; ++c) {
    double w = c < t.column_weights.size() && total_weight > 0 ? t.column_weights[c] / total_weight
                                                               : 1.0 / t.columns;
    widths.push_back(static_cast<int>(kTextWidth * w));
  }
  out += R"(<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/><w:tblBorders>)";
  for (const char* side : {"top", "left", "bottom", "right", "insideH", "insideV"}) {
    out += fmt::format(R"(<w:{} w:val="single" w:sz="4" w:space="0" w:color="000000"/>)", side);
  }
  out +=
      R"(</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>)";
  for (int w : widths) out += fmt::format(R"(<w:gridCol w:w="{}"/>)", w);
  out += "</w:tblGrid>";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    bool head = r < t.header_rows;
    out += "<w:tr><w:trPr><w:cantSplit/>";
    if (head) out += "<w:tblHeader/>";
    out += "</w:trPr>";
    std::size_t col = 0;
    for (const DocCell& c : t.rows[r]) {
      int span = std::max(1, c.col_span);
      int width = 0;
      for (int k = 0; k < span && col + k < widths.size(); ++k) width += widths[col + k];
      col += static_cast<std::size_t>(span);
      std::string tcpr = fmt::format(R"(<w:tcW w:w="{}" w:type="dxa"/>)", width);
      if (span > 1) tcpr += fmt::format(R"(<w:gridSpan w:val="{}"/>)", span);
      if (c.covered) tcpr += "<w:vMerge/>";
      if (!c.covered && c.row_span > 1) tcpr += R"(<w:vMerge w:val="restart"/>)";
      tcpr += R"(<w:vAlign w:val="center"/>)";
      std::string rpr = head || t.emphasized[r] ? "<w:b/><w:bCs/>" : "";
      std::string ppr = c.figure && !head ? R"(<w:jc w:val="right"/>)" : "";
      std::string content = c.covered || c.text.empty() ? "" : run(c.text, rpr);
      out += fmt::format("<w:tc><w:tcPr>{}</w:tcPr>{}</w:tc>", tcpr,
                         styled_paragraph("TableText", content, ppr));
    }
    out += "</w:tr>";
  }
  out += "</w:tbl>";
}

std::string document_xml(const BulletinDocument& doc) {
  std::string body;
  body += styled_paragraph("Masthead", run(doc.title));
  if (doc.kind == "bulletin" && !doc.issue.empty())
    body += styled_paragraph("IssueNumber", run(doc.issue));
  body += styled_paragraph("Byline", run(doc.issuer) + "<w:r><w:tab/></w:r>" + run(doc.date));
  for (const DocBlock& b : doc.blocks) {
    if (b.type == BlockType::kDistribution) {
      for (const service::DistributionLine& l : b.lines) {
        body += styled_paragraph("Distribution", run(l.label + "：", "<w:b/>") + run(l.text));
      }
      continue;
    }
    if (!b.title.empty()) {
      body += b.table ? styled_paragraph("TableCaption", run(b.title))
                      : styled_paragraph("Heading1", run(b.title));
    }
    write_paragraphs(b.paragraphs, body);
    if (b.table) write_table(*b.table, body);
    if (!b.note.empty()) body += styled_paragraph("TableNote", run(b.note));
  }
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {}><w:body>{}<w:sectPr><w:footerReference w:type="default" r:id="rId3"/><w:pgSz w:w="{}" w:h="{}"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>
)",
      kW, body, kPageWidth, kPageHeight, kMarginTop, kMarginRight, kMarginBottom, kMarginLeft);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> bulletin_docx_parts(const BulletinDocument& doc) {
  return {
      {"[Content_Types].xml", std::string(kContentTypes)},
      {"_rels/.rels", std::string(kPackageRels)},
      {"word/_rels/document.xml.rels", std::string(kDocumentRels)},
      {"word/document.xml", document_xml(doc)},
      {"word/styles.xml", styles_xml()},
      {"word/fontTable.xml", std::string(kFontTable)},
      {"word/footer1.xml", footer_xml()},
      {"docProps/core.xml", core_xml(doc)},
  };
}

StatusOr<std::string> bulletin_docx(const BulletinDocument& doc) {
  return zip_parts(bulletin_docx_parts(doc));
}

}  // namespace tianbao::exchange
