#include "exchange/contacts_xlsx.h"

#include <fmt/format.h>

#include "exchange/xlsx.h"
#include "model/text.h"

namespace tianbao::exchange {

namespace {

constexpr const char* kHeaders[] = {"单位代码", "单位名称", "姓名", "职务",
                                    "手机",     "办公电话", "电子邮箱", "备注"};
constexpr double kWidths[] = {14, 28, 10, 14, 14, 16, 24, 24};

}  // namespace

StatusOr<std::string> contacts_to_xlsx(const std::vector<service::ContactView>& contacts) {
  Sheet sheet;
  sheet.name = "通讯录";
  sheet.rows.emplace_back(std::begin(kHeaders), std::end(kHeaders));
  sheet.column_widths.assign(std::begin(kWidths), std::end(kWidths));
  for (const service::ContactView& v : contacts) {
    const store::ContactRecord& c = v.contact;
    sheet.rows.push_back(
        {c.org_code, v.org_name, c.name, c.title, c.mobile, c.office_phone, c.email, c.note});
  }
  Workbook book;
  book.sheets.push_back(std::move(sheet));
  return write_xlsx(book);
}

StatusOr<std::vector<service::NumberedContact>> contacts_from_xlsx(std::string_view bytes) {
  ASSIGN_OR_RETURN(Workbook book, read_xlsx(bytes));
  if (book.sheets.empty() || book.sheets.front().rows.empty()) {
    return InvalidArgument("表格是空的：第一张工作表应有表头行（单位代码、姓名、职务、手机……）",
                           "file", "empty_sheet");
  }
  const std::vector<Row>& rows = book.sheets.front().rows;
  const Row& header = rows.front();
  auto column = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (model::trim(header[i]) == name) return static_cast<int>(i);
    }
    return -1;
  };
  int code = column("单位代码"), name = column("姓名"), title = column("职务"),
      mobile = column("手机"), office = column("办公电话"), email = column("电子邮箱"),
      note = column("备注");
  for (auto [index, label] : {std::pair{code, "单位代码"}, {name, "姓名"}, {title, "职务"}}) {
    if (index < 0) {
      return InvalidArgument(fmt::format("表头缺少“{}”列", label), "file", "missing_column");
    }
  }
  auto cell = [](const Row& row, int index) -> std::string {
    return index >= 0 && static_cast<std::size_t>(index) < row.size() ? row[index] : std::string();
  };
  std::vector<service::NumberedContact> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& row = rows[i];
    bool blank = std::all_of(row.begin(), row.end(),
                             [](const std::string& s) { return model::trim(s).empty(); });
    if (blank) continue;
    store::ContactRecord c;
    c.org_code = std::string(model::trim(cell(row, code)));
    c.name = cell(row, name);
    c.title = cell(row, title);
    c.mobile = cell(row, mobile);
    c.office_phone = cell(row, office);
    c.email = cell(row, email);
    c.note = cell(row, note);
    out.push_back({i + 1, std::move(c)});
  }
  return out;
}

}  // namespace tianbao::exchange
