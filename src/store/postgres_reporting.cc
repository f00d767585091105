// The PostgreSQL backend's catalogue (indicators, forms, rules) and tasks
// with their entries and cell locks.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/text.h"
#include "store/postgres_store.h"

namespace tianbao::store {

using pg_detail::Params;
using pg_detail::Rows;
using pg_detail::Transaction;

namespace {

using model::join;
using model::split;

constexpr std::string_view kIndicatorColumns =
    "SELECT code, name, unit, value_type, aggregation, kind, formula, min_value, max_value, "
    "definition, guidance, period_aggregation FROM indicator ";

StatusOr<model::Indicator> read_indicator(const Rows& r, std::size_t i) {
  model::Indicator ind;
  ind.code = r.text(i, 0);
  ind.name = r.text(i, 1);
  ind.unit = r.text(i, 2);
  ASSIGN_OR_RETURN(ind.value_type, model::parse_value_type(r.text(i, 3)));
  ASSIGN_OR_RETURN(ind.aggregation, model::parse_aggregation(r.text(i, 4)));
  // Column 5, kind, is kept for older readers; period_aggregation implies it.
  ind.formula = r.text(i, 6);
  ind.min = r.real(i, 7);
  ind.max = r.real(i, 8);
  ind.definition = r.text(i, 9);
  ind.guidance = r.text(i, 10);
  ASSIGN_OR_RETURN(ind.period_aggregation, model::parse_period_aggregation(r.text(i, 11)));
  return ind;
}

Params indicator_params(const model::Indicator& ind) {
  Params p;
  p.text(ind.code)
      .text(ind.name)
      .text(ind.unit)
      .text(model::value_type_name(ind.value_type))
      .text(model::aggregation_name(ind.aggregation))
      .text(model::indicator_kind_name(ind.kind()))
      .text(ind.formula)
      .optional(ind.min)
      .optional(ind.max)
      .text(ind.definition)
      .text(ind.guidance)
      .text(model::period_aggregation_name(ind.period_aggregation));
  return p;
}

std::string sections_json(const model::Form& form) {
  nlohmann::json sections = nlohmann::json::array();
  for (const model::FormSection& s : form.sections) {
    sections.push_back({{"title", s.title}, {"indicators", s.indicators}});
  }
  return sections.dump();
}

std::string levels_text(const std::vector<int>& levels) {
  std::vector<std::string> parts;
  for (int l : levels) parts.push_back(std::to_string(l));
  return join(parts, ',');
}

Params form_params(const model::Form& form) {
  Params p;
  p.text(form.code)
      .text(form.name)
      .text(model::form_period_type_name(form.period_type))
      .text(levels_text(form.levels))
      .text(sections_json(form));
  return p;
}

StatusOr<model::Form> read_form(const Rows& r, std::size_t i) {
  model::Form form;
  form.code = r.text(i, 0);
  form.name = r.text(i, 1);
  ASSIGN_OR_RETURN(form.period_type, model::parse_form_period_type(r.text(i, 2)));
  for (const std::string& level : split(r.view(i, 3), ',')) form.levels.push_back(std::stoi(level));
  nlohmann::json sections = nlohmann::json::parse(r.view(i, 4), nullptr, false);
  if (!sections.is_array()) return Internal(fmt::format("报表 {} 的栏目数据损坏", form.code));
  for (const nlohmann::json& s : sections) {
    form.sections.push_back(model::FormSection{s.value("title", std::string()),
                                               s.value("indicators", std::vector<std::string>())});
  }
  return form;
}

constexpr std::string_view kRuleColumns =
    "SELECT code, name, left_expr, operator, right_expr, severity, message FROM validation_rule ";

StatusOr<model::ValidationRule> read_rule(const Rows& r, std::size_t i) {
  model::ValidationRule rule;
  rule.code = r.text(i, 0);
  rule.name = r.text(i, 1);
  rule.left = r.text(i, 2);
  ASSIGN_OR_RETURN(rule.op, model::parse_rule_operator(r.text(i, 3)));
  rule.right = r.text(i, 4);
  rule.severity = r.view(i, 5) == "warning" ? model::Severity::kWarning : model::Severity::kError;
  rule.message = r.text(i, 6);
  return rule;
}

Params rule_params(const model::ValidationRule& rule) {
  Params p;
  p.text(rule.code)
      .text(rule.name)
      .text(rule.left)
      .text(model::rule_operator_text(rule.op))
      .text(rule.right)
      .text(model::severity_name(rule.severity))
      .text(rule.message);
  return p;
}

constexpr std::string_view kTaskColumns =
    "SELECT t.id, f.code, t.period, t.deadline, t.due_date, o.code, t.title, t.created_at, "
    "t.created_by, t.state, t.cancel_reason, t.cancelled_at, t.cancelled_by "
    "FROM task t JOIN form f ON f.id = t.form_id "
    "JOIN org_unit o ON o.id = t.issuer_org_id ";

TaskRecord read_task(const Rows& r, std::size_t i) {
  TaskRecord t;
  t.id = r.int64(i, 0);
  t.form_code = r.text(i, 1);
  t.period = r.text(i, 2);
  t.deadline = r.text(i, 3);
  t.due_date = r.text(i, 4);
  t.issuer_org = r.text(i, 5);
  t.title = r.text(i, 6);
  t.created_at = r.int64(i, 7);
  t.created_by = r.text(i, 8);
  t.state = r.view(i, 9) == "cancelled" ? model::TaskState::kCancelled : model::TaskState::kOpen;
  t.cancel_reason = r.text(i, 10);
  t.cancelled_at = r.int64(i, 11);
  t.cancelled_by = r.text(i, 12);
  return t;
}

constexpr std::string_view kEntryColumns =
    "SELECT e.task_id, o.code, e.status, e.version, e.submitted_at, e.explanation, "
    "e.return_reason, e.approvals, e.updated_at, e.updated_by, e.due_date, "
    "e.recall_requested_at, e.recall_reason "
    "FROM entry e JOIN org_unit o ON o.id = e.org_unit_id ";

StatusOr<EntryRecord> read_entry(const Rows& r, std::size_t i) {
  EntryRecord e;
  e.task_id = r.int64(i, 0);
  e.org_code = r.text(i, 1);
  ASSIGN_OR_RETURN(e.status, model::parse_entry_status(r.text(i, 2)));
  e.version = r.int64(i, 3);
  e.submitted_at = r.int64(i, 4);
  e.explanation = r.text(i, 5);
  e.return_reason = r.text(i, 6);
  e.approvals = split(r.view(i, 7), ',');
  e.updated_at = r.int64(i, 8);
  e.updated_by = r.text(i, 9);
  e.due_date = r.text(i, 10);
  e.recall_requested_at = r.int64(i, 11);
  e.recall_reason = r.text(i, 12);
  return e;
}

// A form's stored indicators as rows (task t, form f in scope):
// FROM … CROSS JOIN LATERAL kFormIndicators.
constexpr std::string_view kFormIndicators =
    "jsonb_array_elements(f.sections) AS s CROSS JOIN LATERAL "
    "jsonb_array_elements_text(s->'indicators') AS x(code) "
    "JOIN indicator i ON i.code = x.code AND i.formula = '' ";

// The cells an entry holds: its form's stored indicators for the task's
// period ($1 task, $2 unit id).
std::string hold_cells_sql() {
  return fmt::format(
      "INSERT INTO cell_lock(period, org_unit_id, indicator_id, task_id) "
      "SELECT DISTINCT t.period, $2::bigint, i.id, t.id FROM task t JOIN form f ON f.id = "
      "t.form_id CROSS JOIN LATERAL {} WHERE t.id = $1 AND t.state = 'open' "
      "ON CONFLICT DO NOTHING",
      kFormIndicators);
}

Status version_conflict() {
  return Status(StatusCode::kConflict,
                "这份报表已被他人修改（或您在另一个窗口中修改过），请刷新后再保存", "version",
                "version_conflict");
}

}  // namespace

// --- indicators, forms, rules ------------------------------------------------------

StatusOr<std::vector<model::Indicator>> PostgresStore::list_indicators() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kIndicatorColumns) + "ORDER BY code", "读取指标"));
  std::vector<model::Indicator> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSIGN_OR_RETURN(model::Indicator ind, read_indicator(r, i));
    out.push_back(std::move(ind));
  }
  return out;
}

Status PostgresStore::insert_indicator(const model::Indicator& ind) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      std::int64_t added,
      c->change("INSERT INTO indicator(code, name, unit, value_type, aggregation, kind, formula, "
                "min_value, max_value, definition, guidance, period_aggregation) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                "ON CONFLICT (code) DO NOTHING",
                indicator_params(ind), "新增指标"));
  if (added != 1) return AlreadyExists(fmt::format("指标代码 {} 已存在", ind.code), "code");
  return Status::Ok();
}

Status PostgresStore::update_indicator(const model::Indicator& ind) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      std::int64_t changed,
      c->change("UPDATE indicator SET name = $2, unit = $3, value_type = $4, aggregation = $5, "
                "kind = $6, formula = $7, min_value = $8, max_value = $9, definition = $10, "
                "guidance = $11, period_aggregation = $12 WHERE code = $1",
                indicator_params(ind), "更新指标"));
  if (changed != 1) return pg_detail::not_found("指标", ind.code, "unknown_indicator");
  return Status::Ok();
}

Status PostgresStore::delete_indicator(std::string_view code) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(Rows used,
                   c->run("SELECT 1 FROM indicator i WHERE i.code = $1 AND i.has_values AND "
                          "EXISTS (SELECT 1 FROM data_value d WHERE d.indicator_id = i.id)",
                          Params().text(code), "删除指标"));
  const Status in_use(StatusCode::kFailedPrecondition,
                      fmt::format("指标 {} 已有数据，不能删除", code), "code", "indicator_in_use");
  if (!used.empty()) return in_use;
  StatusOr<std::int64_t> deleted =
      c->change("DELETE FROM indicator WHERE code = $1", Params().text(code), "删除指标");
  if (!deleted.ok() && pg_detail::is_unique_violation(deleted.status())) return in_use;
  RETURN_IF_ERROR(deleted.status());
  if (*deleted != 1) return pg_detail::not_found("指标", code, "unknown_indicator");
  return tx.commit();
}

StatusOr<std::vector<model::Form>> PostgresStore::list_forms() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run("SELECT code, name, period_type, levels, sections::text "
                                  "FROM form ORDER BY code",
                                  "读取报表"));
  std::vector<model::Form> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSIGN_OR_RETURN(model::Form form, read_form(r, i));
    out.push_back(std::move(form));
  }
  return out;
}

Status PostgresStore::insert_form(const model::Form& form) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t added,
                   c->change("INSERT INTO form(code, name, period_type, levels, sections) "
                             "VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (code) DO NOTHING",
                             form_params(form), "新增报表"));
  if (added != 1) return AlreadyExists(fmt::format("报表代码 {} 已存在", form.code), "code");
  return Status::Ok();
}

Status PostgresStore::update_form(const model::Form& form) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t changed,
                   c->change("UPDATE form SET name = $2, period_type = $3, levels = $4, "
                             "sections = $5::jsonb WHERE code = $1",
                             form_params(form), "更新报表"));
  if (changed != 1) return pg_detail::not_found("报表", form.code, "unknown_form");
  return Status::Ok();
}

StatusOr<std::vector<model::ValidationRule>> PostgresStore::list_rules() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kRuleColumns) + "ORDER BY code", "读取校验规则"));
  std::vector<model::ValidationRule> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSIGN_OR_RETURN(model::ValidationRule rule, read_rule(r, i));
    out.push_back(std::move(rule));
  }
  return out;
}

Status PostgresStore::insert_rule(const model::ValidationRule& rule) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t added,
                   c->change("INSERT INTO validation_rule(code, name, left_expr, operator, "
                             "right_expr, severity, message) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                             "ON CONFLICT (code) DO NOTHING",
                             rule_params(rule), "新增校验规则"));
  if (added != 1) return AlreadyExists(fmt::format("校验规则代码 {} 已存在", rule.code), "code");
  return Status::Ok();
}

Status PostgresStore::update_rule(const model::ValidationRule& rule) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t changed,
                   c->change("UPDATE validation_rule SET name = $2, left_expr = $3, "
                             "operator = $4, right_expr = $5, severity = $6, message = $7 "
                             "WHERE code = $1",
                             rule_params(rule), "更新校验规则"));
  if (changed != 1) return pg_detail::not_found("校验规则", rule.code, "unknown_rule");
  return Status::Ok();
}

Status PostgresStore::delete_rule(std::string_view code) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t deleted, c->change("DELETE FROM validation_rule WHERE code = $1",
                                                   Params().text(code), "删除校验规则"));
  if (deleted != 1) return pg_detail::not_found("校验规则", code, "unknown_rule");
  return Status::Ok();
}

// --- tasks and entries ---------------------------------------------------------------

StatusOr<std::int64_t> PostgresStore::insert_task(const TaskRecord& task,
                                                  const std::vector<std::string>& org_codes) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(Rows inserted,
                   c->run("INSERT INTO task(form_id, period, deadline, due_date, issuer_org_id, "
                          "title, created_at, created_by) SELECT f.id, $2, $3, $4, o.id, $6, "
                          "$7::bigint, $8 FROM form f, org_unit o WHERE f.code = $1 AND "
                          "o.code = $5 RETURNING id",
                          Params()
                              .text(task.form_code)
                              .text(task.period)
                              .text(task.deadline)
                              .text(task.due_date)
                              .text(task.issuer_org)
                              .text(task.title)
                              .num(task.created_at)
                              .text(task.created_by),
                          "新增任务"));
  if (inserted.empty()) return NotFound("报表或下发单位不存在", "form", "unknown_form");
  const std::int64_t id = inserted.int64(0, 0);
  ASSIGN_OR_RETURN(Rows unknown,
                   c->run("SELECT code FROM unnest($1::text[]) AS a(code) WHERE NOT EXISTS "
                          "(SELECT 1 FROM org_unit o WHERE o.code = a.code) LIMIT 1",
                          Params().text_array(org_codes), "新增填报单位"));
  if (!unknown.empty()) {
    return NotFound(fmt::format("单位 {} 不存在", unknown.view(0, 0)), "orgUnits",
                    "unknown_org_unit");
  }
  RETURN_IF_ERROR(c->run("INSERT INTO entry(task_id, org_unit_id, status, version) "
                         "SELECT $1::bigint, o.id, 'not_started', 1 FROM org_unit o "
                         "WHERE o.code = ANY($2::text[])",
                         Params().num(id).text_array(org_codes), "新增填报单位")
                      .status());
  RETURN_IF_ERROR(tx.commit());
  return id;
}

StatusOr<std::optional<TaskRecord>> PostgresStore::find_task(std::int64_t id) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r, c->run(std::string(kTaskColumns) + "WHERE t.id = $1", Params().num(id), "读取任务"));
  if (r.empty()) return std::optional<TaskRecord>();
  return std::optional<TaskRecord>(read_task(r, 0));
}

StatusOr<std::vector<TaskRecord>> PostgresStore::list_tasks() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kTaskColumns) + "ORDER BY t.id", "读取任务"));
  std::vector<TaskRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_task(r, i));
  return out;
}

StatusOr<std::vector<EntryRecord>> PostgresStore::select_entries(std::string_view where,
                                                                 const Params& params) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r,
                   c->run(std::string(kEntryColumns) + std::string(where), params, "读取填报"));
  std::vector<EntryRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSIGN_OR_RETURN(EntryRecord e, read_entry(r, i));
    out.push_back(std::move(e));
  }
  return out;
}

StatusOr<std::vector<EntryRecord>> PostgresStore::list_entries(std::int64_t task_id) {
  // COLLATE "C": the byte order SQLite sorts codes by.
  return select_entries("WHERE e.task_id = $1 ORDER BY o.code COLLATE \"C\"",
                        Params().num(task_id));
}

StatusOr<std::vector<EntryRecord>> PostgresStore::entries_of_units(
    const std::vector<std::string>& org_codes) {
  if (org_codes.empty()) return std::vector<EntryRecord>();
  return select_entries("WHERE o.code = ANY($1::text[]) ORDER BY e.task_id, o.code COLLATE \"C\"",
                        Params().text_array(org_codes));
}

StatusOr<std::optional<EntryRecord>> PostgresStore::find_entry(std::int64_t task_id,
                                                               std::string_view org_code) {
  ASSIGN_OR_RETURN(auto entries, select_entries("WHERE e.task_id = $1 AND o.code = $2",
                                                Params().num(task_id).text(org_code)));
  if (entries.empty()) return std::optional<EntryRecord>();
  return std::optional<EntryRecord>(std::move(entries.front()));
}

StatusOr<std::int64_t> PostgresStore::commit_entry(const EntryCommit& commit) {
  std::lock_guard lock(values_mu_);
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(begin_value_writes(tx));
  RETURN_IF_ERROR(commit_entry_locked(*c, commit).status());
  RETURN_IF_ERROR(tx.commit());
  return commit.expected_version + 1;
}

Status PostgresStore::commit_entries(const std::vector<EntryCommit>& commits) {
  std::lock_guard lock(values_mu_);
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(begin_value_writes(tx));
  for (const EntryCommit& commit : commits) {
    RETURN_IF_ERROR(commit_entry_locked(*c, commit).status());
  }
  return tx.commit();
}

StatusOr<WriteSummary> PostgresStore::commit_entry_locked(Connection& c, const EntryCommit& e) {
  ASSIGN_OR_RETURN(
      Rows updated,
      c.run("UPDATE entry SET status = $1, version = $2, submitted_at = $3, explanation = $4, "
            "return_reason = $5, approvals = $6, updated_at = $7, updated_by = $8, "
            "due_date = $12, recall_requested_at = $13, recall_reason = $14 "
            "WHERE task_id = $9 AND org_unit_id = (SELECT id FROM org_unit WHERE code = $10) "
            "AND version = $11 RETURNING org_unit_id",
            Params()
                .text(model::entry_status_name(e.next.status))
                .num(e.expected_version + 1)
                .num(e.next.submitted_at)
                .text(e.next.explanation)
                .text(e.next.return_reason)
                .text(join(e.next.approvals, ','))
                .num(e.context.at)
                .text(e.context.username)
                .num(e.task_id)
                .text(e.org_code)
                .num(e.expected_version)
                .text(e.next.due_date)
                .num(e.next.recall_requested_at)
                .text(e.next.recall_reason),
            "保存填报"));
  if (updated.empty()) return version_conflict();
  const std::int64_t org_id = updated.int64(0, 0);
  // The entry lets go of its cells, writes (where no other entry holds
  // them), and holds them again if it is handed in.
  RETURN_IF_ERROR(c.run("DELETE FROM cell_lock WHERE task_id = $1 AND org_unit_id = $2",
                        Params().num(e.task_id).num(org_id), "释放数据锁")
                      .status());
  ASSIGN_OR_RETURN(WriteSummary written, write_values_locked(c, e.writes, e.context));
  if (!written.refused.empty()) return cell_lock_refusal(written.refused.front().holder);
  if (model::is_handed_in(e.next.status)) {
    RETURN_IF_ERROR(
        c.run(hold_cells_sql(), Params().num(e.task_id).num(org_id), "锁定数据").status());
  }
  if (e.event) {
    RETURN_IF_ERROR(c.run("INSERT INTO entry_event(task_id, org_unit_id, at, username, action, "
                          "from_status, to_status, reason) SELECT $1::bigint, id, $2::bigint, "
                          "$3, $4, $5, $6, $7 FROM org_unit WHERE code = $8",
                          Params()
                              .num(e.event->task_id)
                              .num(e.event->at)
                              .text(e.event->username)
                              .text(e.event->action)
                              .text(e.event->from_status)
                              .text(e.event->to_status)
                              .text(e.event->reason)
                              .text(e.event->org_code),
                          "记录流转")
                        .status());
  }
  return written;
}

StatusOr<std::vector<EntryEvent>> PostgresStore::entry_events(std::int64_t task_id,
                                                              std::string_view org_code) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r, c->run("SELECT ev.task_id, o.code, ev.at, ev.username, ev.action, ev.from_status, "
                     "ev.to_status, ev.reason FROM entry_event ev JOIN org_unit o "
                     "ON o.id = ev.org_unit_id WHERE ev.task_id = $1 AND o.code = $2 "
                     "ORDER BY ev.id",
                     Params().num(task_id).text(org_code), "读取流转记录"));
  std::vector<EntryEvent> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back(EntryEvent{r.int64(i, 0), r.text(i, 1), r.int64(i, 2), r.text(i, 3), r.text(i, 4),
                             r.text(i, 5), r.text(i, 6), r.text(i, 7)});
  }
  return out;
}

StatusOr<std::size_t> PostgresStore::add_task_units(std::int64_t task_id,
                                                    const std::vector<std::string>& org_codes) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t added,
                   c->change("INSERT INTO entry(task_id, org_unit_id, status, version) "
                             "SELECT $1::bigint, o.id, 'not_started', 1 FROM org_unit o "
                             "WHERE o.code = ANY($2::text[]) ON CONFLICT DO NOTHING",
                             Params().num(task_id).text_array(org_codes), "新增填报单位"));
  return static_cast<std::size_t>(added);
}

Status PostgresStore::set_due_date(std::int64_t task_id, const std::string& deadline,
                                   const std::string& due_date,
                                   const std::vector<std::string>& org_codes) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  if (org_codes.empty()) {
    ASSIGN_OR_RETURN(
        std::int64_t changed,
        c->change("UPDATE task SET deadline = $1, due_date = $2 WHERE id = $3",
                  Params().text(deadline).text(due_date).num(task_id), "修改截止日期"));
    if (changed != 1) return NotFound("填报任务不存在", "task", "unknown_task");
    // A task-wide deadline later than a unit's own makes that one moot.
    RETURN_IF_ERROR(c->run("UPDATE entry SET due_date = '' WHERE task_id = $1 AND "
                           "due_date COLLATE \"C\" <= $2",
                           Params().num(task_id).text(due_date), "修改截止日期")
                        .status());
  } else {
    for (const std::string& code : org_codes) {
      ASSIGN_OR_RETURN(std::int64_t changed,
                       c->change("UPDATE entry SET due_date = $1 WHERE task_id = $2 AND "
                                 "org_unit_id = (SELECT id FROM org_unit WHERE code = $3)",
                                 Params().text(due_date).num(task_id).text(code), "修改截止日期"));
      if (changed != 1) {
        return NotFound(fmt::format("单位 {} 不在任务 {} 的填报范围内", code, task_id), "orgUnits",
                        "unknown_entry");
      }
    }
  }
  return tx.commit();
}

Status PostgresStore::cancel_task(std::int64_t task_id, const std::string& reason, Millis at,
                                  const std::string& username) {
  std::lock_guard lock(values_mu_);
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(begin_value_writes(tx));
  ASSIGN_OR_RETURN(
      std::int64_t changed,
      c->change("UPDATE task SET state = 'cancelled', cancel_reason = $1, "
                "cancelled_at = $2, cancelled_by = $3 WHERE id = $4 AND "
                "state = 'open'",
                Params().text(reason).num(at).text(username).num(task_id), "撤销任务"));
  if (changed != 1) {
    return Status(StatusCode::kFailedPrecondition, "任务不存在或已撤销", "task", "task_cancelled");
  }
  RETURN_IF_ERROR(
      c->run("DELETE FROM cell_lock WHERE task_id = $1", Params().num(task_id), "释放数据锁")
          .status());
  return tx.commit();
}

StatusOr<std::vector<TaskOverlap>> PostgresStore::find_task_overlaps() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  // Open tasks of one period whose forms share a stored indicator, and the
  // units (not withdrawn) they both ask.
  ASSIGN_OR_RETURN(
      Rows r,
      c->run(fmt::format(
                 "WITH asks AS (SELECT DISTINCT t.id AS task, t.period AS period, "
                 "i.id AS indicator FROM task t JOIN form f ON f.id = t.form_id "
                 "CROSS JOIN LATERAL {} WHERE t.state = 'open'), "
                 "pairs AS (SELECT DISTINCT a.task AS task, b.task AS other FROM asks a "
                 "JOIN asks b ON b.period = a.period AND b.indicator = a.indicator "
                 "AND b.task > a.task) "
                 "SELECT p.task, p.other, count(*) FROM pairs p "
                 "JOIN entry e1 ON e1.task_id = p.task AND e1.status <> 'withdrawn' "
                 "JOIN entry e2 ON e2.task_id = p.other AND e2.org_unit_id = e1.org_unit_id "
                 "AND e2.status <> 'withdrawn' GROUP BY p.task, p.other ORDER BY p.task, p.other",
                 kFormIndicators),
             "查找重叠任务"));
  std::vector<TaskOverlap> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.int64(i, 0), r.int64(i, 1), static_cast<std::size_t>(r.int64(i, 2))});
  }
  return out;
}

StatusOr<std::vector<CellHolder>> PostgresStore::cell_holders(
    std::string_view org_code, std::string_view period,
    const std::vector<std::string>& indicators) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r, c->run("SELECT i.code, c.task_id, t.title, e.status FROM cell_lock c "
                     "JOIN task t ON t.id = c.task_id JOIN indicator i ON i.id = c.indicator_id "
                     "JOIN entry e ON e.task_id = c.task_id AND e.org_unit_id = c.org_unit_id "
                     "WHERE c.period = $1 AND c.org_unit_id = (SELECT id FROM org_unit "
                     "WHERE code = $2) AND i.code = ANY($3::text[]) ORDER BY c.task_id",
                     Params().text(period).text(org_code).text_array(indicators), "读取数据锁"));
  std::vector<CellHolder> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSIGN_OR_RETURN(model::EntryStatus status, model::parse_entry_status(r.text(i, 3)));
    out.push_back(CellHolder{r.text(i, 0), std::string(org_code), std::string(period),
                             r.int64(i, 1), r.text(i, 2), status});
  }
  return out;
}

}  // namespace tianbao::store
