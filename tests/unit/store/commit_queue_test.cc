#include "store/commit_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tianbao::store {
namespace {

using Queue = CommitQueue<int, int>;

// Holds the first batch until `writers` are queued, as an fsync would while
// the others arrive.
void hold_first_batch(Queue& queue, std::atomic<int>& batches, std::size_t writers) {
  if (++batches == 1) {
    while (queue.queued() < writers) std::this_thread::yield();
  }
}

TEST(CommitQueueTest, WritersArrivingDuringACommitShareTheNextOneAndEachGetsItsOwnResult) {
  Queue queue;
  std::atomic<int> batches{0};
  std::vector<std::size_t> sizes;
  constexpr int kWriters = 64;
  auto run = [&](std::span<Queue::Slot* const> batch) {
    hold_first_batch(queue, batches, kWriters);
    sizes.push_back(batch.size());
    for (auto* slot : batch) slot->result = *slot->request * 10;
  };
  std::vector<std::thread> writers;
  std::vector<int> results(kWriters, -1);
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] { results[i] = queue.submit(i, run); });
  }
  for (auto& t : writers) t.join();
  for (int i = 0; i < kWriters; ++i) EXPECT_EQ(results[i], i * 10) << "writer " << i;
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, kWriters - 1}));
}

TEST(CommitQueueTest, ALoneWriterCommitsAtOnce) {
  Queue queue;
  int runs = 0;
  const int result = queue.submit(7, [&](std::span<Queue::Slot* const> batch) {
    ++runs;
    ASSERT_EQ(batch.size(), 1u);
    batch[0]->result = 70;
  });
  EXPECT_EQ(result, 70);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(queue.queued(), 0u);
}

TEST(CommitQueueTest, ABatchNeverExceedsItsLimit) {
  Queue queue(4);
  std::atomic<int> batches{0};
  std::vector<std::size_t> sizes;
  constexpr int kWriters = 33;
  auto run = [&](std::span<Queue::Slot* const> batch) {
    hold_first_batch(queue, batches, kWriters);
    sizes.push_back(batch.size());
    for (auto* slot : batch) slot->result = *slot->request;
  };
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] { EXPECT_EQ(queue.submit(i, run), i); });
  }
  for (auto& t : writers) t.join();
  // One alone, then the 32 that queued behind it in batches of four.
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, 4, 4, 4, 4, 4, 4, 4, 4}));
}

}  // namespace
}  // namespace tianbao::store
