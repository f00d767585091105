#include <sqlite3.h>

#include <string>

#include <gtest/gtest.h>

#include "store/sqlite_support.h"

namespace tianbao::store::sqlite_detail {
namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(exec(db_, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)", "create").ok());
    ASSERT_TRUE(exec(db_, "INSERT INTO t VALUES (1, 'a'), (2, 'b')", "insert").ok());
  }
  void TearDown() override {
    statement_cache::release(db_);
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);  // nothing left unfinalized
  }
  sqlite3* db_ = nullptr;
};

constexpr const char* kRead = "SELECT v FROM t WHERE k = ?";

TEST_F(StatementCacheTest, ReusesAStatementResetAndWithoutItsBindings) {
  sqlite3_stmt* first = nullptr;
  {
    Statement q(db_, kRead);
    ASSERT_TRUE(q.prepared("read").ok());
    q.bind(1, std::int64_t{1});
    ASSERT_TRUE(*q.step("read"));
    EXPECT_EQ(q.text(0), "a");
    first = statement_cache::take(db_, kRead);
    EXPECT_EQ(first, nullptr);  // in use, so not in the cache
  }
  {
    Statement q(db_, kRead);
    ASSERT_TRUE(q.prepared("read").ok());
    // The kept statement starts over: no row pending, no value bound.
    ASSERT_FALSE(*q.step("read"));
    q.reset();
    q.bind(1, std::int64_t{2});
    ASSERT_TRUE(*q.step("read"));
    EXPECT_EQ(q.text(0), "b");
  }
  sqlite3_stmt* kept = statement_cache::take(db_, kRead);
  ASSERT_NE(kept, nullptr);
  EXPECT_STREQ(sqlite3_sql(kept), kRead);
  statement_cache::give(db_, kept);
}

TEST_F(StatementCacheTest, TwoAtOnceOfTheSameTextBothWork) {
  Statement a(db_, kRead);
  Statement b(db_, kRead);
  a.bind(1, std::int64_t{1});
  b.bind(1, std::int64_t{2});
  ASSERT_TRUE(*a.step("a"));
  ASSERT_TRUE(*b.step("b"));
  EXPECT_EQ(a.text(0), "a");
  EXPECT_EQ(b.text(0), "b");
}

TEST_F(StatementCacheTest, ManyDistinctTextsAreNotAllKept) {
  for (int i = 0; i < 1000; ++i) {
    Statement q(db_, "SELECT v FROM t WHERE k = " + std::to_string(i));
    ASSERT_TRUE(q.prepared("read").ok());
    ASSERT_TRUE(q.run("read").ok());
  }
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string sql = "SELECT v FROM t WHERE k = " + std::to_string(i);
    if (sqlite3_stmt* s = statement_cache::take(db_, sql)) {
      ++kept;
      sqlite3_finalize(s);
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, 256);
}

TEST_F(StatementCacheTest, AFailedPrepareIsNotKept) {
  {
    Statement q(db_, "SELECT nonsense FROM nowhere");
    EXPECT_FALSE(q.prepared("bad").ok());
  }
  EXPECT_EQ(statement_cache::take(db_, "SELECT nonsense FROM nowhere"), nullptr);
}

}  // namespace
}  // namespace tianbao::store::sqlite_detail
