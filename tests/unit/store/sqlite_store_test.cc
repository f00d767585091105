// What the SQLite backend promises beyond the conformance suite
// (store_test.cc): migrations at open, its URLs, durability under kill -9.
#include "store/sqlite_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "support/temp_dir.h"

namespace tianbao::store {
namespace {

using model::OrgUnit;
using model::OrgUnitKind;

std::vector<OrgUnit> guangdong_sample() {
  return {
      {"44", "广东省", 1, OrgUnitKind::kRegion, ""},
      {"4408", "湛江市", 2, OrgUnitKind::kRegion, "44"},
      {"440802", "赤坎区", 3, OrgUnitKind::kRegion, "4408"},
  };
}

TEST(SqliteStoreTest, MigratesOnOpenAndOnlyOnce) {
  testing::TempDir dir;
  std::string url = "sqlite:" + dir.file("t.db");
  int latest = migrations().back().version;
  {
    auto store = open_store(url);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    EXPECT_EQ(*(*store)->schema_version(), latest);
    ASSERT_TRUE((*store)->upsert_org_units(guangdong_sample()).ok());
  }
  auto reopened = open_store(dir.file("t.db"));  // bare path means sqlite too
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->schema_version(), latest);
  EXPECT_EQ((*(*reopened)->load_org_units()).size(), 3u);
}

TEST(SqliteStoreTest, MigrationVersionsAreIncreasing) {
  int previous = 0;
  for (const Migration& m : migrations()) {
    EXPECT_EQ(m.version, previous + 1) << m.name;
    previous = m.version;
  }
}

TEST(SqliteStoreTest, UnopenablePathIsUnavailable) {
  auto store = open_store("sqlite:/proc/no/such/dir/t.db");
  EXPECT_FALSE(store.ok());
  EXPECT_EQ(store.status().field(), "db");
}

TEST(SqliteStoreTest, PostgresUrlsOpenThePostgresBackendNotAFile) {
  // Nothing listens on port 1: the PostgreSQL backend answers, not SQLite.
  for (const char* url : {"postgresql://127.0.0.1:1/tianbao", "postgres://127.0.0.1:1/tianbao"}) {
    auto store = open_store(url);
    EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << url;
    EXPECT_EQ(store.status().reason(), "db_open_failed") << url;
  }
}

// A write that returned OK survives the process being killed right after.
TEST(SqliteStoreTest, CommittedWriteSurvivesKill9) {
  testing::TempDir dir;
  std::string path = dir.file("t.db");
  ASSERT_TRUE((*open_store(path))->upsert_org_units(guangdong_sample()).ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = open_store(path);
    OrgUnit dept{"44_ZSJ", "省政数局", 1, OrgUnitKind::kDepartment, "44"};
    if (store.ok() && (*store)->insert_org_unit(dept).ok()) raise(SIGKILL);
    _exit(1);  // only reached if the write failed
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << "child did not commit";
  auto units = *(*open_store(path))->load_org_units();
  EXPECT_EQ(units.size(), 4u);
  EXPECT_TRUE(
      std::any_of(units.begin(), units.end(), [](const OrgUnit& u) { return u.code == "44_ZSJ"; }));
}

}  // namespace
}  // namespace tianbao::store

namespace tianbao::store {
namespace {

// Saves from many fillers at once are committed together (group commit);
// each still gets its own outcome: the stale one is refused and leaves
// nothing behind, every other is stored with its value.
TEST(SqliteStoreTest, ConcurrentEntryStepsEachKeepTheirOwnOutcome) {
  testing::TempDir dir;
  auto store = *open_store(dir.file("t.db"));
  std::vector<OrgUnit> units = guangdong_sample();
  constexpr int kUnits = 24;
  for (int i = 0; i < kUnits; ++i) {
    units.push_back({fmt::format("440802{:03d}", i), fmt::format("镇{}", i), 4,
                     OrgUnitKind::kRegion, "440802"});
  }
  ASSERT_TRUE(store->upsert_org_units(units).ok());
  model::Indicator ind;
  ind.code = "X";
  ind.name = "X";
  ASSERT_TRUE(store->insert_indicator(ind).ok());
  model::Form form;
  form.code = "F";
  form.name = "F";
  form.levels = {4};
  form.sections = {{"s", {"X"}}};
  ASSERT_TRUE(store->insert_form(form).ok());
  std::vector<std::string> towns;
  for (int i = 0; i < kUnits; ++i) towns.push_back(fmt::format("440802{:03d}", i));
  TaskRecord task;
  task.form_code = "F";
  task.period = "2022-08";
  task.deadline = "P10D";
  task.due_date = "2022-09-10";
  task.issuer_org = "44";
  auto id = store->insert_task(task, towns);
  ASSERT_TRUE(id.ok()) << id.status().to_string();

  // Until a filler's thread answers, its outcome is "not run".
  std::vector<StatusOr<std::int64_t>> outcomes(
      kUnits, Status(StatusCode::kFailedPrecondition, "not run", "", "not_run"));
  std::vector<std::thread> fillers;
  for (int i = 0; i < kUnits; ++i) {
    fillers.emplace_back([&, i] {
      EntryCommit c;
      c.task_id = *id;
      c.org_code = towns[i];
      const std::int64_t version = (*store->find_entry(*id, towns[i]))->version;
      c.expected_version = i == 7 ? version + 5 : version;  // town 7 saves a stale form
      c.next.status = model::EntryStatus::kDraft;
      c.context = {"filler", "form", 1000};
      c.writes = {{"X", towns[i], "2022-08", 100.0 + i, std::nullopt}};
      outcomes[i] = store->commit_entry(c);
    });
  }
  for (auto& t : fillers) t.join();
  for (int i = 0; i < kUnits; ++i) {
    SCOPED_TRACE(towns[i]);
    auto values = *store->find_values(towns[i], {"2022-08"}, {"X"});
    if (i == 7) {
      EXPECT_EQ(outcomes[i].status().code(), StatusCode::kConflict);
      EXPECT_TRUE(values.empty());
      continue;
    }
    ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].status().to_string();
    ASSERT_EQ(values.size(), 1u);
    EXPECT_EQ(values[0].number, 100.0 + i);
  }
}

}  // namespace
}  // namespace tianbao::store
