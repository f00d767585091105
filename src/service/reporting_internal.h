// What the files of service::Reporting share: short names for the entry and
// task states it tests, the limits it enforces, and the refusals it builds
// in more than one place. Included by reporting*.cc only; not part of the
// service's interface.
//
// The Reporting service is split by concern:
//   reporting.cc          loading an entry and its workflow steps (submit,
//                         approve, return, unapprove, withdraw, 撤回)
//   reporting_tasks.cc    tasks: dispatch, overlap (一事一报), status,
//                         deadlines, cancellation, reminders (催报) and notices
//   reporting_checks.cc   an entry's figures: interpreting inputs, checks
//                         and rules, drafts, single values and history
//   reporting_upload.cc   a whole task at once (the Excel template)
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/text.h"
#include "model/time.h"
#include "service/reporting.h"

namespace tianbao::service::reporting_internal {

using model::EntryStatus;
using model::Severity;
using model::Violation;

inline constexpr int kOutlierHistory = 12;
inline constexpr std::size_t kMaxReasonChars = 500;
inline constexpr std::size_t kNoticeLimit = 50;

using model::beijing_date;
using model::end_of_beijing_day_ms;

inline bool editable(EntryStatus s) {
  return model::is_editable(s);
}

inline bool handed_in(EntryStatus s) {
  return model::is_handed_in(s);
}

inline bool withdrawn(const store::EntryRecord& e) {
  return e.status == EntryStatus::kWithdrawn;
}

inline bool cancelled(const store::TaskRecord& t) {
  return t.state == model::TaskState::kCancelled;
}

// The deadline a unit answers to: its own if extended, else the task's.
inline const std::string& due_date_of(const store::TaskRecord& task,
                                      const store::EntryRecord& entry) {
  return entry.due_date.empty() ? task.due_date : entry.due_date;
}

// The regions of `level` in the subtree of `root`, by code.
inline std::vector<std::string> regions_at_level(const model::OrgTree& tree, model::Ordinal root,
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
inline bool is_system(const Principal& who) {
  return who.user_id == 0 && who.via == "cli";
}

inline bool period_fits(const model::Form& form, const model::Period& p) {
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

// A reason (退回, 撤销审核, 撤销任务, 移出, 撤回) as stored: trimmed UTF-8
// text of at most kMaxReasonChars. `if_empty` (when not null) is the
// refusal of an empty one.
inline StatusOr<std::string> reason_text(const std::string& raw, const char* if_empty) {
  std::string why(model::trim(raw));
  if (if_empty && why.empty()) return InvalidArgument(if_empty, "reason", "required");
  if (!model::is_valid_utf8(why) || model::utf8_length(why) > kMaxReasonChars) {
    return InvalidArgument("原因须为不超过 500 个字的文本", "reason", "invalid_text");
  }
  return why;
}

inline bool any_role(const Principal& who, Permission p) {
  return std::any_of(who.roles.begin(), who.roles.end(),
                     [p](model::Role r) { return role_grants(r, p); });
}

// A validation failure carrying its violations.
inline Status validation_failed(std::vector<Violation> violations) {
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
                         "validation_failed")
      .with_violations(std::move(violations));
}

inline bool has_error(const std::vector<Violation>& violations) {
  return std::any_of(violations.begin(), violations.end(),
                     [](const Violation& v) { return v.severity == Severity::kError; });
}

}  // namespace tianbao::service::reporting_internal
