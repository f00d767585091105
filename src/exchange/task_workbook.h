// The Excel workbook of a task (填报模板): download, fill offline, upload.
//
// One sheet per form of the task, named after the form:
//   row 1   单位代码 | 单位名称 | 实名注册用户数（万） | … | 版本
//   row 2   orgUnit  | orgUnitName | YSS_USERS | … | version     (hidden keys)
//   row 3…  one row per entry in the caller's scope, values prefilled
// Header cells are locked and carry the 填报说明/口径说明 as comments; the
// sheet is protected with data cells unlocked, except rows the caller may
// not change (submitted, approved, or another unit's), which stay locked
// and grey. Numeric columns validate whole or decimal numbers within the
// indicator's bounds. The hidden 版本 column holds each entry's version at
// download, so that an upload cannot silently overwrite a later edit.
//
// Reading finds the columns by the keys of the hidden row, so columns that
// people reorder (or add, without a key) still map.
//
//   ASSIGN_OR_RETURN(std::string bytes, task_workbook_xlsx(sheet));
//   ASSIGN_OR_RETURN(TaskUpload upload, read_task_workbook(bytes));
//
// Thread-safety: free functions; no shared state.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "service/reporting.h"

namespace tianbao::exchange {

StatusOr<std::string> task_workbook_xlsx(const service::TaskSheet& sheet);

// A data row of an uploaded workbook, with where its cells are.
struct UploadedRow {
  std::string sheet;
  std::size_t row = 0;                       // 1-based, as Excel shows it
  std::string org_cell;                      // "A5"
  std::map<std::string, std::string> cells;  // indicator code → "C5"
  service::EntryUpload upload;
};

// A row the reader could not turn into an entry (no unit code).
struct UploadProblem {
  std::string sheet;
  std::string cell;
  std::string code;
  std::string message;
};

struct TaskUpload {
  std::vector<UploadedRow> rows;
  std::vector<UploadProblem> problems;
};

// InvalidArgument (400) for a file that is not XLSX or holds no sheet with
// the template's key row.
StatusOr<TaskUpload> read_task_workbook(std::string_view bytes);

}  // namespace tianbao::exchange
