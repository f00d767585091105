// The Reporting service's workflow at unit level: a town's entry in a task
// from 湛江 is saved, submitted, approved by 赤坎区 then 湛江市, returned with
// a reason, resubmitted and approved; and the refusals on the way (wrong
// unit, stale version, deadlines, figures that fail their checks).
#include "service/reporting.h"

#include <gtest/gtest.h>

#include "model/time.h"
#include "service/services.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

using model::EntryStatus;
using model::Role;
using model::Severity;

using testing::FakeClock;

Principal person(const char* username, const char* org, Role role) {
  return Principal{1, username, username, org, {role}, "session", "test", false, false};
}

// 广东(44) ─ 湛江(4408) ─ 赤坎区(440802) ─ 中华街道(440802001), 沙湾街道(440802002)
// Form TOWN (towns, monthly): A and B, rule A <= B (error), rule A <= 100 (warning).
class ReportingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.now = model::beijing_date_ms("2022-09-01", 9 * 60);
    auto opened = testing::open_services(dir_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    s_ = std::move(*opened);
    std::vector<model::OrgUnit> units = {
        {"44", "广东省", 1, model::OrgUnitKind::kRegion, ""},
        {"4408", "湛江市", 2, model::OrgUnitKind::kRegion, "44"},
        {"440802", "赤坎区", 3, model::OrgUnitKind::kRegion, "4408"},
        {"440802001", "中华街道", 4, model::OrgUnitKind::kRegion, "440802"},
        {"440802002", "沙湾街道", 4, model::OrgUnitKind::kRegion, "440802"},
    };
    ASSERT_TRUE(s_->org_units().load_divisions(system_, units).ok());
    for (const char* code : {"A", "B"}) {
      model::Indicator i;
      i.code = code;
      i.name = std::string("指标") + code;
      i.unit = "件";
      i.value_type = model::ValueType::kInteger;
      ASSERT_TRUE(s_->metadata().create_indicator(system_, i).ok()) << code;
    }
    model::Form form{
        "TOWN", "镇街月报", model::FormPeriodType::kMonth, {4}, {{"月报", {"A", "B"}}}};
    ASSERT_TRUE(s_->metadata().create_form(system_, form).ok());
    ASSERT_TRUE(
        s_->metadata()
            .create_rule(system_, {"R_A_LE_B", "A 不超过 B", "A", model::RuleOperator::kLessEqual,
                                   "B", Severity::kError, "A 不能大于 B"})
            .ok());
    ASSERT_TRUE(
        s_->metadata()
            .create_rule(system_, {"R_A_LE_100", "A 核实", "A", model::RuleOperator::kLessEqual,
                                   "100", Severity::kWarning, "A 超过 100，请核实"})
            .ok());
  }

  Reporting& rep() { return s_->reporting(); }

  std::int64_t create_task(const char* deadline = "P18D") {
    NewTask t;
    t.form = "TOWN";
    t.period = "2022-08";
    t.root = "4408";
    t.level = model::kTownLevel;
    t.deadline = deadline;
    StatusOr<std::int64_t> id = rep().create_task(city_admin_, t);
    EXPECT_TRUE(id.ok()) << id.status().to_string();
    return id.ok() ? *id : 0;
  }

  store::EntryRecord entry(std::int64_t task, const char* org = kTown) {
    StatusOr<EntryView> v = rep().get_entry(system_, task, org);
    EXPECT_TRUE(v.ok()) << v.status().to_string();
    return v.ok() ? v->entry : store::EntryRecord{};
  }

  StatusOr<SaveResult> save(std::int64_t task, const char* a, const char* b) {
    return rep().save_entry(filler_, task, kTown, entry(task).version,
                            {{"A", std::string(a)}, {"B", std::string(b)}});
  }

  static constexpr const char* kTown = "440802001";
  FakeClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<Services> s_;
  const Principal system_ = Principal::system("");
  const Principal city_admin_ = person("zj_admin", "4408", Role::kAdmin);
  const Principal city_approver_ = person("zj_approver", "4408", Role::kApprover);
  const Principal district_approver_ = person("ck_approver", "440802", Role::kApprover);
  const Principal filler_ = person("zh_filler", kTown, Role::kFiller);
};

TEST_F(ReportingTest, AnEntryGoesUpLevelByLevelIsReturnedWithAReasonAndComesBackApproved) {
  const std::int64_t task = create_task();
  ASSERT_TRUE(save(task, "5", "10").ok());
  StatusOr<SaveResult> submitted = rep().submit(filler_, task, kTown, "");
  ASSERT_TRUE(submitted.ok()) << submitted.status().to_string();
  EXPECT_TRUE(submitted->violations.empty());
  EXPECT_EQ(entry(task).status, EntryStatus::kSubmitted);

  // 湛江 may not approve before 赤坎区.
  StatusOr<std::int64_t> early = rep().approve(city_approver_, task, kTown);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().reason(), "not_your_turn");

  ASSERT_TRUE(rep().approve(district_approver_, task, kTown).ok());
  EXPECT_EQ(entry(task).approvals, std::vector<std::string>{"440802"});
  StatusOr<EntryView> view = rep().get_entry(city_approver_, task, kTown);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->next_approver, "4408");
  EXPECT_TRUE(view->can_approve);

  // A return needs a reason; with one, the entry goes back to the filler.
  StatusOr<std::int64_t> no_reason = rep().return_entry(city_approver_, task, kTown, "  ");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.status().reason(), "required");
  ASSERT_TRUE(rep().return_entry(city_approver_, task, kTown, "B 与台账不符").ok());
  store::EntryRecord returned = entry(task);
  EXPECT_EQ(returned.status, EntryStatus::kReturned);
  EXPECT_EQ(returned.return_reason, "B 与台账不符");
  EXPECT_TRUE(returned.approvals.empty());
  StatusOr<std::vector<store::NoticeRecord>> notices = rep().notices(filler_);
  ASSERT_TRUE(notices.ok());
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ(notices->front().kind, "return");

  ASSERT_TRUE(save(task, "5", "12").ok());
  ASSERT_TRUE(rep().submit(filler_, task, kTown, "").ok());
  ASSERT_TRUE(rep().approve(district_approver_, task, kTown).ok());
  ASSERT_TRUE(rep().approve(city_approver_, task, kTown).ok());
  store::EntryRecord approved = entry(task);
  EXPECT_EQ(approved.status, EntryStatus::kApproved);
  EXPECT_EQ(approved.approvals, (std::vector<std::string>{"440802", "4408"}));
  StatusOr<std::int64_t> again = rep().approve(city_approver_, task, kTown);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().reason(), "already_approved");

  StatusOr<TaskStatus> status = rep().task_status(city_admin_, task);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->on_time.at(kTown));
}

TEST_F(ReportingTest, AFillerCannotSaveAnotherUnitsEntry) {
  const std::int64_t task = create_task();
  const Principal other_town = person("sw_filler", "440802002", Role::kFiller);
  StatusOr<SaveResult> outside =
      rep().save_entry(other_town, task, kTown, entry(task).version, {{"A", std::string("1")}});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.status().code(), StatusCode::kNotFound);  // out of scope: not even seen
  const Principal district_filler = person("ck_filler", "440802", Role::kFiller);
  StatusOr<SaveResult> above = rep().save_entry(district_filler, task, kTown, entry(task).version,
                                                {{"A", std::string("1")}});
  ASSERT_FALSE(above.ok());
  EXPECT_EQ(above.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(entry(task).status, EntryStatus::kNotStarted);
}

TEST_F(ReportingTest, ASaveOverAStaleVersionIsAConflict) {
  const std::int64_t task = create_task();
  const std::int64_t read_at = entry(task).version;
  ASSERT_TRUE(save(task, "1", "2").ok());
  StatusOr<SaveResult> stale =
      rep().save_entry(filler_, task, kTown, read_at, {{"A", std::string("3")}});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(stale.status().reason(), "version_conflict");
}

TEST_F(ReportingTest, DeadlinesBeforeTodayOrBeforeThePeriodEndsAreRefused) {
  NewTask t;
  t.form = "TOWN";
  t.period = "2022-08";
  t.org_units = {kTown};
  t.deadline = "2022-08-31";  // before today (2022-09-01)
  StatusOr<std::int64_t> past = rep().create_task(city_admin_, t);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().reason(), "deadline_past");
  t.period = "2022-09";
  t.deadline = "2022-09-20";  // before September is over
  StatusOr<std::int64_t> early = rep().create_task(city_admin_, t);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().reason(), "deadline_before_period_end");

  // A deadline moves later only.
  const std::int64_t task = create_task();  // due 2022-09-18
  Status sooner = rep().extend_deadline(city_admin_, task, "2022-09-10", {});
  EXPECT_EQ(sooner.reason(), "deadline_not_later");
}

TEST_F(ReportingTest, ASubmissionAfterTheDeadlineCountsAsLate) {
  const std::int64_t task = create_task();  // due 2022-09-18
  ASSERT_TRUE(save(task, "5", "10").ok());
  clock_.now = model::beijing_date_ms("2022-09-19", 8 * 60);
  ASSERT_TRUE(rep().submit(filler_, task, kTown, "").ok());
  StatusOr<TaskStatus> status = rep().task_status(city_admin_, task);
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->on_time.at(kTown));
}

TEST_F(ReportingTest, AFieldThatCannotBeReadFailsTheSaveWithItsViolationAttached) {
  const std::int64_t task = create_task();
  StatusOr<SaveResult> saved = save(task, "abc", "10");
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.status().reason(), "validation_failed");
  EXPECT_EQ(saved.status().field(), "A");
  ASSERT_EQ(saved.status().violations().size(), 1u);
  EXPECT_EQ(saved.status().violations()[0].field, "A");
  EXPECT_EQ(saved.status().violations()[0].code, "not_a_number");
  EXPECT_EQ(entry(task).status, EntryStatus::kNotStarted);  // nothing stored
}

TEST_F(ReportingTest, AFailingRuleIsSavedButBlocksTheSubmissionWithItsViolation) {
  const std::int64_t task = create_task();
  StatusOr<SaveResult> saved = save(task, "20", "10");
  ASSERT_TRUE(saved.ok()) << saved.status().to_string();
  ASSERT_EQ(saved->violations.size(), 1u);
  EXPECT_EQ(saved->violations[0].field, "R_A_LE_B");
  StatusOr<SaveResult> submitted = rep().submit(filler_, task, kTown, "");
  ASSERT_FALSE(submitted.ok());
  EXPECT_EQ(submitted.status().reason(), "validation_failed");
  ASSERT_EQ(submitted.status().violations().size(), 1u);
  EXPECT_EQ(submitted.status().violations()[0].code, "rule");
  EXPECT_EQ(submitted.status().violations()[0].message, "A 不能大于 B（A = 20，B = 10）");
}

TEST_F(ReportingTest, WarningsNeedAnExplanationAndComeBackWithTheSubmission) {
  const std::int64_t task = create_task();
  ASSERT_TRUE(save(task, "150", "200").ok());
  StatusOr<SaveResult> unexplained = rep().submit(filler_, task, kTown, "");
  ASSERT_FALSE(unexplained.ok());
  EXPECT_EQ(unexplained.status().reason(), "explanation_required");
  ASSERT_EQ(unexplained.status().violations().size(), 1u);
  EXPECT_EQ(unexplained.status().violations()[0].severity, Severity::kWarning);
  StatusOr<SaveResult> explained = rep().submit(filler_, task, kTown, "本月集中办理");
  ASSERT_TRUE(explained.ok()) << explained.status().to_string();
  ASSERT_EQ(explained->violations.size(), 1u);
  EXPECT_EQ(explained->violations[0].field, "R_A_LE_100");
  EXPECT_EQ(entry(task).explanation, "本月集中办理");
}

TEST_F(ReportingTest, ASingleValueThatCannotBeReadFailsWithItsViolationAttached) {
  StatusOr<std::vector<model::Violation>> posted =
      rep().post_value(system_, {"A", "2022-08", kTown, std::string("12a")});
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(posted.status().reason(), "validation_failed");
  ASSERT_EQ(posted.status().violations().size(), 1u);
  EXPECT_EQ(posted.status().violations()[0].field, "A");
  StatusOr<std::vector<model::Violation>> ok =
      rep().post_value(system_, {"A", "2022-08", kTown, std::string("12")});
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_TRUE(ok->empty());
}

}  // namespace
}  // namespace tianbao::service
