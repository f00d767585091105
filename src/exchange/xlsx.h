// Reading and writing simple XLSX workbooks: sheets of rows of cells, with
// per-column widths, a bold frozen header row, cell comments and number
// validation when writing. Written with libxlsxwriter; read with minizip
// and pugixml (shared strings, inline strings, numbers, booleans).
//
//   Workbook book;
//   book.sheets.push_back({.name = "通讯录", .rows = {{"姓名", "手机"}, {"张三", "13800000000"}}});
//   ASSIGN_OR_RETURN(std::string bytes, write_xlsx(book));
//   ASSIGN_OR_RETURN(Workbook back, read_xlsx(bytes));
//
// Reading is defensive: the archive is size-capped (zip bombs), malformed
// XML or a missing part gives InvalidArgument naming what is wrong, never
// a crash.
//
// Thread-safety: free functions; no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace tianbao::exchange {

// A cell is text; numbers read from XLSX come back in their shortest
// round-trip decimal form ("12.5", "3"), booleans as "TRUE"/"FALSE".
using Row = std::vector<std::string>;

// Data validation of one numeric column: whole numbers or decimals, within
// bounds where given; `message` is what Excel shows when it refuses a value.
struct NumberRule {
  std::size_t col = 0;
  bool whole = false;
  std::optional<double> min{};
  std::optional<double> max{};
  std::string message{};  // "请输入数字" if empty
};

struct CellNote {
  std::size_t row = 0;  // 0-based
  std::size_t col = 0;
  std::string text{};
};

// Cells merged into one (0-based, inclusive); the top-left cell's text shows.
struct CellRange {
  std::size_t first_row = 0;
  std::size_t first_col = 0;
  std::size_t last_row = 0;
  std::size_t last_col = 0;
};

// Members default to `{}` so that designated initializers naming only some
// of them, as in the example above, compile under -Wextra -Werror.
struct Sheet {
  std::string name{};
  std::vector<Row> rows{};                     // row 0 is the header when header_row is true
  bool header_row = true;                      // bold, frozen, locked when protect is set
  std::vector<double> column_widths{};         // optional, in characters
  std::vector<CellNote> notes{};               // comments shown on hover
  std::vector<std::size_t> numeric_columns{};  // numbers where they parse, with validation
  bool protect_header = false;                 // lock the header row, leave data cells editable
  std::vector<CellRange> merges{};             // grouped headers, written after the cells
  std::vector<NumberRule> number_rules{};      // for numeric_columns; default: any number
  std::vector<std::size_t> hidden_rows{};      // e.g. a row of keys for reading back
  std::vector<std::size_t> hidden_columns{};
  // With protect_header, these stay locked too: read-only rows are greyed,
  // key columns keep their plain look.
  std::vector<std::size_t> locked_rows{};
  std::vector<std::size_t> locked_columns{};
};

struct Workbook {
  std::vector<Sheet> sheets{};
};

inline constexpr std::size_t kMaxXlsxBytes = 64 * 1024 * 1024;       // compressed input
inline constexpr std::size_t kMaxXlsxPartBytes = 256 * 1024 * 1024;  // one uncompressed part

StatusOr<std::string> write_xlsx(const Workbook& book);
// "A", "Z", "AA", … "XFD" for a 0-based column; "C5" for 0-based (4, 2).
std::string column_name(std::size_t col);
std::string cell_name(std::size_t row, std::size_t col);
StatusOr<Workbook> read_xlsx(std::string_view bytes);

}  // namespace tianbao::exchange
