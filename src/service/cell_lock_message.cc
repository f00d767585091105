#include "service/cell_lock_message.h"

#include <string>

#include <fmt/format.h>

namespace tianbao::service {

Status cell_locked(const store::CellHolder& h) {
  return Status(StatusCode::kFailedPrecondition,
                fmt::format("{} 在 {} 的数据属于《{}》（任务 {}），该表{}，"
                            "须先退回、撤销审核或撤回才能修改",
                            h.indicator, h.period, h.task_title, h.task_id,
                            model::entry_status_label(h.status)),
                h.indicator, std::string(store::kCellLocked));
}

Status worded_refusal(store::ReportingStore& store, const store::EntryCommit& commit,
                      Status failure) {
  if (failure.reason() != store::kCellLocked) return failure;
  const std::string& indicator = failure.field();
  for (const store::ValueWrite& w : commit.writes) {
    if (w.indicator != indicator) continue;
    StatusOr<std::vector<store::CellHolder>> holders =
        store.cell_holders(commit.org_code, w.period, {indicator});
    if (!holders.ok()) return holders.status();
    for (const store::CellHolder& h : *holders) {
      if (h.task_id != commit.task_id) return cell_locked(h);
    }
  }
  // Released since it refused: the refusal stands, without a holder to name.
  return Status(StatusCode::kFailedPrecondition,
                fmt::format("{} 的数据被另一份已上报的报表锁定，请刷新后再试", indicator),
                indicator, std::string(store::kCellLocked));
}

}  // namespace tianbao::service
