// The words for a refused change of a held cell (store::CellHolder).
//
// The store refuses such a change with a plain FailedPrecondition
// (store::cell_lock_refusal, reason "cell_locked") and the holder's data;
// what a person reads — which task holds the cell and what to do about it —
// is said here, so that every path (a form's save, a single value, an
// import) says it in the same words.
//
//   for (const store::WriteSummary::Refusal& r : written.refused) report(cell_locked(r.holder));
//
// Thread-safety: free functions.
#pragma once

#include "model/status.h"
#include "store/reporting_store.h"

namespace tianbao::service {

// 「A01 在 2022-08 的数据属于《…》（任务 3），该表已上报，须先退回、撤销审核或撤回才能修改」:
// FailedPrecondition, reason "cell_locked", the indicator as field.
Status cell_locked(const store::CellHolder& holder);

// An entry step's failure as a person should read it: a cell_locked refusal
// of `commit` is worded from its holder (read again from `store`, which
// still holds the lock that refused it); any other status comes back as it is.
Status worded_refusal(store::ReportingStore& store, const store::EntryCommit& commit,
                      Status failure);

}  // namespace tianbao::service
