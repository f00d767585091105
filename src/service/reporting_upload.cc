// Reporting for whole tasks at once: the rows of the Excel template and the
// upload of a filled one. Each row goes through the form-entry path
// (stage → check_writable → commit_draft in reporting.cc).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "model/text.h"
#include "service/reporting.h"

namespace tianbao::service {

std::string_view upload_outcome_name(UploadOutcome o) {
  switch (o) {
    case UploadOutcome::kSaved:
      return "saved";
    case UploadOutcome::kUnchanged:
      return "unchanged";
    case UploadOutcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

StatusOr<TaskSheet> Reporting::task_sheet(const Principal& who, std::int64_t task_id) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadUnits, fmt::format("task:{}", task_id)));
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(task_id));
  if (!task) return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  TaskSheet sheet;
  sheet.catalogue = metadata_.catalogue();
  sheet.task = std::move(*task);
  sheet.form = sheet.catalogue->form(sheet.task.form_code);
  if (!sheet.form) {
    return Internal(fmt::format("任务 {} 的报表 {} 不存在", task_id, sheet.task.form_code));
  }
  ASSIGN_OR_RETURN(model::Period period, model::Period::parse(sheet.task.period));
  auto tree = units_.tree();
  model::SubtreeRange scope = access_.scope(who, *tree);
  ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, store_.list_entries(task_id));
  std::sort(entries.begin(), entries.end(),
            [](const store::EntryRecord& a, const store::EntryRecord& b) {
              return a.org_code < b.org_code;
            });
  std::vector<std::string> codes = sheet.form->indicator_codes();
  for (store::EntryRecord& e : entries) {
    std::optional<model::Ordinal> o = tree->find(e.org_code);
    if (!o || !scope.contains(*o) || e.status == model::EntryStatus::kWithdrawn) continue;
    SheetEntry row;
    row.org_name = tree->unit(*o).name;
    row.can_edit = sheet.task.state == model::TaskState::kOpen && may_fill(who, e);
    ASSIGN_OR_RETURN(auto values, store_.find_values(e.org_code, {period.to_string()}, codes));
    for (const store::DataValueRecord& v : values) {
      if (v.number) row.numbers[v.indicator] = *v.number;
      if (v.text) row.texts[v.indicator] = *v.text;
    }
    row.entry = std::move(e);
    sheet.entries.push_back(std::move(row));
  }
  // As for the task's status: a task with nothing in scope does not exist for the caller.
  if (sheet.entries.empty()) {
    return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  }
  return sheet;
}

StatusOr<std::vector<EntryUploadResult>> Reporting::upload_entries(
    const Principal& who, std::int64_t task_id, const std::vector<EntryUpload>& rows,
    bool dry_run) {
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, store_.find_task(task_id));
  auto tree = units_.tree();
  if (!task) return NotFound(fmt::format("填报任务 {} 不存在", task_id), "task", "unknown_task");
  std::vector<EntryUploadResult> results;
  std::set<std::string> seen;
  std::size_t saved = 0;
  std::size_t rejected = 0;
  for (const EntryUpload& row : rows) {
    EntryUploadResult& result = results.emplace_back();
    result.org_code = row.org_code;
    auto reject = [&](Status why) {
      result.outcome = UploadOutcome::kRejected;
      result.status = std::move(why);
      ++rejected;
    };
    std::string shown = model::sanitize_for_message(row.org_code);
    if (!seen.insert(row.org_code).second) {
      reject(InvalidArgument(
          fmt::format("单位 {} 在文件中出现了不止一次，只按第一次出现的一行处理", shown), "orgUnit",
          "duplicate_row"));
      continue;
    }
    std::optional<model::Ordinal> o = tree->find(row.org_code);
    if (!o || !access_.in_scope(who, *tree, *o)) {
      reject(NotFound(fmt::format("单位 {} 不存在或不在您的管辖范围内", shown), "orgUnit",
                      "unknown_org_unit"));
      continue;
    }
    StatusOr<Loaded> l = load(task_id, row.org_code);
    if (!l.ok()) {
      if (l.status().code() != StatusCode::kNotFound) return l.status();
      reject(l.status());
      continue;
    }
    result.version = l->entry.version;
    StatusOr<Staged> staged = stage(*l, row.fields);
    if (!staged.ok()) {
      // A row whose fields are wrong is rejected with them; anything else
      // (the store failing) ends the upload.
      if (staged.status().violations().empty()) return staged.status();
      result.violations = staged.status().violations();
      reject(staged.status());
      continue;
    }
    if (!staged->changes) {
      result.outcome = UploadOutcome::kUnchanged;
      result.violations.clear();
      continue;
    }
    Status allowed = access_.check(who, Permission::kFillEntries, row.org_code,
                                   fmt::format("task:{}/{}", task_id, row.org_code));
    if (!allowed.ok()) {
      reject(allowed);
      continue;
    }
    if (!row.version) {
      reject(InvalidArgument("缺少版本号，无法确认下载后是否有人修改过；请重新下载模板后再填",
                             "version", "version_required"));
      continue;
    }
    Status writable = check_writable(*l, *row.version);
    if (!writable.ok()) {
      if (writable.code() == StatusCode::kConflict) {
        writable = Status(StatusCode::kConflict,
                          fmt::format("下载模板后本单位的报表又被修改过（版本 {} → {}），为免覆盖，"
                                      "这一行未保存；请重新下载模板后再填",
                                      *row.version, l->entry.version),
                          "version", "version_conflict");
      }
      reject(std::move(writable));
      continue;
    }
    if (Status held = check_cells(*l, *staged); !held.ok()) {
      reject(std::move(held));
      continue;
    }
    result.violations = staged->violations;
    if (!dry_run) {
      StatusOr<std::int64_t> version = commit_draft(who, *l, *staged, "xlsx");
      if (!version.ok()) {
        // Someone saved, or another entry came to hold a cell, between our
        // read and our write: the store refused it.
        if (version.status().code() != StatusCode::kConflict &&
            version.status().reason() != "cell_locked") {
          return version.status();
        }
        reject(version.status());
        continue;
      }
      result.version = *version;
    }
    result.outcome = UploadOutcome::kSaved;
    ++saved;
  }
  RETURN_IF_ERROR(
      audit_.record(who, {dry_run ? "entry.upload_dry_run" : "entry.upload",
                          fmt::format("task:{}", task_id), rejected == 0 ? "ok" : "partial",
                          fmt::format("Excel 上传：保存 {} 个单位，未变 {} 个，有误 {} 个", saved,
                                      results.size() - saved - rejected, rejected)}));
  return results;
}

}  // namespace tianbao::service
