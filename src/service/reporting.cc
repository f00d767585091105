#include "service/reporting.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::service {

namespace {

using model::EntryStatus;
using model::Severity;
using model::Violation;

constexpr std::int64_t kBeijingOffsetMs = 8LL * 3600 * 1000;
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int kOutlierHistory = 12;
constexpr std::size_t kMaxReasonChars = 500;
constexpr std::size_t kNoticeLimit = 50;

// "2022-09-18" for a Unix time in milliseconds, in Beijing time.
std::string beijing_date(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>((ms + kBeijingOffsetMs) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// The last millisecond of a Beijing date, as Unix milliseconds.
std::int64_t end_of_day_ms(const std::string& date) {
  std::tm tm{};
  tm.tm_year = std::stoi(date.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(date.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(date.substr(8, 2));
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 - kBeijingOffsetMs + kDayMs - 1;
}

bool editable(EntryStatus s) {
  return model::is_editable(s);
}

bool handed_in(EntryStatus s) {
  return model::is_handed_in(s);
}

bool withdrawn(const store::EntryRecord& e) {
  return e.status == EntryStatus::kWithdrawn;
}

bool cancelled(const store::TaskRecord& t) {
  return t.state == model::TaskState::kCancelled;
}

// The deadline a unit answers to: its own if extended, else the task's.
const std::string& due_date_of(const store::TaskRecord& task, const store::EntryRecord& entry) {
  return entry.due_date.empty() ? task.due_date : entry.due_date;
}

// The regions of `level` in the subtree of `root`, by code.
std::vector<std::string> regions_at_level(const model::OrgTree& tree, model::Ordinal root,
                                          int level) {
  std::vector<std::string> codes;
  model::SubtreeRange r = tree.subtree(root);
  for (model::Ordinal o = r.begin; o < r.end; ++o) {
    const model::OrgUnit& u = tree.unit(o);
    if (u.level == level && u.kind == model::OrgUnitKind::kRegion) codes.push_back(u.code);
  }
  return codes;
}

// The command line acting as the system (the demo, migrations): the only
// principal that may record tasks of the past.
bool is_system(const Principal& who) {
  return who.user_id == 0 && who.via == "cli";
}

bool period_fits(const model::Form& form, const model::Period& p) {
  switch (form.period_type) {
    case model::FormPeriodType::kMonth:
      return p.kind() == model::Period::Kind::kMonth;
    case model::FormPeriodType::kQuarter:
      return p.kind() == model::Period::Kind::kQuarter;
    case model::FormPeriodType::kYear:
      return p.kind() == model::Period::Kind::kYear;
    case model::FormPeriodType::kOnce:
      return true;
  }
  return false;
}

std::string format_number(double v) {
  return fmt::format("{}", v);
}

// A reason (退回, 撤销审核, 撤销任务, 移出, 撤回) as stored: trimmed UTF-8
// text of at most kMaxReasonChars. `if_empty` (when not null) is the
// refusal of an empty one.
StatusOr<std::string> reason_text(const std::string& raw, const char* if_empty) {
  std::string why(model::trim(raw));
  if (if_empty && why.empty()) return InvalidArgument(if_empty, "reason", "required");
  if (!model::is_valid_utf8(why) || model::utf8_length(why) > kMaxReasonChars) {
    return InvalidArgument("原因须为不超过 500 个字的文本", "reason", "invalid_text");
  }
  return why;
}

bool any_role(const Principal& who, Permission p) {
  return std::any_of(who.roles.begin(), who.roles.end(),
                     [p](model::Role r) { return role_grants(r, p); });
}

Status validation_failed(const std::vector<Violation>& violations) {
  std::size_t errors = std::count_if(violations.begin(), violations.end(), [](const Violation& v) {
    return v.severity == Severity::kError;
  });
  std::string field;
  for (const Violation& v : violations) {
    if (v.severity == Severity::kError) {
      field = v.field;
      break;
    }
  }
  std::string first;
  for (const Violation& v : violations) {
    if (v.severity == Severity::kError) {
      first = v.message;
      break;
    }
  }
  return InvalidArgument(fmt::format("有 {} 项填写有误：{}", errors, first), field,
                         "validation_failed");
}

bool has_error(const std::vector<Violation>& violations) {
  return std::any_of(violations.begin(), violations.end(),
                     [](const Violation& v) { return v.severity == Severity::kError; });
}

}  // namespace

StatusOr<Reporting::Loaded> Reporting::load(std::int64_t task_id, const std::string& org_code) {
  Loaded l;
  l.catalogue = metadata_.catalogue();
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(task_id));
  if (!task) {
    return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  }
  l.task = std::move(*task);
  l.form = l.catalogue->form(l.task.form_code);
  if (!l.form) return Internal(fmt::format("任务 {} 的报表 {} 不存在", task_id, l.task.form_code));
  ASSIGN_OR_RETURN(l.period, model::Period::parse(l.task.period));
  ASSIGN_OR_RETURN(std::optional<store::EntryRecord> entry, store_.find_entry(task_id, org_code));
  if (!entry) {
    return NotFound(fmt::format("单位 {} 不在任务 {} 的填报范围内",
                                model::sanitize_for_message(org_code), task_id),
                    "orgUnit", "unknown_entry");
  }
  l.entry = std::move(*entry);
  return l;
}

std::string Reporting::next_approver(const store::TaskRecord& task,
                                     const store::EntryRecord& entry) const {
  auto tree = units_.tree();
  std::string from = entry.approvals.empty() ? entry.org_code : entry.approvals.back();
  std::optional<model::Ordinal> at = tree->find(from);
  std::optional<model::Ordinal> issuer = tree->find(task.issuer_org);
  if (!at || !issuer) return {};
  std::optional<model::Ordinal> parent = tree->parent(*at);
  if (!parent || !tree->in_subtree(*issuer, *parent)) return {};
  return tree->unit(*parent).code;
}

bool Reporting::is_on_time(const store::TaskRecord& task, const store::EntryRecord& e) const {
  return handed_in(e.status) && e.submitted_at != 0 &&
         e.submitted_at <= end_of_day_ms(due_date_of(task, e));
}

Status Reporting::check_open(const Loaded& l) {
  if (cancelled(l.task)) {
    return Status(
        StatusCode::kFailedPrecondition,
        fmt::format("任务《{}》已撤销（{}），不能再填报或审核", l.task.title, l.task.cancel_reason),
        "task", "task_cancelled");
  }
  if (withdrawn(l.entry)) {
    return Status(StatusCode::kFailedPrecondition, "本单位已移出该任务，不能再填报或审核",
                  "orgUnit", "entry_withdrawn");
  }
  return Status::Ok();
}

Status Reporting::check_manages(const Principal& who, const store::TaskRecord& task) const {
  RETURN_IF_ERROR(
      access_.check_role(who, Permission::kManageTasks, fmt::format("task:{}", task.id)));
  if (!access_.check(who, Permission::kManageTasks, task.issuer_org).ok()) {
    return Status(StatusCode::kPermissionDenied, "只有下发单位（或其上级）的管理员可以变更这个任务",
                  "task", "permission_denied");
  }
  return Status::Ok();
}

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

Status Reporting::notify(const std::vector<store::NoticeRecord>& notices) {
  if (notices.empty()) return Status::Ok();
  RETURN_IF_ERROR(store_.insert_notices(notices));
  if (sink_) sink_(notices);
  return Status::Ok();
}

// --- tasks ---------------------------------------------------------------------

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
  // A deadline must leave the units time to report: not before today, and
  // not before the period is over (a month's figures exist once it ends).
  // Only the system may record tasks of the past (the demo's history).
  if (!is_system(who)) {
    const std::string today = beijing_date(clock_.now_ms());
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
  }
  auto tree = units_.tree();
  std::vector<std::string> codes;
  if (!t.org_units.empty()) {
    codes = t.org_units;
  } else {
    if (t.root.empty() || t.level < model::kProvinceLevel || t.level > model::kVillageLevel) {
      return InvalidArgument("须给出填报单位列表 orgUnits，或 {root, level}（如 4408 下全部镇）",
                             "orgUnits", "required");
    }
    Status allowed = access_.check(who, Permission::kManageTasks, t.root);
    if (allowed.code() == StatusCode::kNotFound) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(t.root)),
                      "orgUnits", "unknown_org_unit");
    }
    RETURN_IF_ERROR(allowed);
    codes = regions_at_level(*tree, *tree->find(t.root), t.level);
    if (codes.empty()) {
      return InvalidArgument(fmt::format("{} 之下没有第 {} 级单位", t.root, t.level), "orgUnits",
                             "no_units");
    }
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  std::optional<model::Ordinal> common;
  for (const std::string& code : codes) {
    Status allowed = access_.check(who, Permission::kManageTasks, code);
    if (allowed.code() == StatusCode::kNotFound) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(code)), "orgUnits",
                      "unknown_org_unit");
    }
    RETURN_IF_ERROR(allowed);
    model::Ordinal o = *tree->find(code);
    const model::OrgUnit& u = tree->unit(o);
    if (std::find(form->levels.begin(), form->levels.end(), u.level) == form->levels.end()) {
      return InvalidArgument(fmt::format("{}（{}级）不是报表“{}”的填报层级", u.name,
                                         model::level_name(u.level), form->name),
                             "orgUnits", "wrong_level");
    }
    common = common ? *common : tree->path(o).front();
  }
  std::string issuer = who.org_code;
  if (issuer.empty() || !tree->find(issuer)) issuer = tree->unit(*common).code;

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

// --- entries -------------------------------------------------------------------

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
  std::map<std::string, double> all = numbers;
  for (const std::string& code : model::evaluation_order(l.catalogue->formulas)) {
    auto lookup = [&](std::string_view c) -> std::optional<double> {
      auto f = all.find(std::string(c));
      return f == all.end() ? std::nullopt : std::optional<double>(f->second);
    };
    if (std::optional<double> v = l.catalogue->formulas.at(code).evaluate(lookup)) all[code] = *v;
  }
  auto lookup = [&](std::string_view c) -> std::optional<double> {
    auto f = all.find(std::string(c));
    return f == all.end() ? std::nullopt : std::optional<double>(f->second);
  };
  for (const model::ValidationRule* rule : l.catalogue->rules_for(*l.form)) {
    const auto& [left, right] = l.catalogue->rule_expressions.at(rule->code);
    std::optional<double> a = left.evaluate(lookup);
    std::optional<double> b = right.evaluate(lookup);
    if (!a || !b) continue;  // not enough figures yet
    bool holds = false;
    switch (rule->op) {
      case model::RuleOperator::kLess:
        holds = *a < *b;
        break;
      case model::RuleOperator::kLessEqual:
        holds = *a <= *b;
        break;
      case model::RuleOperator::kGreater:
        holds = *a > *b;
        break;
      case model::RuleOperator::kGreaterEqual:
        holds = *a >= *b;
        break;
      case model::RuleOperator::kEqual:
        holds = std::abs(*a - *b) < 1e-9;
        break;
      case model::RuleOperator::kNotEqual:
        holds = std::abs(*a - *b) >= 1e-9;
        break;
    }
    if (holds) continue;
    out.push_back({rule->code, rule->severity, "rule",
                   fmt::format("{}（{} = {}，{} = {}）", rule->message, rule->left,
                               format_number(*a), rule->right, format_number(*b)),
                   ""});
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
  std::map<std::string, double> computed = numbers;
  for (const std::string& code : model::evaluation_order(l.catalogue->formulas)) {
    auto lookup = [&](std::string_view c) -> std::optional<double> {
      auto f = computed.find(std::string(c));
      return f == computed.end() ? std::nullopt : std::optional<double>(f->second);
    };
    if (std::optional<double> x = l.catalogue->formulas.at(code).evaluate(lookup))
      computed[code] = *x;
  }
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

StatusOr<Reporting::Staged> Reporting::stage(const Loaded& l, const std::vector<FieldInput>& fields,
                                             std::vector<Violation>* violations_out) {
  Staged staged;
  staged.violations = interpret(l, fields, &staged.writes);
  if (has_error(staged.violations)) {
    if (violations_out) *violations_out = staged.violations;
    return validation_failed(staged.violations);
  }
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
    if (h.task_id != l.task.id) return store::cell_locked(h);
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
  commit.context.committed = [this, &commit](const store::WriteSummary&) {
    if (observer_) observer_(commit.writes);
  };
  return store_.commit_entry(commit);
}

StatusOr<SaveResult> Reporting::save_entry(const Principal& who, std::int64_t task_id,
                                           const std::string& org_code, std::int64_t version,
                                           const std::vector<FieldInput>& fields,
                                           std::vector<Violation>* violations_out) {
  RETURN_IF_ERROR(access_.check(who, Permission::kFillEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_writable(l, version));
  ASSIGN_OR_RETURN(Staged staged, stage(l, fields, violations_out));
  RETURN_IF_ERROR(check_cells(l, staged));
  ASSIGN_OR_RETURN(std::int64_t new_version, commit_draft(who, l, staged, "form"));
  if (violations_out) *violations_out = staged.violations;
  return SaveResult{new_version, std::move(staged.violations)};
}

StatusOr<std::int64_t> Reporting::transition(const Principal& who, const Loaded& l,
                                             store::EntryRecord next, const std::string& action,
                                             const std::string& reason) {
  store::EntryCommit commit;
  commit.task_id = l.task.id;
  commit.org_code = l.entry.org_code;
  commit.expected_version = l.entry.version;
  commit.context = {who.username, "form", clock_.now_ms()};
  commit.event = store::EntryEvent{l.task.id,
                                   l.entry.org_code,
                                   commit.context.at,
                                   who.username,
                                   action,
                                   std::string(model::entry_status_name(l.entry.status)),
                                   std::string(model::entry_status_name(next.status)),
                                   reason};
  commit.next = std::move(next);
  ASSIGN_OR_RETURN(std::int64_t version, store_.commit_entry(commit));
  RETURN_IF_ERROR(audit_.record(
      who,
      {"entry." + action, fmt::format("task:{}/{}", l.task.id, l.entry.org_code), "ok", reason}));
  return version;
}

StatusOr<std::int64_t> Reporting::submit(const Principal& who, std::int64_t task_id,
                                         const std::string& org_code,
                                         const std::string& explanation,
                                         std::vector<Violation>* violations_out) {
  RETURN_IF_ERROR(access_.check(who, Permission::kFillEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_open(l));
  if (!editable(l.entry.status)) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("本表{}，不能再次提交", model::entry_status_label(l.entry.status)),
                  "status", "entry_locked");
  }
  if (!model::is_valid_utf8(explanation) || model::utf8_length(explanation) > kMaxReasonChars) {
    return InvalidArgument("说明须为不超过 500 个字的文本", "explanation", "invalid_text");
  }
  ASSIGN_OR_RETURN(auto stored, stored_values(l));
  ASSIGN_OR_RETURN(std::vector<Violation> violations,
                   evaluate(l, stored.first, stored.second, true));
  if (violations_out) *violations_out = violations;
  if (has_error(violations)) return validation_failed(violations);
  bool warnings = !violations.empty();
  std::string why(model::trim(explanation));
  if (warnings && why.empty()) {
    return InvalidArgument(fmt::format("有 {} 项提示需要核实：请核实后填写说明（强制上报须附说明）",
                                       violations.size()),
                           "explanation", "explanation_required");
  }
  store::EntryRecord next = l.entry;
  next.submitted_at = clock_.now_ms();
  next.explanation = why;
  next.approvals.clear();
  next.status = EntryStatus::kSubmitted;
  // A unit that issued the task to itself needs nobody's approval.
  if (next_approver(l.task, next).empty()) next.status = EntryStatus::kApproved;
  return transition(who, l, std::move(next), "submit", why);
}

StatusOr<std::int64_t> Reporting::approve(const Principal& who, std::int64_t task_id,
                                          const std::string& org_code) {
  RETURN_IF_ERROR(access_.check(who, Permission::kApproveEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_open(l));
  if (!handed_in(l.entry.status)) {
    return Status(
        StatusCode::kFailedPrecondition,
        fmt::format("本表{}，尚未提交，不能审核", model::entry_status_label(l.entry.status)),
        "status", "not_submitted");
  }
  std::string next_unit = next_approver(l.task, l.entry);
  if (next_unit.empty()) {
    return Status(StatusCode::kFailedPrecondition, "本表已审核完毕", "status", "already_approved");
  }
  if (!who.has(model::Role::kSysadmin) && who.org_code != next_unit) {
    auto tree = units_.tree();
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("现在应由{}审核", tree->unit(*tree->find(next_unit)).name), "status",
                  "not_your_turn");
  }
  if (l.entry.recall_requested_at != 0) {
    return Status(
        StatusCode::kFailedPrecondition,
        fmt::format("填报单位已申请撤回本表（{}），请先同意或拒绝撤回", l.entry.recall_reason),
        "status", "recall_pending");
  }
  store::EntryRecord next = l.entry;
  next.approvals.push_back(next_unit);
  next.status = EntryStatus::kApproved;
  return transition(who, l, std::move(next), "approve", "");
}

StatusOr<std::int64_t> Reporting::return_entry(const Principal& who, std::int64_t task_id,
                                               const std::string& org_code,
                                               const std::string& reason) {
  RETURN_IF_ERROR(access_.check(who, Permission::kApproveEntries, org_code));
  ASSIGN_OR_RETURN(std::string why, reason_text(reason, "退回须写明原因"));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_open(l));
  if (!handed_in(l.entry.status)) {
    return Status(StatusCode::kFailedPrecondition, "只有已提交或已审核的报表可以退回", "status",
                  "not_submitted");
  }
  auto tree = units_.tree();
  std::optional<model::Ordinal> own = tree->find(who.org_code);
  for (const std::string& a : l.entry.approvals) {
    std::optional<model::Ordinal> ao = tree->find(a);
    if (own && ao && *ao != *own && tree->in_subtree(*ao, *own) &&
        !who.has(model::Role::kSysadmin)) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("{}已审核，须由其退回或先撤销审核", tree->unit(*ao).name), "status",
                    "approved_above");
    }
  }
  store::EntryRecord next = l.entry;
  next.status = EntryStatus::kReturned;
  next.approvals.clear();
  next.return_reason = why;
  next.recall_requested_at = 0;
  next.recall_reason.clear();
  ASSIGN_OR_RETURN(std::int64_t version, transition(who, l, std::move(next), "return", why));
  RETURN_IF_ERROR(notify({store::NoticeRecord{0, org_code, task_id, "return",
                                              fmt::format("《{}》被退回：{}", l.task.title, why),
                                              clock_.now_ms(), who.username}}));
  return version;
}

StatusOr<std::int64_t> Reporting::unapprove(const Principal& who, std::int64_t task_id,
                                            const std::string& org_code,
                                            const std::string& reason) {
  RETURN_IF_ERROR(access_.check(who, Permission::kApproveEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_open(l));
  if (l.entry.approvals.empty()) {
    return Status(StatusCode::kFailedPrecondition, "本表尚未审核，无需撤销", "status",
                  "not_approved");
  }
  auto tree = units_.tree();
  std::optional<model::Ordinal> own = tree->find(who.org_code);
  std::optional<model::Ordinal> last = tree->find(l.entry.approvals.back());
  if (!who.has(model::Role::kSysadmin) && !(own && last && tree->in_subtree(*own, *last))) {
    return Status(StatusCode::kPermissionDenied, "只有作出审核的单位或其上级可以撤销审核", "status",
                  "permission_denied");
  }
  store::EntryRecord next = l.entry;
  next.approvals.pop_back();
  next.status = next.approvals.empty() ? EntryStatus::kSubmitted : EntryStatus::kApproved;
  ASSIGN_OR_RETURN(std::string why, reason_text(reason, nullptr));
  return transition(who, l, std::move(next), "unapprove", why);
}

// --- task lifecycle ----------------------------------------------------------------

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

StatusOr<std::int64_t> Reporting::withdraw_unit(const Principal& who, std::int64_t task_id,
                                                const std::string& org_code,
                                                const std::string& reason) {
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_manages(who, l.task));
  RETURN_IF_ERROR(check_open(l));
  ASSIGN_OR_RETURN(std::string why, reason_text(reason, "移出单位须写明原因"));
  store::EntryRecord next = l.entry;
  next.status = EntryStatus::kWithdrawn;
  next.recall_requested_at = 0;
  next.recall_reason.clear();
  return transition(who, l, std::move(next), "withdraw", why);
}

StatusOr<std::int64_t> Reporting::request_recall(const Principal& who, std::int64_t task_id,
                                                 const std::string& org_code,
                                                 const std::string& reason) {
  RETURN_IF_ERROR(access_.check(who, Permission::kFillEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_open(l));
  if (who.org_code != org_code && !who.has(model::Role::kSysadmin)) {
    return Status(StatusCode::kPermissionDenied, "只有填报单位可以申请撤回", "orgUnit",
                  "permission_denied");
  }
  if (l.entry.status != EntryStatus::kSubmitted || !l.entry.approvals.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  l.entry.status == EntryStatus::kApproved
                      ? "本表已审核，不能撤回；如需修改请联系审核员退回"
                      : fmt::format("本表{}，无需撤回", model::entry_status_label(l.entry.status)),
                  "status", "not_recallable");
  }
  if (l.entry.recall_requested_at != 0) {
    return Status(StatusCode::kFailedPrecondition, "已申请撤回，请等待审核员处理", "status",
                  "recall_pending");
  }
  ASSIGN_OR_RETURN(std::string why, reason_text(reason, "申请撤回须写明原因"));
  store::EntryRecord next = l.entry;
  next.recall_requested_at = clock_.now_ms();
  next.recall_reason = why;
  ASSIGN_OR_RETURN(std::int64_t version,
                   transition(who, l, std::move(next), "recall_request", why));
  std::string approver = next_approver(l.task, l.entry);
  if (!approver.empty()) {
    auto tree = units_.tree();
    RETURN_IF_ERROR(notify(
        {store::NoticeRecord{0, approver, task_id, "recall",
                             fmt::format("{}申请撤回《{}》：{}",
                                         tree->unit(*tree->find(org_code)).name, l.task.title, why),
                             clock_.now_ms(), who.username}}));
  }
  return version;
}

StatusOr<std::int64_t> Reporting::decide_recall(const Principal& who, std::int64_t task_id,
                                                const std::string& org_code, bool grant,
                                                const std::string& reason) {
  RETURN_IF_ERROR(access_.check(who, Permission::kApproveEntries, org_code));
  ASSIGN_OR_RETURN(Loaded l, load(task_id, org_code));
  RETURN_IF_ERROR(check_open(l));
  if (l.entry.recall_requested_at == 0) {
    return Status(StatusCode::kFailedPrecondition, "本表没有待处理的撤回申请", "status",
                  "no_recall");
  }
  std::string next_unit = next_approver(l.task, l.entry);
  if (!who.has(model::Role::kSysadmin) && who.org_code != next_unit) {
    return Status(StatusCode::kPermissionDenied, "撤回申请应由负责审核本表的单位处理", "status",
                  "not_your_turn");
  }
  ASSIGN_OR_RETURN(std::string why, reason_text(reason, grant ? nullptr : "拒绝撤回须写明原因"));
  store::EntryRecord next = l.entry;
  next.recall_requested_at = 0;
  next.recall_reason.clear();
  if (grant) {
    next.status = EntryStatus::kDraft;
    next.submitted_at = 0;
    next.approvals.clear();
  }
  ASSIGN_OR_RETURN(std::int64_t version,
                   transition(who, l, std::move(next), grant ? "recall_grant" : "recall_deny",
                              grant ? l.entry.recall_reason : why));
  RETURN_IF_ERROR(notify({store::NoticeRecord{
      0, org_code, task_id, "recall",
      grant ? fmt::format("《{}》的撤回申请已同意，可修改后重新提交", l.task.title)
            : fmt::format("《{}》的撤回申请未获同意：{}", l.task.title, why),
      clock_.now_ms(), who.username}}));
  return version;
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

// --- reminders and notices -------------------------------------------------------

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

// --- single values and history -------------------------------------------------------

Status Reporting::post_value(const Principal& who, const SingleValue& value,
                             std::vector<Violation>* violations_out) {
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
  if (value.raw) {
    if (!model::is_valid_utf8(*value.raw)) {
      return InvalidArgument("数值不是有效的 UTF-8 文本", "value", "invalid_utf8");
    }
    model::EnteredValue v = model::interpret_value(*value.raw, ind->field_spec());
    for (Violation& violation : v.violations) violation.field = value.indicator;
    if (violations_out) *violations_out = v.violations;
    if (!v.ok()) return validation_failed(v.violations);
    w.number = v.number;
    w.text = v.text;
  }
  store::WriteContext ctx{who.username, "api", clock_.now_ms()};
  ctx.committed = [this, &w](const store::WriteSummary& written) {
    if (observer_ && written.refused.empty()) observer_({w});
  };
  // A figure an entry holds (submitted or approved) is refused by the store,
  // in the same transaction that would have written it.
  ASSIGN_OR_RETURN(store::WriteSummary written, store_.write_values({w}, ctx));
  if (!written.refused.empty()) {
    Status refused = store::cell_locked(written.refused.front().holder);
    RETURN_IF_ERROR(audit_.record(
        who, {"datavalue.write",
              fmt::format("{}/{}/{}", value.indicator, value.org_code, period.to_string()),
              "denied", refused.message()}));
    return refused;
  }
  return audit_.record(
      who, {"datavalue.write",
            fmt::format("{}/{}/{}", value.indicator, value.org_code, period.to_string()), "ok",
            value.raw ? model::sanitize_for_message(*value.raw) : "清除"});
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
