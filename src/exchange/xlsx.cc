#include "exchange/xlsx.h"

#include <stdlib.h>  // mkstemp
#include <unistd.h>  // close

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <minizip/unzip.h>
#include <xlsxwriter.h>
#include <pugixml.hpp>

#include "exchange/xml_names.h"
#include "model/text.h"

namespace tianbao::exchange {

namespace {

// Excel's own sheet limits (the same numbers libxlsxwriter enforces).
constexpr std::size_t kMaxRows = LXW_ROW_MAX;  // 1,048,576
constexpr std::size_t kMaxCols = LXW_COL_MAX;  // 16,384
constexpr std::size_t kMaxCellChars = 32767;
constexpr std::size_t kMaxSheetNameUnits = 31;  // Excel counts UTF-16 code units

// Budgets that bound a read beyond the per-part cap: several sheets may point
// at the same huge part, and a single cell at column XFD makes us fill 16,383
// empty cells before it, so the output, not only the input, must be capped.
constexpr std::size_t kMaxZipEntries = 65536;
constexpr std::size_t kMaxTotalPartBytes = 4 * kMaxXlsxPartBytes;
constexpr std::size_t kMaxCells = std::size_t{1} << 24;  // rows + cells, gaps included

constexpr std::string_view kForbiddenSheetChars = "[]:*?/\\";

// ---------------------------------------------------------------------------
// Shared helpers.

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Length of the UTF-8 sequence led by `lead`; callers have validated the text.
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A file under the system temp directory, removed when this goes out of scope.
// libxlsxwriter 1.1.4 can only write to a path and unzOpen64 only opens one.
class TempFile {
 public:
  static StatusOr<TempFile> create() {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) return Internal(fmt::format("找不到临时目录：{}", ec.message()));
    std::string path = (dir / "tianbao-xlsx-XXXXXX").string();
    int fd = ::mkstemp(path.data());
    if (fd < 0) {
      return Internal(fmt::format("无法创建临时文件：{}",
                                  std::error_code(errno, std::generic_category()).message()));
    }
    ::close(fd);
    return TempFile(std::move(path));
  }

  TempFile(TempFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);  // best effort: nothing useful to do on failure
  }

  const std::string& path() const { return path_; }

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

Status write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Internal("写入临时文件失败");
  return Status::Ok();
}

StatusOr<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("无法读取生成的 Excel 临时文件");
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) return Internal("无法读取生成的 Excel 临时文件");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (in.gcount() != size) return Internal("无法读取生成的 Excel 临时文件");
  return bytes;
}

// ---------------------------------------------------------------------------
// Writing.

struct WorkbookDeleter {
  // lxw_workbook_free discards the workbook without writing the file, which
  // is what every early return wants; the success path calls workbook_close.
  void operator()(lxw_workbook* book) const { lxw_workbook_free(book); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookDeleter>;

Status lxw_status(lxw_error err, std::string_view what) {
  if (err == LXW_NO_ERROR) return Status::Ok();
  return Internal(fmt::format("生成 Excel 文件失败（{}：{}）", what, lxw_strerror(err)));
}

// Text handed to libxlsxwriter must be valid UTF-8 (it is copied into XML
// verbatim) and free of NUL (the C API would silently cut it there).
// `where` is only called on failure, so the happy path formats nothing.
template <typename Where>
Status check_text(std::string_view text, Where where) {
  if (!model::is_valid_utf8(text)) {
    return InvalidArgument(fmt::format("{}不是有效的 UTF-8 文本", where()), "sheets",
                           "invalid_utf8");
  }
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgument(fmt::format("{}含有空字符（\\0）", where()), "sheets", "invalid_text");
  }
  if (text.size() > kMaxCellChars && model::utf8_length(text) > kMaxCellChars) {
    return InvalidArgument(fmt::format("{}超过 Excel 上限 32767 个字符", where()), "sheets",
                           "xlsx_cell_too_long");
  }
  return Status::Ok();
}

// Prefix of `s` holding at most `max_units` UTF-16 code units, cut at a
// character boundary (Excel measures sheet names in UTF-16).
std::string truncate_utf16(std::string_view s, std::size_t max_units) {
  std::size_t units = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = utf8_sequence_length(static_cast<unsigned char>(s[i]));
    std::size_t need = len == 4 ? 2 : 1;
    if (units + need > max_units) break;
    units += need;
    i += len;
  }
  return std::string(s.substr(0, i));
}

// Makes `name` acceptable to Excel: no []:*?/\, not empty, at most 31
// characters, no apostrophe at either end, not the reserved "History".
std::string sanitize_sheet_name(std::string_view name, std::size_t index) {
  std::string out = truncate_utf16(name, kMaxSheetNameUnits);
  for (char& c : out) {
    if (kForbiddenSheetChars.find(c) != std::string_view::npos) c = '_';
  }
  if (!out.empty() && out.front() == '\'') out.front() = '_';
  if (!out.empty() && out.back() == '\'') out.back() = '_';
  if (out.empty()) out = fmt::format("Sheet{}", index + 1);
  if (ascii_lower(out) == "history") out += '_';
  return out;
}

// Excel compares sheet names case-insensitively, so "Data" and "DATA" clash;
// the second becomes "DATA (2)" as Excel itself names a copied sheet.
std::string unique_sheet_name(const std::string& name, std::set<std::string>& taken) {
  if (taken.insert(ascii_lower(name)).second) return name;
  for (std::size_t n = 2;; ++n) {
    std::string suffix = fmt::format(" ({})", n);
    std::string candidate = truncate_utf16(name, kMaxSheetNameUnits - suffix.size()) + suffix;
    if (taken.insert(ascii_lower(candidate)).second) return candidate;
  }
}

// A cell of a numeric column becomes a number only if all of it parses:
// "12.5" does, "12.5 元" and "inf" stay text.
std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// True if s[i..] reads "_xHHHH_", OOXML's escape for one UTF-16 code unit.
bool is_xstring_escape(std::string_view s, std::size_t i) {
  return s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && is_hex(s[i + 2]) &&
         is_hex(s[i + 3]) && is_hex(s[i + 4]) && is_hex(s[i + 5]) && s[i + 6] == '_';
}

// Control characters XML cannot hold (below U+0020 but tab and line feed;
// a carriage return would be folded by the XML parser's line-end handling).
// OOXML writes each as "_xHHHH_".
bool needs_xstring_escape(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\n';
}

// Text as OOXML's ST_Xstring stores it: control characters as "_xHHHH_"
// (done here rather than by libxlsxwriter, which would do it after us), and
// the underscore of anything that would then read as such an escape as
// "_x005F_", as Excel does, so that a literal "_x0041_" is not read back as
// "A". "Would read": "_x0021" followed by a control character counts too,
// since the character's escape supplies the closing underscore.
std::string escape_xstring(const std::string& text) {
  if (text.find("_x") == std::string::npos &&
      std::none_of(text.begin(), text.end(), needs_xstring_escape)) {
    return text;
  }
  std::string out;
  out.reserve(text.size() + 14);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (needs_xstring_escape(c)) {
      out += fmt::format("_x{:04X}_", static_cast<unsigned char>(c));
    } else if (c == '_' && i + 6 < text.size() && text[i + 1] == 'x' && is_hex(text[i + 2]) &&
               is_hex(text[i + 3]) && is_hex(text[i + 4]) && is_hex(text[i + 5]) &&
               (text[i + 6] == '_' || needs_xstring_escape(text[i + 6]))) {
      out += "_x005F_";
    } else {
      out += c;
    }
  }
  return out;
}

struct Formats {
  lxw_format* header = nullptr;    // bold; locked (the default)
  lxw_format* unlocked = nullptr;  // data cells of a protected sheet
  lxw_format* key = nullptr;       // locked columns: locked, light fill
  lxw_format* readonly = nullptr;  // locked rows: locked, grey fill and text
};

constexpr lxw_color_t kKeyFill = 0xF2F2F2;
constexpr lxw_color_t kReadonlyFill = 0xD9D9D9;
constexpr lxw_color_t kReadonlyText = 0x595959;
constexpr std::size_t kMaxValidationMessageChars = 255;  // Excel's limit

Status check_sheet(const Sheet& sheet, std::size_t index) {
  auto sheet_where = [&] { return fmt::format("第 {} 个工作表的名称", index + 1); };
  RETURN_IF_ERROR(check_text(sheet.name, sheet_where));
  std::string label = model::sanitize_for_message(sheet.name);
  if (sheet.rows.size() > kMaxRows) {
    return InvalidArgument(fmt::format("工作表“{}”超过 Excel 上限 1048576 行", label), "sheets",
                           "xlsx_too_large");
  }
  for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
    const Row& row = sheet.rows[r];
    if (row.size() > kMaxCols) {
      return InvalidArgument(
          fmt::format("工作表“{}”第 {} 行超过 Excel 上限 16384 列", label, r + 1), "sheets",
          "xlsx_too_large");
    }
    for (std::size_t c = 0; c < row.size(); ++c) {
      RETURN_IF_ERROR(check_text(
          row[c], [&] { return fmt::format("工作表“{}”的单元格 {} ", label, cell_name(r, c)); }));
    }
  }
  for (const CellNote& note : sheet.notes) {
    if (note.row >= kMaxRows || note.col >= kMaxCols) {
      return InvalidArgument(fmt::format("工作表“{}”的批注位置超出 Excel 范围", label), "sheets",
                             "invalid_argument");
    }
    RETURN_IF_ERROR(check_text(note.text, [&] {
      return fmt::format("工作表“{}”单元格 {} 的批注", label, cell_name(note.row, note.col));
    }));
  }
  if (sheet.column_widths.size() > kMaxCols) {
    return InvalidArgument(fmt::format("工作表“{}”的列宽超过 16384 列", label), "sheets",
                           "xlsx_too_large");
  }
  for (double width : sheet.column_widths) {
    if (!(width >= 0 && width <= 255)) {  // also refuses NaN
      return InvalidArgument(fmt::format("工作表“{}”的列宽必须在 0～255 之间", label), "sheets",
                             "invalid_argument");
    }
  }
  auto outside = [&](const std::vector<std::size_t>& indexes, std::size_t limit) {
    return std::any_of(indexes.begin(), indexes.end(), [&](std::size_t i) { return i >= limit; });
  };
  std::vector<std::size_t> rule_columns;
  for (const NumberRule& rule : sheet.number_rules) {
    rule_columns.push_back(rule.col);
    RETURN_IF_ERROR(check_text(rule.message, [&] {
      return fmt::format("工作表“{}”第 {} 列的验证提示", label, rule.col + 1);
    }));
    if (model::utf8_length(rule.message) > kMaxValidationMessageChars) {
      return InvalidArgument(fmt::format("工作表“{}”的验证提示超过 255 个字", label), "sheets",
                             "invalid_argument");
    }
  }
  if (outside(sheet.numeric_columns, kMaxCols) || outside(rule_columns, kMaxCols) ||
      outside(sheet.hidden_columns, kMaxCols) || outside(sheet.locked_columns, kMaxCols) ||
      outside(sheet.hidden_rows, kMaxRows) || outside(sheet.locked_rows, kMaxRows)) {
    return InvalidArgument(fmt::format("工作表“{}”的行或列设置超出 Excel 范围", label), "sheets",
                           "invalid_argument");
  }
  return Status::Ok();
}

bool contains(const std::vector<std::size_t>& indexes, std::size_t i) {
  return std::find(indexes.begin(), indexes.end(), i) != indexes.end();
}

// Data validation for one numeric column, from its rule if it has one.
lxw_data_validation number_validation(const NumberRule* rule, std::string& message) {
  constexpr double kExcelMax = 9.99999999999999e307;  // Excel's own range
  lxw_data_validation v{};
  v.validate = rule && rule->whole ? LXW_VALIDATION_TYPE_INTEGER : LXW_VALIDATION_TYPE_DECIMAL;
  v.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
  v.minimum_number = rule && rule->min ? *rule->min : -kExcelMax;
  v.maximum_number = rule && rule->max ? *rule->max : kExcelMax;
  message = rule && !rule->message.empty() ? rule->message : "请输入数字";
  return v;
}

Status write_sheet(lxw_workbook* book, const Sheet& sheet, const std::string& name,
                   const Formats& formats) {
  lxw_worksheet* ws = workbook_add_worksheet(book, name.c_str());
  if (ws == nullptr) return Internal(fmt::format("无法添加工作表“{}”", name));

  // Protection only makes sense with a header to protect. Data cells get an
  // unlocked format, and so do the table's whole columns, so that rows people
  // add below the written data stay editable; the header row's own format
  // keeps it locked. Columns right of the table stay locked (and unformatted:
  // formatting all 16,384 would stretch the sheet's used range to XFD).
  const bool protect = sheet.header_row && sheet.protect_header;
  lxw_format* data_format = protect ? formats.unlocked : nullptr;

  std::size_t table_cols = sheet.column_widths.size();
  for (const Row& row : sheet.rows) table_cols = std::max(table_cols, row.size());
  for (std::size_t c : sheet.hidden_columns) table_cols = std::max(table_cols, c + 1);
  for (std::size_t c = 0; c < table_cols; ++c) {
    bool has_width = c < sheet.column_widths.size();
    bool hidden = contains(sheet.hidden_columns, c);
    if (!has_width && !protect && !hidden) continue;
    double width = has_width ? sheet.column_widths[c] : LXW_DEF_COL_WIDTH;
    lxw_format* format = protect && contains(sheet.locked_columns, c) ? formats.key : data_format;
    lxw_row_col_options options{};
    options.hidden = hidden ? LXW_TRUE : LXW_FALSE;
    auto col = static_cast<lxw_col_t>(c);
    RETURN_IF_ERROR(
        lxw_status(worksheet_set_column_opt(ws, col, col, width, format, &options), "列宽"));
  }
  if (sheet.header_row) {
    worksheet_freeze_panes(ws, 1, 0);
    if (protect) {
      RETURN_IF_ERROR(
          lxw_status(worksheet_set_row(ws, 0, LXW_DEF_ROW_HEIGHT, formats.header), "表头格式"));
    }
  }
  std::set<std::size_t> special_rows(sheet.hidden_rows.begin(), sheet.hidden_rows.end());
  if (protect) special_rows.insert(sheet.locked_rows.begin(), sheet.locked_rows.end());
  for (std::size_t r : special_rows) {
    lxw_row_col_options options{};
    options.hidden = contains(sheet.hidden_rows, r) ? LXW_TRUE : LXW_FALSE;
    lxw_format* format = protect && contains(sheet.locked_rows, r) ? formats.readonly : nullptr;
    RETURN_IF_ERROR(lxw_status(
        worksheet_set_row_opt(ws, static_cast<lxw_row_t>(r), LXW_DEF_ROW_HEIGHT, format, &options),
        "行格式"));
  }

  std::vector<bool> numeric;
  for (std::size_t col : sheet.numeric_columns) {
    if (col >= numeric.size()) numeric.resize(col + 1, false);
    numeric[col] = true;
  }

  for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
    const bool is_header = sheet.header_row && r == 0;
    const bool locked_row = protect && contains(sheet.locked_rows, r);
    const Row& row = sheet.rows[r];
    for (std::size_t c = 0; c < row.size(); ++c) {
      lxw_format* format = is_header                                      ? formats.header
                           : locked_row                                   ? formats.readonly
                           : protect && contains(sheet.locked_columns, c) ? formats.key
                                                                          : data_format;
      auto row_num = static_cast<lxw_row_t>(r);
      auto col_num = static_cast<lxw_col_t>(c);
      lxw_error err = LXW_NO_ERROR;
      std::optional<double> number;
      if (!is_header && c < numeric.size() && numeric[c]) number = parse_number(row[c]);
      if (number) {
        err = worksheet_write_number(ws, row_num, col_num, *number, format);
      } else {
        err = worksheet_write_string(ws, row_num, col_num, escape_xstring(row[c]).c_str(), format);
      }
      RETURN_IF_ERROR(lxw_status(err, "单元格"));
    }
  }

  for (const CellRange& m : sheet.merges) {
    if (m.first_row >= sheet.rows.size() || m.first_col >= sheet.rows[m.first_row].size()) continue;
    lxw_format* format = sheet.header_row && m.first_row == 0 ? formats.header : data_format;
    RETURN_IF_ERROR(
        lxw_status(worksheet_merge_range(
                       ws, static_cast<lxw_row_t>(m.first_row), static_cast<lxw_col_t>(m.first_col),
                       static_cast<lxw_row_t>(m.last_row), static_cast<lxw_col_t>(m.last_col),
                       escape_xstring(sheet.rows[m.first_row][m.first_col]).c_str(), format),
                   "合并单元格"));
  }

  // Two notes on one cell would make two comments Excel refuses; join them.
  std::map<std::pair<std::size_t, std::size_t>, std::string> notes;
  for (const CellNote& note : sheet.notes) {
    std::string& text = notes[{note.row, note.col}];
    if (!text.empty()) text += '\n';
    text += note.text;
  }
  for (const auto& [cell, text] : notes) {
    RETURN_IF_ERROR(lxw_status(
        worksheet_write_comment(ws, static_cast<lxw_row_t>(cell.first),
                                static_cast<lxw_col_t>(cell.second), escape_xstring(text).c_str()),
        "批注"));
  }

  // Validation covers the column down to the last row, not only the rows
  // written, so numbers typed into a template later are checked as well.
  std::string error_title = "输入有误";
  const std::set<std::size_t> numeric_columns(sheet.numeric_columns.begin(),
                                              sheet.numeric_columns.end());
  for (std::size_t col : numeric_columns) {
    const NumberRule* rule = nullptr;
    for (const NumberRule& r : sheet.number_rules) {
      if (r.col == col) rule = &r;
    }
    std::string error_message;
    lxw_data_validation validation = number_validation(rule, error_message);
    validation.error_title = error_title.data();
    validation.error_message = error_message.data();
    auto col_num = static_cast<lxw_col_t>(col);
    RETURN_IF_ERROR(lxw_status(
        worksheet_data_validation_range(ws, sheet.header_row ? 1 : 0, col_num,
                                        static_cast<lxw_row_t>(kMaxRows - 1), col_num, &validation),
        "数据验证"));
  }

  if (protect) {
    lxw_protection options{};
    options.format_columns = LXW_TRUE;  // people may still widen columns and rows
    options.format_rows = LXW_TRUE;
    worksheet_protect(ws, nullptr, &options);
  }
  return Status::Ok();
}

StatusOr<std::string> write_workbook(const Workbook& book) {
  if (book.sheets.empty()) {
    return InvalidArgument("工作簿至少需要一个工作表", "sheets", "invalid_argument");
  }
  for (std::size_t i = 0; i < book.sheets.size(); ++i) {
    RETURN_IF_ERROR(check_sheet(book.sheets[i], i));
  }

  ASSIGN_OR_RETURN(TempFile file, TempFile::create());
  lxw_workbook_options options{};
  WorkbookPtr wb(workbook_new_opt(file.path().c_str(), &options));
  if (!wb) return Internal("无法创建 Excel 工作簿");

  Formats formats;
  formats.header = workbook_add_format(wb.get());
  formats.unlocked = workbook_add_format(wb.get());
  if (formats.header == nullptr || formats.unlocked == nullptr) {
    return Internal("无法创建 Excel 单元格格式");
  }
  formats.key = workbook_add_format(wb.get());
  formats.readonly = workbook_add_format(wb.get());
  if (formats.key == nullptr || formats.readonly == nullptr) {
    return Internal("无法创建 Excel 单元格格式");
  }
  format_set_bold(formats.header);
  format_set_unlocked(formats.unlocked);
  format_set_bg_color(formats.key, kKeyFill);
  format_set_bg_color(formats.readonly, kReadonlyFill);
  format_set_font_color(formats.readonly, kReadonlyText);

  std::set<std::string> taken;
  for (std::size_t i = 0; i < book.sheets.size(); ++i) {
    const Sheet& sheet = book.sheets[i];
    std::string name = unique_sheet_name(sanitize_sheet_name(sheet.name, i), taken);
    RETURN_IF_ERROR(write_sheet(wb.get(), sheet, name, formats));
  }

  // workbook_close writes the file and frees the workbook even when it fails.
  RETURN_IF_ERROR(lxw_status(workbook_close(wb.release()), "保存"));
  return read_file(file.path());
}

// ---------------------------------------------------------------------------
// Reading.

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
        append_utf8(cp, out);
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

std::string column_name(std::size_t col) {
  std::string name;
  for (std::size_t n = col + 1; n > 0; n = (n - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return name;
}

std::string cell_name(std::size_t row, std::size_t col) {
  return fmt::format("{}{}", column_name(col), row + 1);
}

// Only allocation can throw below (bad_alloc, or length_error for an absurd
// size); it is reported as a Status rather than let out of the module.
StatusOr<std::string> write_xlsx(const Workbook& book) {
  try {
    return write_workbook(book);
  } catch (const std::bad_alloc&) {
    return Internal("生成 Excel 文件时内存不足");
  } catch (const std::length_error&) {
    return Internal("生成 Excel 文件时内存不足");
  }
}

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
