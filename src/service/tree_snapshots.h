// OrgTreeSnapshots: the current immutable org-tree snapshot, shared by the
// services that read the tree (Access for scope, OrgUnits for lookups).
// Writers build a new tree and publish it; readers that still hold the old
// snapshot finish on it, which is why snapshots are shared_ptr<const>.
//
// Thread-safety: current() and publish() are safe to call concurrently.
#pragma once

#include <memory>
#include <mutex>

#include "model/org_tree.h"

namespace tianbao::service {

class OrgTreeSnapshots {
 public:
  OrgTreeSnapshots() : tree_(std::make_shared<const model::OrgTree>()) {}

  // Never null.
  std::shared_ptr<const model::OrgTree> current() const {
    std::lock_guard lock(mu_);
    return tree_;
  }
  void publish(std::shared_ptr<const model::OrgTree> tree) {
    std::lock_guard lock(mu_);
    tree_ = std::move(tree);
  }

 private:
  mutable std::mutex mu_;  // guards the pointer, not the tree
  std::shared_ptr<const model::OrgTree> tree_;
};

}  // namespace tianbao::service
