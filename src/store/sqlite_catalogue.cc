// The SQLite backend's CatalogueStore: indicators, forms, validation rules.
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

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

// Runs `sql` with an indicator's columns as ?1 … ?12.
Status write_indicator(sqlite3* db, std::string_view sql, std::string_view what, Status none,
                       const model::Indicator& ind) {
  return run_one(db, sql, what, std::move(none), ind.code, ind.name, ind.unit,
                 model::value_type_name(ind.value_type), model::aggregation_name(ind.aggregation),
                 model::indicator_kind_name(ind.kind()), ind.formula, ind.min, ind.max,
                 ind.definition, ind.guidance,
                 model::period_aggregation_name(ind.period_aggregation));
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

// Runs `sql` with a form's columns as ?1 … ?5.
Status write_form(sqlite3* db, std::string_view sql, std::string_view what, Status none,
                  const model::Form& form) {
  return run_one(db, sql, what, std::move(none), form.code, form.name,
                 model::form_period_type_name(form.period_type), levels_text(form.levels),
                 sections_json(form));
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

// Runs `sql` with a rule's columns as ?1 … ?7.
Status write_rule(sqlite3* db, std::string_view sql, std::string_view what, Status none,
                  const model::ValidationRule& rule) {
  return run_one(db, sql, what, std::move(none), rule.code, rule.name, rule.left,
                 model::rule_operator_text(rule.op), rule.right,
                 model::severity_name(rule.severity), rule.message);
}

Status taken(std::string_view what, std::string_view code) {
  return AlreadyExists(fmt::format("{}代码 {} 已存在", what, code), "code");
}

Status indicator_in_use(std::string_view code) {
  return Status(StatusCode::kFailedPrecondition, fmt::format("指标 {} 已有数据，不能删除", code),
                "code", "indicator_in_use");
}

}  // namespace

// --- indicators --------------------------------------------------------------

StatusOr<std::vector<model::Indicator>> SqliteStore::list_indicators() {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kIndicatorColumns) + "ORDER BY code", "读取指标",
                    read_indicator);
}

Status SqliteStore::insert_indicator(const model::Indicator& ind) {
  std::lock_guard lock(mu_);
  return write_indicator(db_,
                         "INSERT INTO indicator(code, name, unit, value_type, aggregation, kind, "
                         "formula, min_value, max_value, definition, guidance, "
                         "period_aggregation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT(code) DO NOTHING",
                         "新增指标", taken("指标", ind.code), ind);
}

Status SqliteStore::update_indicator(const model::Indicator& ind) {
  std::lock_guard lock(mu_);
  return write_indicator(db_,
                         "UPDATE indicator SET name = ?2, unit = ?3, value_type = ?4, "
                         "aggregation = ?5, kind = ?6, formula = ?7, min_value = ?8, "
                         "max_value = ?9, definition = ?10, guidance = ?11, "
                         "period_aggregation = ?12 WHERE code = ?1",
                         "更新指标", not_found("指标", ind.code, "unknown_indicator"), ind);
}

Status SqliteStore::delete_indicator(std::string_view code) {
  std::lock_guard lock(mu_);
  // data_value has no foreign keys (bulk writes) and its key starts with the
  // period: an indicator that never had a value is told by its mark, one
  // that had some by finding one (the first rows, unless all were cleared).
  ASSIGN_OR_RETURN(bool has_values,
                   exists(db_,
                          "SELECT 1 FROM indicator i WHERE i.code = ? AND i.has_values = 1 AND "
                          "EXISTS (SELECT 1 FROM data_value d WHERE d.indicator_id = i.id)",
                          "删除指标", code));
  if (has_values) return indicator_in_use(code);
  StatusOr<int> deleted = run(db_, "DELETE FROM indicator WHERE code = ?", "删除指标", code);
  if (deleted.status().reason() == "constraint") return indicator_in_use(code);
  RETURN_IF_ERROR(deleted.status());
  if (*deleted != 1) return not_found("指标", code, "unknown_indicator");
  return Status::Ok();
}

// --- forms -------------------------------------------------------------------

StatusOr<std::vector<model::Form>> SqliteStore::list_forms() {
  std::lock_guard lock(mu_);
  return select_all(db_, "SELECT code, name, period_type, levels, sections FROM form ORDER BY code",
                    "读取报表", read_form);
}

Status SqliteStore::insert_form(const model::Form& form) {
  std::lock_guard lock(mu_);
  return write_form(db_,
                    "INSERT INTO form(code, name, period_type, levels, sections) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING",
                    "新增报表", taken("报表", form.code), form);
}

Status SqliteStore::update_form(const model::Form& form) {
  std::lock_guard lock(mu_);
  return write_form(db_,
                    "UPDATE form SET name = ?2, period_type = ?3, levels = ?4, sections = ?5 "
                    "WHERE code = ?1",
                    "更新报表", not_found("报表", form.code, "unknown_form"), form);
}

// --- validation rules ----------------------------------------------------------

StatusOr<std::vector<model::ValidationRule>> SqliteStore::list_rules() {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kRuleColumns) + "ORDER BY code", "读取校验规则", read_rule);
}

Status SqliteStore::insert_rule(const model::ValidationRule& rule) {
  std::lock_guard lock(mu_);
  return write_rule(db_,
                    "INSERT INTO validation_rule(code, name, left_expr, operator, right_expr, "
                    "severity, message) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING",
                    "新增校验规则", taken("校验规则", rule.code), rule);
}

Status SqliteStore::update_rule(const model::ValidationRule& rule) {
  std::lock_guard lock(mu_);
  return write_rule(db_,
                    "UPDATE validation_rule SET name = ?2, left_expr = ?3, operator = ?4, "
                    "right_expr = ?5, severity = ?6, message = ?7 WHERE code = ?1",
                    "更新校验规则", not_found("校验规则", rule.code, "unknown_rule"), rule);
}

Status SqliteStore::delete_rule(std::string_view code) {
  std::lock_guard lock(mu_);
  return run_one(db_, "DELETE FROM validation_rule WHERE code = ?", "删除校验规则",
                 not_found("校验规则", code, "unknown_rule"), code);
}

}  // namespace tianbao::store
