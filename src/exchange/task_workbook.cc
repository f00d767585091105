#include "exchange/task_workbook.h"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "exchange/xlsx.h"
#include "model/text.h"

namespace tianbao::exchange {

namespace {

// Keys of the hidden second row. Indicator codes are [A-Z][A-Z0-9_]*, so
// these lower-case keys never collide with one.
constexpr std::string_view kOrgKey = "orgUnit";
constexpr std::string_view kNameKey = "orgUnitName";
constexpr std::string_view kVersionKey = "version";
constexpr std::size_t kKeyRow = 1;
// How far down an uploaded sheet the key row is looked for (people may insert
// a title row above the header).
constexpr std::size_t kKeyRowSearch = 10;

constexpr double kCodeWidth = 12;
constexpr double kNameWidth = 24;
constexpr double kValueWidth = 16;
constexpr double kVersionWidth = 8;

std::string number_text(double v) {
  return fmt::format("{}", v);
}

std::string header_text(const model::Indicator& ind) {
  if (ind.unit.empty()) return ind.name;
  return fmt::format("{}（{}）", ind.name, ind.unit);
}

std::string header_note(const model::Indicator& ind) {
  std::string note = fmt::format("{}（{}）", ind.name, ind.code);
  if (!ind.guidance.empty()) note += fmt::format("\n填报说明：{}", ind.guidance);
  if (!ind.definition.empty()) note += fmt::format("\n口径说明：{}", ind.definition);
  return note;
}

bool numeric(const model::Indicator& ind) {
  return ind.value_type == model::ValueType::kInteger ||
         ind.value_type == model::ValueType::kNumber ||
         ind.value_type == model::ValueType::kPercent;
}

// What Excel says when it refuses a value: the kind of number, its unit and bounds.
NumberRule number_rule(const model::Indicator& ind, std::size_t col) {
  NumberRule rule{col, ind.value_type == model::ValueType::kInteger, ind.min, ind.max, {}};
  std::string what = rule.whole ? "整数" : "数字";
  if (!ind.unit.empty()) what += fmt::format("（单位：{}）", ind.unit);
  std::string bounds;
  if (ind.min && ind.max) {
    bounds = fmt::format("，在 {} 到 {} 之间", number_text(*ind.min), number_text(*ind.max));
  } else if (ind.min) {
    bounds = fmt::format("，不小于 {}", number_text(*ind.min));
  } else if (ind.max) {
    bounds = fmt::format("，不大于 {}", number_text(*ind.max));
  }
  rule.message = fmt::format("“{}”请填{}{}", ind.name, what, bounds);
  if (model::utf8_length(rule.message) > 255) rule.message = fmt::format("请填{}{}", what, bounds);
  return rule;
}

std::string cell_text(const service::SheetEntry& e, const model::Indicator& ind) {
  if (auto t = e.texts.find(ind.code); t != e.texts.end()) return t->second;
  auto n = e.numbers.find(ind.code);
  if (n == e.numbers.end()) return {};
  if (ind.value_type == model::ValueType::kBoolean) return n->second != 0 ? "是" : "否";
  return number_text(n->second);
}

std::string_view trim_spaces(std::string_view s) {
  return model::trim(s);
}

std::optional<std::int64_t> parse_version(std::string_view text) {
  text = trim_spaces(text);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

struct Columns {
  std::size_t org = 0;
  std::optional<std::size_t> version;
  std::vector<std::pair<std::size_t, std::string>> indicators;  // column, code
};

const std::string& at(const Row& row, std::size_t col) {
  static const std::string kEmpty;
  return col < row.size() ? row[col] : kEmpty;
}

// The key row of a sheet and what its columns are, or nullopt if the sheet
// is not a template (e.g. a notes sheet people added).
StatusOr<std::optional<std::pair<std::size_t, Columns>>> find_columns(const Sheet& sheet) {
  for (std::size_t r = 0; r < sheet.rows.size() && r < kKeyRowSearch; ++r) {
    const Row& row = sheet.rows[r];
    std::optional<std::size_t> org;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (trim_spaces(row[c]) == kOrgKey) org = c;
    }
    if (!org) continue;
    Columns columns;
    columns.org = *org;
    std::map<std::string, std::size_t> taken;
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string key(trim_spaces(row[c]));
      if (key.empty() || c == *org || key == kNameKey) continue;
      auto [it, fresh] = taken.emplace(key, c);
      if (!fresh) {
        return InvalidArgument(
            fmt::format("工作表“{}”的 {} 列和 {} 列是同一个指标 {}，请删去一列",
                        model::sanitize_for_message(sheet.name), column_name(it->second),
                        column_name(c), model::sanitize_for_message(key)),
            "file", "duplicate_column");
      }
      if (key == kVersionKey) {
        columns.version = c;
      } else {
        columns.indicators.emplace_back(c, std::move(key));
      }
    }
    return std::make_optional(std::make_pair(r, std::move(columns)));
  }
  return std::optional<std::pair<std::size_t, Columns>>();
}

}  // namespace

StatusOr<std::string> task_workbook_xlsx(const service::TaskSheet& task) {
  Sheet sheet;
  sheet.name = task.form->name;
  sheet.protect_header = true;
  Row header = {"单位代码", "单位名称"};
  Row keys = {std::string(kOrgKey), std::string(kNameKey)};
  sheet.column_widths = {kCodeWidth, kNameWidth};
  sheet.locked_columns = {0, 1};
  std::vector<const model::Indicator*> columns;
  for (const std::string& code : task.form->indicator_codes()) {
    const model::Indicator* ind = task.catalogue->indicator(code);
    if (!ind || ind->derived()) continue;
    std::size_t col = header.size();
    header.push_back(header_text(*ind));
    keys.push_back(ind->code);
    sheet.column_widths.push_back(kValueWidth);
    sheet.notes.push_back({0, col, header_note(*ind)});
    if (numeric(*ind)) {
      sheet.numeric_columns.push_back(col);
      sheet.number_rules.push_back(number_rule(*ind, col));
    }
    columns.push_back(ind);
  }
  std::size_t version_col = header.size();
  header.push_back("版本");
  keys.push_back(std::string(kVersionKey));
  sheet.column_widths.push_back(kVersionWidth);
  sheet.hidden_columns = {version_col};
  sheet.locked_columns.push_back(version_col);
  sheet.hidden_rows = {kKeyRow};
  sheet.locked_rows = {kKeyRow};
  sheet.rows = {std::move(header), std::move(keys)};
  for (const service::SheetEntry& e : task.entries) {
    Row row = {e.entry.org_code, e.org_name};
    for (const model::Indicator* ind : columns) row.push_back(cell_text(e, *ind));
    row.push_back(std::to_string(e.entry.version));
    if (!e.can_edit) sheet.locked_rows.push_back(sheet.rows.size());
    sheet.rows.push_back(std::move(row));
  }
  Workbook book;
  book.sheets.push_back(std::move(sheet));
  return write_xlsx(book);
}

StatusOr<TaskUpload> read_task_workbook(std::string_view bytes) {
  ASSIGN_OR_RETURN(Workbook book, read_xlsx(bytes));
  TaskUpload upload;
  bool any_template = false;
  for (const Sheet& sheet : book.sheets) {
    ASSIGN_OR_RETURN(auto found, find_columns(sheet));
    if (!found) continue;
    any_template = true;
    const auto& [key_row, columns] = *found;
    for (std::size_t r = key_row + 1; r < sheet.rows.size(); ++r) {
      const Row& row = sheet.rows[r];
      std::string org(trim_spaces(at(row, columns.org)));
      bool has_values = false;
      for (const auto& [col, code] : columns.indicators) {
        if (!trim_spaces(at(row, col)).empty()) has_values = true;
      }
      if (org.empty()) {
        if (has_values) {
          upload.problems.push_back({sheet.name, cell_name(r, columns.org), "required",
                                     fmt::format("第 {} 行填了数据但没有单位代码", r + 1)});
        }
        continue;
      }
      UploadedRow out;
      out.sheet = sheet.name;
      out.row = r + 1;
      out.org_cell = cell_name(r, columns.org);
      out.upload.org_code = std::move(org);
      if (columns.version) out.upload.version = parse_version(at(row, *columns.version));
      for (const auto& [col, code] : columns.indicators) {
        std::string_view raw = trim_spaces(at(row, col));
        out.cells[code] = cell_name(r, col);
        out.upload.fields.push_back(
            {code, raw.empty() ? std::nullopt : std::optional<std::string>(std::string(raw))});
      }
      upload.rows.push_back(std::move(out));
    }
  }
  if (!any_template) {
    return InvalidArgument(
        "文件中没有找到填报模板的代码行（模板第 2 行，已隐藏）；请先下载本任务的 Excel "
        "模板，在模板上填写后再上传",
        "file", "not_a_template");
  }
  return upload;
}

}  // namespace tianbao::exchange
