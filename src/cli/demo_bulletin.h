// The demo bulletin for `tianbao demo`: a template with code `demo`
// modelled on 《数字政府改革建设工作月报》2022年第8期 (BULLETIN.md) — narrative
// sections with live figures, the main indicators by platform, the
// province's information projects by stage, the 21 cities with 省直 and the
// province total, the distribution list — plus the project indicators it
// needs with a year of figures for the 省直 departments, and a work report
// `demo-report` built from a real 工作进展报告 (seeds/000) with its `*`
// replaced by placeholders where tianbao has the figure.
#pragma once

#include "service/services.h"

namespace tianbao::cli {

struct BulletinDemoSummary {
  std::size_t indicators = 0;
  std::size_t values = 0;
  std::size_t templates = 0;
};

StatusOr<BulletinDemoSummary> add_demo_bulletins(service::Services& services);

}  // namespace tianbao::cli
