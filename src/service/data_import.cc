#include "service/data_import.h"

#include <algorithm>
#include <tuple>
#include <variant>

#include <fmt/format.h>

#include "model/period.h"
#include "model/text.h"
#include "model/value.h"

namespace tianbao::service {

namespace {

bool any_role(const Principal& who, Permission p) {
  return std::any_of(who.roles.begin(), who.roles.end(),
                     [p](model::Role r) { return role_grants(r, p); });
}

}  // namespace

StatusOr<ImportStrategy> parse_import_strategy(std::string_view name) {
  if (name.empty() || name == "CREATE_AND_UPDATE" || name == "NEW_AND_UPDATES") {
    return ImportStrategy::kCreateAndUpdate;
  }
  if (name == "CREATE" || name == "NEW") return ImportStrategy::kCreate;
  if (name == "UPDATE" || name == "UPDATES") return ImportStrategy::kUpdate;
  if (name == "DELETE" || name == "DELETES") return ImportStrategy::kDelete;
  return InvalidArgument(
      fmt::format("importStrategy 须为 CREATE_AND_UPDATE、CREATE、UPDATE 或 DELETE，收到“{}”",
                  model::sanitize_for_message(name)),
      "importStrategy", "invalid_strategy");
}

// Checks rows against the catalogue, the tree, the caller's rights and the
// locked entries, caching what it learns per unit and period.
class DataImport::Checker {
 public:
  Checker(DataImport& owner, const Principal& who)
      : owner_(owner),
        who_(who),
        catalogue_(owner.metadata_.catalogue()),
        tree_(owner.units_.tree()),
        manager_(any_role(who, Permission::kManageTasks)) {}

  // The write for a good row, or the reason it is refused.
  std::variant<store::ValueWrite, std::string> check(const ImportRow& row,
                                                     ImportStrategy strategy) {
    if (row.data_element.empty()) return std::string("缺少指标代码 dataElement");
    if (row.period.empty()) return std::string("缺少期间 period");
    if (row.org_unit.empty()) return std::string("缺少单位代码 orgUnit");
    const model::Indicator* ind = catalogue_->indicator(row.data_element);
    if (!ind) return fmt::format("指标 {} 不存在", model::sanitize_for_message(row.data_element));
    if (ind->derived()) return fmt::format("“{}”是计算指标，由系统计算，不能导入", ind->name);
    StatusOr<model::Period> period = model::Period::parse(row.period);
    if (!period.ok()) return period.status().message();
    std::string unit_problem = unit(row.org_unit);
    if (!unit_problem.empty()) return unit_problem;
    std::string locked = locked_by(row.org_unit, period->to_string(), row.data_element);
    if (!locked.empty()) return locked;
    store::ValueWrite w{row.data_element, row.org_unit, period->to_string(),
                        std::nullopt,     std::nullopt, store::WriteMode::kUpsert};
    if (strategy == ImportStrategy::kDelete || row.deleted) return w;  // clears the value
    if (!row.value) return std::string("缺少数值（要删除请用 importStrategy=DELETE）");
    if (!model::is_valid_utf8(*row.value)) return std::string("数值不是有效的 UTF-8 文本");
    model::EnteredValue v = model::interpret_value(*row.value, ind->field_spec());
    if (!v.ok()) {
      for (const model::Violation& violation : v.violations) {
        if (violation.severity == model::Severity::kError) return violation.message;
      }
    }
    if (v.empty()) return std::string("数值为空（要删除请用 importStrategy=DELETE）");
    w.number = v.number;
    w.text = v.text;
    if (strategy == ImportStrategy::kCreate) w.mode = store::WriteMode::kCreateOnly;
    if (strategy == ImportStrategy::kUpdate) w.mode = store::WriteMode::kUpdateOnly;
    return w;
  }

 private:
  // Empty if the caller may write values of this unit.
  std::string unit(const std::string& code) {
    auto cached = units_.find(code);
    if (cached != units_.end()) return cached->second;
    std::string problem;
    std::optional<model::Ordinal> o = tree_->find(code);
    if (!o || !owner_.access_.in_scope(who_, *tree_, *o)) {
      problem =
          fmt::format("单位 {} 不存在或不在您的管辖范围内", model::sanitize_for_message(code));
    } else if (!manager_ && who_.org_code != code) {
      problem = "填表员只能导入本单位的数据";
    } else if (!manager_ && !any_role(who_, Permission::kFillEntries)) {
      problem = "您的角色不能导入数据";
    }
    units_.emplace(code, problem);
    return problem;
  }

  // Non-empty if the value sits in a submitted or approved entry.
  std::string locked_by(const std::string& org, const std::string& period,
                        const std::string& indicator) {
    auto key = std::make_pair(org, period);
    auto it = locked_.find(key);
    if (it == locked_.end()) {
      std::map<std::string, std::string> codes;  // indicator → task title
      StatusOr<std::vector<store::EntryRecord>> entries = owner_.store_.entries_of_units({org});
      if (entries.ok()) {
        for (const store::EntryRecord& e : *entries) {
          if (e.status != model::EntryStatus::kSubmitted &&
              e.status != model::EntryStatus::kApproved) {
            continue;
          }
          StatusOr<std::optional<store::TaskRecord>> t = owner_.store_.find_task(e.task_id);
          if (!t.ok() || !*t || (*t)->period != period) continue;
          const model::Form* form = catalogue_->form((*t)->form_code);
          if (!form) continue;
          for (const std::string& c : form->indicator_codes()) codes.emplace(c, (*t)->title);
        }
      }
      it = locked_.emplace(key, std::move(codes)).first;
    }
    auto hit = it->second.find(indicator);
    if (hit == it->second.end()) return {};
    return fmt::format("该数据所在的《{}》已提交或已审核，不能修改", hit->second);
  }

  DataImport& owner_;
  const Principal& who_;
  std::shared_ptr<const Catalogue> catalogue_;
  std::shared_ptr<const model::OrgTree> tree_;
  bool manager_;
  std::map<std::string, std::string> units_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> locked_;
};

StatusOr<ImportSummary> DataImport::run(const Principal& who, const RowSourceFactory& open,
                                        const ImportOptions& options) {
  if (!any_role(who, Permission::kManageTasks) && !any_role(who, Permission::kFillEntries)) {
    RETURN_IF_ERROR(access_.check_role(who, Permission::kFillEntries, "dataValueSets"));
  }
  Checker checker(*this, who);
  ImportSummary summary;
  auto conflict = [&](const ImportRow& row, std::string why) {
    ++summary.conflict_count;
    if (summary.conflicts.size() < kMaxConflicts) {
      summary.conflicts.push_back(
          {fmt::format("第 {} 行 {}/{}/{}", row.line, model::sanitize_for_message(row.data_element),
                       model::sanitize_for_message(row.org_unit),
                       model::sanitize_for_message(row.period)),
           std::move(why)});
    }
  };
  // Pass one for atomic imports: check everything, write nothing.
  if (options.atomic) {
    ASSIGN_OR_RETURN(RowSource source, open());
    ImportRow row;
    while (true) {
      ASSIGN_OR_RETURN(bool more, source(row));
      if (!more) break;
      auto checked = checker.check(row, options.strategy);
      if (auto* why = std::get_if<std::string>(&checked)) conflict(row, *why);
      row = ImportRow{};
    }
    if (summary.conflict_count > 0) {
      summary.status = "ERROR";
      summary.ignored = summary.conflict_count;
      RETURN_IF_ERROR(
          audit_.record(who, {"datavalue.import", "dataValueSets", "failed",
                              fmt::format("atomic：{} 处错误，未写入", summary.conflict_count)}));
      return summary;
    }
  }
  ASSIGN_OR_RETURN(RowSource source, open());
  store::WriteContext ctx{who.username, options.channel, clock_.now_ms(), options.dry_run};
  std::vector<store::ValueWrite> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(store::WriteSummary w, store_.write_values(batch, ctx));
    summary.imported += w.created;
    summary.updated += w.updated;
    summary.deleted += w.deleted;
    summary.ignored += w.unchanged;
    if (!options.dry_run && observer_) observer_(batch);
    batch.clear();
    return Status::Ok();
  };
  ImportRow row;
  while (true) {
    ASSIGN_OR_RETURN(bool more, source(row));
    if (!more) break;
    auto checked = checker.check(row, options.strategy);
    if (auto* why = std::get_if<std::string>(&checked)) {
      if (!options.atomic) conflict(row, *why);
      ++summary.ignored;
    } else {
      batch.push_back(std::move(std::get<store::ValueWrite>(checked)));
      if (batch.size() >= kBatch) RETURN_IF_ERROR(flush());
    }
    row = ImportRow{};
  }
  RETURN_IF_ERROR(flush());
  if (summary.conflict_count > 0) summary.status = "WARNING";
  RETURN_IF_ERROR(audit_.record(
      who,
      {options.dry_run ? "datavalue.import_dry_run" : "datavalue.import", "dataValueSets", "ok",
       fmt::format("新增 {}，更新 {}，删除 {}，忽略 {}，冲突 {}", summary.imported, summary.updated,
                   summary.deleted, summary.ignored, summary.conflict_count)}));
  return summary;
}

StatusOr<std::vector<store::DataValueRecord>> DataImport::export_values(
    const Principal& who, const std::vector<std::string>& indicators,
    const std::vector<std::string>& org_units, const std::vector<std::string>& periods,
    bool children) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadUnits, "dataValueSets"));
  auto tree = units_.tree();
  std::vector<model::SubtreeRange> ranges;
  for (const std::string& code : org_units) {
    Status allowed = access_.check(who, Permission::kReadUnits, code);
    if (allowed.code() == StatusCode::kNotFound) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(code)), "orgUnit",
                      "unknown_org_unit");
    }
    RETURN_IF_ERROR(allowed);
    model::Ordinal o = *tree->find(code);
    ranges.push_back(children ? tree->subtree(o) : model::SubtreeRange{o, o + 1});
  }
  if (ranges.empty()) ranges.push_back(access_.scope(who, *tree));
  std::vector<std::string> canonical;
  for (const std::string& p : periods) {
    ASSIGN_OR_RETURN(model::Period parsed, model::Period::parse(p));
    for (const model::Period& m : parsed.kind() == model::Period::Kind::kMonth
                                      ? std::vector<model::Period>{parsed}
                                      : parsed.months()) {
      canonical.push_back(m.to_string());
    }
    if (parsed.kind() != model::Period::Kind::kMonth) canonical.push_back(parsed.to_string());
  }
  std::vector<store::DataValueRecord> out;
  RETURN_IF_ERROR(store_.select_values(canonical, indicators, [&](const store::DataValueRecord& v) {
    std::optional<model::Ordinal> o = tree->find(v.org_code);
    if (!o) return;
    for (const model::SubtreeRange& r : ranges) {
      if (r.contains(*o)) {
        out.push_back(v);
        return;
      }
    }
  }));
  std::sort(out.begin(), out.end(),
            [](const store::DataValueRecord& a, const store::DataValueRecord& b) {
              return std::tie(a.indicator, a.org_code, a.period) <
                     std::tie(b.indicator, b.org_code, b.period);
            });
  RETURN_IF_ERROR(audit_.record(
      who, {"datavalue.export", "dataValueSets", "ok", fmt::format("{} 条", out.size())}));
  return out;
}

}  // namespace tianbao::service
