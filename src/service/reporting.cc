// Reporting: loading an entry, and its workflow steps — submit, approve
// level by level (model::ApprovalChain), return with a reason, unapprove,
// withdraw a unit, 撤回 (request and decision). See reporting_internal.h
// for how the service is split.
#include "service/reporting.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/approval.h"
#include "service/reporting_internal.h"

namespace tianbao::service {

using namespace reporting_internal;  // NOLINT: the shared vocabulary of reporting*.cc
using model::EntryStatus;
using model::Severity;
using model::Violation;

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
  return model::ApprovalChain::of(*units_.tree(), entry.org_code, task.issuer_org)
      .next_after(entry.approvals);
}

bool Reporting::is_on_time(const store::TaskRecord& task, const store::EntryRecord& e) const {
  return handed_in(e.status) && e.submitted_at != 0 &&
         e.submitted_at <= end_of_beijing_day_ms(due_date_of(task, e));
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

Status Reporting::notify(const std::vector<store::NoticeRecord>& notices) {
  if (notices.empty()) return Status::Ok();
  RETURN_IF_ERROR(store_.insert_notices(notices));
  if (sink_) sink_(notices);
  return Status::Ok();
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

StatusOr<SaveResult> Reporting::submit(const Principal& who, std::int64_t task_id,
                                       const std::string& org_code,
                                       const std::string& explanation) {
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
  if (has_error(violations)) return validation_failed(std::move(violations));
  bool warnings = !violations.empty();
  std::string why(model::trim(explanation));
  if (warnings && why.empty()) {
    return InvalidArgument(fmt::format("有 {} 项提示需要核实：请核实后填写说明（强制上报须附说明）",
                                       violations.size()),
                           "explanation", "explanation_required")
        .with_violations(std::move(violations));
  }
  store::EntryRecord next = l.entry;
  next.submitted_at = clock_.now_ms();
  next.explanation = why;
  next.approvals.clear();
  next.status = EntryStatus::kSubmitted;
  // A unit that issued the task to itself needs nobody's approval.
  if (next_approver(l.task, next).empty()) next.status = EntryStatus::kApproved;
  ASSIGN_OR_RETURN(std::int64_t version, transition(who, l, std::move(next), "submit", why));
  return SaveResult{version, std::move(violations)};
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

}  // namespace tianbao::service
