#include "service/reminder_scheduler.h"

#include <spdlog/spdlog.h>

namespace tianbao::service {

namespace {

// How often the thread asks whether a round is due. Shorter than the
// interval, so a clock that jumps ahead is noticed within a minute.
constexpr auto kPoll = std::chrono::minutes(1);

}  // namespace

void ReminderScheduler::start() {
  if (days_before_ <= 0) return;
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ReminderScheduler::stop() {
  std::thread finished;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    finished = std::move(thread_);
  }
  wake_.notify_all();
  if (finished.joinable()) finished.join();
}

StatusOr<std::optional<std::size_t>> ReminderScheduler::run_if_due() {
  if (days_before_ <= 0) return std::optional<std::size_t>();
  std::lock_guard lock(round_mu_);
  const std::int64_t now = clock_.now_ms();
  if (last_round_ms_ && now - *last_round_ms_ < kIntervalMs) {
    return std::optional<std::size_t>();
  }
  last_round_ms_ = now;
  ASSIGN_OR_RETURN(std::size_t sent, reporting_.send_due_reminders(days_before_));
  return std::optional<std::size_t>(sent);
}

void ReminderScheduler::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    StatusOr<std::optional<std::size_t>> sent = run_if_due();
    if (!sent.ok()) spdlog::warn("scheduled reminders failed: {}", sent.status().to_string());
    if (sent.ok() && sent->value_or(0) > 0) {
      spdlog::info("scheduled reminders sent to {} units", **sent);
    }
    lock.lock();
    wake_.wait_for(lock, kPoll, [this] { return stopping_; });
  }
}

}  // namespace tianbao::service
