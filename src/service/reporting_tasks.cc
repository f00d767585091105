// Reporting: tasks — dispatch down the tree with the overlap check
// (一事一报), listing and status by region, deadlines, cancellation,
// reminders (催报) and notices.
#include <algorithm>

#include <fmt/format.h>

#include "service/reporting_internal.h"

namespace tianbao::service {

using namespace reporting_internal;  // NOLINT: the shared vocabulary of reporting*.cc
using model::EntryStatus;
using model::Severity;
using model::Violation;

StatusOr<std::vector<store::TaskRecord>> Reporting::overlapping(
    const model::Form& form, const std::string& period, const std::vector<std::string>& codes) {
  auto catalogue = metadata_.catalogue();
  std::vector<std::string> asked;
  for (const std::string& code : form.indicator_codes()) {
    const model::Indicator* ind = catalogue->indicator(code);
    if (ind && !ind->derived()) asked.push_back(code);
  }
  ASSIGN_OR_RETURN(std::vector<store::TaskRecord> tasks, store_.list_tasks());
  std::vector<store::TaskRecord> out;
  for (store::TaskRecord& t : tasks) {
    if (cancelled(t) || t.period != period) continue;
    const model::Form* other = catalogue->form(t.form_code);
    if (!other) continue;
    std::vector<std::string> theirs = other->indicator_codes();
    bool shares = std::any_of(asked.begin(), asked.end(), [&](const std::string& c) {
      return std::find(theirs.begin(), theirs.end(), c) != theirs.end();
    });
    if (!shares) continue;
    ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(t.id));
    bool meets = std::any_of(entries.begin(), entries.end(), [&](const store::EntryRecord& e) {
      return !withdrawn(e) && std::binary_search(codes.begin(), codes.end(), e.org_code);
    });
    if (meets) out.push_back(std::move(t));
  }
  return out;
}

namespace {

// A deadline must leave the units time to report: not before today, and
// not before the period is over (a month's figures exist once it ends).
// Only the system may record tasks of the past (the demo's history), so
// the caller skips this for it.
Status check_new_due_date(const std::string& due, const model::Period& period,
                          std::int64_t now_ms) {
  const std::string today = beijing_date(now_ms);
  if (due < today) {
    return InvalidArgument(
        fmt::format("截止日期 {} 早于今天（{}），请选择今天或以后的日期", due, today), "deadline",
        "deadline_past");
  }
  if (due < period.end_date()) {
    return InvalidArgument(fmt::format("截止日期 {} 早于填报期“{}”结束（{}），届时数据尚未产生",
                                       due, period.label(), period.end_date()),
                           "deadline", "deadline_before_period_end");
  }
  return Status::Ok();
}

// The units a new task goes to, sorted and unique, each one the caller
// manages and at a level the form is for; and the issuing unit: the
// caller's own, or (for a caller above every unit, such as the system) the
// top of the tree they share.
StatusOr<std::pair<std::vector<std::string>, std::string>> task_units(const Access& access,
                                                                      const Principal& who,
                                                                      const NewTask& t,
                                                                      const model::Form& form,
                                                                      const model::OrgTree& tree) {
  std::vector<std::string> codes;
  if (!t.org_units.empty()) {
    codes = t.org_units;
  } else {
    if (t.root.empty() || t.level < model::kProvinceLevel || t.level > model::kVillageLevel) {
      return InvalidArgument("须给出填报单位列表 orgUnits，或 {root, level}（如 4408 下全部镇）",
                             "orgUnits", "required");
    }
    Status allowed = access.check(who, Permission::kManageTasks, t.root);
    if (allowed.code() == StatusCode::kNotFound) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(t.root)),
                      "orgUnits", "unknown_org_unit");
    }
    RETURN_IF_ERROR(allowed);
    codes = regions_at_level(tree, *tree.find(t.root), t.level);
    if (codes.empty()) {
      return InvalidArgument(fmt::format("{} 之下没有第 {} 级单位", t.root, t.level), "orgUnits",
                             "no_units");
    }
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  std::optional<model::Ordinal> common;
  for (const std::string& code : codes) {
    Status allowed = access.check(who, Permission::kManageTasks, code);
    if (allowed.code() == StatusCode::kNotFound) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(code)), "orgUnits",
                      "unknown_org_unit");
    }
    RETURN_IF_ERROR(allowed);
    model::Ordinal o = *tree.find(code);
    const model::OrgUnit& u = tree.unit(o);
    if (std::find(form.levels.begin(), form.levels.end(), u.level) == form.levels.end()) {
      return InvalidArgument(fmt::format("{}（{}级）不是报表“{}”的填报层级", u.name,
                                         model::level_name(u.level), form.name),
                             "orgUnits", "wrong_level");
    }
    common = common ? *common : tree.path(o).front();
  }
  std::string issuer = who.org_code;
  if (issuer.empty() || !tree.find(issuer)) issuer = tree.unit(*common).code;
  return std::make_pair(std::move(codes), std::move(issuer));
}

}  // namespace

StatusOr<std::int64_t> Reporting::create_task(const Principal& who, const NewTask& t) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageTasks, "task"));
  auto catalogue = metadata_.catalogue();
  const model::Form* form = catalogue->form(t.form);
  if (!form) {
    return NotFound(fmt::format("报表 {} 不存在", model::sanitize_for_message(t.form)), "form",
                    "unknown_form");
  }
  ASSIGN_OR_RETURN(model::Period period, model::Period::parse(t.period));
  if (!period_fits(*form, period)) {
    return InvalidArgument(
        fmt::format("报表“{}”按{}填报，期间“{}”不符", form->name,
                    model::form_period_type_name(form->period_type) == "month"     ? "月"
                    : model::form_period_type_name(form->period_type) == "quarter" ? "季度"
                                                                                   : "年",
                    t.period),
        "period", "invalid_period");
  }
  ASSIGN_OR_RETURN(model::Deadline deadline, model::Deadline::parse(t.deadline));
  const std::string due = deadline.due_date(period);
  if (!is_system(who)) RETURN_IF_ERROR(check_new_due_date(due, period, clock_.now_ms()));
  auto tree = units_.tree();
  ASSIGN_OR_RETURN(auto chosen_units, task_units(access_, who, t, *form, *tree));
  auto& [codes, issuer] = chosen_units;
  // 一事一报: a cell is asked for by one open task at a time.
  ASSIGN_OR_RETURN(std::vector<store::TaskRecord> others,
                   overlapping(*form, period.to_string(), codes));
  const std::int64_t chosen = t.extends ? t.extends : t.replaces;
  if (t.extends && t.replaces) {
    return InvalidArgument("extends 与 replaces 只能选一个", "extends", "invalid_value");
  }
  for (const store::TaskRecord& other : others) {
    if (other.id == chosen) continue;
    return Status(
        StatusCode::kFailedPrecondition,
        fmt::format("与已下发的任务《{}》（任务 {}）重叠：同一期、同一指标已向其中的单位下发"
                    "（一事一报）。可将新增单位并入该任务，或撤销该任务后重新下发",
                    other.title, other.id),
        "form", "task_overlap");
  }
  if (chosen) {
    ASSIGN_OR_RETURN(std::optional<store::TaskRecord> target, store_.find_task(chosen));
    if (!target || cancelled(*target)) {
      return NotFound(
          fmt::format("要{}的任务 {} 不存在或已撤销", t.extends ? "并入" : "取代", chosen),
          t.extends ? "extends" : "replaces", "unknown_task");
    }
    RETURN_IF_ERROR(check_manages(who, *target));
    if (t.extends) {
      if (target->form_code != form->code || target->period != period.to_string()) {
        return InvalidArgument(
            fmt::format("只能把单位并入同一报表、同一期的任务；《{}》是另一张报表或另一期",
                        target->title),
            "extends", "extends_mismatch");
      }
      ASSIGN_OR_RETURN(std::size_t added, store_.add_task_units(target->id, codes));
      RETURN_IF_ERROR(
          audit_.record(who, {"task.extend_units", fmt::format("task:{}", target->id), "ok",
                              fmt::format("{}：并入 {} 个单位", target->title, added)}));
      return target->id;
    }
    RETURN_IF_ERROR(store_.cancel_task(target->id, "由新任务取代", clock_.now_ms(), who.username));
    RETURN_IF_ERROR(audit_.record(who, {"task.cancel", fmt::format("task:{}", target->id), "ok",
                                        fmt::format("{}：由新任务取代", target->title)}));
  }

  store::TaskRecord task;
  task.form_code = form->code;
  task.period = period.to_string();
  task.deadline = deadline.to_string();
  task.due_date = due;
  task.issuer_org = issuer;
  task.title = t.title.empty() ? fmt::format("{}（{}）", form->name, period.label()) : t.title;
  if (!model::is_valid_utf8(task.title) || model::utf8_length(task.title) > 100) {
    return InvalidArgument("任务标题须为不超过 100 个字的文本", "title", "invalid_text");
  }
  task.created_at = clock_.now_ms();
  task.created_by = who.username;
  ASSIGN_OR_RETURN(std::int64_t id, store_.insert_task(task, codes));
  RETURN_IF_ERROR(audit_.record(
      who, {"task.create", fmt::format("task:{}", id), "ok",
            fmt::format("{}，{} 个单位，截止 {}", task.title, codes.size(), task.due_date)}));
  return id;
}

StatusOr<std::vector<store::TaskRecord>> Reporting::overlapping_tasks(const Principal& who,
                                                                      const NewTask& t) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageTasks, "task"));
  const model::Form* form = metadata_.catalogue()->form(t.form);
  StatusOr<model::Period> period = model::Period::parse(t.period);
  if (!form || !period.ok()) return std::vector<store::TaskRecord>();
  auto tree = units_.tree();
  std::vector<std::string> codes = t.org_units;
  if (codes.empty()) {
    std::optional<model::Ordinal> root = tree->find(t.root);
    if (!root || !access_.in_scope(who, *tree, *root)) return std::vector<store::TaskRecord>();
    codes = regions_at_level(*tree, *root, t.level);
  }
  std::sort(codes.begin(), codes.end());
  ASSIGN_OR_RETURN(std::vector<store::TaskRecord> found,
                   overlapping(*form, period->to_string(), codes));
  std::vector<store::TaskRecord> out;
  for (store::TaskRecord& task : found) {
    if (access_.in_scope(who, task.issuer_org)) out.push_back(std::move(task));
  }
  return out;
}

StatusOr<std::vector<TaskView>> Reporting::list_tasks(const Principal& who) {
  auto catalogue = metadata_.catalogue();
  auto tree = units_.tree();
  ASSIGN_OR_RETURN(std::vector<store::TaskRecord> tasks, store_.list_tasks());
  std::vector<TaskView> out;
  for (store::TaskRecord& t : tasks) {
    ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(t.id));
    TaskView v;
    for (store::EntryRecord& e : entries) {
      std::optional<model::Ordinal> o = tree->find(e.org_code);
      if (!o || !access_.in_scope(who, *tree, *o) || withdrawn(e)) continue;
      ++v.assigned;
      if (handed_in(e.status)) ++v.submitted;
      if (e.org_code == who.org_code) v.own_entry = e;
    }
    if (v.assigned == 0) continue;
    const model::Form* form = catalogue->form(t.form_code);
    v.form_name = form ? form->name : t.form_code;
    StatusOr<model::Period> p = model::Period::parse(t.period);
    v.period_label = p.ok() ? p->label() : t.period;
    v.task = std::move(t);
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<TaskStatus> Reporting::task_status(const Principal& who, std::int64_t task_id) {
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(task_id));
  if (!task) return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  auto tree = units_.tree();
  ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(task_id));
  TaskStatus status;
  status.task = *task;
  std::map<model::Ordinal, UnitProgress> regions;
  model::SubtreeRange scope = access_.scope(who, *tree);
  std::optional<model::Ordinal> issuer = tree->find(task->issuer_org);
  for (store::EntryRecord& e : entries) {
    std::optional<model::Ordinal> o = tree->find(e.org_code);
    if (!o || !scope.contains(*o)) continue;
    if (withdrawn(e)) {  // kept in the list as history, counted nowhere
      status.entries.push_back(std::move(e));
      continue;
    }
    bool on_time = is_on_time(*task, e);
    std::string next = handed_in(e.status) ? next_approver(*task, e) : std::string();
    bool fully = e.status == EntryStatus::kApproved && next.empty();
    for (model::Ordinal a : tree->path(*o)) {
      if (a == *o || !scope.contains(a)) continue;
      if (issuer && !tree->in_subtree(*issuer, a)) continue;
      UnitProgress& p = regions[a];
      if (p.org_code.empty()) {
        const model::OrgUnit& u = tree->unit(a);
        p.org_code = u.code;
        p.name = u.name;
        p.level = u.level;
      }
      ++p.assigned;
      if (handed_in(e.status)) ++p.submitted;
      if (on_time) ++p.on_time;
      if (fully) ++p.approved;
    }
    status.on_time[e.org_code] = on_time;
    if (!next.empty()) status.next_approver[e.org_code] = std::move(next);
    status.entries.push_back(std::move(e));
  }
  if (status.entries.empty()) {
    return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  }
  for (auto& [o, p] : regions) status.regions.push_back(std::move(p));
  return status;
}

Status Reporting::extend_deadline(const Principal& who, std::int64_t task_id,
                                  const std::string& deadline_text,
                                  const std::vector<std::string>& org_units) {
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(task_id));
  if (!task) return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  RETURN_IF_ERROR(check_manages(who, *task));
  if (cancelled(*task)) {
    return Status(StatusCode::kFailedPrecondition, "任务已撤销，不能延期", "task",
                  "task_cancelled");
  }
  ASSIGN_OR_RETURN(model::Period period, model::Period::parse(task->period));
  ASSIGN_OR_RETURN(model::Deadline deadline, model::Deadline::parse(deadline_text));
  const std::string due = deadline.due_date(period);
  const std::string today = beijing_date(clock_.now_ms());
  if (due < today) {
    return InvalidArgument(fmt::format("新的截止日期 {} 早于今天（{}）", due, today), "deadline",
                           "deadline_past");
  }
  ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(task_id));
  std::vector<std::string> codes = org_units;
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  for (const std::string& code : codes) {
    auto e = std::find_if(entries.begin(), entries.end(),
                          [&](const store::EntryRecord& x) { return x.org_code == code; });
    if (e == entries.end() || withdrawn(*e)) {
      return NotFound(fmt::format("单位 {} 不在任务 {} 的填报范围内",
                                  model::sanitize_for_message(code), task_id),
                      "orgUnits", "unknown_entry");
    }
    if (due <= due_date_of(*task, *e)) {
      return InvalidArgument(
          fmt::format("{} 的截止日期已是 {}，只能延后", code, due_date_of(*task, *e)), "deadline",
          "deadline_not_later");
    }
  }
  if (codes.empty() && due <= task->due_date) {
    return InvalidArgument(fmt::format("任务的截止日期已是 {}，只能延后", task->due_date),
                           "deadline", "deadline_not_later");
  }
  RETURN_IF_ERROR(store_.set_due_date(
      task_id, codes.empty() ? deadline.to_string() : task->deadline, due, codes));
  return audit_.record(
      who, {"task.extend", fmt::format("task:{}", task_id), "ok",
            codes.empty() ? fmt::format("{}：截止日期 {} → {}", task->title, task->due_date, due)
                          : fmt::format("{}：{} 个单位延期至 {}", task->title, codes.size(), due)});
}

Status Reporting::cancel_task(const Principal& who, std::int64_t task_id,
                              const std::string& reason) {
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(task_id));
  if (!task) return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  RETURN_IF_ERROR(check_manages(who, *task));
  ASSIGN_OR_RETURN(std::string why, reason_text(reason, "撤销任务须写明原因"));
  if (cancelled(*task)) {
    return Status(StatusCode::kFailedPrecondition, "任务已撤销", "task", "task_cancelled");
  }
  RETURN_IF_ERROR(store_.cancel_task(task_id, why, clock_.now_ms(), who.username));
  RETURN_IF_ERROR(audit_.record(who, {"task.cancel", fmt::format("task:{}", task_id), "ok",
                                      fmt::format("{}：{}", task->title, why)}));
  ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(task_id));
  std::vector<store::NoticeRecord> notices;
  for (const store::EntryRecord& e : entries) {
    if (handed_in(e.status) || withdrawn(e)) continue;
    notices.push_back({0, e.org_code, task_id, "cancel",
                       fmt::format("《{}》已撤销，无需再报送：{}", task->title, why),
                       clock_.now_ms(), who.username});
  }
  return notify(notices);
}

StatusOr<std::vector<store::TaskOverlap>> Reporting::overlaps(const Principal& who) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageTasks, "task"));
  ASSIGN_OR_RETURN(std::vector<store::TaskOverlap> all, store_.find_task_overlaps());
  std::vector<store::TaskOverlap> out;
  for (const store::TaskOverlap& o : all) {
    ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(o.task));
    if (task && access_.in_scope(who, task->issuer_org)) out.push_back(o);
  }
  return out;
}

StatusOr<std::size_t> Reporting::remind(const Principal& who, std::int64_t task_id,
                                        const std::string& message) {
  if (!any_role(who, Permission::kManageTasks) && !any_role(who, Permission::kApproveEntries)) {
    return access_.check_role(who, Permission::kManageTasks, fmt::format("task:{}", task_id));
  }
  ASSIGN_OR_RETURN(TaskStatus status, task_status(who, task_id));
  if (cancelled(status.task)) {
    return Status(StatusCode::kFailedPrecondition, "任务已撤销，无需催报", "task",
                  "task_cancelled");
  }
  std::string text =
      model::trim(message).empty()
          ? fmt::format("请尽快报送《{}》，截止日期 {}", status.task.title, status.task.due_date)
          : std::string(model::trim(message));
  if (!model::is_valid_utf8(text) || model::utf8_length(text) > kMaxReasonChars) {
    return InvalidArgument("催报内容须为不超过 500 个字的文本", "message", "invalid_text");
  }
  std::vector<store::NoticeRecord> notices;
  for (const store::EntryRecord& e : status.entries) {
    if (handed_in(e.status) || withdrawn(e) || e.org_code == who.org_code) continue;
    notices.push_back({0, e.org_code, task_id, "remind", text, clock_.now_ms(), who.username});
  }
  RETURN_IF_ERROR(notify(notices));
  RETURN_IF_ERROR(audit_.record(who, {"task.remind", fmt::format("task:{}", task_id), "ok",
                                      fmt::format("催报 {} 个单位", notices.size())}));
  return notices.size();
}

StatusOr<std::size_t> Reporting::send_due_reminders(int days_before) {
  std::string today = beijing_date(clock_.now_ms());
  ASSIGN_OR_RETURN(std::vector<store::TaskRecord> tasks, store_.list_tasks());
  std::size_t sent = 0;
  for (const store::TaskRecord& t : tasks) {
    if (cancelled(t)) continue;
    if (today > t.due_date || today < model::add_days(t.due_date, -days_before)) continue;
    std::string key = fmt::format("reminded:task:{}", t.id);
    ASSIGN_OR_RETURN(std::optional<std::string> done, store_.get_setting(key));
    if (done) continue;
    ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(t.id));
    std::vector<store::NoticeRecord> notices;
    for (const store::EntryRecord& e : entries) {
      if (handed_in(e.status) || withdrawn(e)) continue;
      notices.push_back({0, e.org_code, t.id, "remind",
                         fmt::format("《{}》将于 {} 截止，请及时报送", t.title, t.due_date),
                         clock_.now_ms(), "system"});
    }
    RETURN_IF_ERROR(notify(notices));
    RETURN_IF_ERROR(store_.set_setting(key, today));
    sent += notices.size();
  }
  return sent;
}

StatusOr<std::vector<store::NoticeRecord>> Reporting::notices(const Principal& who) {
  if (who.org_code.empty()) return std::vector<store::NoticeRecord>();
  return store_.notices_for({who.org_code}, kNoticeLimit);
}

}  // namespace tianbao::service
