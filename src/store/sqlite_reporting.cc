// The SQLite backend's ReportingStore: tasks, entries and their steps,
// the cells handed-in entries hold, notices.
#include <algorithm>

#include <fmt/format.h>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

constexpr std::string_view kTaskColumns =
    "SELECT t.id, f.code, t.period, t.deadline, t.due_date, o.code, t.title, t.created_at, "
    "t.created_by, t.state, t.cancel_reason, t.cancelled_at, t.cancelled_by "
    "FROM task t JOIN form f ON f.id = t.form_id "
    "JOIN org_unit o ON o.id = t.issuer_org_id ";

TaskRecord read_task(const Statement& q) {
  TaskRecord t;
  t.id = q.int64(0);
  t.form_code = q.text(1);
  t.period = q.text(2);
  t.deadline = q.text(3);
  t.due_date = q.text(4);
  t.issuer_org = q.text(5);
  t.title = q.text(6);
  t.created_at = q.int64(7);
  t.created_by = q.text(8);
  t.state = q.text(9) == "cancelled" ? model::TaskState::kCancelled : model::TaskState::kOpen;
  t.cancel_reason = q.text(10);
  t.cancelled_at = q.int64(11);
  t.cancelled_by = q.text(12);
  return t;
}

constexpr std::string_view kEntryColumns =
    "SELECT e.task_id, o.code, e.status, e.version, e.submitted_at, e.explanation, "
    "e.return_reason, e.approvals, e.updated_at, e.updated_by, e.due_date, "
    "e.recall_requested_at, e.recall_reason "
    "FROM entry e JOIN org_unit o ON o.id = e.org_unit_id ";

StatusOr<EntryRecord> read_entry(const Statement& q) {
  EntryRecord e;
  e.task_id = q.int64(0);
  e.org_code = q.text(1);
  ASSIGN_OR_RETURN(e.status, model::parse_entry_status(q.text(2)));
  e.version = q.int64(3);
  e.submitted_at = q.int64(4);
  e.explanation = q.text(5);
  e.return_reason = q.text(6);
  e.approvals = split(q.text(7), ',');
  e.updated_at = q.int64(8);
  e.updated_by = q.text(9);
  e.due_date = q.text(10);
  e.recall_requested_at = q.int64(11);
  e.recall_reason = q.text(12);
  return e;
}

// The cells an entry holds: its form's stored indicators for the task's
// period, as rows of cell_lock (?1 task, ?2 unit id).
constexpr std::string_view kHoldCells =
    "INSERT OR IGNORE INTO cell_lock(period, org_unit_id, indicator_id, task_id) "
    "SELECT t.period, ?2, i.id, t.id FROM task t JOIN form f ON f.id = t.form_id, "
    "json_each(f.sections) AS s, json_each(s.value, '$.indicators') AS x "
    "JOIN indicator i ON i.code = x.value "
    "WHERE t.id = ?1 AND t.state = 'open' AND i.formula = ''";
}  // namespace

// --- tasks and entries -------------------------------------------------------

StatusOr<std::int64_t> SqliteStore::insert_task(const TaskRecord& task,
                                                const std::vector<std::string>& org_codes) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  std::int64_t id = 0;
  RETURN_IF_ERROR(run_one(db_,
                          "INSERT INTO task(form_id, period, deadline, due_date, issuer_org_id, "
                          "title, created_at, created_by) "
                          "SELECT f.id, ?2, ?3, ?4, o.id, ?6, ?7, ?8 "
                          "FROM form f, org_unit o WHERE f.code = ?1 AND o.code = ?5",
                          "新增任务", NotFound("报表或下发单位不存在", "form", "unknown_form"),
                          task.form_code, task.period, task.deadline, task.due_date,
                          task.issuer_org, task.title, task.created_at, task.created_by));
  id = sqlite3_last_insert_rowid(db_);
  Statement entry(db_,
                  "INSERT INTO entry(task_id, org_unit_id, status, version) "
                  "SELECT ?, id, 'not_started', 1 FROM org_unit WHERE code = ?");
  RETURN_IF_ERROR(entry.prepared("新增填报单位"));
  for (const std::string& code : org_codes) {
    entry.reset();
    bind_all(entry, id, code);
    RETURN_IF_ERROR(entry.run("新增填报单位"));
    if (sqlite3_changes(db_) != 1) {
      return NotFound(fmt::format("单位 {} 不存在", code), "orgUnits", "unknown_org_unit");
    }
  }
  RETURN_IF_ERROR(tx.commit());
  return id;
}

StatusOr<std::optional<TaskRecord>> SqliteStore::find_task(std::int64_t id) {
  std::lock_guard lock(mu_);
  return select_first(db_, std::string(kTaskColumns) + "WHERE t.id = ?", "读取任务", read_task, id);
}

StatusOr<std::vector<TaskRecord>> SqliteStore::list_tasks() {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kTaskColumns) + "ORDER BY t.id", "读取任务", read_task);
}

StatusOr<std::vector<EntryRecord>> SqliteStore::select_entries(
    std::string_view where, const std::vector<std::string>& binds, std::int64_t task_id) {
  Statement q(db_, std::string(kEntryColumns) + std::string(where));
  RETURN_IF_ERROR(q.prepared("读取填报"));
  int i = 1;
  if (task_id != 0) q.bind(i++, task_id);
  for (const std::string& b : binds) q.bind(i++, b);
  return collect(q, "读取填报", read_entry);
}

StatusOr<std::vector<EntryRecord>> SqliteStore::list_entries(std::int64_t task_id) {
  std::lock_guard lock(mu_);
  return select_entries("WHERE e.task_id = ? ORDER BY o.code", {}, task_id);
}

StatusOr<std::vector<EntryRecord>> SqliteStore::entries_of_units(
    const std::vector<std::string>& org_codes) {
  std::lock_guard lock(mu_);
  if (org_codes.empty()) return std::vector<EntryRecord>();
  return select_entries(
      "WHERE o.code IN (" + placeholders(org_codes.size()) + ") ORDER BY e.task_id, o.code",
      org_codes, 0);
}

StatusOr<std::optional<EntryRecord>> SqliteStore::find_entry(std::int64_t task_id,
                                                             std::string_view org_code) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto entries, select_entries("WHERE e.task_id = ? AND o.code = ?",
                                                {std::string(org_code)}, task_id));
  if (entries.empty()) return std::optional<EntryRecord>();
  return std::optional<EntryRecord>(std::move(entries.front()));
}

// Entry steps arriving together (a deadline surge) share one transaction and
// so one fsync; each step has its own savepoint, so a refused step (a version
// conflict, a held cell) undoes only itself.
StatusOr<std::int64_t> SqliteStore::commit_entry(const EntryCommit& c) {
  return entry_queue_.submit(c, [this](std::span<EntryQueue::Slot* const> batch) {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    if (Status begun = tx.begin(); !begun.ok()) {
      for (auto* slot : batch) slot->result = begun;
      return;
    }
    for (auto* slot : batch) {
      const EntryCommit& step = *slot->request;
      Status saved = exec(db_, "SAVEPOINT entry_step", "开始保存点");
      if (saved.ok()) saved = commit_entry_locked(step).status();
      if (saved.ok()) {
        slot->result = step.expected_version + 1;
      } else {
        static_cast<void>(exec(db_, "ROLLBACK TO entry_step", "回滚保存点"));
        slot->result = saved;
      }
      static_cast<void>(exec(db_, "RELEASE entry_step", "释放保存点"));
    }
    if (Status committed = tx.commit(); !committed.ok()) {
      for (auto* slot : batch) {
        if (slot->result->ok()) slot->result = committed;
      }
    }
  });
}

Status SqliteStore::commit_entries(const std::vector<EntryCommit>& commits) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  for (const EntryCommit& c : commits) RETURN_IF_ERROR(commit_entry_locked(c).status());
  return tx.commit();
}

StatusOr<WriteSummary> SqliteStore::commit_entry_locked(const EntryCommit& c) {
  std::int64_t next_version = c.expected_version + 1;
  RETURN_IF_ERROR(
      run_one(db_,
              "UPDATE entry SET status = ?1, version = ?2, submitted_at = ?3, explanation = ?4, "
              "return_reason = ?5, approvals = ?6, updated_at = ?7, updated_by = ?8, "
              "due_date = ?12, recall_requested_at = ?13, recall_reason = ?14 "
              "WHERE task_id = ?9 AND org_unit_id = (SELECT id FROM org_unit WHERE code = ?10) "
              "AND version = ?11",
              "保存填报",
              Status(StatusCode::kConflict,
                     "这份报表已被他人修改（或您在另一个窗口中修改过），请刷新后再保存", "version",
                     "version_conflict"),
              model::entry_status_name(c.next.status), next_version, c.next.submitted_at,
              c.next.explanation, c.next.return_reason, join(c.next.approvals, ','), c.context.at,
              c.context.username, c.task_id, c.org_code, c.expected_version, c.next.due_date,
              c.next.recall_requested_at, c.next.recall_reason));
  // The entry lets go of its cells, writes (where no other entry holds
  // them), and holds them again if it is handed in.
  ASSIGN_OR_RETURN(std::optional<std::int64_t> org_id,
                   select_first(
                       db_, "SELECT id FROM org_unit WHERE code = ?", "读取单位",
                       [](const Statement& q) { return q.int64(0); }, c.org_code));
  if (!org_id) return NotFound("单位不存在", "orgUnit", "unknown_org_unit");
  RETURN_IF_ERROR(run(db_, "DELETE FROM cell_lock WHERE task_id = ? AND org_unit_id = ?",
                      "释放数据锁", c.task_id, *org_id)
                      .status());
  ASSIGN_OR_RETURN(WriteSummary written, write_values_locked(c.writes, c.context));
  if (!written.refused.empty()) return cell_lock_refusal(written.refused.front().holder);
  if (model::is_handed_in(c.next.status)) {
    RETURN_IF_ERROR(run(db_, kHoldCells, "锁定数据", c.task_id, *org_id).status());
  }
  if (c.event) {
    const EntryEvent& e = *c.event;
    RETURN_IF_ERROR(run(db_,
                        "INSERT INTO entry_event(task_id, org_unit_id, at, username, action, "
                        "from_status, to_status, reason) "
                        "SELECT ?, id, ?, ?, ?, ?, ?, ? FROM org_unit WHERE code = ?",
                        "记录流转", e.task_id, e.at, e.username, e.action, e.from_status,
                        e.to_status, e.reason, e.org_code)
                        .status());
  }
  return written;
}

StatusOr<std::vector<EntryEvent>> SqliteStore::entry_events(std::int64_t task_id,
                                                            std::string_view org_code) {
  std::lock_guard lock(mu_);
  return select_all(
      db_,
      "SELECT ev.task_id, o.code, ev.at, ev.username, ev.action, ev.from_status, "
      "ev.to_status, ev.reason FROM entry_event ev JOIN org_unit o ON o.id = ev.org_unit_id "
      "WHERE ev.task_id = ? AND o.code = ? ORDER BY ev.id",
      "读取流转记录",
      [](const Statement& q) {
        return EntryEvent{q.int64(0), q.text(1), q.int64(2), q.text(3),
                          q.text(4),  q.text(5), q.text(6),  q.text(7)};
      },
      task_id, org_code);
}

StatusOr<std::size_t> SqliteStore::add_task_units(std::int64_t task_id,
                                                  const std::vector<std::string>& org_codes) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  Statement entry(db_,
                  "INSERT OR IGNORE INTO entry(task_id, org_unit_id, status, version) "
                  "SELECT ?, id, 'not_started', 1 FROM org_unit WHERE code = ?");
  RETURN_IF_ERROR(entry.prepared("新增填报单位"));
  std::size_t added = 0;
  for (const std::string& code : org_codes) {
    entry.reset();
    bind_all(entry, task_id, code);
    RETURN_IF_ERROR(entry.run("新增填报单位"));
    added += static_cast<std::size_t>(sqlite3_changes(db_));
  }
  RETURN_IF_ERROR(tx.commit());
  return added;
}

Status SqliteStore::set_due_date(std::int64_t task_id, const std::string& deadline,
                                 const std::string& due_date,
                                 const std::vector<std::string>& org_codes) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  if (org_codes.empty()) {
    RETURN_IF_ERROR(run_one(db_, "UPDATE task SET deadline = ?, due_date = ? WHERE id = ?",
                            "修改截止日期", NotFound("填报任务不存在", "task", "unknown_task"),
                            deadline, due_date, task_id));
    // A task-wide deadline later than a unit's own makes that one moot.
    RETURN_IF_ERROR(run(db_, "UPDATE entry SET due_date = '' WHERE task_id = ? AND due_date <= ?",
                        "修改截止日期", task_id, due_date)
                        .status());
  } else {
    Statement q(db_,
                "UPDATE entry SET due_date = ? WHERE task_id = ? "
                "AND org_unit_id = (SELECT id FROM org_unit WHERE code = ?)");
    RETURN_IF_ERROR(q.prepared("修改截止日期"));
    for (const std::string& code : org_codes) {
      q.reset();
      bind_all(q, due_date, task_id, code);
      RETURN_IF_ERROR(q.run("修改截止日期"));
      if (sqlite3_changes(db_) != 1) {
        return NotFound(fmt::format("单位 {} 不在任务 {} 的填报范围内", code, task_id), "orgUnits",
                        "unknown_entry");
      }
    }
  }
  return tx.commit();
}

Status SqliteStore::cancel_task(std::int64_t task_id, const std::string& reason, Millis at,
                                const std::string& username) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  RETURN_IF_ERROR(run_one(
      db_,
      "UPDATE task SET state = 'cancelled', cancel_reason = ?, cancelled_at = ?, "
      "cancelled_by = ? WHERE id = ? AND state = 'open'",
      "撤销任务",
      Status(StatusCode::kFailedPrecondition, "任务不存在或已撤销", "task", "task_cancelled"),
      reason, at, username, task_id));
  RETURN_IF_ERROR(
      run(db_, "DELETE FROM cell_lock WHERE task_id = ?", "释放数据锁", task_id).status());
  return tx.commit();
}

StatusOr<std::vector<TaskOverlap>> SqliteStore::find_task_overlaps() {
  std::lock_guard lock(mu_);
  // Open tasks of one period whose forms share a stored indicator, and the
  // units (not withdrawn) they both ask.
  return select_all(
      db_,
      "WITH asks AS (SELECT DISTINCT t.id AS task, t.period AS period, i.id AS indicator "
      "  FROM task t JOIN form f ON f.id = t.form_id, json_each(f.sections) AS s, "
      "  json_each(s.value, '$.indicators') AS x JOIN indicator i ON i.code = x.value "
      "  WHERE t.state = 'open' AND i.formula = ''), "
      "pairs AS (SELECT DISTINCT a.task AS task, b.task AS other FROM asks a "
      "  JOIN asks b ON b.period = a.period AND b.indicator = a.indicator "
      "  AND b.task > a.task) "
      "SELECT p.task, p.other, count(*) FROM pairs p "
      "JOIN entry e1 ON e1.task_id = p.task AND e1.status <> 'withdrawn' "
      "JOIN entry e2 ON e2.task_id = p.other AND e2.org_unit_id = e1.org_unit_id "
      "AND e2.status <> 'withdrawn' GROUP BY p.task, p.other ORDER BY p.task, p.other",
      "查找重叠任务", [](const Statement& q) {
        return TaskOverlap{q.int64(0), q.int64(1), static_cast<std::size_t>(q.int64(2))};
      });
}

StatusOr<std::vector<CellHolder>> SqliteStore::cell_holders(
    std::string_view org_code, std::string_view period,
    const std::vector<std::string>& indicators) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "SELECT i.code, c.task_id, t.title, e.status FROM cell_lock c "
              "JOIN task t ON t.id = c.task_id JOIN indicator i ON i.id = c.indicator_id "
              "JOIN entry e ON e.task_id = c.task_id AND e.org_unit_id = c.org_unit_id "
              "WHERE c.period = ? AND c.org_unit_id = (SELECT id FROM org_unit WHERE code = ?) "
              "ORDER BY c.task_id");
  RETURN_IF_ERROR(q.prepared("读取数据锁"));
  bind_all(q, period, org_code);
  ASSIGN_OR_RETURN(std::vector<CellHolder> held,
                   collect(q, "读取数据锁", [&](const Statement& row) -> StatusOr<CellHolder> {
                     ASSIGN_OR_RETURN(model::EntryStatus status,
                                      model::parse_entry_status(row.text(3)));
                     return CellHolder{row.text(0),  std::string(org_code), std::string(period),
                                       row.int64(1), row.text(2),           status};
                   }));
  std::erase_if(held, [&](const CellHolder& h) {
    return std::find(indicators.begin(), indicators.end(), h.indicator) == indicators.end();
  });
  return held;
}

// --- notices ---------------------------------------------------------------------

Status SqliteStore::insert_notices(const std::vector<NoticeRecord>& notices) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  {
    Statement q(db_,
                "INSERT INTO notice(org_unit_id, task_id, kind, message, at, created_by) "
                "SELECT id, ?, ?, ?, ?, ? FROM org_unit WHERE code = ?");
    RETURN_IF_ERROR(q.prepared("保存通知"));
    for (const NoticeRecord& n : notices) {
      q.reset();
      bind_all(q, n.task_id, n.kind, n.message, n.at, n.created_by, n.org_code);
      RETURN_IF_ERROR(q.run("保存通知"));
    }
  }
  return tx.commit();
}

StatusOr<std::vector<NoticeRecord>> SqliteStore::notices_for(
    const std::vector<std::string>& org_codes, std::size_t limit) {
  std::lock_guard lock(mu_);
  if (org_codes.empty()) return std::vector<NoticeRecord>();
  Statement q(db_,
              "SELECT n.id, o.code, n.task_id, n.kind, n.message, n.at, n.created_by FROM notice n "
              "JOIN org_unit o ON o.id = n.org_unit_id WHERE o.code IN (" +
                  placeholders(org_codes.size()) + ") ORDER BY n.id DESC LIMIT ?");
  RETURN_IF_ERROR(q.prepared("读取通知"));
  int i = 1;
  for (const std::string& c : org_codes) q.bind(i++, c);
  q.bind(i, static_cast<std::int64_t>(limit));
  return collect(q, "读取通知", [](const Statement& row) {
    return NoticeRecord{row.int64(0), row.text(1),  row.int64(2), row.text(3),
                        row.text(4),  row.int64(5), row.text(6)};
  });
}

}  // namespace tianbao::store
