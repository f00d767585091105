#include "service/data_import.h"

#include <algorithm>
#include <thread>
#include <tuple>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "model/period.h"
#include "model/text.h"
#include "model/value.h"
#include "service/batch_pipe.h"
#include "service/cell_lock_message.h"

namespace tianbao::service {

namespace {

bool any_role(const Principal& who, Permission p) {
  return std::any_of(who.roles.begin(), who.roles.end(),
                     [p](model::Role r) { return role_grants(r, p); });
}

void record_conflict(ImportSummary& summary, const ImportRow& row, std::string why) {
  ++summary.conflict_count;
  if (summary.conflicts.size() < DataImport::kMaxConflicts) {
    summary.conflicts.push_back(
        {fmt::format("第 {} 行 {}/{}/{}", row.line, model::sanitize_for_message(row.data_element),
                     model::sanitize_for_message(row.org_unit),
                     model::sanitize_for_message(row.period)),
         std::move(why)});
  }
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
// locked entries. What it learns about a code, a period or a unit it
// remembers: a file repeats the same few of them millions of times.
class DataImport::Checker {
 public:
  using Outcome = std::variant<store::ValueWrite, std::string>;  // the write, or why not

  Checker(DataImport& owner, const Principal& who)
      : owner_(owner),
        who_(who),
        catalogue_(owner.metadata_.catalogue()),
        tree_(owner.units_.tree()),
        manager_(any_role(who, Permission::kManageTasks)) {}

  // A Status only when the store cannot say whether the value is locked.
  StatusOr<Outcome> check(const ImportRow& row, ImportStrategy strategy) {
    if (row.data_element.empty()) return Outcome("缺少指标代码 dataElement");
    if (row.period.empty()) return Outcome("缺少期间 period");
    if (row.org_unit.empty()) return Outcome("缺少单位代码 orgUnit");
    const model::Indicator* ind = indicator(row.data_element);
    if (!ind) {
      return Outcome(fmt::format("指标 {} 不存在", model::sanitize_for_message(row.data_element)));
    }
    if (ind->derived()) {
      return Outcome(fmt::format("“{}”是计算指标，由系统计算，不能导入", ind->name));
    }
    const PeriodCheck& period = this->period(row.period);
    if (!period.problem.empty()) return Outcome(period.problem);
    const std::string& unit_problem = unit(row.org_unit);
    if (!unit_problem.empty()) return Outcome(unit_problem);
    ASSIGN_OR_RETURN(const Locked* locked, locked_in(period.canonical));
    if (auto by_unit = locked->find(row.org_unit); by_unit != locked->end()) {
      if (auto task = by_unit->second.find(row.data_element); task != by_unit->second.end()) {
        return Outcome(task->second);
      }
    }
    store::ValueWrite w{row.data_element, row.org_unit, period.canonical,
                        std::nullopt,     std::nullopt, store::WriteMode::kUpsert};
    if (strategy == ImportStrategy::kDelete || row.deleted) return Outcome(std::move(w));
    if (!row.value) return Outcome("缺少数值（要删除请用 importStrategy=DELETE）");
    if (!model::is_valid_utf8(*row.value)) return Outcome("数值不是有效的 UTF-8 文本");
    model::EnteredValue v = model::interpret_value(*row.value, ind->field_spec());
    if (!v.ok()) {
      for (const model::Violation& violation : v.violations) {
        if (violation.severity == model::Severity::kError) return Outcome(violation.message);
      }
    }
    if (v.empty()) return Outcome("数值为空（要删除请用 importStrategy=DELETE）");
    w.number = v.number;
    w.text = std::move(v.text);
    if (strategy == ImportStrategy::kCreate) w.mode = store::WriteMode::kCreateOnly;
    if (strategy == ImportStrategy::kUpdate) w.mode = store::WriteMode::kUpdateOnly;
    return Outcome(std::move(w));
  }

 private:
  // Memos are dropped when they grow past this (a file of millions of
  // distinct bad codes must not grow memory without bound).
  static constexpr std::size_t kMemoLimit = 100'000;

  template <typename T>
  static void bound(model::StringMap<T>& memo) {
    if (memo.size() >= kMemoLimit) memo.clear();
  }

  const model::Indicator* indicator(std::string_view code) {
    auto it = indicators_.find(code);
    if (it != indicators_.end()) return it->second;
    bound(indicators_);
    return indicators_.emplace(code, catalogue_->indicator(code)).first->second;
  }

  struct PeriodCheck {
    std::string canonical;  // "2022-08"
    std::string problem;    // non-empty if the text is no period
  };
  const PeriodCheck& period(std::string_view text) {
    auto it = periods_.find(text);
    if (it != periods_.end()) return it->second;
    bound(periods_);
    PeriodCheck check;
    StatusOr<model::Period> parsed = model::Period::parse(text);
    if (parsed.ok()) {
      check.canonical = parsed->to_string();
    } else {
      check.problem = parsed.status().message();
    }
    return periods_.emplace(text, std::move(check)).first->second;
  }

  // Empty if the caller may write values of this unit.
  const std::string& unit(std::string_view code) {
    auto it = units_.find(code);
    if (it != units_.end()) return it->second;
    bound(units_);
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
    return units_.emplace(code, std::move(problem)).first->second;
  }

  // Submitted or approved entries of one period: unit → indicator → why a
  // write is refused (naming the entry). Read once per period the file names.
  using Locked = model::StringMap<model::StringMap<std::string>>;
  StatusOr<const Locked*> locked_in(const std::string& period) {
    auto it = locked_.find(period);
    if (it != locked_.end()) return &it->second;
    if (!tasks_) {
      ASSIGN_OR_RETURN(std::vector<store::TaskRecord> tasks, owner_.store_.list_tasks());
      tasks_ = std::move(tasks);
    }
    Locked locked;
    for (const store::TaskRecord& t : *tasks_) {
      if (t.period != period || t.state != model::TaskState::kOpen) continue;
      const model::Form* form = catalogue_->form(t.form_code);
      if (!form) continue;
      const std::vector<std::string> codes = form->indicator_codes();
      ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, owner_.store_.list_entries(t.id));
      for (const store::EntryRecord& e : entries) {
        if (e.status != model::EntryStatus::kSubmitted &&
            e.status != model::EntryStatus::kApproved) {
          continue;
        }
        model::StringMap<std::string>& unit = locked[e.org_code];
        for (const std::string& c : codes) {
          unit.emplace(c, cell_locked({c, e.org_code, period, t.id, t.title, e.status}).message());
        }
      }
    }
    return &locked_.emplace(period, std::move(locked)).first->second;
  }

  DataImport& owner_;
  const Principal& who_;
  std::shared_ptr<const Catalogue> catalogue_;
  std::shared_ptr<const model::OrgTree> tree_;
  bool manager_;
  model::StringMap<const model::Indicator*> indicators_;
  model::StringMap<PeriodCheck> periods_;
  model::StringMap<std::string> units_;
  std::optional<std::vector<store::TaskRecord>> tasks_;
  std::map<std::string, Locked> locked_;
};

StatusOr<ImportSummary> DataImport::run(const Principal& who, const RowSourceFactory& open,
                                        const ImportOptions& options) {
  if (!any_role(who, Permission::kManageTasks) && !any_role(who, Permission::kFillEntries)) {
    RETURN_IF_ERROR(access_.check_role(who, Permission::kFillEntries, "dataValueSets"));
  }
  Checker checker(*this, who);
  ImportSummary summary;
  // Pass one for atomic imports: check everything, write nothing.
  if (options.atomic) {
    ASSIGN_OR_RETURN(RowSource source, open());
    ImportRow row;
    while (true) {
      ASSIGN_OR_RETURN(bool more, source(row));
      if (!more) break;
      ASSIGN_OR_RETURN(Checker::Outcome checked, checker.check(row, options.strategy));
      if (auto* why = std::get_if<std::string>(&checked)) {
        record_conflict(summary, row, std::move(*why));
      }
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
  // Reading and checking run on a thread of their own, a batch or two ahead
  // of the writing on this one: on two cores a large file takes the longer
  // of the two instead of their sum.
  ASSIGN_OR_RETURN(RowSource source, open());
  BatchPipe<store::ValueWrite> pipe(kBatch);
  ImportSummary read;  // the reader's share: conflicts and ignored rows
  Status reading;
  std::thread reader([&] {
    reading = [&]() -> Status {
      std::vector<store::ValueWrite> batch = pipe.empty_batch();
      ImportRow row;
      while (true) {
        ASSIGN_OR_RETURN(bool more, source(row));
        if (!more) break;
        ASSIGN_OR_RETURN(Checker::Outcome checked, checker.check(row, options.strategy));
        if (auto* why = std::get_if<std::string>(&checked)) {
          if (!options.atomic) record_conflict(read, row, std::move(*why));
          ++read.ignored;
        } else {
          batch.push_back(std::move(std::get<store::ValueWrite>(checked)));
          if (batch.size() >= kBatch && !pipe.put(std::exchange(batch, pipe.empty_batch()))) {
            return Status::Ok();
          }
        }
        row = ImportRow{};
      }
      if (!batch.empty()) pipe.put(std::move(batch));
      return Status::Ok();
    }();
    pipe.close();
  });
  store::WriteContext ctx{who.username, options.channel, clock_.now_ms(), options.dry_run};
  Status writing;
  while (std::optional<std::vector<store::ValueWrite>> batch = pipe.take()) {
    StatusOr<store::WriteSummary> w = store_.write_values(*batch, ctx);
    if (!w.ok()) {
      writing = w.status();
      pipe.stop();
      break;
    }
    if (observer_ && !options.dry_run) observer_(*batch, *w);
    summary.imported += w->created;
    summary.updated += w->updated;
    summary.deleted += w->deleted;
    summary.ignored += w->unchanged;
    // Cells an entry came to hold after the reader checked them: the store
    // refused those writes.
    for (const store::WriteSummary::Refusal& r : w->refused) {
      ++summary.ignored;
      ++summary.conflict_count;
      if (summary.conflicts.size() < kMaxConflicts) {
        const store::ValueWrite& v = (*batch)[r.index];
        summary.conflicts.push_back({fmt::format("{}/{}/{}", v.indicator, v.org_code, v.period),
                                     cell_locked(r.holder).message()});
      }
    }
    pipe.give_back(std::move(*batch));
  }
  reader.join();
  RETURN_IF_ERROR(writing);
  if (!reading.ok()) {
    // The file broke after some batches were committed: say so, and keep
    // the record of what was written.
    const std::size_t written = summary.imported + summary.updated + summary.deleted;
    if (written == 0 || options.dry_run) return reading;
    std::string kept = fmt::format("此前读到的数据已写入：新增 {}，更新 {}，删除 {}",
                                   summary.imported, summary.updated, summary.deleted);
    RETURN_IF_ERROR(audit_.record(who, {"datavalue.import", "dataValueSets", "failed",
                                        fmt::format("{}；{}", reading.message(), kept)}));
    return Status(reading.code(), fmt::format("{}（{}）", reading.message(), kept), reading.field(),
                  reading.reason());
  }
  summary.ignored += read.ignored;
  summary.conflict_count += read.conflict_count;
  for (ImportConflict& c : read.conflicts) summary.conflicts.push_back(std::move(c));
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
