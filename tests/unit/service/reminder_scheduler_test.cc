// The 催报 schedule, driven by the service clock rather than by waiting.
#include "service/reminder_scheduler.h"

#include <gtest/gtest.h>

#include "model/time.h"
#include "service/services.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

using testing::FakeClock;

// 湛江(4408) ─ 霞山区(440803), 赤坎区(440802); a district task due 2022-09-18.
class ReminderSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.now = model::beijing_date_ms("2022-09-01", 9 * 60);
    auto opened = testing::open_services(dir_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    s_ = std::move(*opened);
    std::vector<model::OrgUnit> units = {
        {"4408", "湛江市", 2, model::OrgUnitKind::kRegion, ""},
        {"440802", "赤坎区", 3, model::OrgUnitKind::kRegion, "4408"},
        {"440803", "霞山区", 3, model::OrgUnitKind::kRegion, "4408"},
    };
    ASSERT_TRUE(s_->org_units().load_divisions(system_, units).ok());
    model::Indicator i;
    i.code = "A";
    i.name = "办件量";
    ASSERT_TRUE(s_->metadata().create_indicator(system_, i).ok());
    model::Form form{"DIST", "区县月报", model::FormPeriodType::kMonth, {3}, {{"月报", {"A"}}}};
    ASSERT_TRUE(s_->metadata().create_form(system_, form).ok());
    NewTask t;
    t.form = "DIST";
    t.period = "2022-08";
    t.org_units = {"440802", "440803"};
    t.deadline = "2022-09-18";
    StatusOr<std::int64_t> id = s_->reporting().create_task(system_, t);
    ASSERT_TRUE(id.ok()) << id.status().to_string();
  }

  std::size_t reminders_to(const char* org) {
    Principal who = Principal::system(org);
    StatusOr<std::vector<store::NoticeRecord>> notices = s_->reporting().notices(who);
    EXPECT_TRUE(notices.ok());
    std::size_t n = 0;
    for (const store::NoticeRecord& r :
         notices.ok() ? *notices : std::vector<store::NoticeRecord>{}) {
      if (r.kind == "remind") ++n;
    }
    return n;
  }

  FakeClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<Services> s_;
  const Principal system_ = Principal::system("");
};

TEST_F(ReminderSchedulerTest, RemindsOnceTheDeadlineIsWithinReachAndOnlyEveryInterval) {
  ReminderScheduler scheduler(s_->reporting(), clock_, 3);

  // 2022-09-01: the deadline is 17 days away; a round runs but sends nothing.
  StatusOr<std::optional<std::size_t>> first = scheduler.run_if_due();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, std::optional<std::size_t>(0));
  // Five minutes on, no round is due.
  clock_.now += 5 * model::kMinuteMs;
  StatusOr<std::optional<std::size_t>> soon = scheduler.run_if_due();
  ASSERT_TRUE(soon.ok());
  EXPECT_EQ(*soon, std::nullopt);

  // 2022-09-15, three days before: both districts are reminded, once.
  clock_.now = model::beijing_date_ms("2022-09-15", 8 * 60);
  StatusOr<std::optional<std::size_t>> due = scheduler.run_if_due();
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, std::optional<std::size_t>(2));
  EXPECT_EQ(reminders_to("440802"), 1u);
  EXPECT_EQ(reminders_to("440803"), 1u);

  clock_.now += ReminderScheduler::kIntervalMs;
  StatusOr<std::optional<std::size_t>> next = scheduler.run_if_due();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, std::optional<std::size_t>(0));  // a task is reminded once
  EXPECT_EQ(reminders_to("440802"), 1u);
}

TEST_F(ReminderSchedulerTest, ZeroDaysBeforeTurnsTheScheduleOff) {
  clock_.now = model::beijing_date_ms("2022-09-17", 8 * 60);
  ReminderScheduler scheduler(s_->reporting(), clock_, 0);
  scheduler.start();  // does nothing
  StatusOr<std::optional<std::size_t>> round = scheduler.run_if_due();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(*round, std::nullopt);
  EXPECT_EQ(reminders_to("440802"), 0u);
}

TEST_F(ReminderSchedulerTest, StartRunsTheFirstRoundAndStopEndsTheThread) {
  clock_.now = model::beijing_date_ms("2022-09-17", 8 * 60);
  ReminderScheduler scheduler(s_->reporting(), clock_, 3);
  scheduler.start();
  scheduler.stop();  // waits for the round under way, if it has begun
  // Whether or not the thread's round ran before stop, one more call on
  // the same clock tells: it runs only if the thread had not.
  StatusOr<std::optional<std::size_t>> round = scheduler.run_if_due();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(reminders_to("440802"), 1u);
}

}  // namespace
}  // namespace tianbao::service
