// libFuzzer target: the XLSX writer against the reader, as a task template
// goes out (GET /api/tasks/{id}/template.xlsx) and comes back filled. The
// input is a sheet: rows separated by 0x1E, cells by 0x1F. Whatever
// write_xlsx accepts must read back as the same text, cell for cell.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "exchange/xlsx.h"

namespace {

using tianbao::exchange::Row;

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

// As the reader gives a sheet back: no trailing empty cells or rows.
std::vector<Row> trimmed(std::vector<Row> rows) {
  for (Row& row : rows) {
    while (!row.empty() && row.back().empty()) row.pop_back();
  }
  while (!rows.empty() && rows.back().empty()) rows.pop_back();
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  tianbao::exchange::Sheet sheet;
  sheet.name = "填报";
  for (std::string_view line : split(input, '\x1E')) {
    Row row;
    for (std::string_view cell : split(line, '\x1F')) row.emplace_back(cell);
    sheet.rows.push_back(std::move(row));
  }
  // The template's settings: a protected header, a hidden key row.
  sheet.protect_header = true;
  sheet.hidden_rows = {1};
  sheet.locked_rows = {1};
  tianbao::exchange::Workbook book;
  book.sheets.push_back(sheet);
  auto bytes = tianbao::exchange::write_xlsx(book);
  if (!bytes.ok()) return 0;
  auto back = tianbao::exchange::read_xlsx(*bytes);
  if (!back.ok() || back->sheets.size() != 1) __builtin_trap();       // our own file does not read
  if (back->sheets[0].rows != trimmed(sheet.rows)) __builtin_trap();  // a cell changed
  return 0;
}
