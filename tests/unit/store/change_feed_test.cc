// The change log (store::ChangeFeed), for every backend that has one: each
// commit that changes values appends one record, and the record gives back
// the cells it changed — small writes cell by cell, large ones by period —
// as they stand; another process's commit is noticed; the log is pruned
// only behind the live nodes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "store_backends.h"

namespace tianbao::store {
namespace {

using Cells = std::map<std::tuple<std::string, std::string, std::string>, std::optional<double>>;

class ChangeFeedTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    feed_ = store_->change_feed();
    if (!feed_) GTEST_SKIP() << GetParam().name << " has no change feed";
    ASSERT_TRUE(store_
                    ->upsert_org_units(std::vector<model::OrgUnit>{
                        {"44", "广东省", 1, model::OrgUnitKind::kRegion, ""},
                        {"4408", "湛江市", 2, model::OrgUnitKind::kRegion, "44"}})
                    .ok());
    model::Indicator ind;
    ind.code = "A";
    ind.name = "A";
    ASSERT_TRUE(store_->insert_indicator(ind).ok());
  }

  WriteSummary write(std::vector<ValueWrite> writes, bool dry_run = false) {
    auto summary = store_->write_values(writes, {"tester", "import", 1000, dry_run});
    EXPECT_TRUE(summary.ok()) << summary.status().to_string();
    return summary.ok() ? *summary : WriteSummary{};
  }

  std::vector<ChangeRecord> since(std::int64_t seq) {
    auto changes = feed_->changes_since(seq, 100);
    EXPECT_TRUE(changes.ok()) << changes.status().to_string();
    return changes.ok() ? *changes : std::vector<ChangeRecord>{};
  }

  Cells cells(const ChangeRecord& change) {
    Cells out;
    Status read = feed_->values_changed(change, [&](std::string_view i, std::string_view o,
                                                    std::string_view p, std::optional<double> v) {
      out[{std::string(i), std::string(o), std::string(p)}] = v;
    });
    EXPECT_TRUE(read.ok()) << read.to_string();
    return out;
  }

  ChangeFeed* feed_ = nullptr;
};

ValueWrite put(const char* org, const std::string& period, std::optional<double> v) {
  return ValueWrite{"A", org, period, v, std::nullopt, WriteMode::kUpsert};
}

TEST_P(ChangeFeedTest, AWriteAppendsOneRecordThatGivesBackItsCells) {
  const std::int64_t before = *feed_->latest_change();
  WriteSummary w = write({put("4408", "2022-08", 5), put("44", "2022-08", 7)});
  ASSERT_GT(w.change_seq, before);
  EXPECT_EQ(*feed_->latest_change(), w.change_seq);
  std::vector<ChangeRecord> changes = since(before);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].seq, w.change_seq);
  EXPECT_EQ(changes[0].kind, ChangeKind::kValues);
  EXPECT_EQ(cells(changes[0]),
            (Cells{{{"A", "4408", "2022-08"}, 5.0}, {{"A", "44", "2022-08"}, 7.0}}));

  // A clear is given back as no value; a write that changes nothing, or a
  // dry run, appends nothing.
  WriteSummary cleared = write({put("4408", "2022-08", std::nullopt)});
  EXPECT_EQ(cells(since(w.change_seq).at(0)), (Cells{{{"A", "4408", "2022-08"}, std::nullopt}}));
  EXPECT_EQ(write({put("44", "2022-08", 7)}).change_seq, 0);
  EXPECT_EQ(write({put("44", "2022-08", 8)}, true).change_seq, 0);
  EXPECT_EQ(*feed_->latest_change(), cleared.change_seq);
}

TEST_P(ChangeFeedTest, ALargeWriteIsOneRecordByPeriodThatStillGivesEveryCell) {
  ASSERT_TRUE(write({put("4408", "2021-01", 1)}).change_seq > 0);
  std::vector<ValueWrite> writes;
  Cells expected;
  for (int m = 1; m <= 12; ++m) {
    const std::string period = fmt::format("2022-{:02d}", m);
    for (int k = 0; k < 30; ++k) writes.push_back(put(k % 2 ? "44" : "4408", period, k));
    expected[{"A", "4408", period}] = 28.0;  // repeated keys: the last write stands
    expected[{"A", "44", period}] = 29.0;
  }
  writes.push_back(put("4408", "2021-01", std::nullopt));  // and a clear among them
  expected[{"A", "4408", "2021-01"}] = std::nullopt;
  const std::int64_t before = *feed_->latest_change();
  WriteSummary w = write(writes);
  std::vector<ChangeRecord> changes = since(before);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].seq, w.change_seq);
  EXPECT_EQ(cells(changes[0]), expected);
}

TEST_P(ChangeFeedTest, TheLogIsPrunedOnlyBehindTheLiveNodes) {
  const std::int64_t first = write({put("4408", "2022-08", 1)}).change_seq;
  const std::int64_t second = write({put("4408", "2022-08", 2)}).change_seq;
  ASSERT_TRUE(feed_->record_node("a", first, 5000).ok());
  ASSERT_TRUE(feed_->record_node("b", second, 5000).ok());
  ASSERT_TRUE(feed_->record_node("gone", 0, 1000).ok());
  StatusOr<std::size_t> pruned = feed_->prune_changes(4000);  // "gone" was last seen before
  ASSERT_TRUE(pruned.ok()) << pruned.status().to_string();
  EXPECT_GE(*pruned, 1u);
  std::vector<ChangeRecord> left = since(0);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].seq, second);
}

INSTANTIATE_STORE_TEST(ChangeFeedTest);

TEST(SqliteChangeFeedTest, AnotherConnectionsCommitIsNoticedAndRead) {
  testing::TempDir dir;
  auto server = open_store(dir.file("t.db"));
  auto importer = open_store(dir.file("t.db"));
  ASSERT_TRUE(server.ok() && importer.ok());
  ChangeFeed* feed = (*server)->change_feed();
  ASSERT_NE(feed, nullptr);
  ASSERT_TRUE(feed->changed_elsewhere().ok());  // the first look only takes the version
  EXPECT_FALSE(*feed->changed_elsewhere());
  ASSERT_TRUE((*importer)
                  ->upsert_org_units(std::vector<model::OrgUnit>{
                      {"44", "广东省", 1, model::OrgUnitKind::kRegion, ""}})
                  .ok());
  model::Indicator ind;
  ind.code = "A";
  ind.name = "A";
  ASSERT_TRUE((*importer)->insert_indicator(ind).ok());
  auto w = (*importer)->write_values({put("44", "2022-08", 3)}, {"cli", "import", 1000});
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(*feed->changed_elsewhere());
  EXPECT_EQ(*feed->latest_change(), w->change_seq);
  EXPECT_FALSE(*feed->changed_elsewhere());
}

}  // namespace
}  // namespace tianbao::store
