// BatchPipe: hands batches of items from one producing thread to one
// consuming thread, at most two waiting, so that memory stays bounded
// however much the producer has (an import's file, the store at start-up).
// Batches are vectors whose memory goes back and forth: the consumer gives
// each one back, and the producer fills it again.
//
//   BatchPipe<Row> pipe(65536);
//   producer: auto b = pipe.empty_batch(); … if (!pipe.put(std::move(b))) stop; … pipe.close();
//   consumer: while (auto b = pipe.take()) { …; pipe.give_back(std::move(*b)); }
//
// Thread-safety: one producer and one consumer at a time.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace tianbao::service {

template <typename Item>
class BatchPipe {
 public:
  explicit BatchPipe(std::size_t batch_size) : batch_size_(batch_size) {}

  std::size_t batch_size() const { return batch_size_; }

  // False once the consumer has stopped: the producer should stop too.
  bool put(std::vector<Item> batch) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [this] { return queue_.size() < kDepth || stopped_; });
    if (stopped_) return false;
    queue_.push_back(std::move(batch));
    ready_.notify_one();
    return true;
  }
  // The producer has no more.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    ready_.notify_one();
  }
  // The next batch; nullopt once the producer closed and every batch was taken.
  std::optional<std::vector<Item>> take() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [this] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    std::vector<Item> batch = std::move(queue_.front());
    queue_.pop_front();
    room_.notify_one();
    return batch;
  }
  // An empty batch with room for batch_size() items: one the consumer gave
  // back, or a new one (two or three exist in all, their memory reused).
  std::vector<Item> empty_batch() {
    std::lock_guard lock(mu_);
    if (spare_.empty()) {
      std::vector<Item> batch;
      batch.reserve(batch_size_);
      return batch;
    }
    std::vector<Item> batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
  }
  void give_back(std::vector<Item> batch) {
    batch.clear();
    std::lock_guard lock(mu_);
    spare_.push_back(std::move(batch));
  }
  // The consumer failed: a waiting or later put() returns false.
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    room_.notify_all();
  }

 private:
  static constexpr std::size_t kDepth = 2;
  const std::size_t batch_size_;
  std::mutex mu_;
  std::condition_variable room_;
  std::condition_variable ready_;
  std::deque<std::vector<Item>> queue_;
  std::vector<std::vector<Item>> spare_;
  bool closed_ = false;
  bool stopped_ = false;
};

}  // namespace tianbao::service
