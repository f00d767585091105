// Reporting: tasks sent down the tree, each unit's entry, and the figures in
// it — the workflow 未填 → 草稿 → 已提交 → 已审核 (level by level up to the
// issuing unit) or 退回 with a reason; completeness (报送率/及时率) by region;
// reminders (催报); single values from other systems; value history.
//
// Values are keyed by (indicator, unit, period), so a figure reported once
// serves every form and task that asks for it (一数一源). Every change keeps
// old and new value, who, when and through which channel.
//
// Thread-safety: safe for concurrent use. Concurrent edits of one entry are
// resolved by its version: a stale write is refused (Conflict), never
// merged silently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <functional>

#include "model/period.h"
#include "model/reporting.h"
#include "model/value.h"
#include "service/access.h"
#include "service/audit_log.h"
#include "service/clock.h"
#include "service/metadata.h"
#include "service/org_units.h"
#include "store/store.h"

namespace tianbao::service {

struct NewTask {
  std::string form;
  std::string period;
  std::vector<std::string> org_units;  // explicit list, or …
  std::string root;                    // … every region of `level` under `root`
  int level = 0;
  std::string deadline;  // "P18D" or "2022-09-18"
  std::string title;     // optional
  // An overlapping open task (same period, a shared indicator, a shared
  // unit) refuses the new one (一事一报) unless the issuer says what to do
  // with it: add the new units to it (`extends`, same form and period), or
  // cancel it and dispatch this one instead (`replaces`).
  std::int64_t extends = 0;
  std::int64_t replaces = 0;
};

struct TaskView {
  store::TaskRecord task;
  std::string form_name;
  std::string period_label;
  std::size_t assigned = 0;   // entries in the caller's scope
  std::size_t submitted = 0;  // of those, submitted or approved
  // The caller's own entry, if their unit is assigned.
  std::optional<store::EntryRecord> own_entry;
};

// An entry's field as the form shows it.
struct EntryField {
  const model::Indicator* indicator = nullptr;  // into the catalogue held by EntryView
  std::optional<double> number;
  std::optional<std::string> text;
  std::optional<double> previous;  // last period's value, for reference
  // Another entry that holds this cell (submitted or approved in another
  // task): the field cannot be changed here until that one is returned.
  std::optional<store::CellHolder> held_by;
};

struct EntrySection {
  std::string title;
  std::vector<EntryField> fields;
};

struct EntryView {
  std::shared_ptr<const Catalogue> catalogue;  // keeps field pointers valid
  store::TaskRecord task;
  const model::Form* form = nullptr;
  store::EntryRecord entry;
  std::string org_name;
  std::string previous_period;
  std::vector<EntrySection> sections;
  std::vector<model::Violation> violations;  // of the stored values, incl. rules
  std::vector<store::EntryEvent> events;
  bool can_edit = false;
  bool can_submit = false;
  bool can_approve = false;
  bool can_return = false;
  bool can_unapprove = false;
  bool can_recall = false;         // the filler may ask to take the submission back (撤回)
  bool can_decide_recall = false;  // the approver may grant or refuse a pending 撤回
  bool can_withdraw = false;       // a task manager may take the unit out of the task
  std::string next_approver;       // org code whose approval is due, if any
  std::string due_date;            // the unit's deadline (its own if extended, else the task's)
};

// One field's raw input: a JSON number already printed, a string, or null.
struct FieldInput {
  std::string code;
  std::optional<std::string> raw;  // nullopt: clear the field
};

struct SaveResult {
  std::int64_t version = 0;
  std::vector<model::Violation> violations;  // warnings (and rule errors that block submit)
};

struct UnitProgress {
  std::string org_code;
  std::string name;
  int level = 0;
  std::size_t assigned = 0;
  std::size_t submitted = 0;
  std::size_t on_time = 0;
  std::size_t approved = 0;  // fully, up to the issuer
};

struct TaskStatus {
  store::TaskRecord task;
  std::vector<store::EntryRecord> entries;           // in the caller's scope
  std::vector<UnitProgress> regions;                 // every unit above an entry, within scope
  std::map<std::string, bool> on_time;               // by entry org code
  std::map<std::string, std::string> next_approver;  // by entry org code; handed-in entries only
};

struct SingleValue {
  std::string indicator;
  std::string period;
  std::string org_code;
  std::optional<std::string> raw;
};

// One row of a task's workbook: an entry in the caller's scope, its values
// and whether the caller may change it now.
struct SheetEntry {
  store::EntryRecord entry;
  std::string org_name;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> texts;
  bool can_edit = false;  // the rule form entry applies (own unit, or sysadmin; not handed in)
};

struct TaskSheet {
  std::shared_ptr<const Catalogue> catalogue;  // keeps `form` valid
  store::TaskRecord task;
  const model::Form* form = nullptr;
  std::vector<SheetEntry> entries;  // in the caller's scope, in code order
};

// One unit's row of an uploaded workbook: the whole entry as the file holds
// it (an empty cell clears the value).
struct EntryUpload {
  std::string org_code;
  std::optional<std::int64_t> version;  // the entry's version when the file was made
  std::vector<FieldInput> fields;
};

enum class UploadOutcome { kSaved, kUnchanged, kRejected };
std::string_view upload_outcome_name(UploadOutcome o);  // "saved", "unchanged", "rejected"

struct EntryUploadResult {
  std::string org_code;
  UploadOutcome outcome = UploadOutcome::kRejected;
  std::int64_t version = 0;  // after the save, or as stored
  Status status;             // why a row was rejected (not OK only then)
  // Field errors of a rejected row; warnings (outliers, rules) of a saved one.
  std::vector<model::Violation> violations;
};

// Posts notices to an outside channel (SMS gateway, 粤政易) as well.
using NoticeSink = std::function<void(const std::vector<store::NoticeRecord>&)>;

class Reporting {
 public:
  static constexpr int kDefaultRemindDaysBefore = 3;

  Reporting(store::Store& store, const OrgUnits& units, const Metadata& metadata,
            const Access& access, AuditLog& audit, const Clock& clock)
      : store_(store),
        units_(units),
        metadata_(metadata),
        access_(access),
        audit_(audit),
        clock_(clock) {}

  void set_notice_sink(NoticeSink sink) { sink_ = std::move(sink); }
  // Called with every batch of values once its commit has returned, with
  // its change-log record (store::WriteSummary::change_seq; 0: not known).
  using ValueObserver =
      std::function<void(const std::vector<store::ValueWrite>&, std::int64_t change_seq)>;
  void set_value_observer(ValueObserver observer) { observer_ = std::move(observer); }

  // Refuses a deadline before today (Beijing time) or before the period
  // ends, and an overlapping task (409, naming it) unless `extends` or
  // `replaces` says what to do with it. The internal system principal
  // (demo, migrations) may record tasks of the past. Returns the task's id
  // (that of `extends` when units were added to it).
  StatusOr<std::int64_t> create_task(const Principal& who, const NewTask& task);
  // The open tasks a new one would overlap (those the caller may see), to
  // name them beside a task_overlap refusal.
  StatusOr<std::vector<store::TaskRecord>> overlapping_tasks(const Principal& who,
                                                             const NewTask& task);
  // Moves the deadline of the whole task, or of some of its units, later
  // (a deadline is never brought forward, nor set before today).
  Status extend_deadline(const Principal& who, std::int64_t task_id, const std::string& deadline,
                         const std::vector<std::string>& org_units);
  // Cancels a task: entries are kept as history, count in no completeness
  // and hold no cell; units that had not handed in are told.
  Status cancel_task(const Principal& who, std::int64_t task_id, const std::string& reason);
  // Takes one unit out of a task (its entry kept, as 已移出).
  StatusOr<std::int64_t> withdraw_unit(const Principal& who, std::int64_t task_id,
                                       const std::string& org_code, const std::string& reason);
  // 撤回: the filler asks to take back a submission nobody has approved yet;
  // the approver due grants it (the entry goes back to draft) or refuses it.
  StatusOr<std::int64_t> request_recall(const Principal& who, std::int64_t task_id,
                                        const std::string& org_code, const std::string& reason);
  StatusOr<std::int64_t> decide_recall(const Principal& who, std::int64_t task_id,
                                       const std::string& org_code, bool grant,
                                       const std::string& reason);
  // Open tasks over the same cells (a store from before the overlap check
  // may have them), for task managers.
  StatusOr<std::vector<store::TaskOverlap>> overlaps(const Principal& who);
  StatusOr<std::vector<TaskView>> list_tasks(const Principal& who);
  StatusOr<TaskStatus> task_status(const Principal& who, std::int64_t task_id);

  StatusOr<EntryView> get_entry(const Principal& who, std::int64_t task_id,
                                const std::string& org_code);
  // Saves a draft. Any field with an error → InvalidArgument
  // (validation_failed) carrying the violations, and nothing is stored.
  StatusOr<SaveResult> save_entry(const Principal& who, std::int64_t task_id,
                                  const std::string& org_code, std::int64_t version,
                                  const std::vector<FieldInput>& fields);
  // The task's entries in the caller's scope with their values, for the
  // Excel template.
  StatusOr<TaskSheet> task_sheet(const Principal& who, std::int64_t task_id);
  // Saves each row as save_entry would, through channel "xlsx"; a row whose
  // values equal the stored ones is left alone (so read-only rows may come
  // back untouched), a changed row needs the version it was downloaded at.
  // Bad rows are rejected one by one; with dry_run nothing is written.
  StatusOr<std::vector<EntryUploadResult>> upload_entries(const Principal& who,
                                                          std::int64_t task_id,
                                                          const std::vector<EntryUpload>& rows,
                                                          bool dry_run);
  // Checks fields without saving (for validation as the filler types).
  StatusOr<std::vector<model::Violation>> check_fields(const Principal& who, std::int64_t task_id,
                                                       const std::string& org_code,
                                                       const std::vector<FieldInput>& fields);
  // Hands the entry in. A missing or wrong figure → validation_failed
  // carrying the violations; warnings without an explanation →
  // explanation_required carrying the warnings. On success, the new version
  // and the warnings the explanation answers.
  StatusOr<SaveResult> submit(const Principal& who, std::int64_t task_id,
                              const std::string& org_code, const std::string& explanation);
  StatusOr<std::int64_t> approve(const Principal& who, std::int64_t task_id,
                                 const std::string& org_code);
  StatusOr<std::int64_t> return_entry(const Principal& who, std::int64_t task_id,
                                      const std::string& org_code, const std::string& reason);
  StatusOr<std::int64_t> unapprove(const Principal& who, std::int64_t task_id,
                                   const std::string& org_code, const std::string& reason);

  // 催报: notices to the units in scope that have not submitted.
  StatusOr<std::size_t> remind(const Principal& who, std::int64_t task_id,
                               const std::string& message);
  // Scheduled: reminds every task due within `days_before` days, once per task.
  StatusOr<std::size_t> send_due_reminders(int days_before);
  StatusOr<std::vector<store::NoticeRecord>> notices(const Principal& who);

  // One value from a program or an administrator (channel "api"). A value
  // that cannot be stored → validation_failed carrying the violations; on
  // success, its warnings.
  StatusOr<std::vector<model::Violation>> post_value(const Principal& who,
                                                     const SingleValue& value);
  StatusOr<std::vector<store::ValueChange>> history(const Principal& who,
                                                    const std::string& indicator,
                                                    const std::string& org_code,
                                                    const std::string& period);

 private:
  struct Loaded {
    std::shared_ptr<const Catalogue> catalogue;
    store::TaskRecord task;
    const model::Form* form = nullptr;
    store::EntryRecord entry;
    model::Period period = model::Period::year(2000);
  };
  StatusOr<Loaded> load(std::int64_t task_id, const std::string& org_code);
  // The unit whose approval is due next (model::ApprovalChain), or empty if
  // fully approved.
  std::string next_approver(const store::TaskRecord& task, const store::EntryRecord& entry) const;
  // What a save would write, once its fields are interpreted and the entry
  // checked as it would be afterwards.
  struct Staged {
    std::vector<store::ValueWrite> writes;
    std::vector<model::Violation> violations;  // the fields' own, then outliers and rules
    bool changes = false;                      // some write differs from what is stored
    std::vector<std::string> changed;          // indicators whose writes differ
  };
  // Refuses staged changes to cells another entry holds (cell_locked, naming
  // it); the store refuses them anyway, this says so before a dry run.
  Status check_cells(const Loaded& l, const Staged& staged);
  // Any field with an error → InvalidArgument (validation_failed) carrying
  // the violations, and nothing staged.
  StatusOr<Staged> stage(const Loaded& l, const std::vector<FieldInput>& fields);
  // Refuses a save into a handed-in entry, or over a version other than `version`.
  static Status check_writable(const Loaded& l, std::int64_t version);
  // Writes the staged values as a draft; the entry's new version.
  StatusOr<std::int64_t> commit_draft(const Principal& who, const Loaded& l, Staged& staged,
                                      const std::string& channel);
  // May `who` save this entry now (own unit or sysadmin, filler role, not handed in)?
  static bool may_fill(const Principal& who, const store::EntryRecord& entry);
  // Interprets inputs against the form; fills `writes` for usable values.
  std::vector<model::Violation> interpret(const Loaded& l, const std::vector<FieldInput>& fields,
                                          std::vector<store::ValueWrite>* writes);
  // All checks on a full set of values: per-field bounds, outliers, rules.
  StatusOr<std::vector<model::Violation>> evaluate(const Loaded& l,
                                                   const std::map<std::string, double>& numbers,
                                                   const std::map<std::string, std::string>& texts,
                                                   bool require_all);
  StatusOr<std::pair<std::map<std::string, double>, std::map<std::string, std::string>>>
  stored_values(const Loaded& l);
  StatusOr<std::int64_t> transition(const Principal& who, const Loaded& l, store::EntryRecord next,
                                    const std::string& action, const std::string& reason);
  bool is_on_time(const store::TaskRecord& task, const store::EntryRecord& entry) const;
  // Refuses every step of an entry in a cancelled task, or of a withdrawn entry.
  static Status check_open(const Loaded& l);
  // May `who` manage this task (cancel, extend, withdraw): a task manager at
  // the issuing unit or above it.
  Status check_manages(const Principal& who, const store::TaskRecord& task) const;
  // Open tasks that ask for some of these cells (form × period × units).
  StatusOr<std::vector<store::TaskRecord>> overlapping(const model::Form& form,
                                                       const std::string& period,
                                                       const std::vector<std::string>& codes);
  Status notify(const std::vector<store::NoticeRecord>& notices);

  store::Store& store_;
  const OrgUnits& units_;
  const Metadata& metadata_;
  const Access& access_;
  AuditLog& audit_;
  const Clock& clock_;
  NoticeSink sink_;
  ValueObserver observer_;
};

}  // namespace tianbao::service
