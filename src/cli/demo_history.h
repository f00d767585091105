// The demo's reporting history: the tasks of the months before 2022-09 and
// how each unit went through them — saved, submitted (most in the first
// days of the following month, a few after the deadline), returned with a
// reason and corrected now and then, approved level by level — with every
// time inside the demo's own timeline (Beijing office hours of 2021-10 …
// 2022-09), not the moment the demo ran. The live 2022-09 tasks get a few
// units already submitted, approved or returned, so that the review pages
// and 报送率 have something to show.
//
// Tasks are created through service::Reporting (with the clock moved to the
// day they were dispatched); the steps of the entries are written straight
// to the store with their own times, a task's steps in one transaction
// (store::Store::commit_entries), as the service stamps real time and makes
// every step a durable commit of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/demo_figures.h"
#include "service/clock.h"
#include "service/services.h"

namespace tianbao::cli {

// A clock that reads the system clock unless it has been set: the demo sets
// it to the day a historical task was dispatched. Not thread-safe; the demo
// runs on one thread.
class DemoClock final : public service::Clock {
 public:
  std::int64_t now_ms() const override { return at_ ? *at_ : system_.now_ms(); }
  void set(std::int64_t ms) { at_ = ms; }
  void reset() { at_.reset(); }

 private:
  service::SystemClock system_;
  std::optional<std::int64_t> at_;
};

// Who took part: the units of the demo's tasks.
struct DemoReporters {
  std::vector<std::string> cities_and_departments;  // CITY_MONTHLY
  std::vector<std::string> towns;                   // 湛江's towns, TOWN_MONTHLY
  std::vector<std::string> villages;                // 中华街道's villages, VILLAGE_MONTHLY
};

// Creates the historical tasks and replays their entries with the figures
// of `figures`; returns how many tasks it created. Figures of months
// without a task are written as a dated import.
StatusOr<std::size_t> add_demo_history(service::Services& s, DemoClock& clock,
                                       const DemoFigures& figures, const DemoReporters& units);

// Creates the open 2022-09 tasks, due two weeks from today, and moves a few
// units other than the demo users' own a step or two ahead.
StatusOr<std::size_t> add_demo_open_month(service::Services& s, DemoClock& clock,
                                          const DemoFigures& figures, const DemoReporters& units);

}  // namespace tianbao::cli
