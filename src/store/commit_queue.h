// CommitQueue: group commit for a store whose commits are serial and whose
// cost is the flush at the end (SQLite in WAL mode with synchronous=FULL pays
// one fsync per COMMIT; a disk here does ~175 a second). Writers queue up; the
// writer at the head takes everyone queued behind it (up to `max_batch`),
// runs them as one transaction, and hands each its own result — the way
// LevelDB's DBImpl::Write batches writers. The caller's `run` gives each
// request its own savepoint so that one writer's failure undoes only its own
// changes. Nobody returns before the transaction holding its work has
// committed, so durability is what it was with one commit per writer.
//
//   CommitQueue<EntryCommit, StatusOr<std::int64_t>> queue;
//   return queue.submit(commit, [&](std::span<CommitQueue<…>::Slot* const> batch) {
//     … BEGIN; for each slot: SAVEPOINT, work, slot->result = …; COMMIT …
//   });
//
// Thread-safety: submit() may be called from any number of threads; `run` is
// called by one thread at a time, outside the queue's own lock.
#pragma once

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace tianbao::store {

template <typename Request, typename Result>
class CommitQueue {
 public:
  struct Slot {
    const Request* request = nullptr;
    std::optional<Result> result;  // set by `run` for every slot of its batch
    bool done = false;
    std::condition_variable ready;
  };
  using Run = std::function<void(std::span<Slot* const> batch)>;

  explicit CommitQueue(std::size_t max_batch = 256) : max_batch_(max_batch) {}

  Result submit(const Request& request, const Run& run) {
    Slot mine;
    mine.request = &request;
    std::unique_lock lock(mu_);
    queue_.push_back(&mine);
    mine.ready.wait(lock, [&] { return mine.done || queue_.front() == &mine; });
    if (mine.done) return std::move(*mine.result);

    // At the head: commit for everyone waiting behind, then wake them.
    std::vector<Slot*> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                  queue_.size(), max_batch_)));
    lock.unlock();
    run(batch);
    lock.lock();
    assert(std::all_of(batch.begin(), batch.end(), [](Slot* s) { return s->result.has_value(); }) &&
           "run must answer every slot");
    for (Slot* slot : batch) {
      queue_.pop_front();
      if (slot != &mine) {
        slot->done = true;
        slot->ready.notify_one();
      }
    }
    if (!queue_.empty()) queue_.front()->ready.notify_one();
    return std::move(*mine.result);
  }

  // Writers queued, the one committing included.
  std::size_t queued() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  const std::size_t max_batch_;
  std::mutex mu_;
  std::deque<Slot*> queue_;  // guarded by mu_; the head is committing or about to
};

}  // namespace tianbao::store
