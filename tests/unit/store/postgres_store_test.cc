// PostgresStore against a real PostgreSQL (TIANBAO_TEST_PG, a libpq URI of
// a cluster the test may create databases in; scripts/pg-cluster starts
// one). Skipped when it is not set. Each test gets a fresh database.
//
// The scenarios are those of the SQLite store's tests, on PostgreSQL, plus
// what only a server backend has: several stores (processes) appending to
// one audit chain, the staged COPY path for big batches, a connection the
// server drops.
#include <cstdlib>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "store/migrations.h"
#include "store/postgres_migrations.h"
#include "store/postgres_support.h"
#include "store/store.h"

namespace tianbao::store {
namespace {

using pg_detail::Params;

// `url` with its database name replaced.
std::string with_database(const std::string& url, const std::string& name) {
  std::size_t query = url.find('?');
  std::size_t slash = url.rfind('/', query == std::string::npos ? url.size() : query);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, slash + 1) + name + rest;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("TIANBAO_TEST_PG");
    if (!url || !*url) GTEST_SKIP() << "TIANBAO_TEST_PG not set (scripts/pg-cluster)";
    admin_url_ = url;
    static int counter = 0;
    name_ = fmt::format("tianbao_unit_{}_{}", getpid(), ++counter);
    auto admin = pg_detail::Connection::connect(admin_url_);
    ASSERT_TRUE(admin.ok()) << admin.status().to_string();
    ASSERT_TRUE((*admin)->script("CREATE DATABASE " + name_, "create").ok());
    url_ = with_database(admin_url_, name_);
    auto store = open_store(url_);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = std::move(*store);
  }

  void TearDown() override {
    store_.reset();
    if (name_.empty()) return;
    auto admin = pg_detail::Connection::connect(admin_url_);
    if (admin.ok()) {
      static_cast<void>((*admin)->script("DROP DATABASE " + name_ + " WITH (FORCE)", "drop"));
    }
  }

  void units_and_indicators() {
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
  }

  std::optional<double> number(const std::string& indicator, const std::string& org,
                               const std::string& period = "2022-08") {
    auto found = store_->find_values(org, {period}, {indicator});
    if (!found.ok() || found->empty()) return std::nullopt;
    return found->front().number;
  }

  std::string admin_url_, name_, url_;
  std::unique_ptr<Store> store_;
};

ValueWrite put(const char* indicator, const char* org, double v,
               WriteMode mode = WriteMode::kUpsert) {
  return ValueWrite{indicator, org, "2022-08", v, std::nullopt, mode};
}
ValueWrite clear(const char* indicator, const char* org) {
  return ValueWrite{indicator, org, "2022-08", std::nullopt, std::nullopt, WriteMode::kUpsert};
}

TEST_F(PostgresStoreTest, MigratesToTheSameVersionAsSqliteAndOnlyOnce) {
  ASSERT_EQ(postgres_migrations().size(), migrations().size());
  for (std::size_t i = 0; i < migrations().size(); ++i) {
    EXPECT_EQ(postgres_migrations()[i].version, migrations()[i].version);
  }
  EXPECT_EQ(*store_->schema_version(), migrations().back().version);
  auto again = open_store(url_);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(*(*again)->schema_version(), migrations().back().version);
}

TEST_F(PostgresStoreTest, OrgUnitsUpsertByCodeAndRefuseUnknownParents) {
  units_and_indicators();
  std::vector<model::OrgUnit> renamed = {
      {"4408", "湛江市（新名）", 2, model::OrgUnitKind::kRegion, "44"},
      {"440802", "赤坎区", 3, model::OrgUnitKind::kRegion, "4408"}};
  auto summary = store_->upsert_org_units(renamed);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->inserted, 1u);
  EXPECT_EQ(summary->updated, 1u);
  auto units = *store_->load_org_units();
  ASSERT_EQ(units.size(), 4u);
  for (const model::OrgUnit& u : units) {
    if (u.code == "4408") {
      EXPECT_EQ(u.name, "湛江市（新名）");
    }
    if (u.code == "440802") {
      EXPECT_EQ(u.parent_code, "4408");
    }
  }
  auto orphan = store_->upsert_org_units(
      std::vector<model::OrgUnit>{{"9901", "无上级", 2, model::OrgUnitKind::kRegion, "99"}});
  EXPECT_EQ(orphan.status().reason(), "unknown_parent");
  EXPECT_EQ(store_->insert_org_unit({"44", "重复", 1, model::OrgUnitKind::kRegion, ""}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_
                  ->insert_org_unit(
                      {"4408_ZSJ", "湛江市政数局", 2, model::OrgUnitKind::kDepartment, "4408"})
                  .ok());
}

TEST_F(PostgresStoreTest, UsersSessionsAndTokensRoundTrip) {
  units_and_indicators();
  UserRecord u;
  u.username = "zhang";
  u.display_name = "张三";
  u.org_code = "4408";
  u.password_hash = "$argon2id$x";
  u.roles = {"filler", "approver"};
  u.created_at = u.password_changed_at = 1000;
  auto id = store_->insert_user(u);
  ASSERT_TRUE(id.ok()) << id.status().to_string();
  EXPECT_EQ(store_->insert_user(u).status().code(), StatusCode::kAlreadyExists);
  auto found = *store_->find_user("zhang");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->roles, (std::vector<std::string>{"approver", "filler"}));
  EXPECT_TRUE(found->must_change_password);
  found->disabled = true;
  found->roles = {"viewer"};
  found->failed_logins = 3;
  ASSERT_TRUE(store_->update_user(*found).ok());
  auto updated = *store_->find_user_by_id(*id);
  EXPECT_TRUE(updated->disabled);
  EXPECT_EQ(updated->failed_logins, 3);
  EXPECT_EQ(updated->roles, (std::vector<std::string>{"viewer"}));
  u.username = "nobody";
  u.org_code = "9999";
  EXPECT_EQ(store_->insert_user(u).status().reason(), "unknown_org_unit");

  ASSERT_TRUE(store_->insert_session({"h1", *id, "csrf", 1, 1, "127.0.0.1"}).ok());
  ASSERT_TRUE(store_->touch_session("h1", 5).ok());
  EXPECT_EQ((*store_->find_session("h1"))->last_seen, 5);
  ASSERT_TRUE(store_->delete_user_sessions(*id).ok());
  EXPECT_FALSE(*store_->find_session("h1"));

  auto token = store_->insert_token({0, *id, "导入", "th", "tb_1", 10, 0, 0});
  ASSERT_TRUE(token.ok()) << token.status().to_string();
  EXPECT_EQ((*store_->find_token("th"))->name, "导入");
  ASSERT_TRUE(store_->revoke_token(*id, *token, 20).ok());
  EXPECT_EQ(store_->revoke_token(*id, *token, 30).reason(), "unknown_token");
  EXPECT_EQ(store_->list_tokens(*id)->front().revoked_at, 20);

  ASSERT_TRUE(store_->set_setting("name", "广东").ok());
  ASSERT_TRUE(store_->set_setting("name", "广东省").ok());
  EXPECT_EQ(**store_->get_setting("name"), "广东省");
}

TEST_F(PostgresStoreTest, AuditChainStaysLinearWhenSeveralStoresAppendAtOnce) {
  // Two stores stand for two nodes; each appends from two threads.
  auto other = open_store(url_);
  ASSERT_TRUE(other.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    Store* s = t % 2 ? other->get() : store_.get();
    threads.emplace_back([s, t] {
      for (int i = 0; i < 20; ++i) {
        AuditRecord r;
        r.at = i;
        r.username = fmt::format("u{}", t);
        r.action = "login";
        r.outcome = "ok";
        EXPECT_TRUE(s->append_audit(r).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::string prev(kAuditGenesis);
  std::int64_t expected_id = 1;
  ASSERT_TRUE(store_
                  ->scan_audit([&](const AuditRecord& r) {
                    EXPECT_EQ(r.id, expected_id++);
                    EXPECT_EQ(r.prev_hash, prev);
                    EXPECT_EQ(r.hash, audit_record_hash(r));
                    prev = r.hash;
                    return true;
                  })
                  .ok());
  EXPECT_EQ(expected_id, 81);
  AuditFilter f;
  f.username = "u1";
  f.action = "log";
  EXPECT_EQ(store_->query_audit(f)->size(), 20u);
  f.from = 946684800000;  // 2000-01-01 in epoch milliseconds: beyond a 32-bit integer
  f.to = 946771200000;
  auto none = store_->query_audit(f);
  ASSERT_TRUE(none.ok()) << none.status().to_string();
  EXPECT_TRUE(none->empty());
}

TEST_F(PostgresStoreTest, EachWriteIsCountedAndMarkedAppliedOrNot) {
  units_and_indicators();
  auto first =
      *store_->write_values({put("A", "44", 1), put("B", "44", 2)}, {"zhang", "import", 1000});
  EXPECT_EQ(first.created, 2u);
  auto second = *store_->write_values(
      {
          put("A", "44", 1),                            // same value: unchanged
          put("B", "44", 5, WriteMode::kCreateOnly),    // exists: kept as 2
          put("A", "4408", 7, WriteMode::kUpdateOnly),  // none to update: skipped
          put("B", "4408", 8, WriteMode::kCreateOnly),  // new: created
          put("A", "44", 3, WriteMode::kUpdateOnly),    // exists: updated
          clear("B", "44"),                             // deleted
          clear("A", "4408"),                           // nothing to clear
      },
      {"li", "import", 2000});
  EXPECT_EQ(second.created, 1u);
  EXPECT_EQ(second.updated, 1u);
  EXPECT_EQ(second.deleted, 1u);
  EXPECT_EQ(second.unchanged, 4u);
  EXPECT_EQ(second.applied, (std::vector<bool>{false, false, false, true, true, true, false}));
  EXPECT_EQ(number("A", "44"), 3);
  EXPECT_EQ(number("B", "44"), std::nullopt);
  EXPECT_EQ(number("B", "4408"), 8);
  auto unknown = store_->write_values({put("Z", "44", 1)}, {"li", "import", 3000});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->delete_indicator("A").reason(), "indicator_in_use");
  EXPECT_TRUE(store_->delete_indicator("C").ok());
}

TEST_F(PostgresStoreTest, HistoryTellsWhoWroteEveryVersionIncludingRepeatsInOneBatch) {
  units_and_indicators();
  ASSERT_TRUE(store_->write_values({put("A", "44", 10)}, {"zhang", "import", 1000}).ok());
  ASSERT_TRUE(
      store_->write_values({put("A", "44", 12), clear("A", "44")}, {"li", "api", 2000}).ok());
  ASSERT_TRUE(store_->write_values({put("A", "44", 15.5)}, {"zhao", "form", 4000}).ok());
  auto history = *store_->value_history("A", "44", "2022-08");
  struct Expected {
    std::optional<std::string> old_value, new_value;
    Millis at;
    std::string username;
  };
  const std::vector<Expected> expected = {{std::nullopt, "10", 1000, "zhang"},
                                          {"10", "12", 2000, "li"},
                                          {"12", std::nullopt, 2000, "li"},
                                          {std::nullopt, "15.5", 4000, "zhao"}};
  ASSERT_EQ(history.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(history[i].old_value, expected[i].old_value);
    EXPECT_EQ(history[i].new_value, expected[i].new_value);
    EXPECT_EQ(history[i].at, expected[i].at);
    EXPECT_EQ(history[i].username, expected[i].username);
  }
}

TEST_F(PostgresStoreTest, BigBatchesGoThroughCopyWithTheSameOutcome) {
  units_and_indicators();
  std::vector<ValueWrite> writes;
  for (int m = 0; m < 400; ++m) {
    std::string period = fmt::format("{:04d}-{:02d}", 1990 + m / 12, m % 12 + 1);
    for (const char* org : {"44", "4408", "4401"}) {
      for (const char* ind : {"A", "B"}) {
        writes.push_back({ind, org, period, static_cast<double>(writes.size()), std::nullopt});
      }
    }
  }
  writes.push_back({"C", "44", "1990-01", std::nullopt, std::string("说明\t含制表符")});
  auto created = store_->write_values(writes, {"zhang", "import", 1});
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  EXPECT_EQ(created->created, writes.size());
  for (ValueWrite& w : writes) {
    if (w.number) w.number = *w.number + 0.25;
  }
  auto updated = store_->write_values(writes, {"li", "import", 2});
  ASSERT_TRUE(updated.ok()) << updated.status().to_string();
  EXPECT_EQ(updated->updated, writes.size() - 1);
  EXPECT_EQ(updated->unchanged, 1u);
  EXPECT_EQ(number("B", "4401", "2023-04"), writes[2399].number);
  EXPECT_EQ(store_->value_history("A", "44", "1990-01")->size(), 2u);
  std::size_t numbers = 0;
  double sum = 0, expected_sum = 0;
  for (const ValueWrite& w : writes) expected_sum += w.number.value_or(0);
  ASSERT_TRUE(
      store_
          ->scan_numbers([&](std::string_view, std::string_view, std::string_view, double v) {
            ++numbers;
            sum += v;
          })
          .ok());
  EXPECT_EQ(numbers, writes.size() - 1);
  EXPECT_DOUBLE_EQ(sum, expected_sum);
  std::optional<std::string> text;
  ASSERT_TRUE(store_
                  ->scan_values([&](const DataValueRecord& v) {
                    if (v.indicator == "C") text = v.text;
                  })
                  .ok());
  EXPECT_EQ(text, "说明\t含制表符");
}

TEST_F(PostgresStoreTest, EntriesConflictOnStaleVersionsAndHoldTheirCells) {
  units_and_indicators();
  ASSERT_TRUE(
      store_->insert_form({"F", "表一", model::FormPeriodType::kMonth, {2}, {{"一", {"A", "B"}}}})
          .ok());
  TaskRecord t;
  t.form_code = "F";
  t.period = "2022-08";
  t.deadline = "P18D";
  t.due_date = "2022-09-18";
  t.issuer_org = "44";
  t.title = "表一（2022年8月）";
  auto task = store_->insert_task(t, {"4408", "4401"});
  ASSERT_TRUE(task.ok()) << task.status().to_string();
  EXPECT_EQ(store_->list_entries(*task)->size(), 2u);

  EntryCommit submit;
  submit.task_id = *task;
  submit.org_code = "4408";
  submit.expected_version = 1;
  submit.next = **store_->find_entry(*task, "4408");
  submit.next.status = model::EntryStatus::kSubmitted;
  submit.writes = {put("A", "4408", 5)};
  submit.context = {"filler", "form", 100};
  submit.event = EntryEvent{*task, "4408", 100, "filler", "submit", "not_started", "submitted", ""};
  auto version = store_->commit_entry(submit);
  ASSERT_TRUE(version.ok()) << version.status().to_string();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(store_->commit_entry(submit).status().reason(), "version_conflict");
  EXPECT_EQ(store_->entry_events(*task, "4408")->size(), 1u);

  auto refused = *store_->write_values({put("A", "4408", 6), put("A", "4401", 7)},
                                       {"importer", "import", 200});
  ASSERT_EQ(refused.refused.size(), 1u);
  EXPECT_EQ(refused.refused[0].index, 0u);
  EXPECT_EQ(refused.refused[0].holder.task_id, *task);
  EXPECT_EQ(refused.created, 1u);
  EXPECT_EQ(number("A", "4408"), 5);
  EXPECT_EQ(store_->cell_holders("4408", "2022-08", {"A", "C"})->size(), 1u);

  ASSERT_TRUE(
      store_->insert_form({"G", "表二", model::FormPeriodType::kMonth, {2}, {{"一", {"B"}}}}).ok());
  t.form_code = "G";
  ASSERT_TRUE(store_->insert_task(t, {"4408"}).ok());
  auto overlaps = *store_->find_task_overlaps();
  ASSERT_EQ(overlaps.size(), 1u);
  EXPECT_EQ(overlaps[0].units, 1u);

  ASSERT_TRUE(store_->cancel_task(*task, "重复下发", 300, "admin").ok());
  EXPECT_EQ(store_->cancel_task(*task, "再次", 300, "admin").reason(), "task_cancelled");
  EXPECT_TRUE(
      store_->write_values({put("A", "4408", 6)}, {"importer", "import", 400})->refused.empty());
  EXPECT_EQ(number("A", "4408"), 6);
}

TEST_F(PostgresStoreTest, CallsReconnectAfterTheServerDropsTheConnections) {
  units_and_indicators();
  auto admin = pg_detail::Connection::connect(admin_url_);
  ASSERT_TRUE(admin.ok());
  auto dropped = (*admin)->run(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
      Params().text(name_), "terminate");
  ASSERT_TRUE(dropped.ok()) << dropped.status().to_string();
  ASSERT_GE(dropped->int64(0, 0), 1);
  // Reads and transactions are sent again on a new connection.
  auto units = store_->load_org_units();
  ASSERT_TRUE(units.ok()) << units.status().to_string();
  EXPECT_EQ(units->size(), 3u);
  EXPECT_TRUE(store_->write_values({put("A", "44", 1)}, {"zhang", "import", 1}).ok());
}

}  // namespace
}  // namespace tianbao::store
