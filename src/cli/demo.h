// The demo content that `tianbao demo` adds on top of a loaded Guangdong
// tree: the province's own departments (省直) and a 政务服务数据管理局 in
// every city, so that totals "including 省直" have something to include;
// demo users for every role from province to village with one documented
// password; and an address book for 湛江. Idempotent.
#pragma once

#include <string>
#include <vector>

#include "service/services.h"

namespace tianbao::cli {

// Every demo account uses this password (documented in README and printed
// by `make run`); demo accounts are not asked to change it.
inline constexpr const char* kDemoPassword = "Demo@2022";

struct DemoUser {
  const char* username;
  const char* display_name;
  const char* org_code;
  const char* role;
};

// The demo accounts: a system administrator, and at 广东省, 湛江市, 赤坎区,
// 中华街道 and one of its communities the roles that make sense there.
const std::vector<DemoUser>& demo_users();

struct DemoSummary {
  std::size_t departments_added = 0;
  std::size_t users_added = 0;
};

StatusOr<DemoSummary> add_demo_content(service::Services& services);

}  // namespace tianbao::cli
