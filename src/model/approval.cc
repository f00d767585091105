#include "model/approval.h"

#include <algorithm>

namespace tianbao::model {

ApprovalChain ApprovalChain::of(const OrgTree& tree, std::string_view filler,
                                std::string_view issuer) {
  ApprovalChain chain;
  std::optional<Ordinal> at = tree.find(filler);
  std::optional<Ordinal> top = tree.find(issuer);
  if (!at || !top) return chain;
  while ((at = tree.parent(*at)) && tree.in_subtree(*top, *at)) {
    chain.units_.push_back(tree.unit(*at).code);
  }
  return chain;
}

std::string ApprovalChain::next_after(const std::vector<std::string>& approvals) const {
  if (approvals.empty()) return units_.empty() ? std::string() : units_.front();
  auto last = std::find(units_.begin(), units_.end(), approvals.back());
  if (last == units_.end() || last + 1 == units_.end()) return {};
  return *(last + 1);
}

}  // namespace tianbao::model
