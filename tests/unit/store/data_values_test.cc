// Data values in every store backend (and, for SQLite, the migrations): what a batch of writes does
// with each mode, the history it keeps (who wrote every version, when, how), and the migration of
// values written before the bulk layout.
#include <sqlite3.h>

#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite_store.h"
#include "store_backends.h"
#include "support/temp_dir.h"

namespace tianbao::store {
namespace {

class DataValuesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store_
                    ->upsert_org_units(std::vector<model::OrgUnit>{
                        {"44", "广东省", 1, model::OrgUnitKind::kRegion, ""},
                        {"4408", "湛江市", 2, model::OrgUnitKind::kRegion, "44"}})
                    .ok());
    for (const char* code : {"A", "B"}) {
      model::Indicator ind;
      ind.code = code;
      ind.name = code;
      ASSERT_TRUE(store_->insert_indicator(ind).ok());
    }
  }

  WriteSummary write(std::vector<ValueWrite> writes, const std::string& user, Millis at,
                     bool dry_run = false) {
    auto summary = store_->write_values(writes, {user, "import", at, dry_run});
    EXPECT_TRUE(summary.ok()) << summary.status().to_string();
    return summary.ok() ? *summary : WriteSummary{};
  }

  std::optional<double> number(const std::string& indicator, const std::string& org,
                               const std::string& period) {
    auto found = store_->find_values(org, {period}, {indicator});
    if (!found.ok() || found->empty()) return std::nullopt;
    return found->front().number;
  }
};

ValueWrite put(const char* indicator, const char* org, double v,
               WriteMode mode = WriteMode::kUpsert) {
  return ValueWrite{indicator, org, "2022-08", v, std::nullopt, mode};
}
ValueWrite clear(const char* indicator, const char* org) {
  return ValueWrite{indicator, org, "2022-08", std::nullopt, std::nullopt, WriteMode::kUpsert};
}

TEST_P(DataValuesTest, EachWriteIsCountedAndMarkedAppliedOrNot) {
  WriteSummary first = write({put("A", "44", 1), put("B", "44", 2)}, "zhang", 1000);
  EXPECT_EQ(first.created, 2u);
  EXPECT_EQ(first.applied, (std::vector<bool>{true, true}));

  WriteSummary second = write(
      {
          put("A", "44", 1),                            // same value: unchanged
          put("B", "44", 5, WriteMode::kCreateOnly),    // exists: kept as 2
          put("A", "4408", 7, WriteMode::kUpdateOnly),  // none to update: skipped
          put("B", "4408", 8, WriteMode::kCreateOnly),  // new: created
          put("A", "44", 3, WriteMode::kUpdateOnly),    // exists: updated
          clear("B", "44"),                             // deleted
          clear("A", "4408"),                           // nothing to clear
      },
      "li", 2000);
  EXPECT_EQ(second.created, 1u);
  EXPECT_EQ(second.updated, 1u);
  EXPECT_EQ(second.deleted, 1u);
  EXPECT_EQ(second.unchanged, 4u);
  EXPECT_EQ(second.applied, (std::vector<bool>{false, false, false, true, true, true, false}));
  EXPECT_EQ(number("A", "44", "2022-08"), 3);
  EXPECT_EQ(number("B", "44", "2022-08"), std::nullopt);
  EXPECT_EQ(number("B", "4408", "2022-08"), 8);
  EXPECT_EQ(number("A", "4408", "2022-08"), std::nullopt);
}

TEST_P(DataValuesTest, RepeatedKeysInOneBatchApplyInOrder) {
  WriteSummary s = write({put("A", "44", 1), put("A", "44", 2), put("A", "44", 3)}, "zhang", 1);
  EXPECT_EQ(s.created, 1u);
  EXPECT_EQ(s.updated, 2u);
  EXPECT_EQ(number("A", "44", "2022-08"), 3);
}

TEST_P(DataValuesTest, HistoryTellsWhoWroteEveryVersion) {
  write({put("A", "44", 10)}, "zhang", 1000);
  write({put("A", "44", 12)}, "li", 2000);
  write({clear("A", "44")}, "wang", 3000);
  write({put("A", "44", 15)}, "zhao", 4000);
  write({put("A", "44", 15)}, "qian", 5000);  // same value: no change recorded

  auto history = *store_->value_history("A", "44", "2022-08");
  struct Expected {
    std::optional<std::string> old_value, new_value;
    Millis at;
    std::string username;
  };
  const std::vector<Expected> expected = {
      {std::nullopt, "10", 1000, "zhang"},
      {"10", "12", 2000, "li"},
      {"12", std::nullopt, 3000, "wang"},
      {std::nullopt, "15", 4000, "zhao"},
  };
  ASSERT_EQ(history.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(history[i].old_value, expected[i].old_value) << i;
    EXPECT_EQ(history[i].new_value, expected[i].new_value) << i;
    EXPECT_EQ(history[i].at, expected[i].at) << i;
    EXPECT_EQ(history[i].username, expected[i].username) << i;
    EXPECT_EQ(history[i].channel, "import") << i;
    EXPECT_EQ(history[i].indicator, "A");
    EXPECT_EQ(history[i].org_code, "44");
  }
  EXPECT_TRUE(store_->value_history("B", "44", "2022-08")->empty());
}

// Keys enough for several multi-row chunks: both indicators and units over
// `months` months from 2000-01, value = position in the batch.
std::vector<ValueWrite> many(int months, WriteMode mode = WriteMode::kUpsert) {
  std::vector<ValueWrite> out;
  for (int m = 0; m < months; ++m) {
    std::string period = fmt::format("{:04d}-{:02d}", 2000 + m / 12, m % 12 + 1);
    for (const char* org : {"44", "4408"}) {
      for (const char* ind : {"A", "B"}) {
        out.push_back(
            ValueWrite{ind, org, period, static_cast<double>(out.size()), std::nullopt, mode});
      }
    }
  }
  return out;
}

TEST_P(DataValuesTest, LargeBatchesOfFirstWritesAreCreatedEveryOne) {
  std::vector<ValueWrite> writes = many(100);  // 400 writes: three chunks and a tail
  WriteSummary s = write(writes, "zhang", 1);
  EXPECT_EQ(s.created, 400u);
  EXPECT_EQ(s.applied, std::vector<bool>(400, true));
  for (std::size_t i : {0u, 127u, 128u, 255u, 383u, 384u, 399u}) {
    EXPECT_EQ(number(writes[i].indicator, writes[i].org_code, writes[i].period),
              static_cast<double>(i))
        << i;
  }
}

TEST_P(DataValuesTest, StoredValuesInsideALargeBatchAreUpdatedAndTheRestCreated) {
  std::vector<ValueWrite> writes = many(100);
  // Stored before: a key of the second chunk with another value, and one of
  // the third with the value the batch brings.
  ValueWrite older = writes[203];
  older.number = -1;
  write({older, writes[300]}, "li", 1);
  writes[150] = clear("A", "44");  // a clear of nothing cuts a chunk short
  writes[150].period = "1999-11";

  WriteSummary s = write(writes, "zhang", 2);
  EXPECT_EQ(s.created, 397u);
  EXPECT_EQ(s.updated, 1u);
  EXPECT_EQ(s.unchanged, 2u);  // the clear of nothing and the same value
  for (std::size_t i = 0; i < writes.size(); ++i) {
    EXPECT_EQ(s.applied[i], i != 150 && i != 300) << i;
  }
  EXPECT_EQ(number(older.indicator, older.org_code, older.period), 203);
  auto history = *store_->value_history(older.indicator, older.org_code, older.period);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].old_value, "-1");
  EXPECT_EQ(history[1].username, "zhang");
  for (std::size_t i : {0u, 149u, 151u, 202u, 204u, 399u}) {
    EXPECT_EQ(number(writes[i].indicator, writes[i].org_code, writes[i].period),
              static_cast<double>(i))
        << i;
  }
}

TEST_P(DataValuesTest, StoredValuesScatteredOverALongBatchAreEachFoundOnce) {
  // A new month where some units saved their forms already: stored values
  // in the first chunks, in chunks after failed ones, and far on, where the
  // batch has gone back to chunks.
  std::vector<ValueWrite> writes = many(2000);  // 8,000 writes, 62 chunks
  const std::vector<std::size_t> stored = {5, 130, 200, 450, 451, 7000, 7999};
  std::vector<ValueWrite> before;
  for (std::size_t i : stored) {
    before.push_back(writes[i]);
    before.back().number = -static_cast<double>(i) - 1;
  }
  write(before, "li", 1);

  WriteSummary s = write(writes, "zhang", 2);
  EXPECT_EQ(s.created, writes.size() - stored.size());
  EXPECT_EQ(s.updated, stored.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    ASSERT_TRUE(s.applied[i]) << i;
    ASSERT_EQ(number(writes[i].indicator, writes[i].org_code, writes[i].period),
              static_cast<double>(i))
        << i;
  }
  for (std::size_t i : stored) {
    auto history =
        *store_->value_history(writes[i].indicator, writes[i].org_code, writes[i].period);
    ASSERT_EQ(history.size(), 2u) << i;
    EXPECT_EQ(history[1].old_value, fmt::format("{}", -static_cast<double>(i) - 1)) << i;
    EXPECT_EQ(history[1].username, "zhang") << i;
  }
}

TEST_P(DataValuesTest, RepeatedKeysInsideOneChunkApplyInOrder) {
  std::vector<ValueWrite> writes = many(64);  // 256 writes
  writes[10] = writes[3];                     // the same key again, later value
  writes[10].number = 99;
  WriteSummary s = write(writes, "zhang", 1);
  EXPECT_EQ(s.created, 255u);
  EXPECT_EQ(s.updated, 1u);
  EXPECT_EQ(number(writes[3].indicator, writes[3].org_code, writes[3].period), 99);
}

TEST_P(DataValuesTest, CreateOnlyKeepsStoredValuesInsideALargeBatch) {
  write({many(1)[1]}, "li", 1);  // B/44/2000-01 = 1
  std::vector<ValueWrite> writes = many(64, WriteMode::kCreateOnly);
  writes[1].number = 50;
  WriteSummary s = write(writes, "zhang", 2);
  EXPECT_EQ(s.created, 255u);
  EXPECT_EQ(s.unchanged, 1u);
  EXPECT_FALSE(s.applied[1]);
  EXPECT_EQ(number("B", "44", "2000-01"), 1);
}

TEST_P(DataValuesTest, UnknownCodeRefusesTheWholeBatch) {
  auto refused = store_->write_values({put("A", "44", 1), put("A", "NOPE", 2)}, {"u", "api", 1});
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(number("A", "44", "2022-08"), std::nullopt);
}

TEST_P(DataValuesTest, DryRunCountsButKeepsNothing) {
  WriteSummary s = write({put("A", "44", 1)}, "u", 1, /*dry_run=*/true);
  EXPECT_EQ(s.created, 1u);
  EXPECT_EQ(number("A", "44", "2022-08"), std::nullopt);
}

TEST_P(DataValuesTest, IndicatorWithValuesCannotBeDeleted) {
  write({put("A", "44", 1)}, "u", 1);
  Status refused = store_->delete_indicator("A");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.reason(), "indicator_in_use");
  EXPECT_TRUE(store_->delete_indicator("B").ok());
}

TEST_P(DataValuesTest, IndicatorWhoseValuesWereAllClearedCanBeDeleted) {
  write(many(40), "u", 1);  // chunks and single rows
  EXPECT_EQ(store_->delete_indicator("B").reason(), "indicator_in_use");
  std::vector<ValueWrite> clears;
  for (ValueWrite w : many(40)) {
    if (w.indicator != "B") continue;
    w.number.reset();
    clears.push_back(w);
  }
  EXPECT_EQ(write(clears, "u", 2).deleted, 80u);
  EXPECT_TRUE(store_->delete_indicator("B").ok());
  EXPECT_EQ(store_->delete_indicator("A").reason(), "indicator_in_use");
}

TEST_P(DataValuesTest, ADryRunLeavesAnIndicatorDeletable) {
  write(many(40), "u", 1, /*dry_run=*/true);
  EXPECT_TRUE(store_->delete_indicator("B").ok());
}

// A store written before migration 5 (values carrying their own who/when,
// a history row for every change) keeps every value and its history.
INSTANTIATE_STORE_TEST(DataValuesTest);

TEST(DataValuesMigrationTest, ValuesAndHistoryWrittenBeforeTheBulkLayoutSurvive) {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto exec = [db](const std::string& sql) {
      char* err = nullptr;
      int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
      std::string message = err ? err : "";
      sqlite3_free(err);
      return rc == SQLITE_OK ? std::string() : message;
    };
    ASSERT_EQ(exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                   "NULL, applied_at TEXT NOT NULL DEFAULT '')"),
              "");
    for (const Migration& m : migrations()) {
      if (m.version > 4) break;
      ASSERT_EQ(exec(std::string(m.sqlite_sql)), "") << m.version;
      ASSERT_EQ(exec("INSERT INTO schema_migrations(version, name) VALUES (" +
                     std::to_string(m.version) + ", 'old')"),
                "");
    }
    ASSERT_EQ(
        exec("INSERT INTO org_unit(id, code, name, level, kind) VALUES "
             "(1, '44', '广东省', 1, 'region');"
             "INSERT INTO indicator(id, code, name, unit, value_type, aggregation, kind, formula, "
             "definition, guidance) "
             "VALUES (1, 'A', 'A', '', 'number', 'sum', 'flow', '', '', '');"
             "INSERT INTO data_value VALUES (1, 1, '2022-07', 5, NULL, 100, 'zhang', 'form');"
             "INSERT INTO data_value VALUES (1, 1, '2022-08', 9, NULL, 300, 'li', 'import');"
             "INSERT INTO data_value_history(indicator_id, org_unit_id, period, old_value, "
             "new_value, at, username, channel) VALUES "
             "(1, 1, '2022-08', NULL, '8', 200, 'zhang', 'form'),"
             "(1, 1, '2022-08', '8', '9', 300, 'li', 'import');"),
        "");
    sqlite3_close(db);
  }
  auto store = open_store(path);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  EXPECT_EQ(*(*store)->schema_version(), migrations().back().version);

  auto values = *(*store)->find_values("44", {"2022-07", "2022-08"}, {"A"});
  ASSERT_EQ(values.size(), 2u);
  std::sort(values.begin(), values.end(),
            [](const DataValueRecord& a, const DataValueRecord& b) { return a.period < b.period; });
  EXPECT_EQ(values[0].number, 5);
  EXPECT_EQ(values[0].updated_by, "zhang");
  EXPECT_EQ(values[0].updated_at, 100);
  EXPECT_EQ(values[0].channel, "form");
  EXPECT_EQ(values[1].number, 9);
  EXPECT_EQ(values[1].updated_by, "li");

  auto history = *(*store)->value_history("A", "44", "2022-08");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].old_value, std::nullopt);
  EXPECT_EQ(history[0].new_value, "8");
  EXPECT_EQ(history[1].old_value, "8");
  EXPECT_EQ(history[1].username, "li");
  // The value written before the migration, never changed, has its first write.
  auto july = *(*store)->value_history("A", "44", "2022-07");
  ASSERT_EQ(july.size(), 1u);
  EXPECT_EQ(july[0].new_value, "5");
  EXPECT_EQ(july[0].username, "zhang");
  EXPECT_EQ(july[0].at, 100);

  // The migrated values keep their indicator from being deleted.
  EXPECT_EQ((*store)->delete_indicator("A").reason(), "indicator_in_use");

  // New writes go on from there.
  ASSERT_TRUE((*store)->write_values({put("A", "44", 11)}, {"wang", "api", 400}).ok());
  history = *(*store)->value_history("A", "44", "2022-08");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[2].old_value, "9");
  EXPECT_EQ(history[2].new_value, "11");
}

// A store written before migration 8 had only `kind`: its stocks take the
// last month over time, its flows are summed.
TEST(IndicatorMigrationTest, KindBecomesPeriodAggregationStockLastFlowSum) {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto exec = [db](const std::string& sql) {
      char* err = nullptr;
      int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
      std::string message = err ? err : "";
      sqlite3_free(err);
      return rc == SQLITE_OK ? std::string() : message;
    };
    ASSERT_EQ(exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                   "NULL, applied_at TEXT NOT NULL DEFAULT '')"),
              "");
    for (const Migration& m : migrations()) {
      if (m.version > 7) break;
      ASSERT_EQ(exec(std::string(m.sqlite_sql)), "") << m.version;
      ASSERT_EQ(exec("INSERT INTO schema_migrations(version, name) VALUES (" +
                     std::to_string(m.version) + ", 'old')"),
                "");
    }
    ASSERT_EQ(exec("INSERT INTO indicator(code, name, unit, value_type, aggregation, kind, "
                   "formula, definition, guidance) VALUES "
                   "('S', 'S', '', 'number', 'last', 'stock', '', '', ''),"
                   "('F', 'F', '', 'number', 'sum', 'flow', '', '', '');"),
              "");
    sqlite3_close(db);
  }
  auto store = open_store(path);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  auto indicators = (*store)->list_indicators();
  ASSERT_TRUE(indicators.ok());
  std::map<std::string, model::PeriodAggregation> over_time;
  for (const model::Indicator& i : *indicators) over_time[i.code] = i.period_aggregation;
  EXPECT_EQ(over_time.at("S"), model::PeriodAggregation::kLast);
  EXPECT_EQ(over_time.at("F"), model::PeriodAggregation::kSum);

  // Written back, an average keeps its rule and stores the matching kind.
  model::Indicator mau = {};
  mau.code = "MAU";
  mau.name = "月活";
  mau.period_aggregation = model::PeriodAggregation::kAverage;
  ASSERT_TRUE((*store)->insert_indicator(mau).ok());
  indicators = (*store)->list_indicators();
  ASSERT_TRUE(indicators.ok());
  std::map<std::string, model::PeriodAggregation> written;
  for (const model::Indicator& i : *indicators) written[i.code] = i.period_aggregation;
  EXPECT_EQ(written.at("MAU"), model::PeriodAggregation::kAverage);
}

}  // namespace
}  // namespace tianbao::store
