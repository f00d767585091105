// One cell, one lock, in every store backend: a submitted or approved entry
// holds its form's values; write_values refuses changes to them (and only
// them) in the same transaction, commit_entry refuses a step that writes
// one, and returning, withdrawing or cancelling releases the hold. The
// refusal names the holding task; the value and its history stay as they
// were. Overlapping open tasks are found.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store_backends.h"

namespace tianbao::store {
namespace {

constexpr const char* kPeriod = "2022-09";

class CellLocksTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store_
                    ->upsert_org_units(std::vector<model::OrgUnit>{
                        {"44", "广东省", 1, model::OrgUnitKind::kRegion, ""},
                        {"4408", "湛江市", 2, model::OrgUnitKind::kRegion, "44"},
                        {"4401", "广州市", 2, model::OrgUnitKind::kRegion, "44"}})
                    .ok());
    for (const char* code : {"A", "B", "C"}) {
      model::Indicator ind;
      ind.code = code;
      ind.name = code;
      ASSERT_TRUE(store_->insert_indicator(ind).ok());
    }
    model::Indicator rate;
    rate.code = "R";
    rate.name = "R";
    rate.formula = "A / B";
    ASSERT_TRUE(store_->insert_indicator(rate).ok());
    ASSERT_TRUE(
        store_
            ->insert_form(
                {"F", "表一", model::FormPeriodType::kMonth, {2}, {{"一", {"A", "B", "R"}}}})
            .ok());
    ASSERT_TRUE(
        store_->insert_form({"G", "表二", model::FormPeriodType::kMonth, {2}, {{"一", {"B", "C"}}}})
            .ok());
  }

  std::int64_t task(const char* form, std::vector<std::string> units) {
    TaskRecord t;
    t.form_code = form;
    t.period = kPeriod;
    t.deadline = "P18D";
    t.due_date = "2022-10-18";
    t.issuer_org = "44";
    t.title = std::string(form) + "（2022年9月）";
    auto id = store_->insert_task(t, units);
    EXPECT_TRUE(id.ok()) << id.status().to_string();
    return id.ok() ? *id : 0;
  }

  // One step of an entry; returns the status of the commit.
  Status step(std::int64_t task_id, const char* org, model::EntryStatus status,
              std::vector<ValueWrite> writes = {}) {
    auto entry = store_->find_entry(task_id, org);
    EXPECT_TRUE(entry.ok() && *entry);
    EntryCommit c;
    c.task_id = task_id;
    c.org_code = org;
    c.expected_version = (*entry)->version;
    c.next = **entry;
    c.next.status = status;
    c.writes = std::move(writes);
    c.context = {"tester", "form", 1000};
    return store_->commit_entry(c).status();
  }

  std::optional<double> number(const char* indicator, const char* org) {
    auto found = store_->find_values(org, {kPeriod}, {indicator});
    if (!found.ok() || found->empty()) return std::nullopt;
    return found->front().number;
  }

  std::size_t history_rows(const char* indicator, const char* org) {
    auto h = store_->value_history(indicator, org, kPeriod);
    return h.ok() ? h->size() : 0;
  }
};

ValueWrite put(const char* indicator, const char* org, double v) {
  return ValueWrite{indicator, org, kPeriod, v, std::nullopt, WriteMode::kUpsert};
}

TEST_P(CellLocksTest, ASubmittedEntryHoldsItsFormsValuesAgainstBulkWrites) {
  std::int64_t t = task("F", {"4408", "4401"});
  ASSERT_TRUE(
      step(t, "4408", model::EntryStatus::kDraft, {put("A", "4408", 1), put("B", "4408", 2)}).ok());
  ASSERT_TRUE(step(t, "4408", model::EntryStatus::kSubmitted).ok());
  const std::size_t history = history_rows("A", "4408");

  auto w = store_->write_values(
      {put("A", "4408", 9), put("C", "4408", 3), put("A", "4401", 4), put("B", "4408", 2)},
      {"importer", "import", 2000});
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  ASSERT_EQ(w->refused.size(), 1u);
  EXPECT_EQ(w->refused[0].index, 0u);
  EXPECT_EQ(w->refused[0].holder.task_id, t);
  EXPECT_EQ(w->refused[0].holder.status, model::EntryStatus::kSubmitted);
  EXPECT_EQ(w->created, 2u) << "C is on no form of the entry, 4401 has not submitted";
  EXPECT_EQ(w->unchanged, 1u) << "the held value written again changes nothing";
  EXPECT_FALSE(w->applied[0]);
  EXPECT_EQ(number("A", "4408"), 1);
  EXPECT_EQ(history_rows("A", "4408"), history);
  EXPECT_EQ(w->refused[0].holder.task_title, "F（2022年9月）");
  Status refusal = cell_lock_refusal(w->refused[0].holder);
  EXPECT_EQ(refusal.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refusal.reason(), "cell_locked");
  EXPECT_EQ(refusal.field(), "A");
}

TEST_P(CellLocksTest, LargeBatchesAreCheckedCellByCellInAPeriodWithHolders) {
  std::int64_t t = task("F", {"4408"});
  ASSERT_TRUE(step(t, "4408", model::EntryStatus::kSubmitted).ok());
  // Held cells without a value yet, in the middle of a batch long enough
  // for the chunked insert path.
  std::vector<ValueWrite> writes;
  for (int i = 0; i < 300; ++i) {
    writes.push_back({"C", "4401", fmt::format("2022-{:02d}", i % 12 + 1), double(i), std::nullopt,
                      WriteMode::kUpsert});
  }
  writes.insert(writes.begin() + 150, put("A", "4408", 5));
  auto w = store_->write_values(writes, {"importer", "import", 2000});
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  ASSERT_EQ(w->refused.size(), 1u);
  EXPECT_EQ(w->refused[0].index, 150u);
  EXPECT_EQ(number("A", "4408"), std::nullopt);
}

TEST_P(CellLocksTest, AStepThatWritesAHeldValueIsRefusedWhole) {
  std::int64_t first = task("F", {"4408"});
  std::int64_t second = task("G", {"4408"});  // shares B: as a store from before the check
  ASSERT_TRUE(
      step(first, "4408", model::EntryStatus::kDraft, {put("A", "4408", 1), put("B", "4408", 2)})
          .ok());
  ASSERT_TRUE(step(first, "4408", model::EntryStatus::kApproved).ok());
  Status refused =
      step(second, "4408", model::EntryStatus::kDraft, {put("C", "4408", 7), put("B", "4408", 3)});
  EXPECT_EQ(refused.reason(), "cell_locked");
  EXPECT_EQ(number("B", "4408"), 2);
  EXPECT_EQ(number("C", "4408"), std::nullopt) << "nothing of the refused step is kept";
  auto e = store_->find_entry(second, "4408");
  EXPECT_EQ((*e)->status, model::EntryStatus::kNotStarted);
  // Returned, the first entry lets go: the second may write, then hold B.
  ASSERT_TRUE(step(first, "4408", model::EntryStatus::kReturned).ok());
  ASSERT_TRUE(step(second, "4408", model::EntryStatus::kDraft, {put("B", "4408", 3)}).ok());
  ASSERT_TRUE(step(second, "4408", model::EntryStatus::kSubmitted).ok());
  EXPECT_EQ(step(first, "4408", model::EntryStatus::kDraft, {put("B", "4408", 4)}).reason(),
            "cell_locked");
  EXPECT_EQ(number("B", "4408"), 3);
  auto holders = store_->cell_holders("4408", kPeriod, {"A", "B", "C"});
  ASSERT_TRUE(holders.ok());
  ASSERT_EQ(holders->size(), 2u);
  for (const CellHolder& h : *holders) EXPECT_EQ(h.task_id, second);
}

TEST_P(CellLocksTest, CancellingOrWithdrawingReleasesTheValues) {
  std::int64_t t = task("F", {"4408", "4401"});
  ASSERT_TRUE(step(t, "4408", model::EntryStatus::kSubmitted).ok());
  ASSERT_TRUE(step(t, "4401", model::EntryStatus::kSubmitted).ok());
  ASSERT_TRUE(step(t, "4401", model::EntryStatus::kWithdrawn).ok());
  auto w = store_->write_values({put("A", "4401", 1)}, {"importer", "import", 2000});
  EXPECT_TRUE(w->refused.empty()) << "a withdrawn unit holds nothing";
  ASSERT_TRUE(store_->cancel_task(t, "重复下发", 3000, "admin").ok());
  w = store_->write_values({put("A", "4408", 1)}, {"importer", "import", 4000});
  EXPECT_TRUE(w->refused.empty()) << "a cancelled task holds nothing";
  EXPECT_EQ(number("A", "4408"), 1);
  auto found = store_->find_task(t);
  EXPECT_EQ((*found)->state, model::TaskState::kCancelled);
  EXPECT_EQ((*found)->cancel_reason, "重复下发");
  EXPECT_EQ(store_->cancel_task(t, "again", 5000, "admin").code(), StatusCode::kFailedPrecondition);
}

TEST_P(CellLocksTest, OverlappingOpenTasksAreFoundAndCancelledOnesAreNot) {
  std::int64_t f = task("F", {"4408", "4401"});
  std::int64_t g = task("G", {"4408"});
  task("G", {"44"});  // shares no unit with F
  auto overlaps = store_->find_task_overlaps();
  ASSERT_TRUE(overlaps.ok()) << overlaps.status().to_string();
  ASSERT_EQ(overlaps->size(), 1u);
  EXPECT_EQ((*overlaps)[0].task, f);
  EXPECT_EQ((*overlaps)[0].other, g);
  EXPECT_EQ((*overlaps)[0].units, 1u);
  ASSERT_TRUE(store_->cancel_task(g, "重复", 1000, "admin").ok());
  EXPECT_TRUE(store_->find_task_overlaps()->empty());
}

TEST_P(CellLocksTest, DeadlinesMoveForTheTaskOrForSomeUnits) {
  std::int64_t t = task("F", {"4408", "4401"});
  ASSERT_TRUE(store_->set_due_date(t, "P18D", "2022-10-18", {"4408"}).ok());
  ASSERT_TRUE(store_->set_due_date(t, "P18D", "2022-10-25", {"4401"}).ok());
  EXPECT_EQ((*store_->find_entry(t, "4401"))->due_date, "2022-10-25");
  ASSERT_TRUE(store_->set_due_date(t, "2022-10-20", "2022-10-20", {}).ok());
  EXPECT_EQ((*store_->find_task(t))->due_date, "2022-10-20");
  EXPECT_EQ((*store_->find_entry(t, "4408"))->due_date, "") << "the task's later date covers it";
  EXPECT_EQ((*store_->find_entry(t, "4401"))->due_date, "2022-10-25");
  EXPECT_EQ(store_->set_due_date(t, "P18D", "2022-11-01", {"4403"}).code(), StatusCode::kNotFound);
}

INSTANTIATE_STORE_TEST(CellLocksTest);

}  // namespace
}  // namespace tianbao::store
