// The demo content that `tianbao demo` adds on top of a loaded tree: the
// province's own departments (省直) and a 政务服务数据管理局 in every city, so
// that totals "including 省直" have something to include. Later issues add
// demo indicators, forms, a filled year and demo users here.
#pragma once

#include "service/services.h"

namespace tianbao::cli {

struct DemoSummary {
  std::size_t departments_added = 0;
};

StatusOr<DemoSummary> add_demo_content(service::Services& services);

}  // namespace tianbao::cli
