// Execution, the second half of an analytics query: a resolved plan
// (analytics_plan.h) against one cube snapshot, into the table's cells, row
// keys and axes.
//
// Vectorised over the plan's unit rows: each indicator's chunks are swept
// once for all rows and all the months of the query's window together (a
// unit's months lie side by side in the cube), and every cell of an
// (indicator, period) pair is produced in one pass. Derived indicators are
// computed on the aggregated operands (a ratio of sums).
//
// Thread-safety: call under the cube's read (`view` valid throughout).
#pragma once

#include "cube/cube.h"
#include "service/analytics.h"
#include "service/analytics_plan.h"
#include "service/metadata.h"

namespace tianbao::service {

// Fills `out`'s cells, keys and axes for `plan`. The plan's ids must stay
// valid as long as `out` (they are views the planner named in it).
void execute(const AnalyticsPlan& plan, const cube::Cube::View& view, const Catalogue& catalogue,
             AnalyticsTable& out);

}  // namespace tianbao::service
