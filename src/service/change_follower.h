// ChangeFollower: keeps this node's in-memory state — the cube, the org
// tree and the catalogue snapshots — current with the store's change log
// (store::ChangeFeed), whichever process committed.
//
// Every change is applied once, in sequence order, under the follower's own
// mutex; the store's lock is never held while the cube is written. A
// writer of this process, once its commit has returned, hands the follower
// what it wrote (committed()): the follower first applies, from the store,
// any earlier change it has not seen, then the writer's own from memory —
// so a value is in analytics the moment its save returns. Commits of other
// processes (a `tianbao import` beside the server) arrive by polling
// (follow()): on SQLite a look at PRAGMA data_version, and the log only when
// it moved. A backend without a change feed gets the writers' changes
// applied as they come, as before.
//
//   follower.start();                         // before the cube is read
//   analytics.load(store);
//   follower.follow(std::chrono::milliseconds(100));
//
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/status.h"
#include "service/analytics.h"
#include "service/clock.h"
#include "service/metadata.h"
#include "service/org_units.h"
#include "store/change_feed.h"
#include "store/value_store.h"

namespace tianbao::service {

class ChangeFollower {
 public:
  // `feed` may be null (a backend without one); none is owned.
  ChangeFollower(store::ChangeFeed* feed, Analytics& analytics, OrgUnits& units, Metadata& metadata,
                 const Clock& clock);
  ~ChangeFollower();  // stops following
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Takes the newest change as applied: call before the node reads the
  // store into memory, so that nothing committed after is missed (what
  // the read saw already is applied again, which changes nothing).
  Status start();

  // A commit of this process has returned: `writes` (with `applied`, which
  // of them changed the store; empty: all) were committed as change `seq`
  // (0: not known, as for an entry step — then what the log holds up to
  // now is read from the store).
  void committed(const std::vector<store::ValueWrite>& writes, const std::vector<bool>& applied,
                 std::int64_t seq);

  // Applies every change in the log not applied yet. Returns how many.
  StatusOr<std::size_t> catch_up();

  // Polls for other processes' commits every `interval` on a thread of its
  // own, says every few seconds that this node is alive (so the log is
  // pruned only behind it) and prunes behind the nodes that are.
  void follow(std::chrono::milliseconds interval);

  // The sequence number of the last change applied.
  std::int64_t applied() const;

 private:
  // REQUIRES: mu_ held. Applies the changes after applied_ up to `until`
  // (0: all there are) from the store.
  StatusOr<std::size_t> catch_up_locked(std::int64_t until);
  Status apply_locked(const store::ChangeRecord& change);  // REQUIRES: mu_ held
  void poll_loop(std::chrono::milliseconds interval);

  store::ChangeFeed* feed_;
  Analytics& analytics_;
  OrgUnits& units_;
  Metadata& metadata_;
  const Clock& clock_;
  const std::string node_;  // this node's name in the store's node table

  mutable std::mutex mu_;
  std::int64_t applied_ = 0;  // GUARDED_BY(mu_)

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // GUARDED_BY(stop_mu_)
  std::thread poller_;
};

}  // namespace tianbao::service
