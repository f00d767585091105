#include "store/sqlite_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

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

std::vector<OrgUnit> sorted(std::vector<OrgUnit> units) {
  std::sort(units.begin(), units.end(),
            [](const OrgUnit& a, const OrgUnit& b) { return a.code < b.code; });
  return units;
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

TEST(SqliteStoreTest, OrgUnitsRoundTrip) {
  testing::TempDir dir;
  auto store = *open_store(dir.file("t.db"));
  auto summary = store->upsert_org_units(guangdong_sample());
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->inserted, 3u);
  EXPECT_EQ(summary->updated, 0u);
  EXPECT_EQ(sorted(*store->load_org_units()), sorted(guangdong_sample()));

  // Upserting again updates by code; a renamed unit keeps its place.
  std::vector<OrgUnit> renamed = guangdong_sample();
  renamed[1].name = "湛江市（新名）";
  summary = store->upsert_org_units(renamed);
  EXPECT_EQ(summary->inserted, 0u);
  EXPECT_EQ(summary->updated, 3u);
  EXPECT_EQ(sorted(*store->load_org_units()), sorted(renamed));

  OrgUnit dept{"4408_ZSJ", "湛江市政数局", 2, OrgUnitKind::kDepartment, "4408"};
  ASSERT_TRUE(store->insert_org_unit(dept).ok());
  auto all = *store->load_org_units();
  EXPECT_NE(std::find(all.begin(), all.end(), dept), all.end());
}

TEST(SqliteStoreTest, RefusesDuplicatesAndUnknownParentsWithoutPartialWrites) {
  testing::TempDir dir;
  auto store = *open_store(dir.file("t.db"));
  ASSERT_TRUE(store->upsert_org_units(guangdong_sample()).ok());

  Status dup = store->insert_org_unit({"4408", "重复", 2, OrgUnitKind::kRegion, "44"});
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  Status orphan = store->insert_org_unit({"X_1", "无上级", 2, OrgUnitKind::kDepartment, "4499"});
  EXPECT_EQ(orphan.code(), StatusCode::kNotFound);

  // A batch whose last unit has a missing parent writes nothing at all.
  std::vector<OrgUnit> batch = {{"4409", "茂名市", 2, OrgUnitKind::kRegion, "44"},
                                {"440999", "无上级县", 3, OrgUnitKind::kRegion, "4498"}};
  EXPECT_EQ(store->upsert_org_units(batch).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(sorted(*store->load_org_units()), sorted(guangdong_sample()));
}

TEST(SqliteStoreTest, NamesAreStoredVerbatimNotInterpreted) {
  testing::TempDir dir;
  auto store = *open_store(dir.file("t.db"));
  ASSERT_TRUE(store->upsert_org_units(guangdong_sample()).ok());
  OrgUnit nasty{"X_SQL", "x'); DROP TABLE org_unit; --", 1, OrgUnitKind::kDepartment, "44"};
  ASSERT_TRUE(store->insert_org_unit(nasty).ok());
  auto all = *store->load_org_units();
  EXPECT_EQ(all.size(), 4u);
  EXPECT_NE(std::find(all.begin(), all.end(), nasty), all.end());
}

TEST(SqliteStoreTest, Settings) {
  testing::TempDir dir;
  auto store = *open_store(dir.file("t.db"));
  EXPECT_FALSE(store->get_setting("name")->has_value());
  ASSERT_TRUE(store->set_setting("name", "广东省").ok());
  ASSERT_TRUE(store->set_setting("name", "广东省政数局").ok());
  EXPECT_EQ(**store->get_setting("name"), "广东省政数局");
}

TEST(SqliteStoreTest, UnopenablePathIsUnavailable) {
  auto store = open_store("sqlite:/proc/no/such/dir/t.db");
  EXPECT_FALSE(store.ok());
  EXPECT_EQ(store.status().field(), "db");
}

TEST(SqliteStoreTest, PostgresUrlIsRecognisedButNotYetAvailable) {
  auto store = open_store("postgresql://localhost/tianbao");
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
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
  EXPECT_TRUE(std::any_of(units.begin(), units.end(),
                          [](const OrgUnit& u) { return u.code == "44_ZSJ"; }));
}

// A history of steps (the demo's) goes in as one transaction: a step that
// does not fit (here a stale version) leaves none of them behind.
TEST(SqliteStoreTest, CommitEntriesAppliesAllStepsOrNone) {
  testing::TempDir dir;
  auto store = *open_store(dir.file("t.db"));
  ASSERT_TRUE(store->upsert_org_units(guangdong_sample()).ok());
  model::Indicator ind;
  ind.code = "X";
  ind.name = "X";
  ASSERT_TRUE(store->insert_indicator(ind).ok());
  model::Form form;
  form.code = "F";
  form.name = "F";
  form.levels = {2};
  form.sections = {{"s", {"X"}}};
  ASSERT_TRUE(store->insert_form(form).ok());
  TaskRecord task;
  task.form_code = "F";
  task.period = "2022-08";
  task.deadline = "P10D";
  task.due_date = "2022-09-10";
  task.issuer_org = "44";
  auto id = store->insert_task(task, {"4408"});
  ASSERT_TRUE(id.ok()) << id.status().to_string();

  auto step = [&](std::int64_t version, model::EntryStatus to, const char* action,
                  std::int64_t at) {
    EntryCommit c;
    c.task_id = *id;
    c.org_code = "4408";
    c.expected_version = version;
    c.next.status = to;
    c.context = {"zj_filler", "form", at};
    if (to == model::EntryStatus::kDraft) c.writes = {{"X", "4408", "2022-08", 5.0, std::nullopt}};
    c.event = EntryEvent{*id, "4408", at, "zj_filler", action, "", "", ""};
    return c;
  };
  using model::EntryStatus;
  const std::int64_t v = (*store->find_entry(*id, "4408"))->version;
  Status stale = store->commit_entries({step(v, EntryStatus::kDraft, "save", 1000),
                                        step(v, EntryStatus::kSubmitted, "submit", 2000)});
  EXPECT_EQ(stale.code(), StatusCode::kConflict);
  EXPECT_EQ((*store->find_entry(*id, "4408"))->version, v);
  EXPECT_TRUE(store->entry_events(*id, "4408")->empty());
  EXPECT_TRUE(store->find_values("4408", {"2022-08"}, {"X"})->empty());

  ASSERT_TRUE(store
                  ->commit_entries({step(v, EntryStatus::kDraft, "save", 1000),
                                    step(v + 1, EntryStatus::kSubmitted, "submit", 2000)})
                  .ok());
  std::optional<EntryRecord> entry = *store->find_entry(*id, "4408");
  EXPECT_EQ(entry->version, v + 2);
  EXPECT_EQ(entry->status, EntryStatus::kSubmitted);
  EXPECT_EQ(entry->updated_at, 2000);
  std::vector<EntryEvent> events = *store->entry_events(*id, "4408");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "save");
  EXPECT_EQ(events[1].at, 2000);
  EXPECT_EQ(store->find_values("4408", {"2022-08"}, {"X"})->size(), 1u);
}

}  // namespace
}  // namespace tianbao::store
