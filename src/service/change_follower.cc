#include "service/change_follower.h"

#include <unistd.h>

#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tianbao::service {

namespace {

// Changes read from the store per query while catching up.
constexpr std::size_t kChangesPerRead = 1000;
// How often a following node says it is alive, and how long a node not
// heard from counts as alive (its applied changes stay in the log).
constexpr std::chrono::seconds kHeartbeat(5);
constexpr std::int64_t kNodeLivesMs = 10 * 60 * 1000;

std::string node_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device random;
  return fmt::format("{}:{}:{:08x}", host, getpid(), random());
}

}  // namespace

ChangeFollower::ChangeFollower(store::ChangeFeed* feed, Analytics& analytics, OrgUnits& units,
                               Metadata& metadata, const Clock& clock)
    : feed_(feed),
      analytics_(analytics),
      units_(units),
      metadata_(metadata),
      clock_(clock),
      node_(node_name()) {}

ChangeFollower::~ChangeFollower() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

Status ChangeFollower::start() {
  if (!feed_) return Status::Ok();
  ASSIGN_OR_RETURN(std::int64_t latest, feed_->latest_change());
  std::lock_guard lock(mu_);
  applied_ = latest;
  return Status::Ok();
}

std::int64_t ChangeFollower::applied() const {
  std::lock_guard lock(mu_);
  return applied_;
}

void ChangeFollower::committed(const std::vector<store::ValueWrite>& writes,
                               const std::vector<bool>& applied, std::int64_t seq) {
  std::lock_guard lock(mu_);
  if (!feed_) {
    analytics_.apply(writes, applied);
    return;
  }
  if (seq != 0 && seq <= applied_) return;  // read from the store already
  // Every change before the writer's own first (the log may have gaps:
  // a rolled-back transaction leaves its number unused), then its own.
  StatusOr<std::size_t> caught = catch_up_locked(seq == 0 ? 0 : seq - 1);
  if (!caught.ok()) {
    // The poller catches up on its next heartbeat, this change included.
    spdlog::warn("变更同步失败：{}", caught.status().to_string());
    return;
  }
  if (seq == 0) return;
  analytics_.apply(writes, applied);
  applied_ = seq;
}

StatusOr<std::size_t> ChangeFollower::catch_up() {
  if (!feed_) return std::size_t{0};
  std::lock_guard lock(mu_);
  return catch_up_locked(0);
}

StatusOr<std::size_t> ChangeFollower::catch_up_locked(std::int64_t until) {
  std::size_t count = 0;
  while (until == 0 || applied_ < until) {
    ASSIGN_OR_RETURN(std::vector<store::ChangeRecord> changes,
                     feed_->changes_since(applied_, kChangesPerRead));
    for (const store::ChangeRecord& change : changes) {
      if (until != 0 && change.seq > until) return count;
      RETURN_IF_ERROR(apply_locked(change));
      applied_ = change.seq;
      ++count;
    }
    if (changes.size() < kChangesPerRead) break;
  }
  return count;
}

Status ChangeFollower::apply_locked(const store::ChangeRecord& change) {
  switch (change.kind) {
    case store::ChangeKind::kOrgUnits:
      return units_.load();
    case store::ChangeKind::kCatalogue:
      return metadata_.load();
    case store::ChangeKind::kValues:
      break;
  }
  std::vector<store::ValueWrite> writes;
  RETURN_IF_ERROR(
      feed_->values_changed(change, [&](std::string_view indicator, std::string_view org_code,
                                        std::string_view period, std::optional<double> number) {
        writes.push_back({std::string(indicator), std::string(org_code), std::string(period),
                          number, std::nullopt, store::WriteMode::kUpsert});
      }));
  analytics_.apply(writes);
  return Status::Ok();
}

void ChangeFollower::follow(std::chrono::milliseconds interval) {
  if (!feed_ || poller_.joinable()) return;
  poller_ = std::thread([this, interval] { poll_loop(interval); });
}

void ChangeFollower::poll_loop(std::chrono::milliseconds interval) {
  auto next_heartbeat = std::chrono::steady_clock::now();
  std::unique_lock stop_lock(stop_mu_);
  while (!stop_cv_.wait_for(stop_lock, interval, [this] { return stopping_; })) {
    stop_lock.unlock();
    StatusOr<bool> moved = feed_->changed_elsewhere();
    if (!moved.ok()) {
      spdlog::warn("变更轮询失败：{}", moved.status().to_string());
    }
    const bool heartbeat = std::chrono::steady_clock::now() >= next_heartbeat;
    // On a heartbeat also without a sign: a catch-up of a writer of this
    // process that failed is made good there.
    if (heartbeat || (moved.ok() && *moved)) {
      StatusOr<std::size_t> caught = catch_up();
      if (!caught.ok()) spdlog::warn("变更同步失败：{}", caught.status().to_string());
    }
    if (heartbeat) {
      next_heartbeat = std::chrono::steady_clock::now() + kHeartbeat;
      const std::int64_t now = clock_.now_ms();
      Status alive = feed_->record_node(node_, applied(), now);
      StatusOr<std::size_t> pruned =
          alive.ok() ? feed_->prune_changes(now - kNodeLivesMs) : StatusOr<std::size_t>(alive);
      if (!pruned.ok()) spdlog::warn("变更记录清理失败：{}", pruned.status().to_string());
    }
    stop_lock.lock();
  }
}

}  // namespace tianbao::service
