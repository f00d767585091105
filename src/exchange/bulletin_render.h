// Writing a rendered bulletin or work report (service::BulletinDocument) as
// the documents offices use: DOCX (what the bureau edits and prints), XLSX
// (the tables, one sheet each) and a self-contained printable HTML page.
//
// DOCX is WordprocessingML written here and zipped with minizip: 中文 fonts
// by the names offices use (仿宋_GB2312 body, 方正小标宋简体 title, 黑体
// headings, 宋体 tables) with alternates declared in the font table so
// Word, WPS and LibreOffice fall back cleanly; tables with borders, header
// rows repeated over page breaks (w:tblHeader) and grouped headers through
// gridSpan/vMerge. XLSX goes through write_xlsx (libxlsxwriter).
//
//   ASSIGN_OR_RETURN(std::string bytes, bulletin_docx(document));
//
// Thread-safety: free functions; no shared state.
#pragma once

#include <string>
#include <vector>

#include "model/status.h"
#include "service/bulletins.h"

namespace tianbao::exchange {

inline constexpr const char* kDocxType =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
inline constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

StatusOr<std::string> bulletin_docx(const service::BulletinDocument& doc);
// The DOCX's parts (name, XML) before zipping, for tests and inspection.
std::vector<std::pair<std::string, std::string>> bulletin_docx_parts(
    const service::BulletinDocument& doc);
StatusOr<std::string> bulletin_xlsx(const service::BulletinDocument& doc);
std::string bulletin_html(const service::BulletinDocument& doc);

// A rendered file for `format` "docx", "xlsx" or "html", with its content
// type; InvalidArgument (field "format") for any other format.
struct BulletinFile {
  std::string bytes;
  std::string content_type;
};
StatusOr<BulletinFile> write_bulletin(const service::BulletinDocument& doc,
                                      std::string_view format);

// The marker each paragraph starts with: "" for body text and headings,
// "• " for bullet items, "1. " … for numbered items (counted per list run
// and level), so every format numbers lists the same way.
std::vector<std::string> list_markers(const std::vector<model::Paragraph>& paragraphs);

// A file name for downloads: "<code>-<period>.<ext>".
std::string bulletin_file_name(const service::BulletinDocument& doc, std::string_view ext);

}  // namespace tianbao::exchange
