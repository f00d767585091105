#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>

#include "store/migrations.h"

namespace tianbao::store {

namespace {

constexpr int kBusyTimeoutMs = 5000;

Status sqlite_error(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  std::string detail = sqlite3_errmsg(db);
  if ((code & 0xFF) == SQLITE_CONSTRAINT) {
    return Status(StatusCode::kAlreadyExists, fmt::format("{}：违反唯一或引用约束（{}）", what, detail),
                  {}, "constraint");
  }
  if ((code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED) {
    return Status(StatusCode::kUnavailable, fmt::format("{}：数据库正忙，请稍后重试", what), {},
                  "busy");
  }
  return Internal(fmt::format("{}：SQLite 错误 {}（{}）", what, code, detail));
}

// A prepared statement, finalized on scope exit. Binds are 1-based.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status prepared(std::string_view what) const {
    return rc_ == SQLITE_OK ? Status::Ok() : sqlite_error(db_, what);
  }
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  // True if a row is ready, false when done; an error is returned as Status.
  StatusOr<bool> step(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, what);
  }
  Status run(std::string_view what) {
    StatusOr<bool> r = step(what);
    return r.ok() ? Status::Ok() : r.status();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status exec(sqlite3* db, std::string_view sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::Ok() : sqlite_error(db, what);
}

// BEGIN IMMEDIATE … COMMIT, rolled back unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    // A failed ROLLBACK leaves nothing to do: SQLite rolls back the open
    // transaction itself when the statement or connection ends.
    if (open_) static_cast<void>(exec(db_, "ROLLBACK", "回滚事务"));
  }
  Status begin() {
    RETURN_IF_ERROR(exec(db_, "BEGIN IMMEDIATE", "开始事务"));
    open_ = true;
    return Status::Ok();
  }
  Status commit() {
    RETURN_IF_ERROR(exec(db_, "COMMIT", "提交事务"));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> SqliteStore::open(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status(StatusCode::kUnavailable, fmt::format("无法打开数据库 {}：{}", path, detail), "db",
                  "db_open_failed");
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  RETURN_IF_ERROR(exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                       "PRAGMA foreign_keys=ON;",
                       "设置数据库参数"));
  RETURN_IF_ERROR(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::~SqliteStore() { sqlite3_close_v2(db_); }

Status SqliteStore::migrate() {
  RETURN_IF_ERROR(exec(db_,
                       "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))",
                       "创建迁移记录表"));
  for (const Migration& m : migrations()) {
    Transaction tx(db_);
    RETURN_IF_ERROR(tx.begin());
    Statement check(db_, "SELECT 1 FROM schema_migrations WHERE version = ?");
    RETURN_IF_ERROR(check.prepared("读取迁移记录"));
    check.bind(1, std::int64_t{m.version});
    ASSIGN_OR_RETURN(bool applied, check.step("读取迁移记录"));
    check.reset();
    if (applied) continue;
    RETURN_IF_ERROR(exec(db_, m.sqlite_sql, fmt::format("数据库迁移 {}", m.version)));
    Statement record(db_, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)");
    RETURN_IF_ERROR(record.prepared("记录迁移"));
    record.bind(1, std::int64_t{m.version});
    record.bind(2, m.name);
    RETURN_IF_ERROR(record.run("记录迁移"));
    RETURN_IF_ERROR(tx.commit());
  }
  return Status::Ok();
}

StatusOr<int> SqliteStore::schema_version() {
  std::lock_guard lock(mu_);
  Statement q(db_, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  RETURN_IF_ERROR(q.prepared("读取迁移版本"));
  ASSIGN_OR_RETURN(bool row, q.step("读取迁移版本"));
  return row ? static_cast<int>(q.int64(0)) : 0;
}

StatusOr<std::vector<model::OrgUnit>> SqliteStore::load_org_units() {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "SELECT u.code, u.name, u.level, u.kind, coalesce(p.code, '') "
              "FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id");
  RETURN_IF_ERROR(q.prepared("读取单位"));
  std::vector<model::OrgUnit> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取单位"));
    if (!row) break;
    ASSIGN_OR_RETURN(model::OrgUnitKind kind, model::parse_kind(q.text(3)));
    out.push_back(model::OrgUnit{q.text(0), q.text(1), static_cast<int>(q.int64(2)), kind,
                                 q.text(4)});
  }
  return out;
}

StatusOr<UpsertSummary> SqliteStore::upsert_org_units(std::span<const model::OrgUnit> units) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  std::unordered_map<std::string, std::int64_t> ids;
  {
    Statement q(db_, "SELECT code, id FROM org_unit");
    RETURN_IF_ERROR(q.prepared("读取单位代码"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, q.step("读取单位代码"));
      if (!row) break;
      ids.emplace(q.text(0), q.int64(1));
    }
  }
  Statement upsert(db_,
                   "INSERT INTO org_unit(code, name, level, kind, parent_id) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level, "
                   "kind = excluded.kind, parent_id = excluded.parent_id RETURNING id");
  RETURN_IF_ERROR(upsert.prepared("写入单位"));
  UpsertSummary summary;
  for (const model::OrgUnit& u : units) {
    upsert.reset();
    upsert.bind(1, u.code);
    upsert.bind(2, u.name);
    upsert.bind(3, std::int64_t{u.level});
    upsert.bind(4, model::kind_name(u.kind));
    if (u.parent_code.empty()) {
      upsert.bind_null(5);
    } else {
      auto parent = ids.find(u.parent_code);
      if (parent == ids.end()) {
        return NotFound(fmt::format("单位 {} 的上级 {} 不存在", u.code, u.parent_code), "parent",
                        "unknown_parent");
      }
      upsert.bind(5, parent->second);
    }
    ASSIGN_OR_RETURN(bool row, upsert.step("写入单位"));
    if (!row) return Internal("写入单位未返回编号");
    bool inserted = ids.emplace(u.code, upsert.int64(0)).second;
    upsert.reset();  // finish RETURNING so COMMIT finds no statement running
    (inserted ? summary.inserted : summary.updated) += 1;
  }
  RETURN_IF_ERROR(tx.commit());
  return summary;
}

Status SqliteStore::insert_org_unit(const model::OrgUnit& unit) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  Statement exists(db_, "SELECT 1 FROM org_unit WHERE code = ?");
  RETURN_IF_ERROR(exists.prepared("检查单位代码"));
  exists.bind(1, unit.code);
  ASSIGN_OR_RETURN(bool taken, exists.step("检查单位代码"));
  if (taken) return AlreadyExists(fmt::format("单位代码 {} 已存在", unit.code), "code");
  Statement insert(db_,
                   "INSERT INTO org_unit(code, name, level, kind, parent_id) "
                   "SELECT ?, ?, ?, ?, id FROM org_unit WHERE code = ?");
  RETURN_IF_ERROR(insert.prepared("新增单位"));
  insert.bind(1, unit.code);
  insert.bind(2, unit.name);
  insert.bind(3, std::int64_t{unit.level});
  insert.bind(4, model::kind_name(unit.kind));
  insert.bind(5, unit.parent_code);
  RETURN_IF_ERROR(insert.run("新增单位"));
  if (sqlite3_changes(db_) != 1) {
    return NotFound(fmt::format("上级单位 {} 不存在", unit.parent_code), "parent", "unknown_parent");
  }
  return tx.commit();
}

StatusOr<std::optional<std::string>> SqliteStore::get_setting(std::string_view key) {
  std::lock_guard lock(mu_);
  Statement q(db_, "SELECT value FROM setting WHERE key = ?");
  RETURN_IF_ERROR(q.prepared("读取设置"));
  q.bind(1, key);
  ASSIGN_OR_RETURN(bool row, q.step("读取设置"));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q.text(0));
}

Status SqliteStore::set_setting(std::string_view key, std::string_view value) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO setting(key, value) VALUES (?, ?) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  RETURN_IF_ERROR(q.prepared("保存设置"));
  q.bind(1, key);
  q.bind(2, value);
  return q.run("保存设置");
}

}  // namespace tianbao::store
