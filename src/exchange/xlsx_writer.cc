// Writing XLSX with libxlsxwriter: sheet names made acceptable to Excel,
// text escaped as OOXML stores it, formats, protection and validation.
// Reading is xlsx_reader.cc's.
#include "exchange/xlsx.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "exchange/xlsx_shared.h"
#include "model/text.h"

namespace tianbao::exchange {

namespace {

using xlsx_internal::ascii_lower;
using xlsx_internal::is_hex;
using xlsx_internal::kMaxCols;
using xlsx_internal::kMaxRows;
using xlsx_internal::read_file;
using xlsx_internal::TempFile;

constexpr std::size_t kMaxCellChars = 32767;
constexpr std::size_t kMaxSheetNameUnits = 31;  // Excel counts UTF-16 code units
constexpr std::string_view kForbiddenSheetChars = "[]:*?/\\";

// Length of the UTF-8 sequence led by `lead`; callers have validated the text.
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

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

// Writes one sheet's parts in the order libxlsxwriter needs: column and row
// formats, cells, merges, notes, validation, protection.
class SheetWriter {
 public:
  SheetWriter(lxw_worksheet* ws, const Sheet& sheet, const Formats& formats)
      : ws_(ws),
        sheet_(sheet),
        formats_(formats),
        // Protection only makes sense with a header to protect.
        protect_(sheet.header_row && sheet.protect_header),
        data_format_(protect_ ? formats.unlocked : nullptr) {}

  Status write() {
    RETURN_IF_ERROR(columns());
    RETURN_IF_ERROR(rows());
    RETURN_IF_ERROR(cells());
    RETURN_IF_ERROR(merges());
    RETURN_IF_ERROR(notes());
    RETURN_IF_ERROR(validations());
    if (protect_) {
      lxw_protection options{};
      options.format_columns = LXW_TRUE;  // people may still widen columns and rows
      options.format_rows = LXW_TRUE;
      worksheet_protect(ws_, nullptr, &options);
    }
    return Status::Ok();
  }

 private:
  // Data cells of a protected sheet get an unlocked format, and so do the
  // table's whole columns, so that rows people add below the written data
  // stay editable; the header row's own format keeps it locked. Columns
  // right of the table stay locked (and unformatted: formatting all 16,384
  // would stretch the sheet's used range to XFD).
  Status columns() {
    const Sheet& sheet = sheet_;
    std::size_t table_cols = sheet.column_widths.size();
    for (const Row& row : sheet.rows) table_cols = std::max(table_cols, row.size());
    for (std::size_t c : sheet.hidden_columns) table_cols = std::max(table_cols, c + 1);
    for (std::size_t c = 0; c < table_cols; ++c) {
      bool has_width = c < sheet.column_widths.size();
      bool hidden = contains(sheet.hidden_columns, c);
      if (!has_width && !protect_ && !hidden) continue;
      double width = has_width ? sheet.column_widths[c] : LXW_DEF_COL_WIDTH;
      lxw_format* format =
          protect_ && contains(sheet.locked_columns, c) ? formats_.key : data_format_;
      lxw_row_col_options options{};
      options.hidden = hidden ? LXW_TRUE : LXW_FALSE;
      auto col = static_cast<lxw_col_t>(c);
      RETURN_IF_ERROR(
          lxw_status(worksheet_set_column_opt(ws_, col, col, width, format, &options), "列宽"));
    }
    return Status::Ok();
  }

  // The frozen header, hidden rows and (protected) read-only rows.
  Status rows() {
    const Sheet& sheet = sheet_;
    if (sheet.header_row) {
      worksheet_freeze_panes(ws_, 1, 0);
      if (protect_) {
        RETURN_IF_ERROR(
            lxw_status(worksheet_set_row(ws_, 0, LXW_DEF_ROW_HEIGHT, formats_.header), "表头格式"));
      }
    }
    std::set<std::size_t> special_rows(sheet.hidden_rows.begin(), sheet.hidden_rows.end());
    if (protect_) special_rows.insert(sheet.locked_rows.begin(), sheet.locked_rows.end());
    for (std::size_t r : special_rows) {
      lxw_row_col_options options{};
      options.hidden = contains(sheet.hidden_rows, r) ? LXW_TRUE : LXW_FALSE;
      lxw_format* format = protect_ && contains(sheet.locked_rows, r) ? formats_.readonly : nullptr;
      RETURN_IF_ERROR(lxw_status(worksheet_set_row_opt(ws_, static_cast<lxw_row_t>(r),
                                                       LXW_DEF_ROW_HEIGHT, format, &options),
                                 "行格式"));
    }
    return Status::Ok();
  }

  // Every cell: numbers where a numeric column's text parses, else text.
  Status cells() {
    const Sheet& sheet = sheet_;
    std::vector<bool> numeric;
    for (std::size_t col : sheet.numeric_columns) {
      if (col >= numeric.size()) numeric.resize(col + 1, false);
      numeric[col] = true;
    }

    for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
      const bool is_header = sheet.header_row && r == 0;
      const bool locked_row = protect_ && contains(sheet.locked_rows, r);
      const Row& row = sheet.rows[r];
      for (std::size_t c = 0; c < row.size(); ++c) {
        lxw_format* format = is_header                                       ? formats_.header
                             : locked_row                                    ? formats_.readonly
                             : protect_ && contains(sheet.locked_columns, c) ? formats_.key
                                                                             : data_format_;
        auto row_num = static_cast<lxw_row_t>(r);
        auto col_num = static_cast<lxw_col_t>(c);
        lxw_error err = LXW_NO_ERROR;
        std::optional<double> number;
        if (!is_header && c < numeric.size() && numeric[c]) number = parse_number(row[c]);
        if (number) {
          err = worksheet_write_number(ws_, row_num, col_num, *number, format);
        } else {
          err =
              worksheet_write_string(ws_, row_num, col_num, escape_xstring(row[c]).c_str(), format);
        }
        RETURN_IF_ERROR(lxw_status(err, "单元格"));
      }
    }
    return Status::Ok();
  }

  Status merges() {
    const Sheet& sheet = sheet_;
    for (const CellRange& m : sheet.merges) {
      if (m.first_row >= sheet.rows.size() || m.first_col >= sheet.rows[m.first_row].size())
        continue;
      lxw_format* format = sheet.header_row && m.first_row == 0 ? formats_.header : data_format_;
      RETURN_IF_ERROR(lxw_status(
          worksheet_merge_range(
              ws_, static_cast<lxw_row_t>(m.first_row), static_cast<lxw_col_t>(m.first_col),
              static_cast<lxw_row_t>(m.last_row), static_cast<lxw_col_t>(m.last_col),
              escape_xstring(sheet.rows[m.first_row][m.first_col]).c_str(), format),
          "合并单元格"));
    }
    return Status::Ok();
  }

  Status notes() {
    // Two notes on one cell would make two comments Excel refuses; join them.
    std::map<std::pair<std::size_t, std::size_t>, std::string> notes;
    for (const CellNote& note : sheet_.notes) {
      std::string& text = notes[{note.row, note.col}];
      if (!text.empty()) text += '\n';
      text += note.text;
    }
    for (const auto& [cell, text] : notes) {
      RETURN_IF_ERROR(lxw_status(worksheet_write_comment(ws_, static_cast<lxw_row_t>(cell.first),
                                                         static_cast<lxw_col_t>(cell.second),
                                                         escape_xstring(text).c_str()),
                                 "批注"));
    }
    return Status::Ok();
  }

  Status validations() {
    const Sheet& sheet = sheet_;
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
      RETURN_IF_ERROR(lxw_status(worksheet_data_validation_range(
                                     ws_, sheet.header_row ? 1 : 0, col_num,
                                     static_cast<lxw_row_t>(kMaxRows - 1), col_num, &validation),
                                 "数据验证"));
    }
    return Status::Ok();
  }

  lxw_worksheet* ws_;
  const Sheet& sheet_;
  const Formats& formats_;
  const bool protect_;
  lxw_format* const data_format_;
};

Status write_sheet(lxw_workbook* book, const Sheet& sheet, const std::string& name,
                   const Formats& formats) {
  lxw_worksheet* ws = workbook_add_worksheet(book, name.c_str());
  if (ws == nullptr) return Internal(fmt::format("无法添加工作表“{}”", name));
  return SheetWriter(ws, sheet, formats).write();
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

}  // namespace tianbao::exchange
