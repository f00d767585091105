// ApprovalChain: who approves an entry, and in which order. A unit's entry
// is approved level by level by the units above it, up to and including the
// unit that issued the task (a town's entry in a task from 湛江: 赤坎区,
// then 湛江市). A unit that issued a task to itself needs nobody's approval.
//
// Usage:
//   ApprovalChain chain = ApprovalChain::of(tree, entry.org_code, task.issuer_org);
//   std::string due = chain.next_after(entry.approvals);  // "" once fully approved
//
// Thread-safety: a value; copy freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/org_tree.h"

namespace tianbao::model {

class ApprovalChain {
 public:
  // The units above `filler` up to `issuer`, lowest first; empty if either
  // is unknown, `issuer` is `filler`, or `issuer` is not above `filler`.
  static ApprovalChain of(const OrgTree& tree, std::string_view filler, std::string_view issuer);

  // Org codes, lowest first.
  const std::vector<std::string>& units() const { return units_; }
  bool empty() const { return units_.empty(); }

  // The unit whose approval is due once `approvals` (org codes, in the order
  // given) have approved: the one above the last of them, or the first of
  // the chain if none has. Empty when the chain is complete, or when the
  // last approval is not on the chain (the tree changed under the entry):
  // nobody can approve further then.
  std::string next_after(const std::vector<std::string>& approvals) const;

 private:
  std::vector<std::string> units_;
};

}  // namespace tianbao::model
