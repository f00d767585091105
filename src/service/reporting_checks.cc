// Reporting: an entry's figures — interpreting what the filler typed,
// checking the whole entry (bounds, outliers, model::ValidationRule), the
// entry as the form shows it, saving drafts, single values from other
// systems and a value's history.
#include <algorithm>

#include <fmt/format.h>

#include "model/validation.h"
#include "service/cell_lock_message.h"
#include "service/reporting_internal.h"

namespace tianbao::service {

using namespace reporting_internal;  // NOLINT: the shared vocabulary of reporting*.cc
using model::EntryStatus;
using model::Severity;
using model::Violation;

StatusOr<std::pair<std::map<std::string, double>, std::map<std::string, std::string>>>
Reporting::stored_values(const Loaded& l) {
  ASSIGN_OR_RETURN(auto values, store_.find_values(l.entry.org_code, {l.period.to_string()},
                                                   l.form->indicator_codes()));
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> texts;
  for (const store::DataValueRecord& v : values) {
    if (v.number) numbers[v.indicator] = *v.number;
    if (v.text) texts[v.indicator] = *v.text;
  }
  return std::make_pair(std::move(numbers), std::move(texts));
}

std::vector<Violation> Reporting::interpret(const Loaded& l, const std::vector<FieldInput>& fields,
                                            std::vector<store::ValueWrite>* writes) {
  std::vector<Violation> out;
  std::vector<std::string> on_form = l.form->indicator_codes();
  for (const FieldInput& f : fields) {
    const model::Indicator* ind = l.catalogue->indicator(f.code);
    bool present = std::find(on_form.begin(), on_form.end(), f.code) != on_form.end();
    if (!ind || !present) {
      out.push_back({f.code, Severity::kError, "unknown_field",
                     fmt::format("报表中没有指标 {}", model::sanitize_for_message(f.code)), ""});
      continue;
    }
    if (ind->derived()) {
      out.push_back({f.code, Severity::kError, "derived_field",
                     fmt::format("“{}”由系统按公式计算，不能填写", ind->name), ""});
      continue;
    }
    store::ValueWrite w{f.code, l.entry.org_code, l.period.to_string(), std::nullopt, std::nullopt};
    if (f.raw) {
      if (!model::is_valid_utf8(*f.raw)) {
        out.push_back({f.code, Severity::kError, "invalid_utf8", "内容不是有效的 UTF-8 文本", ""});
        continue;
      }
      model::EnteredValue v = model::interpret_value(*f.raw, ind->field_spec());
      for (Violation& violation : v.violations) {
        violation.field = f.code;
        out.push_back(std::move(violation));
      }
      if (!v.ok()) continue;
      w.number = v.number;
      w.text = v.text;
    }
    if (writes) writes->push_back(std::move(w));
  }
  return out;
}

StatusOr<std::vector<Violation>> Reporting::evaluate(
    const Loaded& l, const std::map<std::string, double>& numbers,
    const std::map<std::string, std::string>& texts, bool require_all) {
  std::vector<Violation> out;
  std::vector<std::string> codes = l.form->indicator_codes();
  if (require_all) {
    for (const std::string& code : codes) {
      const model::Indicator* ind = l.catalogue->indicator(code);
      if (!ind || ind->derived() || numbers.count(code) || texts.count(code)) continue;
      out.push_back({code, Severity::kError, "required",
                     fmt::format("“{}”未填写（没有发生请填 0）", ind->name), ""});
    }
  }
  // Outliers against the unit's own recent figures.
  std::vector<std::string> history_periods;
  model::Period p = l.period;
  for (int i = 0; i < kOutlierHistory; ++i) {
    p = p.previous();
    history_periods.push_back(p.to_string());
  }
  ASSIGN_OR_RETURN(auto history, store_.find_values(l.entry.org_code, history_periods, codes));
  for (const std::string& code : codes) {
    auto it = numbers.find(code);
    if (it == numbers.end()) continue;
    std::vector<double> series;
    for (const store::DataValueRecord& h : history) {
      if (h.indicator == code && h.number) series.push_back(*h.number);
    }
    if (std::optional<Violation> v = model::check_outlier(it->second, series)) {
      v->field = code;
      out.push_back(std::move(*v));
    }
  }
  // Derived indicators, then rules, over the entry's own figures.
  const model::Figures all = model::with_derived(l.catalogue->formulas, numbers);
  for (const model::ValidationRule* rule : l.catalogue->rules_for(*l.form)) {
    const auto& [left, right] = l.catalogue->rule_expressions.at(rule->code);
    if (std::optional<Violation> v = model::evaluate(*rule, left, right, all)) {
      out.push_back(std::move(*v));
    }
  }
  return out;
}

StatusOr<EntryView> Reporting::get_entry(const Principal& who, std::int64_t task_id,
                                         const std::string& org_code) {
  Status allowed = access_.check(who, Permission::kReadUnits, org_code);
  if (allowed.code() == StatusCode::kNotFound) {
    return NotFound(fmt::format("单位 {} 不在任务 {} 的填报范围内",
                                model::sanitize_for_message(org_code), task_id),
                    "orgUnit", "unknown_entry");
  }
  RETURN_IF_ERROR(allowed);
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  ASSIGN_OR_RETURN(auto stored, stored_values(l));
  auto& [numbers, texts] = stored;
  EntryView v;
  v.catalogue = l.catalogue;
  v.task = l.task;
  v.form = l.form;
  v.entry = l.entry;
  auto tree = units_.tree();
  v.org_name = tree->unit(*tree->find(org_code)).name;
  v.previous_period = l.period.previous().to_string();
  ASSIGN_OR_RETURN(auto previous,
                   store_.find_values(org_code, {v.previous_period}, l.form->indicator_codes()));
  ASSIGN_OR_RETURN(v.violations, evaluate(l, numbers, texts, false));
  const model::Figures computed = model::with_derived(l.catalogue->formulas, numbers);
  // Cells another entry holds (a store from before the overlap check may
  // ask for the same cells in two tasks).
  ASSIGN_OR_RETURN(std::vector<store::CellHolder> holders,
                   store_.cell_holders(org_code, l.period.to_string(), l.form->indicator_codes()));
  for (const model::FormSection& s : l.form->sections) {
    EntrySection section{s.title, {}};
    for (const std::string& code : s.indicators) {
      EntryField f;
      f.indicator = l.catalogue->indicator(code);
      for (const store::CellHolder& h : holders) {
        if (h.indicator == code && h.task_id != task_id) f.held_by = h;
      }
      if (auto n = computed.find(code); n != computed.end()) f.number = n->second;
      if (auto t = texts.find(code); t != texts.end()) f.text = t->second;
      for (const store::DataValueRecord& p : previous) {
        if (p.indicator == code) f.previous = p.number;
      }
      section.fields.push_back(std::move(f));
    }
    v.sections.push_back(std::move(section));
  }
  ASSIGN_OR_RETURN(v.events, store_.entry_events(task_id, org_code));
  // What the caller could do now (the same rules the actions enforce).
  std::optional<model::Ordinal> unit = tree->find(org_code);
  std::optional<model::Ordinal> own = tree->find(who.org_code);
  bool sysadmin = who.has(model::Role::kSysadmin);
  bool above = sysadmin || (own && unit && *own != *unit && tree->in_subtree(*own, *unit));
  const bool open = check_open(l).ok();
  v.can_edit = open && may_fill(who, l.entry);
  v.can_submit = v.can_edit;
  v.due_date = due_date_of(l.task, l.entry);
  v.next_approver = handed_in(l.entry.status) ? next_approver(l.task, l.entry) : std::string();
  bool approver = any_role(who, Permission::kApproveEntries) && above;
  v.can_approve =
      approver && !v.next_approver.empty() && (sysadmin || who.org_code == v.next_approver);
  bool approved_above =
      std::any_of(l.entry.approvals.begin(), l.entry.approvals.end(), [&](const std::string& a) {
        std::optional<model::Ordinal> ao = tree->find(a);
        return own && ao && *ao != *own && tree->in_subtree(*ao, *own);
      });
  v.can_approve = v.can_approve && open && l.entry.recall_requested_at == 0;
  v.can_return = open && approver && handed_in(l.entry.status) && (sysadmin || !approved_above);
  v.can_recall = open && l.entry.status == EntryStatus::kSubmitted && l.entry.approvals.empty() &&
                 l.entry.recall_requested_at == 0 && any_role(who, Permission::kFillEntries) &&
                 (who.org_code == org_code || sysadmin);
  v.can_decide_recall = open && l.entry.recall_requested_at != 0 && approver &&
                        (sysadmin || who.org_code == v.next_approver);
  v.can_withdraw = open && check_manages(who, l.task).ok();
  v.can_unapprove = open && approver && !l.entry.approvals.empty() && (sysadmin || [&] {
                      std::optional<model::Ordinal> last = tree->find(l.entry.approvals.back());
                      return own && last && tree->in_subtree(*own, *last);
                    }());
  return v;
}

StatusOr<std::vector<Violation>> Reporting::check_fields(const Principal& who, std::int64_t task_id,
                                                         const std::string& org_code,
                                                         const std::vector<FieldInput>& fields) {
  RETURN_IF_ERROR(access_.check(who, Permission::kFillEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  return interpret(l, fields, nullptr);
}

bool Reporting::may_fill(const Principal& who, const store::EntryRecord& entry) {
  return editable(entry.status) && any_role(who, Permission::kFillEntries) &&
         (who.org_code == entry.org_code || who.has(model::Role::kSysadmin));
}

Status Reporting::check_writable(const Loaded& l, std::int64_t version) {
  RETURN_IF_ERROR(check_open(l));
  if (!editable(l.entry.status)) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("本表{}，不能修改；如需修改请联系审核员退回",
                              model::entry_status_label(l.entry.status)),
                  "status", "entry_locked");
  }
  if (version != l.entry.version) {
    return Status(StatusCode::kConflict,
                  "这份报表已被他人修改（或您在另一个窗口中修改过），请刷新后再保存", "version",
                  "version_conflict");
  }
  return Status::Ok();
}

StatusOr<Reporting::Staged> Reporting::stage(const Loaded& l,
                                             const std::vector<FieldInput>& fields) {
  Staged staged;
  staged.violations = interpret(l, fields, &staged.writes);
  if (has_error(staged.violations)) return validation_failed(std::move(staged.violations));
  ASSIGN_OR_RETURN(auto stored, stored_values(l));
  auto& [numbers, texts] = stored;
  for (const store::ValueWrite& w : staged.writes) {
    auto n = numbers.find(w.indicator);
    auto t = texts.find(w.indicator);
    std::optional<double> old_number;
    std::optional<std::string> old_text;
    if (n != numbers.end()) old_number = n->second;
    if (t != texts.end()) old_text = t->second;
    if (old_number != w.number || old_text != w.text) {
      staged.changes = true;
      staged.changed.push_back(w.indicator);
    }
    numbers.erase(w.indicator);
    texts.erase(w.indicator);
    if (w.number) numbers[w.indicator] = *w.number;
    if (w.text) texts[w.indicator] = *w.text;
  }
  ASSIGN_OR_RETURN(std::vector<Violation> checks, evaluate(l, numbers, texts, false));
  // interpret() already reported each field's own warnings; evaluate adds
  // outliers and rules.
  staged.violations.insert(staged.violations.end(), checks.begin(), checks.end());
  return staged;
}

Status Reporting::check_cells(const Loaded& l, const Staged& staged) {
  if (staged.changed.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<store::CellHolder> holders,
                   store_.cell_holders(l.entry.org_code, l.period.to_string(), staged.changed));
  for (const store::CellHolder& h : holders) {
    if (h.task_id != l.task.id) return cell_locked(h);
  }
  return Status::Ok();
}

StatusOr<std::int64_t> Reporting::commit_draft(const Principal& who, const Loaded& l,
                                               Staged& staged, const std::string& channel) {
  store::EntryRecord next = l.entry;
  next.status = EntryStatus::kDraft;
  store::EntryCommit commit;
  commit.task_id = l.task.id;
  commit.org_code = l.entry.org_code;
  commit.expected_version = l.entry.version;
  commit.next = next;
  commit.writes = std::move(staged.writes);
  commit.context = {who.username, channel, clock_.now_ms()};
  if (l.entry.status != EntryStatus::kDraft) {
    commit.event = store::EntryEvent{l.task.id,
                                     l.entry.org_code,
                                     commit.context.at,
                                     who.username,
                                     "save",
                                     std::string(model::entry_status_name(l.entry.status)),
                                     "draft",
                                     ""};
  }
  StatusOr<std::int64_t> version = store_.commit_entry(commit);
  if (!version.ok()) return worded_refusal(store_, commit, version.status());
  if (observer_) observer_(commit.writes, 0);
  return version;
}

StatusOr<SaveResult> Reporting::save_entry(const Principal& who, std::int64_t task_id,
                                           const std::string& org_code, std::int64_t version,
                                           const std::vector<FieldInput>& fields) {
  RETURN_IF_ERROR(access_.check(who, Permission::kFillEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_writable(l, version));
  ASSIGN_OR_RETURN(Staged staged, stage(l, fields));
  RETURN_IF_ERROR(check_cells(l, staged));
  ASSIGN_OR_RETURN(std::int64_t new_version, commit_draft(who, l, staged, "form"));
  return SaveResult{new_version, std::move(staged.violations)};
}

StatusOr<std::vector<Violation>> Reporting::post_value(const Principal& who,
                                                       const SingleValue& value) {
  auto catalogue = metadata_.catalogue();
  const model::Indicator* ind = catalogue->indicator(value.indicator);
  if (!ind) {
    return NotFound(fmt::format("指标 {} 不存在", model::sanitize_for_message(value.indicator)),
                    "dataElement", "unknown_indicator");
  }
  if (ind->derived()) {
    return InvalidArgument(fmt::format("“{}”由系统按公式计算，不能填写", ind->name), "dataElement",
                           "derived_field");
  }
  ASSIGN_OR_RETURN(model::Period period, model::Period::parse(value.period));
  bool manager = any_role(who, Permission::kManageTasks);
  Status allowed = access_.check(who, manager ? Permission::kManageTasks : Permission::kFillEntries,
                                 value.org_code);
  if (allowed.code() == StatusCode::kNotFound) {
    return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(value.org_code)),
                    "orgUnit", "unknown_org_unit");
  }
  RETURN_IF_ERROR(allowed);
  store::ValueWrite w{value.indicator, value.org_code, period.to_string(), std::nullopt,
                      std::nullopt};
  std::vector<Violation> warnings;
  if (value.raw) {
    if (!model::is_valid_utf8(*value.raw)) {
      return InvalidArgument("数值不是有效的 UTF-8 文本", "value", "invalid_utf8");
    }
    model::EnteredValue v = model::interpret_value(*value.raw, ind->field_spec());
    for (Violation& violation : v.violations) violation.field = value.indicator;
    if (!v.ok()) return validation_failed(std::move(v.violations));
    w.number = v.number;
    w.text = v.text;
    warnings = std::move(v.violations);
  }
  store::WriteContext ctx{who.username, "api", clock_.now_ms()};
  // A figure an entry holds (submitted or approved) is refused by the store,
  // in the same transaction that would have written it.
  ASSIGN_OR_RETURN(store::WriteSummary written, store_.write_values({w}, ctx));
  if (observer_ && written.refused.empty()) observer_({w}, written.change_seq);
  if (!written.refused.empty()) {
    Status refused = cell_locked(written.refused.front().holder);
    RETURN_IF_ERROR(audit_.record(
        who, {"datavalue.write",
              fmt::format("{}/{}/{}", value.indicator, value.org_code, period.to_string()),
              "denied", refused.message()}));
    return refused;
  }
  RETURN_IF_ERROR(audit_.record(
      who, {"datavalue.write",
            fmt::format("{}/{}/{}", value.indicator, value.org_code, period.to_string()), "ok",
            value.raw ? model::sanitize_for_message(*value.raw) : "清除"}));
  return warnings;
}

StatusOr<std::vector<store::ValueChange>> Reporting::history(const Principal& who,
                                                             const std::string& indicator,
                                                             const std::string& org_code,
                                                             const std::string& period) {
  RETURN_IF_ERROR(access_.check(who, Permission::kReadUnits, org_code));
  if (!metadata_.catalogue()->indicator(indicator)) {
    return NotFound(fmt::format("指标 {} 不存在", model::sanitize_for_message(indicator)),
                    "dataElement", "unknown_indicator");
  }
  ASSIGN_OR_RETURN(model::Period p, model::Period::parse(period));
  return store_.value_history(indicator, org_code, p.to_string());
}

}  // namespace tianbao::service
