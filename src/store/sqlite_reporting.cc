// The SQLite backend's reporting tables: indicators, forms, rules, tasks,
// entries, data values with history, notices.
#include <algorithm>
#include <charconv>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "?, ?, ?" for an IN list.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

std::string value_text(const std::optional<double>& number,
                       const std::optional<std::string>& text) {
  if (number) return fmt::format("{}", *number);
  if (text) return *text;
  return {};
}

constexpr std::string_view kIndicatorColumns =
    "SELECT code, name, unit, value_type, aggregation, kind, formula, min_value, max_value, "
    "definition, guidance, period_aggregation FROM indicator ";

StatusOr<model::Indicator> read_indicator(const Statement& q) {
  model::Indicator ind;
  ind.code = q.text(0);
  ind.name = q.text(1);
  ind.unit = q.text(2);
  ASSIGN_OR_RETURN(ind.value_type, model::parse_value_type(q.text(3)));
  ASSIGN_OR_RETURN(ind.aggregation, model::parse_aggregation(q.text(4)));
  // Column 5, kind, is kept for older readers; period_aggregation implies it.
  ind.formula = q.text(6);
  ind.min = q.real(7);
  ind.max = q.real(8);
  ind.definition = q.text(9);
  ind.guidance = q.text(10);
  ASSIGN_OR_RETURN(ind.period_aggregation, model::parse_period_aggregation(q.text(11)));
  return ind;
}

void bind_indicator(Statement& q, const model::Indicator& ind) {
  q.bind(1, ind.code);
  q.bind(2, ind.name);
  q.bind(3, ind.unit);
  q.bind(4, model::value_type_name(ind.value_type));
  q.bind(5, model::aggregation_name(ind.aggregation));
  q.bind(6, model::indicator_kind_name(ind.kind()));
  q.bind(7, ind.formula);
  q.bind_optional(8, ind.min);
  q.bind_optional(9, ind.max);
  q.bind(10, ind.definition);
  q.bind(11, ind.guidance);
  q.bind(12, model::period_aggregation_name(ind.period_aggregation));
}

std::string sections_json(const model::Form& form) {
  nlohmann::json sections = nlohmann::json::array();
  for (const model::FormSection& s : form.sections) {
    sections.push_back({{"title", s.title}, {"indicators", s.indicators}});
  }
  return sections.dump();
}

StatusOr<model::Form> read_form(const Statement& q) {
  model::Form form;
  form.code = q.text(0);
  form.name = q.text(1);
  ASSIGN_OR_RETURN(form.period_type, model::parse_form_period_type(q.text(2)));
  for (const std::string& level : split(q.text(3), ',')) form.levels.push_back(std::stoi(level));
  nlohmann::json sections = nlohmann::json::parse(q.text(4), nullptr, false);
  if (!sections.is_array()) return Internal(fmt::format("报表 {} 的栏目数据损坏", form.code));
  for (const nlohmann::json& s : sections) {
    form.sections.push_back(model::FormSection{s.value("title", std::string()),
                                               s.value("indicators", std::vector<std::string>())});
  }
  return form;
}

std::string levels_text(const std::vector<int>& levels) {
  std::vector<std::string> parts;
  for (int l : levels) parts.push_back(std::to_string(l));
  return join(parts, ',');
}

constexpr std::string_view kRuleColumns =
    "SELECT code, name, left_expr, operator, right_expr, severity, message FROM validation_rule ";

StatusOr<model::ValidationRule> read_rule(const Statement& q) {
  model::ValidationRule rule;
  rule.code = q.text(0);
  rule.name = q.text(1);
  rule.left = q.text(2);
  ASSIGN_OR_RETURN(rule.op, model::parse_rule_operator(q.text(3)));
  rule.right = q.text(4);
  rule.severity = q.text(5) == "warning" ? model::Severity::kWarning : model::Severity::kError;
  rule.message = q.text(6);
  return rule;
}

void bind_rule(Statement& q, const model::ValidationRule& rule) {
  q.bind(1, rule.code);
  q.bind(2, rule.name);
  q.bind(3, rule.left);
  q.bind(4, model::rule_operator_text(rule.op));
  q.bind(5, rule.right);
  q.bind(6, model::severity_name(rule.severity));
  q.bind(7, rule.message);
}

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

// The holder of one cell (?1 period, ?2 unit id, ?3 indicator id).
constexpr std::string_view kCellHolder =
    "SELECT c.task_id, t.title, e.status FROM cell_lock c JOIN task t ON t.id = c.task_id "
    "JOIN entry e ON e.task_id = c.task_id AND e.org_unit_id = c.org_unit_id "
    "WHERE c.period = ?1 AND c.org_unit_id = ?2 AND c.indicator_id = ?3 "
    "ORDER BY c.task_id LIMIT 1";

}  // namespace

// --- indicators, forms, rules ------------------------------------------------

StatusOr<std::vector<model::Indicator>> SqliteStore::list_indicators() {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kIndicatorColumns) + "ORDER BY code");
  RETURN_IF_ERROR(q.prepared("读取指标"));
  std::vector<model::Indicator> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取指标"));
    if (!row) break;
    ASSIGN_OR_RETURN(model::Indicator ind, read_indicator(q));
    out.push_back(std::move(ind));
  }
  return out;
}

Status SqliteStore::insert_indicator(const model::Indicator& ind) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO indicator(code, name, unit, value_type, aggregation, kind, formula, "
              "min_value, max_value, definition, guidance, period_aggregation) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(code) DO NOTHING");
  RETURN_IF_ERROR(q.prepared("新增指标"));
  bind_indicator(q, ind);
  return change_one(db_, q, "新增指标",
                    AlreadyExists(fmt::format("指标代码 {} 已存在", ind.code), "code"));
}

Status SqliteStore::update_indicator(const model::Indicator& ind) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "UPDATE indicator SET name = ?2, unit = ?3, value_type = ?4, aggregation = ?5, "
              "kind = ?6, formula = ?7, min_value = ?8, max_value = ?9, definition = ?10, "
              "guidance = ?11, period_aggregation = ?12 WHERE code = ?1");
  RETURN_IF_ERROR(q.prepared("更新指标"));
  bind_indicator(q, ind);
  return change_one(db_, q, "更新指标", not_found("指标", ind.code, "unknown_indicator"));
}

Status SqliteStore::delete_indicator(std::string_view code) {
  std::lock_guard lock(mu_);
  // data_value has no foreign keys (bulk writes) and its key starts with the
  // period: an indicator that never had a value is told by its mark, one
  // that had some by finding one (the first rows, unless all were cleared).
  Statement used(db_,
                 "SELECT 1 FROM indicator i WHERE i.code = ? AND i.has_values = 1 AND "
                 "EXISTS (SELECT 1 FROM data_value d WHERE d.indicator_id = i.id)");
  RETURN_IF_ERROR(used.prepared("删除指标"));
  used.bind(1, code);
  ASSIGN_OR_RETURN(bool has_values, used.step("删除指标"));
  if (has_values) {
    return Status(StatusCode::kFailedPrecondition, fmt::format("指标 {} 已有数据，不能删除", code),
                  "code", "indicator_in_use");
  }
  Statement q(db_, "DELETE FROM indicator WHERE code = ?");
  RETURN_IF_ERROR(q.prepared("删除指标"));
  q.bind(1, code);
  Status run = q.run("删除指标");
  if (run.reason() == "constraint") {
    return Status(StatusCode::kFailedPrecondition, fmt::format("指标 {} 已有数据，不能删除", code),
                  "code", "indicator_in_use");
  }
  RETURN_IF_ERROR(run);
  if (sqlite3_changes(db_) != 1) return not_found("指标", code, "unknown_indicator");
  return Status::Ok();
}

StatusOr<std::vector<model::Form>> SqliteStore::list_forms() {
  std::lock_guard lock(mu_);
  Statement q(db_, "SELECT code, name, period_type, levels, sections FROM form ORDER BY code");
  RETURN_IF_ERROR(q.prepared("读取报表"));
  std::vector<model::Form> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取报表"));
    if (!row) break;
    ASSIGN_OR_RETURN(model::Form form, read_form(q));
    out.push_back(std::move(form));
  }
  return out;
}

Status SqliteStore::insert_form(const model::Form& form) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO form(code, name, period_type, levels, sections) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT(code) DO NOTHING");
  RETURN_IF_ERROR(q.prepared("新增报表"));
  q.bind(1, form.code);
  q.bind(2, form.name);
  q.bind(3, model::form_period_type_name(form.period_type));
  q.bind(4, levels_text(form.levels));
  q.bind(5, sections_json(form));
  return change_one(db_, q, "新增报表",
                    AlreadyExists(fmt::format("报表代码 {} 已存在", form.code), "code"));
}

Status SqliteStore::update_form(const model::Form& form) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "UPDATE form SET name = ?2, period_type = ?3, levels = ?4, sections = ?5 "
              "WHERE code = ?1");
  RETURN_IF_ERROR(q.prepared("更新报表"));
  q.bind(1, form.code);
  q.bind(2, form.name);
  q.bind(3, model::form_period_type_name(form.period_type));
  q.bind(4, levels_text(form.levels));
  q.bind(5, sections_json(form));
  return change_one(db_, q, "更新报表", not_found("报表", form.code, "unknown_form"));
}

StatusOr<std::vector<model::ValidationRule>> SqliteStore::list_rules() {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kRuleColumns) + "ORDER BY code");
  RETURN_IF_ERROR(q.prepared("读取校验规则"));
  std::vector<model::ValidationRule> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取校验规则"));
    if (!row) break;
    ASSIGN_OR_RETURN(model::ValidationRule rule, read_rule(q));
    out.push_back(std::move(rule));
  }
  return out;
}

Status SqliteStore::insert_rule(const model::ValidationRule& rule) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO validation_rule(code, name, left_expr, operator, right_expr, severity, "
              "message) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING");
  RETURN_IF_ERROR(q.prepared("新增校验规则"));
  bind_rule(q, rule);
  return change_one(db_, q, "新增校验规则",
                    AlreadyExists(fmt::format("校验规则代码 {} 已存在", rule.code), "code"));
}

Status SqliteStore::update_rule(const model::ValidationRule& rule) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "UPDATE validation_rule SET name = ?2, left_expr = ?3, operator = ?4, "
              "right_expr = ?5, severity = ?6, message = ?7 WHERE code = ?1");
  RETURN_IF_ERROR(q.prepared("更新校验规则"));
  bind_rule(q, rule);
  return change_one(db_, q, "更新校验规则", not_found("校验规则", rule.code, "unknown_rule"));
}

Status SqliteStore::delete_rule(std::string_view code) {
  std::lock_guard lock(mu_);
  Statement q(db_, "DELETE FROM validation_rule WHERE code = ?");
  RETURN_IF_ERROR(q.prepared("删除校验规则"));
  q.bind(1, code);
  return change_one(db_, q, "删除校验规则", not_found("校验规则", code, "unknown_rule"));
}

// --- tasks and entries -------------------------------------------------------

StatusOr<std::int64_t> SqliteStore::insert_task(const TaskRecord& task,
                                                const std::vector<std::string>& org_codes) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  std::int64_t id = 0;
  {
    Statement q(db_,
                "INSERT INTO task(form_id, period, deadline, due_date, issuer_org_id, title, "
                "created_at, created_by) SELECT f.id, ?2, ?3, ?4, o.id, ?6, ?7, ?8 "
                "FROM form f, org_unit o WHERE f.code = ?1 AND o.code = ?5");
    RETURN_IF_ERROR(q.prepared("新增任务"));
    q.bind(1, task.form_code);
    q.bind(2, task.period);
    q.bind(3, task.deadline);
    q.bind(4, task.due_date);
    q.bind(5, task.issuer_org);
    q.bind(6, task.title);
    q.bind(7, task.created_at);
    q.bind(8, task.created_by);
    RETURN_IF_ERROR(q.run("新增任务"));
    if (sqlite3_changes(db_) != 1) return NotFound("报表或下发单位不存在", "form", "unknown_form");
    id = sqlite3_last_insert_rowid(db_);
  }
  Statement entry(db_,
                  "INSERT INTO entry(task_id, org_unit_id, status, version) "
                  "SELECT ?, id, 'not_started', 1 FROM org_unit WHERE code = ?");
  RETURN_IF_ERROR(entry.prepared("新增填报单位"));
  for (const std::string& code : org_codes) {
    entry.reset();
    entry.bind(1, id);
    entry.bind(2, code);
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
  Statement q(db_, std::string(kTaskColumns) + "WHERE t.id = ?");
  RETURN_IF_ERROR(q.prepared("读取任务"));
  q.bind(1, id);
  ASSIGN_OR_RETURN(bool row, q.step("读取任务"));
  if (!row) return std::optional<TaskRecord>();
  return std::optional<TaskRecord>(read_task(q));
}

StatusOr<std::vector<TaskRecord>> SqliteStore::list_tasks() {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kTaskColumns) + "ORDER BY t.id");
  RETURN_IF_ERROR(q.prepared("读取任务"));
  std::vector<TaskRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取任务"));
    if (!row) break;
    out.push_back(read_task(q));
  }
  return out;
}

StatusOr<std::vector<EntryRecord>> SqliteStore::select_entries(
    std::string_view where, const std::vector<std::string>& binds, std::int64_t task_id) {
  Statement q(db_, std::string(kEntryColumns) + std::string(where));
  RETURN_IF_ERROR(q.prepared("读取填报"));
  int i = 1;
  if (task_id != 0) q.bind(i++, task_id);
  for (const std::string& b : binds) q.bind(i++, b);
  std::vector<EntryRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取填报"));
    if (!row) break;
    ASSIGN_OR_RETURN(EntryRecord e, read_entry(q));
    out.push_back(std::move(e));
  }
  return out;
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

StatusOr<std::int64_t> SqliteStore::commit_entry(const EntryCommit& c) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(WriteSummary written, commit_entry_locked(c));
  RETURN_IF_ERROR(tx.commit());
  if (c.context.committed) c.context.committed(written);
  return c.expected_version + 1;
}

Status SqliteStore::commit_entries(const std::vector<EntryCommit>& commits) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  std::vector<WriteSummary> written;
  for (const EntryCommit& c : commits) {
    ASSIGN_OR_RETURN(WriteSummary w, commit_entry_locked(c));
    written.push_back(std::move(w));
  }
  RETURN_IF_ERROR(tx.commit());
  for (std::size_t i = 0; i < commits.size(); ++i) {
    if (commits[i].context.committed) commits[i].context.committed(written[i]);
  }
  return Status::Ok();
}

StatusOr<WriteSummary> SqliteStore::commit_entry_locked(const EntryCommit& c) {
  std::int64_t next_version = c.expected_version + 1;
  {
    Statement q(db_,
                "UPDATE entry SET status = ?1, version = ?2, submitted_at = ?3, explanation = ?4, "
                "return_reason = ?5, approvals = ?6, updated_at = ?7, updated_by = ?8, "
                "due_date = ?12, recall_requested_at = ?13, recall_reason = ?14 "
                "WHERE task_id = ?9 AND org_unit_id = (SELECT id FROM org_unit WHERE code = ?10) "
                "AND version = ?11");
    RETURN_IF_ERROR(q.prepared("保存填报"));
    q.bind(1, model::entry_status_name(c.next.status));
    q.bind(2, next_version);
    q.bind(3, c.next.submitted_at);
    q.bind(4, c.next.explanation);
    q.bind(5, c.next.return_reason);
    q.bind(6, join(c.next.approvals, ','));
    q.bind(7, c.context.at);
    q.bind(8, c.context.username);
    q.bind(9, c.task_id);
    q.bind(10, c.org_code);
    q.bind(11, c.expected_version);
    q.bind(12, c.next.due_date);
    q.bind(13, c.next.recall_requested_at);
    q.bind(14, c.next.recall_reason);
    RETURN_IF_ERROR(q.run("保存填报"));
    if (sqlite3_changes(db_) != 1) {
      return Status(StatusCode::kConflict,
                    "这份报表已被他人修改（或您在另一个窗口中修改过），请刷新后再保存", "version",
                    "version_conflict");
    }
  }
  // The entry lets go of its cells, writes (where no other entry holds
  // them), and holds them again if it is handed in.
  std::int64_t org_id = 0;
  {
    Statement q(db_, "SELECT id FROM org_unit WHERE code = ?");
    RETURN_IF_ERROR(q.prepared("读取单位"));
    q.bind(1, c.org_code);
    ASSIGN_OR_RETURN(bool row, q.step("读取单位"));
    if (!row) return NotFound("单位不存在", "orgUnit", "unknown_org_unit");
    org_id = q.int64(0);
  }
  {
    Statement q(db_, "DELETE FROM cell_lock WHERE task_id = ? AND org_unit_id = ?");
    RETURN_IF_ERROR(q.prepared("释放数据锁"));
    q.bind(1, c.task_id);
    q.bind(2, org_id);
    RETURN_IF_ERROR(q.run("释放数据锁"));
  }
  ASSIGN_OR_RETURN(WriteSummary written, write_values_locked(c.writes, c.context));
  if (!written.refused.empty()) return cell_locked(written.refused.front().holder);
  if (model::is_handed_in(c.next.status)) {
    Statement q(db_, kHoldCells);
    RETURN_IF_ERROR(q.prepared("锁定数据"));
    q.bind(1, c.task_id);
    q.bind(2, org_id);
    RETURN_IF_ERROR(q.run("锁定数据"));
  }
  if (c.event) {
    Statement q(db_,
                "INSERT INTO entry_event(task_id, org_unit_id, at, username, action, from_status, "
                "to_status, reason) SELECT ?, id, ?, ?, ?, ?, ?, ? FROM org_unit WHERE code = ?");
    RETURN_IF_ERROR(q.prepared("记录流转"));
    q.bind(1, c.event->task_id);
    q.bind(2, c.event->at);
    q.bind(3, c.event->username);
    q.bind(4, c.event->action);
    q.bind(5, c.event->from_status);
    q.bind(6, c.event->to_status);
    q.bind(7, c.event->reason);
    q.bind(8, c.event->org_code);
    RETURN_IF_ERROR(q.run("记录流转"));
  }
  return written;
}

StatusOr<std::vector<EntryEvent>> SqliteStore::entry_events(std::int64_t task_id,
                                                            std::string_view org_code) {
  std::lock_guard lock(mu_);
  Statement q(
      db_,
      "SELECT ev.task_id, o.code, ev.at, ev.username, ev.action, ev.from_status, "
      "ev.to_status, ev.reason FROM entry_event ev JOIN org_unit o ON o.id = ev.org_unit_id "
      "WHERE ev.task_id = ? AND o.code = ? ORDER BY ev.id");
  RETURN_IF_ERROR(q.prepared("读取流转记录"));
  q.bind(1, task_id);
  q.bind(2, org_code);
  std::vector<EntryEvent> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取流转记录"));
    if (!row) break;
    out.push_back(EntryEvent{q.int64(0), q.text(1), q.int64(2), q.text(3), q.text(4), q.text(5),
                             q.text(6), q.text(7)});
  }
  return out;
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
    entry.bind(1, task_id);
    entry.bind(2, code);
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
    Statement q(db_, "UPDATE task SET deadline = ?, due_date = ? WHERE id = ?");
    RETURN_IF_ERROR(q.prepared("修改截止日期"));
    q.bind(1, deadline);
    q.bind(2, due_date);
    q.bind(3, task_id);
    RETURN_IF_ERROR(q.run("修改截止日期"));
    if (sqlite3_changes(db_) != 1) return NotFound("填报任务不存在", "task", "unknown_task");
    // A task-wide deadline later than a unit's own makes that one moot.
    Statement units(db_, "UPDATE entry SET due_date = '' WHERE task_id = ? AND due_date <= ?");
    RETURN_IF_ERROR(units.prepared("修改截止日期"));
    units.bind(1, task_id);
    units.bind(2, due_date);
    RETURN_IF_ERROR(units.run("修改截止日期"));
  } else {
    Statement q(db_,
                "UPDATE entry SET due_date = ? WHERE task_id = ? "
                "AND org_unit_id = (SELECT id FROM org_unit WHERE code = ?)");
    RETURN_IF_ERROR(q.prepared("修改截止日期"));
    for (const std::string& code : org_codes) {
      q.reset();
      q.bind(1, due_date);
      q.bind(2, task_id);
      q.bind(3, code);
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
  Statement q(db_,
              "UPDATE task SET state = 'cancelled', cancel_reason = ?, cancelled_at = ?, "
              "cancelled_by = ? WHERE id = ? AND state = 'open'");
  RETURN_IF_ERROR(q.prepared("撤销任务"));
  q.bind(1, reason);
  q.bind(2, at);
  q.bind(3, username);
  q.bind(4, task_id);
  RETURN_IF_ERROR(q.run("撤销任务"));
  if (sqlite3_changes(db_) != 1) {
    return Status(StatusCode::kFailedPrecondition, "任务不存在或已撤销", "task", "task_cancelled");
  }
  Statement release(db_, "DELETE FROM cell_lock WHERE task_id = ?");
  RETURN_IF_ERROR(release.prepared("释放数据锁"));
  release.bind(1, task_id);
  RETURN_IF_ERROR(release.run("释放数据锁"));
  return tx.commit();
}

StatusOr<std::vector<TaskOverlap>> SqliteStore::find_task_overlaps() {
  std::lock_guard lock(mu_);
  // Open tasks of one period whose forms share a stored indicator, and the
  // units (not withdrawn) they both ask.
  Statement q(db_,
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
              "AND e2.status <> 'withdrawn' GROUP BY p.task, p.other ORDER BY p.task, p.other");
  RETURN_IF_ERROR(q.prepared("查找重叠任务"));
  std::vector<TaskOverlap> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("查找重叠任务"));
    if (!row) break;
    out.push_back({q.int64(0), q.int64(1), static_cast<std::size_t>(q.int64(2))});
  }
  return out;
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
  q.bind(1, period);
  q.bind(2, org_code);
  std::vector<CellHolder> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取数据锁"));
    if (!row) break;
    std::string code = q.text(0);
    if (std::find(indicators.begin(), indicators.end(), code) == indicators.end()) continue;
    ASSIGN_OR_RETURN(model::EntryStatus status, model::parse_entry_status(q.text(3)));
    out.push_back(CellHolder{std::move(code), std::string(org_code), std::string(period),
                             q.int64(1), q.text(2), status});
  }
  return out;
}

// --- data values ---------------------------------------------------------------

namespace {

// Row ids of codes, looked up once per code for a batch of writes.
class IdLookup {
 public:
  IdLookup(sqlite3* db, std::string_view sql, std::string_view what) : q_(db, sql), what_(what) {}
  Status prepared() const { return q_.prepared(what_); }
  // nullopt for a code the table does not have.
  StatusOr<std::optional<std::int64_t>> find(const std::string& code) {
    if (last_ && last_->first == code) return last_->second;  // rows come grouped by unit
    auto cached = ids_.find(code);
    if (cached != ids_.end()) {
      last_ = &*cached;
      return cached->second;
    }
    q_.reset();
    q_.bind(1, std::string_view(code));
    ASSIGN_OR_RETURN(bool row, q_.step(what_));
    std::optional<std::int64_t> id;
    if (row) id = q_.int64(0);
    q_.reset();
    last_ = &*ids_.emplace(code, id).first;
    return id;
  }

 private:
  Statement q_;
  std::string_view what_;
  std::unordered_map<std::string, std::optional<std::int64_t>> ids_;
  const std::pair<const std::string, std::optional<std::int64_t>>* last_ = nullptr;
};

// First writes per multi-row insert: enough to make the statement's own
// cost small per row, few enough to keep the statement's program small.
constexpr std::size_t kChunkRows = 128;
// After a chunk fails, this many times more rows go one at a time before
// chunks are tried again (doubling while they keep failing, up to the
// most): a batch of stored values wastes a few failed statements, a new
// month where some units saved their forms already stays mostly chunked.
constexpr std::size_t kMaxBackoffChunks = 1024;

// INSERT of kChunkRows rows, with the write record as ?1 and row r's
// period, unit, indicator, number and text as ?(2+5r) … ?(6+5r).
const std::string& chunk_insert_sql() {
  static const std::string sql = [] {
    std::string s =
        "INSERT INTO data_value(period, org_unit_id, indicator_id, value, text_value, write_id) "
        "VALUES ";
    for (std::size_t r = 0; r < kChunkRows; ++r) {
      const std::size_t p = 2 + r * 5;
      s += fmt::format("{}(?{}, ?{}, ?{}, ?{}, ?{}, ?1)", r ? ", " : "", p, p + 1, p + 2, p + 3,
                       p + 4);
    }
    return s;
  }();
  return sql;
}

// Which writes of a batch meet a cell an entry holds. Most batches write
// periods where nothing is held (history, closed months): one lookup per
// period tells, and only writes into periods with holders are looked up
// cell by cell.
class CellLocks {
 public:
  explicit CellLocks(sqlite3* db)
      : any_(db, "SELECT 1 FROM cell_lock WHERE period = ? LIMIT 1"), holder_(db, kCellHolder) {}
  Status prepared() const {
    RETURN_IF_ERROR(any_.prepared("读取数据锁"));
    return holder_.prepared("读取数据锁");
  }
  // Whether any cell of the period is held.
  StatusOr<bool> in_period(const std::string& period) {
    if (period == last_period_) return last_answer_;
    auto cached = periods_.find(period);
    if (cached == periods_.end()) {
      any_.reset();
      any_.bind(1, std::string_view(period));
      ASSIGN_OR_RETURN(bool row, any_.step("读取数据锁"));
      any_.reset();
      cached = periods_.emplace(period, row).first;
    }
    last_period_ = period;
    last_answer_ = cached->second;
    return last_answer_;
  }
  StatusOr<std::optional<CellHolder>> holder(const ValueWrite& w, std::int64_t org,
                                             std::int64_t indicator) {
    holder_.reset();
    holder_.bind(1, std::string_view(w.period));
    holder_.bind(2, org);
    holder_.bind(3, indicator);
    ASSIGN_OR_RETURN(bool row, holder_.step("读取数据锁"));
    std::optional<CellHolder> out;
    if (row) {
      ASSIGN_OR_RETURN(model::EntryStatus status, model::parse_entry_status(holder_.text(2)));
      out =
          CellHolder{w.indicator, w.org_code, w.period, holder_.int64(0), holder_.text(1), status};
    }
    holder_.reset();
    return out;
  }

 private:
  Statement any_;
  Statement holder_;
  std::unordered_map<std::string, bool> periods_;
  std::string last_period_;
  bool last_answer_ = false;
};

// The version of a value a write replaces.
struct StoredValue {
  std::optional<double> number;
  std::optional<std::string> text;
  Millis at = 0;
  std::string username;
  std::string channel;
};

}  // namespace

StatusOr<WriteSummary> SqliteStore::write_values_locked(const std::vector<ValueWrite>& writes,
                                                        const WriteContext& ctx) {
  WriteSummary summary;
  summary.applied.assign(writes.size(), false);
  if (writes.empty()) return summary;

  // Ids first: an unknown code refuses the whole batch before anything is written.
  struct Keyed {
    std::int64_t indicator;
    std::int64_t org;
    std::size_t index;
    bool maybe_held;  // an entry holds some cell of its period
  };
  std::vector<Keyed> keyed;
  keyed.reserve(writes.size());
  CellLocks locks(db_);
  RETURN_IF_ERROR(locks.prepared());
  {
    IdLookup indicators(db_, "SELECT id FROM indicator WHERE code = ?", "读取指标");
    IdLookup units(db_, "SELECT id FROM org_unit WHERE code = ?", "读取单位");
    RETURN_IF_ERROR(indicators.prepared());
    RETURN_IF_ERROR(units.prepared());
    for (std::size_t i = 0; i < writes.size(); ++i) {
      ASSIGN_OR_RETURN(std::optional<std::int64_t> indicator, indicators.find(writes[i].indicator));
      ASSIGN_OR_RETURN(std::optional<std::int64_t> org, units.find(writes[i].org_code));
      if (!indicator || !org) {
        return NotFound(
            fmt::format("指标 {} 或单位 {} 不存在", writes[i].indicator, writes[i].org_code),
            "dataElement", "unknown_indicator");
      }
      ASSIGN_OR_RETURN(bool maybe_held, locks.in_period(writes[i].period));
      keyed.push_back({*indicator, *org, i, maybe_held});
    }
  }
  Statement record(db_, "INSERT INTO value_write(at, username, channel) VALUES (?, ?, ?)");
  RETURN_IF_ERROR(record.prepared("记录写入"));
  record.bind(1, ctx.at);
  record.bind(2, ctx.username);
  record.bind(3, ctx.channel);
  RETURN_IF_ERROR(record.run("记录写入"));
  const std::int64_t write_id = sqlite3_last_insert_rowid(db_);

  // A value's first write is an insert; replacing or clearing one reads
  // the stored version and keeps it in the history. First writes go
  // kChunkRows to a statement: one statement per row costs more than the
  // row itself. A chunk that meets a stored value fails as a whole (SQLite
  // undoes the statement); its rows, and a run after it that doubles while
  // chunks keep failing, then go one row at a time.
  Statement chunk(db_, chunk_insert_sql());
  RETURN_IF_ERROR(chunk.prepared("保存数据"));
  chunk.bind(1, write_id);      // ?1 in every row; rewind() keeps it bound
  std::size_t alone_until = 0;  // rows before it go one at a time
  std::size_t backoff = 1;      // chunks' worth of rows to go alone after a failure
  Statement insert(db_,
                   "INSERT INTO data_value(period, org_unit_id, indicator_id, value, text_value, "
                   "write_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  RETURN_IF_ERROR(insert.prepared("保存数据"));
  insert.bind(6, write_id);
  Statement stored(db_,
                   "SELECT d.value, d.text_value, w.at, w.username, w.channel FROM data_value d "
                   "JOIN value_write w ON w.id = d.write_id "
                   "WHERE d.period = ? AND d.org_unit_id = ? AND d.indicator_id = ?");
  RETURN_IF_ERROR(stored.prepared("读取原值"));
  Statement update(db_,
                   "UPDATE data_value SET value = ?, text_value = ?, write_id = ? "
                   "WHERE period = ? AND org_unit_id = ? AND indicator_id = ?");
  RETURN_IF_ERROR(update.prepared("保存数据"));
  Statement remove(
      db_, "DELETE FROM data_value WHERE period = ? AND org_unit_id = ? AND indicator_id = ?");
  RETURN_IF_ERROR(remove.prepared("清除数据"));
  Statement history(db_,
                    "INSERT INTO data_value_history(indicator_id, org_unit_id, period, old_value, "
                    "new_value, at, username, channel, old_at, old_username, old_channel) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  RETURN_IF_ERROR(history.prepared("记录数据历史"));

  // Indicators that got a value, for indicator.has_values.
  std::vector<std::int64_t> used;
  auto created = [&](const Keyed& k) {
    ++summary.created;
    summary.applied[k.index] = true;
    if (used.empty() || used.back() != k.indicator) used.push_back(k.indicator);
  };
  auto first_write = [&](const Keyed& k) {
    const ValueWrite& w = writes[k.index];
    return (w.number || w.text) && w.mode != WriteMode::kUpdateOnly;
  };

  for (std::size_t next = 0; next < keyed.size();) {
    // Rows up to `end` go one at a time: those after a failed chunk, else
    // those before the next chunk of first writes.
    std::size_t end = alone_until;
    if (next >= alone_until) {
      end = next;
      while (end < keyed.size() && end - next < kChunkRows && first_write(keyed[end]) &&
             !keyed[end].maybe_held) {
        ++end;
      }
      if (end - next == kChunkRows) {
        chunk.rewind();
        for (std::size_t r = 0; r < kChunkRows; ++r) {
          const Keyed& k = keyed[next + r];
          const ValueWrite& w = writes[k.index];
          const int at = 2 + static_cast<int>(r) * 5;
          chunk.bind_static(at, w.period);
          chunk.bind(at + 1, k.org);
          chunk.bind(at + 2, k.indicator);
          chunk.bind_optional(at + 3, w.number);
          chunk.bind_optional(at + 4, w.text);
        }
        Status ran = chunk.run("保存数据");
        chunk.rewind();
        if (ran.ok()) {
          for (std::size_t r = 0; r < kChunkRows; ++r) created(keyed[next + r]);
          next += kChunkRows;
          backoff = 1;
          continue;
        }
        if (ran.reason() != "constraint") return ran;
        end = alone_until = std::min(keyed.size(), next + backoff * kChunkRows);
        backoff = std::min(2 * backoff, kMaxBackoffChunks);
      } else if (end < keyed.size()) {
        ++end;  // the write that cut the chunk short goes alone too
      }
    }
    for (; next < end; ++next) {
      const Keyed& k = keyed[next];
      const ValueWrite& w = writes[k.index];
      const bool clearing = !w.number && !w.text;
      if (k.maybe_held) {
        ASSIGN_OR_RETURN(std::optional<CellHolder> holder, locks.holder(w, k.org, k.indicator));
        if (holder) {
          // Writing what the cell holds already, or what the mode skips, changes nothing.
          stored.rewind();
          stored.bind_static(1, w.period);
          stored.bind(2, k.org);
          stored.bind(3, k.indicator);
          ASSIGN_OR_RETURN(bool found, stored.step("读取原值"));
          const bool same =
              found ? stored.real(0) == w.number && stored.optional_text(1) == w.text : clearing;
          stored.rewind();
          const bool skipped =
              found ? w.mode == WriteMode::kCreateOnly : w.mode == WriteMode::kUpdateOnly;
          if (same || skipped) {
            ++summary.unchanged;
          } else {
            summary.refused.push_back({k.index, std::move(*holder)});
          }
          continue;
        }
      }
      if (first_write(k)) {
        insert.rewind();
        insert.bind_static(1, w.period);
        insert.bind(2, k.org);
        insert.bind(3, k.indicator);
        insert.bind_optional(4, w.number);
        insert.bind_optional(5, w.text);
        RETURN_IF_ERROR(insert.run("保存数据"));
        if (sqlite3_changes(db_) == 1) {
          created(k);
          continue;
        }
        if (w.mode == WriteMode::kCreateOnly) {  // a value exists: kept
          ++summary.unchanged;
          continue;
        }
      }
      stored.rewind();
      stored.bind_static(1, w.period);
      stored.bind(2, k.org);
      stored.bind(3, k.indicator);
      ASSIGN_OR_RETURN(bool found, stored.step("读取原值"));
      if (!found) {  // nothing to clear, or nothing to update
        ++summary.unchanged;
        continue;
      }
      StoredValue old{stored.real(0), stored.optional_text(1), stored.int64(2), stored.text(3),
                      stored.text(4)};
      stored.rewind();
      if (old.number == w.number && old.text == w.text) {  // no change, no history
        ++summary.unchanged;
        continue;
      }
      Statement& change = clearing ? remove : update;
      change.rewind();
      int at = 1;
      if (!clearing) {
        change.bind_optional(at++, w.number);
        change.bind_optional(at++, w.text);
        change.bind(at++, write_id);
      }
      change.bind_static(at++, w.period);
      change.bind(at++, k.org);
      change.bind(at++, k.indicator);
      RETURN_IF_ERROR(change.run(clearing ? "清除数据" : "保存数据"));
      history.reset();
      history.bind(1, k.indicator);
      history.bind(2, k.org);
      history.bind(3, w.period);
      history.bind(4, value_text(old.number, old.text));
      if (clearing) {
        history.bind_null(5);
      } else {
        history.bind(5, value_text(w.number, w.text));
      }
      history.bind(6, ctx.at);
      history.bind(7, ctx.username);
      history.bind(8, ctx.channel);
      history.bind(9, old.at);
      history.bind(10, old.username);
      history.bind(11, old.channel);
      RETURN_IF_ERROR(history.run("记录数据历史"));
      ++(clearing ? summary.deleted : summary.updated);
      summary.applied[k.index] = true;
    }
  }

  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  Statement mark(db_, "UPDATE indicator SET has_values = 1 WHERE id = ? AND has_values = 0");
  RETURN_IF_ERROR(mark.prepared("保存数据"));
  for (std::int64_t id : used) {
    mark.reset();
    mark.bind(1, id);
    RETURN_IF_ERROR(mark.run("保存数据"));
  }
  return summary;
}

StatusOr<WriteSummary> SqliteStore::write_values(const std::vector<ValueWrite>& writes,
                                                 const WriteContext& ctx) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(WriteSummary summary, write_values_locked(writes, ctx));
  if (ctx.dry_run) return summary;  // the transaction rolls back on scope exit
  RETURN_IF_ERROR(tx.commit());
  if (ctx.committed) ctx.committed(summary);
  return summary;
}

namespace {

// The columns of a DataValueRecord, from data_value d joined with its
// write record w, indicator i and unit o.
constexpr std::string_view kValueColumns =
    "SELECT i.code, o.code, d.period, d.value, d.text_value, w.at, w.username, w.channel "
    "FROM data_value d JOIN value_write w ON w.id = d.write_id "
    "JOIN indicator i ON i.id = d.indicator_id JOIN org_unit o ON o.id = d.org_unit_id ";

DataValueRecord read_value(const Statement& q) {
  return DataValueRecord{q.text(0),          q.text(1),  q.text(2), q.real(3),
                         q.optional_text(4), q.int64(5), q.text(6), q.text(7)};
}

}  // namespace

StatusOr<std::vector<DataValueRecord>> SqliteStore::find_values(
    std::string_view org_code, const std::vector<std::string>& periods,
    const std::vector<std::string>& indicators) {
  std::lock_guard lock(mu_);
  std::vector<DataValueRecord> out;
  if (periods.empty() || indicators.empty()) return out;
  Statement q(db_, std::string(kValueColumns) + "WHERE o.code = ? AND d.period IN (" +
                       placeholders(periods.size()) + ") AND i.code IN (" +
                       placeholders(indicators.size()) + ")");
  RETURN_IF_ERROR(q.prepared("读取数据"));
  int i = 1;
  q.bind(i++, org_code);
  for (const std::string& p : periods) q.bind(i++, p);
  for (const std::string& c : indicators) q.bind(i++, c);
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取数据"));
    if (!row) break;
    out.push_back(read_value(q));
  }
  return out;
}

StatusOr<std::vector<ValueChange>> SqliteStore::value_history(std::string_view indicator,
                                                              std::string_view org_code,
                                                              std::string_view period) {
  std::lock_guard lock(mu_);
  // History rows are the changes that replaced or cleared a value, each
  // with the replaced version's who/when; a first write has no row of its
  // own and is told from the version that followed (or the current one).
  Statement q(db_,
              "SELECT h.old_value, h.new_value, h.at, h.username, h.channel, h.old_at, "
              "h.old_username, h.old_channel FROM data_value_history h "
              "JOIN indicator i ON i.id = h.indicator_id JOIN org_unit o ON o.id = h.org_unit_id "
              "WHERE i.code = ? AND o.code = ? AND h.period = ? ORDER BY h.id");
  RETURN_IF_ERROR(q.prepared("读取数据历史"));
  q.bind(1, indicator);
  q.bind(2, org_code);
  q.bind(3, period);
  std::vector<ValueChange> out;
  auto change = [&](std::optional<std::string> old_value, std::optional<std::string> new_value,
                    Millis at, std::string username, std::string channel) {
    out.push_back(ValueChange{std::string(indicator), std::string(org_code), std::string(period),
                              std::move(old_value), std::move(new_value), at, std::move(username),
                              std::move(channel)});
  };
  bool present = false;  // whether a value stood before the next change
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取数据历史"));
    if (!row) break;
    std::optional<std::string> old_value = q.optional_text(0);
    if (old_value && !present && !q.is_null(5)) {
      change(std::nullopt, old_value, q.int64(5), q.text(6), q.text(7));
    }
    present = !q.is_null(1);
    change(std::move(old_value), q.optional_text(1), q.int64(2), q.text(3), q.text(4));
  }
  if (!present) {
    Statement current(
        db_, std::string(kValueColumns) + "WHERE i.code = ? AND o.code = ? AND d.period = ?");
    RETURN_IF_ERROR(current.prepared("读取数据"));
    current.bind(1, indicator);
    current.bind(2, org_code);
    current.bind(3, period);
    ASSIGN_OR_RETURN(bool found, current.step("读取数据"));
    if (found) {
      DataValueRecord v = read_value(current);
      change(std::nullopt, value_text(v.number, v.text), v.updated_at, std::move(v.updated_by),
             std::move(v.channel));
    }
  }
  return out;
}

Status SqliteStore::scan_values(const std::function<void(const DataValueRecord&)>& visit) {
  std::lock_guard lock(mu_);
  Statement q(db_, kValueColumns);
  RETURN_IF_ERROR(q.prepared("读取数据"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取数据"));
    if (!row) break;
    visit(read_value(q));
  }
  return Status::Ok();
}

Status SqliteStore::select_values(const std::vector<std::string>& periods,
                                  const std::vector<std::string>& indicators,
                                  const std::function<void(const DataValueRecord&)>& visit) {
  std::lock_guard lock(mu_);
  std::string sql = std::string(kValueColumns) + "WHERE 1 = 1";
  if (!periods.empty()) sql += " AND d.period IN (" + placeholders(periods.size()) + ")";
  if (!indicators.empty()) sql += " AND i.code IN (" + placeholders(indicators.size()) + ")";
  // The key is (period, unit, indicator): for a few indicators of a month,
  // naming every unit turns the scan of the month's rows (all indicators)
  // into one seek per unit and indicator.
  constexpr std::size_t kFewIndicators = 16;
  if (!periods.empty() && !indicators.empty() && indicators.size() <= kFewIndicators) {
    sql += " AND d.org_unit_id IN (SELECT id FROM org_unit)";
  }
  Statement q(db_, sql);
  RETURN_IF_ERROR(q.prepared("读取数据"));
  int k = 1;
  for (const std::string& p : periods) q.bind(k++, p);
  for (const std::string& c : indicators) q.bind(k++, c);
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取数据"));
    if (!row) break;
    visit(read_value(q));
  }
  return Status::Ok();
}

namespace {

// Codes of a small table by row id. Row ids are dense from 1, and the scan
// of the values changes indicator on every row and unit every few, so codes
// are found by index, not by hash (a hash only for ids far out of range).
class CodesById {
 public:
  Status read(sqlite3* db, std::string_view sql, std::string_view what) {
    Statement q(db, sql);
    RETURN_IF_ERROR(q.prepared(what));
    while (true) {
      ASSIGN_OR_RETURN(bool row, q.step(what));
      if (!row) break;
      const std::int64_t id = q.int64(0);
      if (id >= 0 && id < kDense) {
        if (static_cast<std::size_t>(id) >= dense_.size()) dense_.resize(id + 1);
        dense_[static_cast<std::size_t>(id)] = q.text(1);
      } else {
        sparse_.emplace(id, q.text(1));
      }
    }
    return Status::Ok();
  }
  const std::string& operator[](std::int64_t id) {
    return id >= 0 && static_cast<std::size_t>(id) < dense_.size()
               ? dense_[static_cast<std::size_t>(id)]
               : sparse_[id];
  }

 private:
  static constexpr std::int64_t kDense = 1 << 26;
  std::vector<std::string> dense_;
  std::unordered_map<std::int64_t, std::string> sparse_;
};

}  // namespace

Status SqliteStore::scan_numbers(const NumberVisitor& visit) {
  std::lock_guard lock(mu_);
  // Codes come from the small tables read first, so the scan of the big
  // table reads integers, one short text and a double per row.
  CodesById indicators, units;
  RETURN_IF_ERROR(indicators.read(db_, "SELECT id, code FROM indicator", "读取指标"));
  RETURN_IF_ERROR(units.read(db_, "SELECT id, code FROM org_unit", "读取单位"));
  Statement q(db_,
              "SELECT indicator_id, org_unit_id, period, value FROM data_value "
              "WHERE value IS NOT NULL");
  RETURN_IF_ERROR(q.prepared("读取数据"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取数据"));
    if (!row) break;
    visit(indicators[q.int64(0)], units[q.int64(1)], q.text_view(2), *q.real(3));
  }
  return Status::Ok();
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
      q.bind(1, n.task_id);
      q.bind(2, n.kind);
      q.bind(3, n.message);
      q.bind(4, n.at);
      q.bind(5, n.created_by);
      q.bind(6, n.org_code);
      RETURN_IF_ERROR(q.run("保存通知"));
    }
  }
  return tx.commit();
}

StatusOr<std::vector<NoticeRecord>> SqliteStore::notices_for(
    const std::vector<std::string>& org_codes, std::size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<NoticeRecord> out;
  if (org_codes.empty()) return out;
  Statement q(db_,
              "SELECT n.id, o.code, n.task_id, n.kind, n.message, n.at, n.created_by FROM notice n "
              "JOIN org_unit o ON o.id = n.org_unit_id WHERE o.code IN (" +
                  placeholders(org_codes.size()) + ") ORDER BY n.id DESC LIMIT ?");
  RETURN_IF_ERROR(q.prepared("读取通知"));
  int i = 1;
  for (const std::string& c : org_codes) q.bind(i++, c);
  q.bind(i, static_cast<std::int64_t>(limit));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取通知"));
    if (!row) break;
    out.push_back(NoticeRecord{q.int64(0), q.text(1), q.int64(2), q.text(3), q.text(4), q.int64(5),
                               q.text(6)});
  }
  return out;
}

}  // namespace tianbao::store
