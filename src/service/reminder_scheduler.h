// ReminderScheduler: 催报 on a schedule. Every ten minutes by the service
// clock it asks Reporting to remind the units of every task due within
// `days_before` days (Reporting::send_due_reminders, which reminds each
// task once), so units hear of a deadline without anyone pressing 催报.
//
// The decision whether a round is due reads the service clock (Clock), so a
// test moves the clock and calls run_if_due() instead of waiting; the
// background thread only wakes up now and then to ask.
//
// Usage:
//   ReminderScheduler scheduler(services.reporting(), services.clock(), 3);
//   scheduler.start();  // until stop() or destruction
//
// Thread-safety: safe for concurrent use; start() and stop() may be called
// from any thread, and the destructor stops the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "service/clock.h"
#include "service/reporting.h"

namespace tianbao::service {

class ReminderScheduler {
 public:
  // Time between two rounds, by the service clock.
  static constexpr std::int64_t kIntervalMs = 10 * 60 * 1000;

  // `days_before` ≤ 0 turns the schedule off (start() does nothing).
  ReminderScheduler(Reporting& reporting, const Clock& clock, int days_before)
      : reporting_(reporting), clock_(clock), days_before_(days_before) {}
  ~ReminderScheduler() { stop(); }
  ReminderScheduler(const ReminderScheduler&) = delete;
  ReminderScheduler& operator=(const ReminderScheduler&) = delete;

  // Runs rounds on a background thread, the first one at once.
  void start();
  // Stops the thread (waits for a round under way); idempotent.
  void stop();

  // Runs a round if one is due by the clock — the first call always, then
  // once kIntervalMs has passed since the last round — and returns how many
  // units were reminded; nullopt if no round was due (or the schedule is
  // off).
  StatusOr<std::optional<std::size_t>> run_if_due();

 private:
  void loop();

  Reporting& reporting_;
  const Clock& clock_;
  const int days_before_;

  std::mutex round_mu_;                        // serialises rounds
  std::optional<std::int64_t> last_round_ms_;  // GUARDED_BY(round_mu_)

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // GUARDED_BY(mu_) for start/stop
};

}  // namespace tianbao::service
