// The address book (通讯录) as an Excel sheet, in the columns offices use:
// 单位代码, 单位名称, 姓名, 职务, 手机, 办公电话, 电子邮箱, 备注. Import finds
// the columns by their header text, so reordered or extra columns work;
// 单位名称 is informational and ignored on import.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "service/contacts.h"

namespace tianbao::exchange {

StatusOr<std::string> contacts_to_xlsx(const std::vector<service::ContactView>& contacts);

// The data rows of the first sheet, with their spreadsheet row numbers;
// blank rows are skipped.
StatusOr<std::vector<service::NumberedContact>> contacts_from_xlsx(std::string_view bytes);

}  // namespace tianbao::exchange
