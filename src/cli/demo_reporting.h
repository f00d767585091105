// Demo reporting content for `tianbao demo`, modelled on the provincial
// monthly bulletin (BULLETIN.md): indicators of 粤省事, 粤商通, 粤政易, the
// 12345 hotline, 广东政务服务网 and 粤智助 with units, stock/flow and derived
// rates; a monthly form for cities, one for towns and one for villages;
// validation rules; twelve months of plausible figures (2021-09 … 2022-08)
// for every city, the province's own departments, 湛江's towns and 中华街道's
// villages (demo_figures.h); the tasks of those months gone through the
// workflow, and open 2022-09 tasks so the demo users have something to
// fill and approve (demo_history.h).
#pragma once

#include "cli/demo_history.h"
#include "service/services.h"

namespace tianbao::cli {

struct ReportingDemoSummary {
  std::size_t indicators = 0;
  std::size_t values = 0;
  std::size_t tasks = 0;
};

StatusOr<ReportingDemoSummary> add_demo_reporting(service::Services& services, DemoClock& clock);

}  // namespace tianbao::cli
