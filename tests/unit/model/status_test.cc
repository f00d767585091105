#include "model/status.h"

#include <gtest/gtest.h>

namespace tianbao {
namespace {

StatusOr<int> half(int x) {
  if (x % 2 != 0) return InvalidArgument("不是偶数", "x");
  return x / 2;
}

Status quarter_into(int x, int& out) {
  ASSIGN_OR_RETURN(int h, half(x));
  ASSIGN_OR_RETURN(out, half(h));
  return Status::Ok();
}

Status fail_if_odd(int x) {
  RETURN_IF_ERROR(half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.to_string(), "ok");
}

TEST(StatusTest, CarriesCodeMessageFieldAndReason) {
  Status s = NotFound("单位 9 不存在", "code", "unknown_org_unit");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "单位 9 不存在");
  EXPECT_EQ(s.field(), "code");
  EXPECT_EQ(s.reason(), "unknown_org_unit");
  EXPECT_EQ(s.to_string(), "unknown_org_unit: 单位 9 不存在 (code)");
}

TEST(StatusTest, AFailureCarriesTheViolationsAttachedToIt) {
  Status plain = InvalidArgument("有 1 项填写有误：不是数字", "A", "validation_failed");
  EXPECT_TRUE(plain.violations().empty());
  Status failed =
      plain.with_violations({{"A", model::Severity::kError, "not_a_number", "不是数字", ""}});
  ASSERT_EQ(failed.violations().size(), 1u);
  EXPECT_EQ(failed.violations()[0].code, "not_a_number");
  EXPECT_EQ(failed.reason(), "validation_failed");
  EXPECT_EQ(failed.field(), "A");
  EXPECT_TRUE(plain.violations().empty());  // the original is left alone
  // Propagation keeps them.
  auto propagate = [&]() -> Status {
    RETURN_IF_ERROR(failed);
    return Status::Ok();
  };
  EXPECT_EQ(propagate().violations().size(), 1u);
}

TEST(StatusTest, MethodNotAllowedHasItsOwnCode) {
  EXPECT_STREQ(status_code_name(StatusCode::kMethodNotAllowed), "method_not_allowed");
}

TEST(StatusTest, MacrosPropagateTheFirstError) {
  int out = 0;
  EXPECT_TRUE(quarter_into(8, out).ok());
  EXPECT_EQ(out, 2);
  Status s = quarter_into(6, out);  // 6/2 = 3 is odd
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "x");
  EXPECT_TRUE(fail_if_odd(4).ok());
  EXPECT_FALSE(fail_if_odd(5).ok());
}

TEST(StatusTest, StatusOrHoldsMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(7);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 7);
}

}  // namespace
}  // namespace tianbao
