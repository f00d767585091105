// ReportingStore: the reporting workflow — tasks (a form asked of units for
// a period), their entries (one per unit, with status and version), the
// events of each entry's steps, the cells a handed-in entry holds, and the
// notices (催报, 退回) addressed to units.
//
// An entry step (EntryCommit) writes its values (ValueStore's rules), its
// new state and its event in one transaction.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/reporting.h"
#include "model/status.h"
#include "store/millis.h"
#include "store/value_store.h"

namespace tianbao::store {

struct TaskRecord {
  std::int64_t id = 0;
  std::string form_code;
  std::string period;      // "2022-08"
  std::string deadline;    // "P18D" or "2022-09-18"
  std::string due_date;    // resolved "2022-09-18"
  std::string issuer_org;  // the unit that dispatched it; the top of the approval chain
  std::string title;
  Millis created_at = 0;
  std::string created_by;
  model::TaskState state = model::TaskState::kOpen;
  std::string cancel_reason;  // of a cancelled task
  Millis cancelled_at = 0;
  std::string cancelled_by;
};

struct EntryRecord {
  std::int64_t task_id = 0;
  std::string org_code;
  model::EntryStatus status = model::EntryStatus::kNotStarted;
  std::int64_t version = 0;  // increases with every change; guards concurrent edits
  Millis submitted_at = 0;   // of the submission in force; 0 if none
  std::string explanation;   // 说明 given with warnings at submission
  std::string return_reason;
  std::vector<std::string> approvals;  // org codes that approved, lowest first
  Millis updated_at = 0;
  std::string updated_by;
  std::string due_date;            // this unit's extended deadline; empty: the task's
  Millis recall_requested_at = 0;  // 撤回 asked by the filler, awaiting the approver; 0: none
  std::string recall_reason;
};

// Two open tasks asking for the same cells: the same period, a shared
// indicator and `units` units in both (found by find_task_overlaps; a store
// from before the overlap check may hold such pairs).
struct TaskOverlap {
  std::int64_t task = 0;
  std::int64_t other = 0;
  std::size_t units = 0;
};

struct EntryEvent {
  std::int64_t task_id = 0;
  std::string org_code;
  Millis at = 0;
  std::string username;
  std::string action;  // "save", "submit", "approve", "return", "unapprove"
  std::string from_status;
  std::string to_status;
  std::string reason;
};

// Everything one step of an entry changes, committed together: the values
// (with history), the entry's new state, and the transition record.
struct EntryCommit {
  std::int64_t task_id = 0;
  std::string org_code;
  std::int64_t expected_version = 0;  // Conflict unless the entry still has it
  EntryRecord next;                   // status, submitted_at, explanation, reason, approvals
  std::vector<ValueWrite> writes;
  WriteContext context;
  std::optional<EntryEvent> event;
};

struct NoticeRecord {
  std::int64_t id = 0;
  std::string org_code;  // the unit it is addressed to
  std::int64_t task_id = 0;
  std::string kind;  // "remind", "return", "cancel", "recall"
  std::string message;
  Millis at = 0;
  std::string created_by;
};

class ReportingStore {
 public:
  virtual ~ReportingStore() = default;

  // Tasks and their entries (one per assigned unit, created not started).
  virtual StatusOr<std::int64_t> insert_task(const TaskRecord& task,
                                             const std::vector<std::string>& org_codes) = 0;
  virtual StatusOr<std::optional<TaskRecord>> find_task(std::int64_t id) = 0;
  virtual StatusOr<std::vector<TaskRecord>> list_tasks() = 0;
  virtual StatusOr<std::vector<EntryRecord>> list_entries(std::int64_t task_id) = 0;
  // Entries of any task assigned to one of these units.
  virtual StatusOr<std::vector<EntryRecord>> entries_of_units(
      const std::vector<std::string>& org_codes) = 0;
  virtual StatusOr<std::optional<EntryRecord>> find_entry(std::int64_t task_id,
                                                          std::string_view org_code) = 0;
  // Applies an entry step atomically; returns the new version. The entry
  // holds its form's cells while its new status is submitted or approved
  // (and its task is open), and releases them otherwise; a write to a cell
  // another entry holds refuses the whole step (cell_lock_refusal).
  virtual StatusOr<std::int64_t> commit_entry(const EntryCommit& commit) = 0;
  // Applies several steps, in order, as one transaction: all or none. For
  // recording a history of many steps (the demo) without a durable commit
  // each; a step's expected_version counts the steps before it.
  virtual Status commit_entries(const std::vector<EntryCommit>& commits) = 0;
  virtual StatusOr<std::vector<EntryEvent>> entry_events(std::int64_t task_id,
                                                         std::string_view org_code) = 0;
  // Adds units to a task (new entries, not started); units already in it are skipped.
  // Returns how many were added.
  virtual StatusOr<std::size_t> add_task_units(std::int64_t task_id,
                                               const std::vector<std::string>& org_codes) = 0;
  // Moves a deadline: the task's (no units given) or those units' own.
  virtual Status set_due_date(std::int64_t task_id, const std::string& deadline,
                              const std::string& due_date,
                              const std::vector<std::string>& org_codes) = 0;
  // Cancels an open task: it releases every cell its entries held; the
  // entries stay as they are, as history. NotFound / FailedPrecondition.
  virtual Status cancel_task(std::int64_t task_id, const std::string& reason, Millis at,
                             const std::string& username) = 0;
  // Pairs of open tasks over the same cells, lower id first.
  virtual StatusOr<std::vector<TaskOverlap>> find_task_overlaps() = 0;
  // The holders of a unit's cells of one period among `indicators`.
  virtual StatusOr<std::vector<CellHolder>> cell_holders(
      std::string_view org_code, std::string_view period,
      const std::vector<std::string>& indicators) = 0;

  // Notices (催报, 退回) addressed to units.
  virtual Status insert_notices(const std::vector<NoticeRecord>& notices) = 0;
  virtual StatusOr<std::vector<NoticeRecord>> notices_for(const std::vector<std::string>& org_codes,
                                                          std::size_t limit) = 0;
};

}  // namespace tianbao::store
