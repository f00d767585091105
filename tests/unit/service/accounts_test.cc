#include "service/accounts.h"

#include <gtest/gtest.h>

#include "service/services.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

class FakeClock final : public Clock {
 public:
  std::int64_t now_ms() const override { return now; }
  std::int64_t now = 1'700'000'000'000;
};

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceOptions options;
    options.clock = &clock_;
    auto opened = Services::open(dir_.file("t.db"), options);
    ASSERT_TRUE(opened.ok());
    services_ = std::move(*opened);
    std::vector<model::OrgUnit> regions = {
        {"44", "广东省", 1, model::OrgUnitKind::kRegion, ""},
        {"4408", "湛江市", 2, model::OrgUnitKind::kRegion, "44"},
        {"4404", "珠海市", 2, model::OrgUnitKind::kRegion, "44"},
    };
    ASSERT_TRUE(services_->org_units().load_divisions(system_, regions).ok());
    NewUser user{"zj", "湛江", "4408", {"filler"}, "Zhanjiang#1", false};
    ASSERT_TRUE(accounts().create_user(system_, user).ok());
  }
  Accounts& accounts() { return services_->accounts(); }

  FakeClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<Services> services_;
  const Principal system_ = Principal::system("");
};

constexpr std::int64_t kMinute = 60 * 1000;

TEST_F(AccountsTest, LockoutLastsThirtyMinutes) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(accounts().login("zj", "Wrong#1234", "", "10.0.0.1").status().reason(),
              "bad_credentials");
  }
  EXPECT_EQ(accounts().login("zj", "Wrong#1234", "", "10.0.0.1").status().reason(),
            "account_locked");
  clock_.now += 29 * kMinute;
  EXPECT_EQ(accounts().login("zj", "Zhanjiang#1", "", "10.0.0.2").status().reason(),
            "account_locked");
  clock_.now += 2 * kMinute;
  EXPECT_TRUE(accounts().login("zj", "Zhanjiang#1", "", "10.0.0.2").ok());
}

TEST_F(AccountsTest, SessionsExpireWhenIdleAndAtTheAbsoluteLimit) {
  auto login = accounts().login("zj", "Zhanjiang#1", "", "10.0.0.1");
  ASSERT_TRUE(login.ok());
  // Active every 20 minutes: survives idle checks until 12 hours have passed.
  for (int i = 0; i < 35; ++i) {
    clock_.now += 20 * kMinute;
    ASSERT_TRUE(accounts().authenticate_session(login->session_id, "10.0.0.1").ok()) << i;
  }
  clock_.now += 25 * kMinute;  // 12h05m since login
  EXPECT_EQ(accounts().authenticate_session(login->session_id, "10.0.0.1").status().reason(),
            "session_expired");

  auto idle = accounts().login("zj", "Zhanjiang#1", "", "10.0.0.1");
  clock_.now += 31 * kMinute;
  EXPECT_EQ(accounts().authenticate_session(idle->session_id, "10.0.0.1").status().reason(),
            "session_expired");
}

TEST_F(AccountsTest, SessionIdsAreNotStoredInTheClear) {
  auto login = accounts().login("zj", "Zhanjiang#1", "", "10.0.0.1");
  ASSERT_TRUE(login.ok());
  EXPECT_FALSE(services_->store().find_session(login->session_id)->has_value());
  EXPECT_TRUE(services_->store().find_session(model::sha256_hex(login->session_id))->has_value());
  EXPECT_EQ(accounts().authenticate_session("zz", "x").status().reason(), "session_expired");
}

TEST_F(AccountsTest, AddressRateLimitSpansAccounts) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(accounts().login("ghost" + std::to_string(i), "x", "", "10.9.9.9").ok());
  }
  EXPECT_EQ(accounts().login("zj", "Zhanjiang#1", "", "10.9.9.9").status().reason(),
            "too_many_attempts");
  EXPECT_TRUE(accounts().login("zj", "Zhanjiang#1", "", "10.9.9.8").ok());
  clock_.now += 16 * kMinute;
  EXPECT_TRUE(accounts().login("zj", "Zhanjiang#1", "", "10.9.9.9").ok());
}

TEST_F(AccountsTest, AuditChainVerifiesAndDetectsEdits) {
  ASSERT_TRUE(accounts().login("zj", "Zhanjiang#1", "", "10.0.0.1").ok());
  auto v = services_->audit().verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact);
  EXPECT_GE(v->records, 3u);
  auto records = services_->audit().query(store::AuditFilter{});
  ASSERT_TRUE(records.ok());
  for (const auto& r : *records) EXPECT_EQ(store::audit_record_hash(r), r.hash);
}

}  // namespace
}  // namespace tianbao::service
