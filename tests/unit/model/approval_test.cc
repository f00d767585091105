#include "model/approval.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tianbao::model {
namespace {

using Codes = std::vector<std::string>;

// 广东(44) ─ 湛江(4408) ─ 赤坎区(440802) ─ 中华街道(440802001)
//          └ 珠海(4404)
OrgTree tree() {
  StatusOr<OrgTree> t = OrgTree::build({
      {"44", "广东省", 1, OrgUnitKind::kRegion, ""},
      {"4408", "湛江市", 2, OrgUnitKind::kRegion, "44"},
      {"440802", "赤坎区", 3, OrgUnitKind::kRegion, "4408"},
      {"440802001", "中华街道", 4, OrgUnitKind::kRegion, "440802"},
      {"4404", "珠海市", 2, OrgUnitKind::kRegion, "44"},
  });
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return std::move(*t);
}

struct ChainCase {
  const char* filler;
  const char* issuer;
  Codes chain;
};

TEST(ApprovalChainTest, RunsFromTheFillersParentUpToTheIssuer) {
  const OrgTree t = tree();
  const ChainCase cases[] = {
      {"440802001", "4408", {"440802", "4408"}},
      {"440802001", "44", {"440802", "4408", "44"}},
      {"440802001", "440802", {"440802"}},
      {"4408", "44", {"44"}},
      // A unit that issued the task to itself needs nobody's approval.
      {"4408", "4408", {}},
      // An issuer that is not above the filler, or unknown units: no chain.
      {"440802001", "4404", {}},
      {"440802001", "9999", {}},
      {"9999", "44", {}},
  };
  for (const ChainCase& c : cases) {
    SCOPED_TRACE(std::string(c.filler) + " → " + c.issuer);
    const ApprovalChain chain = ApprovalChain::of(t, c.filler, c.issuer);
    EXPECT_EQ(chain.units(), c.chain);
    EXPECT_EQ(chain.empty(), c.chain.empty());
  }
}

struct NextCase {
  Codes approvals;
  const char* next;
};

TEST(ApprovalChainTest, NextIsTheUnitAboveTheLastApproval) {
  const ApprovalChain chain = ApprovalChain::of(tree(), "440802001", "44");
  const NextCase cases[] = {
      {{}, "440802"},
      {{"440802"}, "4408"},
      {{"440802", "4408"}, "44"},
      {{"440802", "4408", "44"}, ""},
      // An approval off the chain (the tree changed): nobody can go on.
      {{"4404"}, ""},
  };
  for (const NextCase& c : cases) {
    SCOPED_TRACE(c.approvals.size());
    EXPECT_EQ(chain.next_after(c.approvals), c.next);
  }
  EXPECT_EQ(ApprovalChain::of(tree(), "4408", "4408").next_after({}), "");
}

}  // namespace
}  // namespace tianbao::model
