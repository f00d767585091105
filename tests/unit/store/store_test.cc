// The store conformance suite: what every backend promises, run against
// each (store_backends.h). Org units, settings, entry steps, accounts, the
// audit chain, contacts and bulletin templates.
#include <algorithm>

#include <gtest/gtest.h>

#include "store_backends.h"

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

class StoreConformanceTest : public StoreTest {};

TEST_P(StoreConformanceTest, OrgUnitsRoundTrip) {
  Store* store = store_.get();
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

TEST_P(StoreConformanceTest, RefusesDuplicatesAndUnknownParentsWithoutPartialWrites) {
  Store* store = store_.get();
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

TEST_P(StoreConformanceTest, NamesAreStoredVerbatimNotInterpreted) {
  Store* store = store_.get();
  ASSERT_TRUE(store->upsert_org_units(guangdong_sample()).ok());
  OrgUnit nasty{"X_SQL", "x'); DROP TABLE org_unit; --", 1, OrgUnitKind::kDepartment, "44"};
  ASSERT_TRUE(store->insert_org_unit(nasty).ok());
  auto all = *store->load_org_units();
  EXPECT_EQ(all.size(), 4u);
  EXPECT_NE(std::find(all.begin(), all.end(), nasty), all.end());
}

TEST_P(StoreConformanceTest, Settings) {
  Store* store = store_.get();
  EXPECT_FALSE(store->get_setting("name")->has_value());
  ASSERT_TRUE(store->set_setting("name", "广东省").ok());
  ASSERT_TRUE(store->set_setting("name", "广东省政数局").ok());
  EXPECT_EQ(**store->get_setting("name"), "广东省政数局");
}

// A history of steps (the demo's) goes in as one transaction: a step that
// does not fit (here a stale version) leaves none of them behind.
TEST_P(StoreConformanceTest, CommitEntriesAppliesAllStepsOrNone) {
  Store* store = store_.get();
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

TEST_P(StoreConformanceTest, UsersSessionsAndTokensRoundTrip) {
  ASSERT_TRUE(store_->upsert_org_units(guangdong_sample()).ok());
  UserRecord user;
  user.username = "zj_filler";
  user.display_name = "湛江填表员";
  user.org_code = "4408";
  user.password_hash = "hash";
  user.roles = {"filler", "viewer"};
  StatusOr<std::int64_t> id = store_->insert_user(user);
  ASSERT_TRUE(id.ok()) << id.status().to_string();
  EXPECT_EQ(store_->insert_user(user).status().code(), StatusCode::kAlreadyExists);
  user.username = "nobody";
  user.org_code = "4499";
  EXPECT_EQ(store_->insert_user(user).status().code(), StatusCode::kNotFound);

  std::optional<UserRecord> found = *store_->find_user("zj_filler");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->org_code, "4408");
  EXPECT_EQ(found->roles, (std::vector<std::string>{"filler", "viewer"}));
  found->roles = {"approver"};
  found->failed_logins = 2;
  ASSERT_TRUE(store_->update_user(*found).ok());
  EXPECT_EQ((*store_->find_user_by_id(*id))->roles, std::vector<std::string>{"approver"});
  EXPECT_EQ((*store_->find_user_by_id(*id))->failed_logins, 2);
  EXPECT_EQ(store_->list_users()->size(), 1u);

  ASSERT_TRUE(store_->insert_session({"s1", *id, "csrf", 100, 100, "127.0.0.1"}).ok());
  ASSERT_TRUE(store_->touch_session("s1", 200).ok());
  EXPECT_EQ((*store_->find_session("s1"))->last_seen, 200);
  ASSERT_TRUE(store_->delete_user_sessions(*id).ok());
  EXPECT_FALSE(store_->find_session("s1")->has_value());

  StatusOr<std::int64_t> token = store_->insert_token({0, *id, "导入", "th", "tb_", 100, 0, 0});
  ASSERT_TRUE(token.ok()) << token.status().to_string();
  ASSERT_TRUE(store_->touch_token(*token, 300).ok());
  EXPECT_EQ((*store_->find_token("th"))->last_used_at, 300);
  ASSERT_TRUE(store_->revoke_token(*id, *token, 400).ok());
  EXPECT_EQ(store_->revoke_token(*id, *token, 500).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->list_tokens(*id)->front().revoked_at, 400);
}

TEST_P(StoreConformanceTest, AuditRecordsAreChainedAndFilteredNewestFirst) {
  for (const char* action : {"login", "user.create", "login"}) {
    AuditRecord r;
    r.at = 1000;
    r.username = "admin";
    r.action = action;
    r.outcome = "ok";
    ASSERT_TRUE(store_->append_audit(r).ok());
  }
  std::vector<AuditRecord> all;
  ASSERT_TRUE(store_
                  ->scan_audit([&](const AuditRecord& r) {
                    all.push_back(r);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].prev_hash, kAuditGenesis);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].hash, audit_record_hash(all[i]));
    if (i > 0) {
      EXPECT_EQ(all[i].prev_hash, all[i - 1].hash);
    }
  }
  AuditFilter logins;
  logins.action = "log";
  std::vector<AuditRecord> found = *store_->query_audit(logins);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_GT(found[0].id, found[1].id);
}

TEST_P(StoreConformanceTest, ContactsAndBulletinTemplatesRoundTrip) {
  ASSERT_TRUE(store_->upsert_org_units(guangdong_sample()).ok());
  StatusOr<std::int64_t> id =
      store_->insert_contact({0, "4408", "张三", "填表员", "13800000000", "", "", ""});
  ASSERT_TRUE(id.ok()) << id.status().to_string();
  ContactRecord c = **store_->find_contact(*id);
  c.title = "总指挥";
  ASSERT_TRUE(store_->update_contact(c).ok());
  EXPECT_EQ(store_->list_contacts()->front().title, "总指挥");
  ASSERT_TRUE(store_->delete_contact(*id).ok());
  EXPECT_EQ(store_->delete_contact(*id).code(), StatusCode::kNotFound);

  BulletinRecord b{"monthly", "月报", "bulletin", "{}", 100, "admin"};
  ASSERT_TRUE(store_->insert_bulletin(b).ok());
  EXPECT_EQ(store_->insert_bulletin(b).code(), StatusCode::kAlreadyExists);
  b.title = "月度简报";
  ASSERT_TRUE(store_->update_bulletin(b).ok());
  EXPECT_EQ((*store_->find_bulletin("monthly"))->title, "月度简报");
  ASSERT_TRUE(store_->delete_bulletin("monthly").ok());
  EXPECT_TRUE(store_->list_bulletins()->empty());
}

INSTANTIATE_STORE_TEST(StoreConformanceTest);

}  // namespace
}  // namespace tianbao::store
