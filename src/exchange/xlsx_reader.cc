// Reading XLSX with minizip and pugixml, defensively: the archive and every
// part are size-capped, cells are budgeted, and anything malformed is an
// InvalidArgument naming the part. Writing is xlsx_writer.cc's.
#include "exchange/xlsx.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <minizip/unzip.h>
#include <pugixml.hpp>

#include "exchange/xlsx_shared.h"
#include "exchange/xml_names.h"
#include "model/text.h"

namespace tianbao::exchange {

namespace {

using xlsx_internal::ascii_lower;
using xlsx_internal::is_hex;
using xlsx_internal::is_xstring_escape;
using xlsx_internal::kMaxCols;
using xlsx_internal::kMaxRows;
using xlsx_internal::TempFile;
using xlsx_internal::write_file;

// Budgets that bound a read beyond the per-part cap: several sheets may point
// at the same huge part, and a single cell at column XFD makes us fill 16,383
// empty cells before it, so the output, not only the input, must be capped.
constexpr std::size_t kMaxZipEntries = 65536;
constexpr std::size_t kMaxTotalPartBytes = 4 * kMaxXlsxPartBytes;
constexpr std::size_t kMaxCells = std::size_t{1} << 24;  // rows + cells, gaps included

// Part names come from the file, so they are quoted like any untrusted text.
std::string shown(std::string_view part) {
  return model::sanitize_for_message(part);
}

Status bad_xlsx(std::string_view detail) {
  return InvalidArgument(fmt::format("不是有效的 Excel（xlsx）文件：{}", detail), "file",
                         "invalid_xlsx");
}

Status too_large(std::string_view detail) {
  return InvalidArgument(fmt::format("Excel 文件过大：{}", detail), "file", "xlsx_too_large");
}

struct UnzipCloser {
  void operator()(std::remove_pointer_t<unzFile>* zip) const { unzClose(zip); }
};
using UnzipPtr = std::unique_ptr<std::remove_pointer_t<unzFile>, UnzipCloser>;

// Closes the entry opened with unzOpenCurrentFile on early returns; the normal
// path calls close() itself because only it reports a CRC mismatch.
class CurrentEntry {
 public:
  explicit CurrentEntry(unzFile zip) : zip_(zip) {}
  CurrentEntry(const CurrentEntry&) = delete;
  CurrentEntry& operator=(const CurrentEntry&) = delete;
  ~CurrentEntry() {
    if (open_) unzCloseCurrentFile(zip_);
  }
  int close() {
    open_ = false;
    return unzCloseCurrentFile(zip_);
  }

 private:
  unzFile zip_;
  bool open_ = true;
};

// The zip's central directory, read once into a map: unzLocateFile is a
// linear scan, and a hostile archive may hold many entries and many sheets.
class Archive {
 public:
  struct Entry {
    std::string name;  // as stored, with '\' turned into '/'
    unz64_file_pos pos{};
    std::uint64_t size = 0;  // declared uncompressed size
  };

  Status open(const std::string& path) {
    zip_.reset(unzOpen64(path.c_str()));
    if (!zip_) return bad_xlsx("无法作为 zip 压缩包打开");
    unz_global_info64 global{};
    if (unzGetGlobalInfo64(zip_.get(), &global) != UNZ_OK) {
      return bad_xlsx("zip 目录已损坏");
    }
    if (global.number_entry > kMaxZipEntries) return too_large("压缩包内文件过多");
    for (std::uint64_t i = 0; i < global.number_entry; ++i) {
      int rc = i == 0 ? unzGoToFirstFile(zip_.get()) : unzGoToNextFile(zip_.get());
      if (rc != UNZ_OK) return bad_xlsx("zip 目录已损坏");
      unz_file_info64 info{};
      char name[1024];
      if (unzGetCurrentFileInfo64(zip_.get(), &info, name, sizeof name, nullptr, 0, nullptr, 0) !=
          UNZ_OK) {
        return bad_xlsx("zip 目录已损坏");
      }
      if (info.size_filename >= sizeof name) continue;  // no part of ours has such a name
      Entry entry;
      entry.name.assign(name, info.size_filename);
      std::replace(entry.name.begin(), entry.name.end(), '\\', '/');
      entry.size = info.uncompressed_size;
      if (unzGetFilePos64(zip_.get(), &entry.pos) != UNZ_OK) return bad_xlsx("zip 目录已损坏");
      // Part names are case-insensitive (ECMA-376 part 2); the first one wins.
      entries_.emplace(ascii_lower(entry.name), std::move(entry));
    }
    return Status::Ok();
  }

  const Entry* find(std::string_view name) const {
    auto it = entries_.find(ascii_lower(name));
    return it == entries_.end() ? nullptr : &it->second;
  }

  // Inflates one entry, counting the bytes actually produced rather than
  // trusting the declared size, and checking the CRC and length at the end.
  StatusOr<std::string> read(const Entry& entry) {
    if (entry.size > kMaxXlsxPartBytes) {
      return too_large(fmt::format("{} 解压后超过 256 MiB", shown(entry.name)));
    }
    unzFile zip = zip_.get();
    if (unzGoToFilePos64(zip, &entry.pos) != UNZ_OK) {
      return bad_xlsx(fmt::format("无法定位 {}", shown(entry.name)));
    }
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
      return bad_xlsx(fmt::format("无法读取 {}", shown(entry.name)));
    }
    if (info.flag & 1) return bad_xlsx(fmt::format("{} 已加密", shown(entry.name)));
    if (unzOpenCurrentFile(zip) != UNZ_OK) {
      return bad_xlsx(fmt::format("无法解压 {}", shown(entry.name)));
    }
    CurrentEntry current(zip);
    std::string data;
    data.reserve(std::min<std::uint64_t>(entry.size, 16 * 1024 * 1024));
    std::vector<char> chunk(64 * 1024);
    while (true) {
      int n = unzReadCurrentFile(zip, chunk.data(), static_cast<unsigned>(chunk.size()));
      if (n < 0) return bad_xlsx(fmt::format("{} 的压缩数据已损坏", shown(entry.name)));
      if (n == 0) break;
      auto got = static_cast<std::size_t>(n);
      if (data.size() + got > kMaxXlsxPartBytes) {
        return too_large(fmt::format("{} 解压后超过 256 MiB", shown(entry.name)));
      }
      if (total_read_ + got > kMaxTotalPartBytes) return too_large("解压后总大小超过 1 GiB");
      data.append(chunk.data(), got);
      total_read_ += got;
    }
    // minizip only checks the CRC once the declared length has been read, so
    // a stream that ends early must be caught by comparing lengths.
    if (current.close() != UNZ_OK || data.size() != entry.size) {
      return bad_xlsx(fmt::format("{} 的数据已损坏（校验不符）", shown(entry.name)));
    }
    return data;
  }

 private:
  UnzipPtr zip_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t total_read_ = 0;
};

// pugixml parses in place, so the bytes must live as long as the document.
struct XmlPart {
  std::string bytes;
  pugi::xml_document doc;
};

Status load_xml(Archive& archive, const Archive::Entry& entry, XmlPart& part) {
  ASSIGN_OR_RETURN(part.bytes, archive.read(entry));
  // parse_ws_pcdata_single keeps a cell whose whole text is " ".
  pugi::xml_parse_result result = part.doc.load_buffer_inplace(
      part.bytes.data(), part.bytes.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (result.status == pugi::status_out_of_memory) return Internal("读取 Excel 文件时内存不足");
  if (!result) {
    return bad_xlsx(
        fmt::format("{} 不是格式正确的 XML（第 {} 字节附近）", shown(entry.name), result.offset));
  }
  return Status::Ok();
}

Status load_required_xml(Archive& archive, const std::string& name, XmlPart& part) {
  const Archive::Entry* entry = archive.find(name);
  if (entry == nullptr) return bad_xlsx(fmt::format("缺少 {}", shown(name)));
  return load_xml(archive, *entry, part);
}

// The r:id attribute of <sheet>, whatever prefix the relationships namespace got.
pugi::xml_attribute relationship_id(const pugi::xml_node& sheet) {
  for (pugi::xml_attribute attr : sheet.attributes()) {
    std::string_view name = attr.name();
    std::size_t colon = name.rfind(':');
    if (colon != std::string_view::npos && name.substr(colon + 1) == "id") return attr;
  }
  return {};
}

std::string node_text(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

// Undoes OOXML's escaping of characters XML cannot hold: "_x000D_" is a
// carriage return and "_x005F_" a literal underscore (ECMA-376 ST_Xstring).
std::string decode_xstring(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_xstring_escape(s, i)) {
      std::uint32_t cp = 0;
      std::from_chars(s.data() + i + 2, s.data() + i + 6, cp, 16);
      if (cp < 0xD800 || cp > 0xDFFF) {  // a lone surrogate cannot be UTF-8
        model::append_utf8(cp, out);
        i += 6;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// <si> or <is>: plain <t>, or rich-text runs <r><t>; phonetic <rPh> is not text.
std::string rich_text(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = local_name(child);
    if (name == "t") {
      text += decode_xstring(node_text(child));
    } else if (name == "r") {
      for (pugi::xml_node t : child.children()) {
        if (t.type() == pugi::node_element && local_name(t) == "t") {
          text += decode_xstring(node_text(t));
        }
      }
    }
  }
  return text;
}

std::string_view trim_ascii(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Shortest text that reads back as the same double. Plain std::to_chars
// would print 1000000 as "1e+06", so ordinary magnitudes use fixed notation
// ("1000000", "0.0001") and only the extremes fall back to an exponent.
std::string format_number(std::string_view raw) {
  std::string_view text = trim_ascii(raw);
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::string(raw);
  if (value == 0) return "0";  // also "-0"
  char buf[64];
  double magnitude = std::fabs(value);
  auto result = magnitude >= 1e-7 && magnitude < 1e21
                    ? std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed)
                    : std::to_chars(buf, buf + sizeof buf, value);
  if (result.ec != std::errc()) return std::string(raw);
  return std::string(buf, result.ptr);
}

std::optional<std::size_t> parse_size(std::string_view text) {
  text = trim_ascii(text);
  std::size_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// Value of an all-digit string, saturated at `cap` so that a very long
// number reads as too large rather than overflowing; nullopt if not digits.
std::optional<std::size_t> parse_index(std::string_view text, std::size_t cap) {
  if (text.empty()) return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + static_cast<std::size_t>(c - '0'), cap);
  }
  return value;
}

struct CellRef {
  std::size_t row = 0;  // 0-based
  std::size_t col = 0;
};

// "B2" → {1, 1}. Values past Excel's grid are reported as too large rather
// than malformed, since they are well-formed references to a sheet we refuse.
StatusOr<CellRef> parse_cell_ref(std::string_view ref, std::string_view part) {
  std::size_t letters = 0;
  std::size_t col = 0;
  for (; letters < ref.size(); ++letters) {
    char c = ref[letters];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = std::min<std::size_t>(col * 26 + static_cast<std::size_t>(c - 'A' + 1), kMaxCols + 1);
  }
  std::optional<std::size_t> row = parse_index(ref.substr(letters), kMaxRows + 1);
  if (letters == 0 || !row || *row == 0) {
    return bad_xlsx(
        fmt::format("{} 中的单元格引用“{}”无效", shown(part), model::sanitize_for_message(ref)));
  }
  if (col > kMaxCols || *row > kMaxRows) {
    return too_large(
        fmt::format("工作表超过 1048576 行或 16384 列（{}）", model::sanitize_for_message(ref)));
  }
  return CellRef{*row - 1, col - 1};
}

struct ReadContext {
  std::vector<std::string> shared_strings;
  std::size_t cells = 0;  // slots allocated so far, against kMaxCells
};

StatusOr<std::string> cell_value(const pugi::xml_node& cell, const ReadContext& ctx,
                                 std::string_view part, const CellRef& ref) {
  std::string_view type = cell.attribute("t").value();
  if (type == "inlineStr") {
    pugi::xml_node is = child_element(cell, "is");
    return is ? rich_text(is) : std::string();
  }
  pugi::xml_node v = child_element(cell, "v");
  if (!v) return std::string();  // e.g. a styled blank, or a formula never computed
  std::string text = node_text(v);
  if (type == "s") {
    std::optional<std::size_t> index = parse_size(text);
    if (!index || *index >= ctx.shared_strings.size()) {
      return bad_xlsx(fmt::format("{} 的单元格 {} 引用了不存在的共享字符串", shown(part),
                                  cell_name(ref.row, ref.col)));
    }
    return ctx.shared_strings[*index];
  }
  if (type == "str") return decode_xstring(text);
  if (type == "b") {
    std::string_view flag = trim_ascii(text);
    if (flag == "1") return std::string("TRUE");
    if (flag == "0") return std::string("FALSE");
    return text;
  }
  if (type.empty() || type == "n") return format_number(text);
  return text;  // "e" (#DIV/0!), "d" (ISO 8601 date) and anything newer: as written
}

Status place_cell(std::vector<Row>& rows, const CellRef& ref, std::string value, ReadContext& ctx) {
  std::size_t grow = 0;
  if (rows.size() <= ref.row) grow += ref.row + 1 - rows.size();
  std::size_t row_size = ref.row < rows.size() ? rows[ref.row].size() : 0;
  if (row_size <= ref.col) grow += ref.col + 1 - row_size;
  if (ctx.cells + grow > kMaxCells) return too_large("单元格总数超过 16777216");
  ctx.cells += grow;
  if (rows.size() <= ref.row) rows.resize(ref.row + 1);
  Row& row = rows[ref.row];
  if (row.size() <= ref.col) row.resize(ref.col + 1);
  row[ref.col] = std::move(value);
  return Status::Ok();
}

// Cells are placed by reference, so gaps become empty strings; only
// non-empty values are placed, which trims trailing empty cells and rows.
StatusOr<std::vector<Row>> parse_sheet(const pugi::xml_document& doc, std::string_view part,
                                       std::string_view sheet_name, ReadContext& ctx) {
  std::vector<Row> rows;
  pugi::xml_node sheet_data = child_element(doc.document_element(), "sheetData");
  std::size_t next_row = 0;  // where a <row> without r="" goes
  for (pugi::xml_node row : sheet_data.children()) {
    if (row.type() != pugi::node_element || local_name(row) != "row") continue;
    std::size_t row_index = next_row;
    if (pugi::xml_attribute r = row.attribute("r")) {
      std::optional<std::size_t> number = parse_index(trim_ascii(r.value()), kMaxRows + 1);
      if (!number || *number == 0) {
        return bad_xlsx(fmt::format("{} 中的行号“{}”无效", shown(part),
                                    model::sanitize_for_message(r.value())));
      }
      row_index = *number - 1;
    }
    if (row_index >= kMaxRows) return too_large("工作表超过 1048576 行");
    next_row = row_index + 1;

    std::size_t next_col = 0;  // where a <c> without r="" goes
    for (pugi::xml_node cell : row.children()) {
      if (cell.type() != pugi::node_element || local_name(cell) != "c") continue;
      CellRef ref{row_index, next_col};
      if (pugi::xml_attribute r = cell.attribute("r")) {
        ASSIGN_OR_RETURN(ref, parse_cell_ref(r.value(), part));
      }
      if (ref.col >= kMaxCols) return too_large("工作表超过 16384 列");
      next_col = ref.col + 1;
      ASSIGN_OR_RETURN(std::string value, cell_value(cell, ctx, part, ref));
      if (value.empty()) continue;
      if (!model::is_valid_utf8(value)) {
        return bad_xlsx(fmt::format("工作表“{}”的单元格 {} 不是有效的 UTF-8 文本",
                                    model::sanitize_for_message(sheet_name),
                                    cell_name(ref.row, ref.col)));
      }
      RETURN_IF_ERROR(place_cell(rows, ref, std::move(value), ctx));
    }
  }
  return rows;
}

// "worksheets/sheet1.xml" against "xl/" → "xl/worksheets/sheet1.xml";
// "/xl/worksheets/sheet1.xml" is already absolute. Handles ".", ".." and %XX.
std::string resolve_target(std::string_view base_dir, std::string_view target) {
  std::string joined;
  if (!target.empty() && target.front() == '/') {
    joined = target.substr(1);
  } else {
    joined = std::string(base_dir) + std::string(target);
  }
  std::string decoded;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (joined[i] == '%' && i + 2 < joined.size() && is_hex(joined[i + 1]) &&
        is_hex(joined[i + 2])) {
      unsigned byte = 0;
      std::from_chars(joined.data() + i + 1, joined.data() + i + 3, byte, 16);
      decoded += static_cast<char>(byte);
      i += 2;
    } else {
      decoded += joined[i] == '\\' ? '/' : joined[i];
    }
  }
  std::vector<std::string_view> segments;
  std::string_view rest = decoded;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string path;
  for (std::string_view segment : segments) {
    if (!path.empty()) path += '/';
    path += segment;
  }
  return path;
}

struct Relationship {
  std::string type;
  std::string target;  // resolved part name
};

// Relationships of the part in `dir`, by Id; external links are left out.
StatusOr<std::map<std::string, Relationship>> load_relationships(Archive& archive,
                                                                 const std::string& rels_name,
                                                                 std::string_view dir) {
  XmlPart part;
  RETURN_IF_ERROR(load_required_xml(archive, rels_name, part));
  std::map<std::string, Relationship> rels;
  for (pugi::xml_node rel : part.doc.document_element().children()) {
    if (rel.type() != pugi::node_element || local_name(rel) != "Relationship") continue;
    if (std::string_view(rel.attribute("TargetMode").value()) == "External") continue;
    rels.emplace(rel.attribute("Id").value(),
                 Relationship{rel.attribute("Type").value(),
                              resolve_target(dir, rel.attribute("Target").value())});
  }
  return rels;
}

bool has_type(const Relationship& rel, std::string_view suffix) {
  return rel.type.size() >= suffix.size() &&
         std::string_view(rel.type).substr(rel.type.size() - suffix.size()) == suffix;
}

// The workbook part is named by the package's officeDocument relationship;
// nearly always xl/workbook.xml, which is also the fallback.
StatusOr<std::string> find_workbook_part(Archive& archive) {
  std::string name = "xl/workbook.xml";
  if (archive.find("_rels/.rels") == nullptr) return name;
  ASSIGN_OR_RETURN(auto rels, load_relationships(archive, "_rels/.rels", ""));
  for (const auto& [id, rel] : rels) {
    if (has_type(rel, "/officeDocument") && archive.find(rel.target) != nullptr) {
      return rel.target;
    }
  }
  return name;
}

// Shared strings are optional: a workbook of numbers has none, and a
// declared but missing part only matters if a cell refers to it, which
// cell_value reports.
Status load_shared_strings(Archive& archive, const std::map<std::string, Relationship>& rels,
                           const std::string& dir, ReadContext& ctx) {
  std::string name = dir + "sharedStrings.xml";
  for (const auto& [id, rel] : rels) {
    if (has_type(rel, "/sharedStrings")) name = rel.target;
  }
  const Archive::Entry* entry = archive.find(name);
  if (entry == nullptr) return Status::Ok();
  XmlPart part;
  RETURN_IF_ERROR(load_xml(archive, *entry, part));
  for (pugi::xml_node si : part.doc.document_element().children()) {
    if (si.type() == pugi::node_element && local_name(si) == "si") {
      ctx.shared_strings.push_back(rich_text(si));
    }
  }
  return Status::Ok();
}

struct SheetEntry {
  std::string name;
  std::string rel_id;
};

// Sheet names and relationship ids from the workbook part, in tab order.
StatusOr<std::vector<SheetEntry>> load_sheet_list(Archive& archive, const std::string& name) {
  XmlPart part;
  RETURN_IF_ERROR(load_required_xml(archive, name, part));
  pugi::xml_node root = part.doc.document_element();
  if (local_name(root) != "workbook") return bad_xlsx(fmt::format("{} 不是工作簿", shown(name)));
  pugi::xml_node sheets = child_element(root, "sheets");
  if (!sheets) return bad_xlsx(fmt::format("{} 中没有工作表列表", shown(name)));
  std::vector<SheetEntry> entries;
  for (pugi::xml_node sheet : sheets.children()) {
    if (sheet.type() != pugi::node_element || local_name(sheet) != "sheet") continue;
    SheetEntry entry{sheet.attribute("name").value(), relationship_id(sheet).value()};
    if (!model::is_valid_utf8(entry.name)) return bad_xlsx("工作表名称不是有效的 UTF-8 文本");
    entries.push_back(std::move(entry));
  }
  return entries;
}

StatusOr<Workbook> read_workbook(std::string_view bytes) {
  if (bytes.empty()) return bad_xlsx("文件为空");
  if (bytes.size() > kMaxXlsxBytes) return too_large("超过 64 MiB");

  ASSIGN_OR_RETURN(TempFile file, TempFile::create());
  RETURN_IF_ERROR(write_file(file.path(), bytes));
  Archive archive;
  RETURN_IF_ERROR(archive.open(file.path()));

  ASSIGN_OR_RETURN(std::string workbook_name, find_workbook_part(archive));
  ASSIGN_OR_RETURN(std::vector<SheetEntry> entries, load_sheet_list(archive, workbook_name));
  std::size_t slash = workbook_name.rfind('/');
  std::string dir = slash == std::string::npos ? "" : workbook_name.substr(0, slash + 1);
  std::string base = workbook_name.substr(dir.size());
  ASSIGN_OR_RETURN(auto rels, load_relationships(archive, dir + "_rels/" + base + ".rels", dir));

  ReadContext ctx;
  RETURN_IF_ERROR(load_shared_strings(archive, rels, dir, ctx));

  Workbook book;
  for (SheetEntry& entry : entries) {
    auto rel = rels.find(entry.rel_id);
    if (rel == rels.end()) {
      return bad_xlsx(fmt::format("找不到工作表“{}”的关系“{}”",
                                  model::sanitize_for_message(entry.name),
                                  model::sanitize_for_message(entry.rel_id)));
    }
    const std::string& part_name = rel->second.target;
    XmlPart part;
    RETURN_IF_ERROR(load_required_xml(archive, part_name, part));
    Sheet sheet;
    ASSIGN_OR_RETURN(sheet.rows, parse_sheet(part.doc, part_name, entry.name, ctx));
    sheet.name = std::move(entry.name);
    book.sheets.push_back(std::move(sheet));
  }
  return book;
}

}  // namespace

StatusOr<Workbook> read_xlsx(std::string_view bytes) {
  try {
    return read_workbook(bytes);
  } catch (const std::bad_alloc&) {
    return Internal("读取 Excel 文件时内存不足");
  } catch (const std::length_error&) {
    return Internal("读取 Excel 文件时内存不足");
  }
}

}  // namespace tianbao::exchange
