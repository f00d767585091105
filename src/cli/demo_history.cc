#include "cli/demo_history.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "model/approval.h"
#include "model/period.h"
#include "model/time.h"

namespace tianbao::cli {

namespace {

using model::EntryStatus;

using model::beijing_date;
using model::kHourMs;
using model::kMinuteMs;

// Days off in the timeline besides weekends (国务院办公厅 holiday notices
// for 2021 and 2022).
constexpr const char* kHolidays[] = {
    "2021-10-01", "2021-10-04", "2021-10-05", "2021-10-06", "2021-10-07", "2022-01-03",
    "2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03", "2022-02-04", "2022-04-04",
    "2022-04-05", "2022-05-02", "2022-05-03", "2022-05-04", "2022-06-03", "2022-09-12",
};

bool is_workday(const std::string& date) {
  const int weekday = model::day_of_week(date);
  if (weekday == 0 || weekday == 6) return false;
  return std::find(std::begin(kHolidays), std::end(kHolidays), date) == std::end(kHolidays);
}

std::string workday_on_or_after(std::string date) {
  while (!is_workday(date)) date = model::add_days(date, 1);
  return date;
}

std::string workday_on_or_before(std::string date) {
  while (!is_workday(date)) date = model::add_days(date, -1);
  return date;
}

// A moment of office hours (09:00–12:00, 14:00–17:30) on `date`.
std::int64_t office_time(const std::string& date, DemoNoise& n) {
  int minute = 9 * 60 + n.below(390);
  if (minute >= 12 * 60) minute += 120;  // lunch
  return model::beijing_date_ms(date, minute);
}

// Office hours of the next working day after `ms`.
std::int64_t next_office_time(std::int64_t ms, DemoNoise& n) {
  return office_time(workday_on_or_after(model::add_days(beijing_date(ms), 1)), n);
}

// The demo accounts where a unit has one; an account name for the others.
std::string filler_of(const std::string& org) {
  static const std::map<std::string, std::string> known = {{"44_ZSJ", "gd_filler"},
                                                           {"4408", "zj_filler"},
                                                           {"440802", "ck_filler"},
                                                           {"440802001", "zh_filler"},
                                                           {"440802001001", "cun_filler"}};
  auto it = known.find(org);
  return it != known.end() ? it->second : "filler_" + org;
}

std::string approver_of(const std::string& org) {
  static const std::map<std::string, std::string> known = {{"44", "gd_approver"},
                                                           {"4408", "zj_approver"},
                                                           {"440802", "ck_approver"},
                                                           {"440802001", "zh_approver"}};
  auto it = known.find(org);
  return it != known.end() ? it->second : "approver_" + org;
}

// One entry moved through the workflow, step by step, at given times. The
// steps are collected in `steps` for store::Store::commit_entries.
class EntryReplay {
 public:
  EntryReplay(std::vector<store::EntryCommit>& steps, const store::TaskRecord& task,
              store::EntryRecord entry)
      : steps_(steps), task_(task), entry_(std::move(entry)) {}

  Status save(std::int64_t at, std::vector<store::ValueWrite> writes) {
    store::EntryRecord next = entry_;
    next.status = EntryStatus::kDraft;
    return step(std::move(next), at, filler_of(entry_.org_code), "save", "", std::move(writes));
  }
  Status submit(std::int64_t at) {
    store::EntryRecord next = entry_;
    next.status = EntryStatus::kSubmitted;
    next.submitted_at = at;
    next.approvals.clear();
    return step(std::move(next), at, filler_of(entry_.org_code), "submit", "", {});
  }
  Status approve(std::int64_t at, const std::string& unit) {
    store::EntryRecord next = entry_;
    next.status = EntryStatus::kApproved;
    next.approvals.push_back(unit);
    return step(std::move(next), at, approver_of(unit), "approve", "", {});
  }
  Status return_to_filler(std::int64_t at, const std::string& unit, const std::string& reason) {
    store::EntryRecord next = entry_;
    next.status = EntryStatus::kReturned;
    next.approvals.clear();
    next.return_reason = reason;
    return step(std::move(next), at, approver_of(unit), "return", reason, {});
  }

 private:
  Status step(store::EntryRecord next, std::int64_t at, const std::string& user, const char* action,
              const std::string& reason, std::vector<store::ValueWrite> writes) {
    // Saving a draft again leaves no event, as in the service.
    bool event = !(std::string_view(action) == "save" && entry_.status == EntryStatus::kDraft);
    store::EntryCommit c;
    c.task_id = task_.id;
    c.org_code = entry_.org_code;
    c.expected_version = entry_.version;
    c.next = next;
    c.writes = std::move(writes);
    c.context = {user, "form", at};
    if (event) {
      c.event = store::EntryEvent{task_.id,
                                  entry_.org_code,
                                  at,
                                  user,
                                  action,
                                  std::string(model::entry_status_name(entry_.status)),
                                  std::string(model::entry_status_name(next.status)),
                                  reason};
    }
    steps_.push_back(std::move(c));
    entry_ = std::move(next);
    entry_.version = steps_.back().expected_version + 1;
    return Status::Ok();
  }

  std::vector<store::EntryCommit>& steps_;
  const store::TaskRecord& task_;
  store::EntryRecord entry_;
};

// A slip an approver catches: the figure first submitted, and the reason
// the entry was returned.
struct Slip {
  store::ValueWrite wrong;
  std::string reason;
};

Slip slip_for(const DemoFigures& f, const std::string& form, const std::string& org, int month,
              DemoNoise& n) {
  auto wrong = [&](const char* indicator, double value) {
    return store::ValueWrite{indicator, org, DemoFigures::period(month), value, std::nullopt};
  };
  auto value = [&](const char* indicator, int m) { return f.value(org, m, indicator); };
  if (form == "TOWN_MONTHLY") {
    return {wrong("ZW_ONLINE_CASES", value("ZW_CASES", month)),
            "网上办件量与办件量相同（网办率100%），与省政务服务网统计不符，请核实后重报"};
  }
  if (form == "VILLAGE_MONTHLY") {
    return {wrong("VIL_OPEN_DAYS", 30),
            "便民服务站开放天数填了30天，与本月工作日和值班记录不符，请核实后重报"};
  }
  if (value("YSS_REG_USERS", month) == 0) {  // a department: only its service counts
    return {wrong("GDZWFW_ITEMS", value("GDZWFW_ITEMS", month) - 12),
            "可网办事项数比上月减少，请核实是否有事项下线，如无请更正后重报"};
  }
  switch (n.below(3)) {
    case 0:
      return {
          wrong("YSS_REG_USERS", std::round((value("YSS_REG_USERS", month) -
                                             value("YSS_REG_USERS", month > 0 ? month - 1 : 0)) *
                                            10) /
                                     10),
          "“粤省事实名注册用户数”应填截至月末的累计数，本次疑似填成本月新增，请核实后重报"};
    case 1:
      return {wrong("HOTLINE_CALLS", std::round(value("HOTLINE_CALLS", month) * 10000)),
              "“粤省心热线来电量”以万次为单位，本次疑似按次填写，请换算后重报"};
    default:
      return {wrong("YZZ_MACHINES", std::round(value("YZZ_MACHINES", month) / 10)),
              "粤智助自助机数量比上月大幅减少，请核实是否漏报后重报"};
  }
}

enum class Fate { kOnTime, kLate, kReturned };

// A historical task: dispatched on the 25th of its month, due `deadline`
// after the month's end.
struct HistoricTask {
  const char* form;
  std::string issuer;
  const std::vector<std::string>* units;
  int month;
  const char* deadline;
  int late;      // how many units submit after the deadline
  int returned;  // how many entries are returned once
};

Status replay_task(service::Services& s, DemoClock& clock, const DemoFigures& f,
                   const HistoricTask& h) {
  const std::string period = DemoFigures::period(h.month);
  DemoNoise dispatch(period);
  clock.set(office_time(workday_on_or_before(period + "-25"), dispatch));
  service::Principal issuer = service::Principal::system(h.issuer);
  service::NewTask t{h.form, period, *h.units, "", 0, h.deadline, ""};
  ASSIGN_OR_RETURN(std::int64_t id, s.reporting().create_task(issuer, t));
  ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, s.store().find_task(id));
  ASSIGN_OR_RETURN(std::vector<store::EntryRecord> entries, s.store().list_entries(id));

  // Which units are late and which are returned: a shuffle of its own.
  DemoNoise pick(fmt::format("{}/{}", h.form, period));
  std::vector<std::size_t> order(entries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[pick.below(static_cast<int>(i))]);
  }
  std::vector<Fate> fate(entries.size(), Fate::kOnTime);
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k < static_cast<std::size_t>(h.late)) {
      fate[order[k]] = Fate::kLate;
    } else if (k < static_cast<std::size_t>(h.late + h.returned)) {
      fate[order[k]] = Fate::kReturned;
    }
  }

  auto tree = s.org_units().tree();
  std::vector<store::EntryCommit> steps;
  const std::string first_day = model::add_days(model::Period::parse(period).value().end_date(), 1);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string org = entries[i].org_code;
    DemoNoise n(fmt::format("{}/{}/{}", h.form, period, org));
    EntryReplay entry(steps, *task, entries[i]);
    std::string day;
    if (fate[i] == Fate::kLate) {
      day = workday_on_or_after(model::add_days(task->due_date, 1 + n.below(4)));
    } else {
      day = workday_on_or_before(model::add_days(task->due_date, -n.below(8)));
      if (day < first_day) day = workday_on_or_after(first_day);
    }
    std::int64_t submitted = office_time(day, n);
    std::vector<store::ValueWrite> figures = f.writes(org, h.month);
    std::vector<std::string> chain = model::ApprovalChain::of(*tree, org, h.issuer).units();
    if (fate[i] == Fate::kReturned && !chain.empty()) {
      Slip slip = slip_for(f, h.form, org, h.month, n);
      for (store::ValueWrite& w : figures) {
        if (w.indicator == slip.wrong.indicator) w.number = slip.wrong.number;
      }
      RETURN_IF_ERROR(entry.save(submitted - (8 + n.below(80)) * kMinuteMs, figures));
      RETURN_IF_ERROR(entry.submit(submitted));
      std::int64_t returned = next_office_time(submitted, n);
      RETURN_IF_ERROR(entry.return_to_filler(returned, chain.front(), slip.reason));
      std::int64_t corrected = next_office_time(returned, n);
      std::vector<store::ValueWrite> fix;
      for (store::ValueWrite& w : f.writes(org, h.month)) {
        if (w.indicator == slip.wrong.indicator) fix.push_back(w);
      }
      RETURN_IF_ERROR(entry.save(corrected, fix));
      submitted = corrected + (10 + n.below(50)) * kMinuteMs;
      RETURN_IF_ERROR(entry.submit(submitted));
    } else {
      RETURN_IF_ERROR(entry.save(submitted - (8 + n.below(80)) * kMinuteMs, figures));
      RETURN_IF_ERROR(entry.submit(submitted));
    }
    std::int64_t at = submitted;
    for (const std::string& unit : chain) {
      at = next_office_time(at, n);
      RETURN_IF_ERROR(entry.approve(at, unit));
    }
  }
  clock.reset();
  return s.store().commit_entries(steps);
}

}  // namespace

StatusOr<std::size_t> add_demo_history(service::Services& s, DemoClock& clock, const DemoFigures& f,
                                       const DemoReporters& units) {
  // Every month has a city task; the villages' last three months and the
  // towns' last month have theirs (each step of an entry is a durable
  // commit: 湛江's 125 towns over a year would make the demo slow). The
  // other months of towns and villages came in as an import on the 12th
  // of the following month.
  constexpr int kFirstVillageTask = kDemoHistoryMonths - 3;  // 2022-06
  constexpr int kTownTask = kDemoHistoryMonths - 1;          // 2022-08
  auto import_month = [&](const std::vector<std::string>& orgs, int m) -> Status {
    std::vector<store::ValueWrite> writes;
    for (const std::string& org : orgs) {
      std::vector<store::ValueWrite> w = f.writes(org, m);
      writes.insert(writes.end(), w.begin(), w.end());
    }
    const std::string imported = workday_on_or_after(
        model::add_days(model::Period::parse(DemoFigures::period(m)).value().end_date(), 12));
    return s.store()
        .write_values(writes, {"demo", "import", model::beijing_date_ms(imported, 10 * 60)})
        .status();
  };

  std::size_t tasks = 0;
  const int towns = static_cast<int>(units.towns.size());
  for (int m = 0; m < kDemoHistoryMonths; ++m) {
    DemoNoise n(fmt::format("month/{}", m));
    RETURN_IF_ERROR(replay_task(s, clock, f,
                                {"CITY_MONTHLY", "44", &units.cities_and_departments, m, "P10D",
                                 1 + n.below(3), 1 + n.below(2)}));
    ++tasks;
    if (m < kTownTask) {
      RETURN_IF_ERROR(import_month(units.towns, m));
    } else {
      RETURN_IF_ERROR(replay_task(s, clock, f,
                                  {"TOWN_MONTHLY", "4408", &units.towns, m, "P8D",
                                   towns / 40 + n.below(4), 2 + n.below(3)}));
      ++tasks;
    }
    if (m < kFirstVillageTask) {
      RETURN_IF_ERROR(import_month(units.villages, m));
    } else {
      RETURN_IF_ERROR(replay_task(
          s, clock, f, {"VILLAGE_MONTHLY", "440802", &units.villages, m, "P6D", n.below(2), 1}));
      ++tasks;
    }
  }
  return tasks;
}

StatusOr<std::size_t> add_demo_open_month(service::Services& s, DemoClock& clock,
                                          const DemoFigures& f, const DemoReporters& units) {
  clock.reset();
  const std::int64_t now = clock.now_ms();
  // Due two weeks from today so the countdown means something; dispatched
  // four working days ago, so a few units have had time to report (on the
  // last two working days before today).
  const std::string today = beijing_date(now);
  std::string due = model::add_days(today, 14);
  std::vector<std::string> workdays;  // most recent first
  for (std::string d = model::add_days(today, -1); workdays.size() < 4;
       d = model::add_days(d, -1)) {
    d = workday_on_or_before(d);
    workdays.push_back(d);
  }
  clock.set(model::beijing_date_ms(workdays[3], 9 * 60 + 15));
  constexpr int kOpen = kDemoMonths - 1;
  const std::string period = DemoFigures::period(kOpen);
  struct Open {
    const char* form;
    const char* issuer;
    service::NewTask task;
  };
  std::vector<Open> open = {
      {"CITY_MONTHLY", "44", {"CITY_MONTHLY", period, {}, "44", 2, due, ""}},
      {"TOWN_MONTHLY", "4408", {"TOWN_MONTHLY", period, {}, "4408", 4, due, ""}},
      {"VILLAGE_MONTHLY", "440802", {"VILLAGE_MONTHLY", period, units.villages, "", 0, due, ""}},
  };
  // Units a step ahead, never the demo users' own (the manual walks them
  // through from the start): 2 = submitted, 3 = approved by the next level,
  // 1 = a draft, -1 = returned.
  std::vector<std::string> other_towns;
  for (const std::string& t : units.towns) {
    if (t.rfind("440802", 0) != 0) other_towns.push_back(t);
  }
  std::map<std::string, std::vector<std::pair<std::string, int>>> ahead = {
      {"CITY_MONTHLY",
       {{"4403", 3},
        {"4401", 2},
        {"4419", 2},
        {"4404", 2},
        {"4406", -1},
        {"4413", 1},
        {"44_GAT", 2}}},
      {"TOWN_MONTHLY", {}},
      {"VILLAGE_MONTHLY", {}},
  };
  const int states[] = {2, 3, 2, -1, 1, 2};
  for (std::size_t i = 0; i < other_towns.size() && i < std::size(states); ++i) {
    ahead["TOWN_MONTHLY"].push_back({other_towns[i * 7 % other_towns.size()], states[i]});
  }
  for (const std::string& v : units.villages) {
    if (v != "440802001001") {
      ahead["VILLAGE_MONTHLY"].push_back({v, 2});
      break;
    }
  }

  auto tree = s.org_units().tree();
  for (const Open& o : open) {
    service::Principal issuer = service::Principal::system(o.issuer);
    ASSIGN_OR_RETURN(std::int64_t id, s.reporting().create_task(issuer, o.task));
    ASSIGN_OR_RETURN(std::optional<store::TaskRecord> task, s.store().find_task(id));
    std::vector<store::EntryCommit> steps;
    std::vector<store::NoticeRecord> notices;
    for (const auto& [org, state] : ahead[o.form]) {
      ASSIGN_OR_RETURN(std::optional<store::EntryRecord> e, s.store().find_entry(id, org));
      if (!e) continue;
      DemoNoise n(fmt::format("{}/{}/{}", o.form, period, org));
      EntryReplay entry(steps, *task, *e);
      std::int64_t at = office_time(workdays[n.below(2)], n);
      RETURN_IF_ERROR(entry.save(at, f.writes(org, kOpen)));
      if (state == 1) continue;
      at += (10 + n.below(50)) * kMinuteMs;
      RETURN_IF_ERROR(entry.submit(at));
      std::vector<std::string> chain = model::ApprovalChain::of(*tree, org, o.issuer).units();
      if (chain.empty()) continue;
      at = std::min(at + (1 + n.below(3)) * kHourMs, now - kMinuteMs);
      if (state == 3) RETURN_IF_ERROR(entry.approve(at, chain.front()));
      if (state == -1) {
        const std::string reason = "本月数据与上月相比变化较大，请附说明或核实后重报";
        RETURN_IF_ERROR(entry.return_to_filler(at, chain.front(), reason));
        notices.push_back({0, org, id, "return",
                           fmt::format("《{}》被退回：{}", task->title, reason), at,
                           approver_of(chain.front())});
      }
    }
    RETURN_IF_ERROR(s.store().commit_entries(steps));
    if (!notices.empty()) RETURN_IF_ERROR(s.store().insert_notices(notices));
  }
  clock.reset();
  return open.size();
}

}  // namespace tianbao::cli
