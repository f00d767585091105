// The SQLite backend: opening and migrating the database, the statement
// cache, and the OrgUnitStore and SettingsStore aggregates.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "store/migrations.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

namespace {
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

StatusOr<std::unique_ptr<Store>> SqliteStore::open(const std::string& path) {
  // Before SQLite initialises: no global allocation statistics, which
  // would take a global mutex on every allocation.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* db = nullptr;
  // NOMUTEX: every use of the connection is under the store's own mutex,
  // so SQLite's per-call locking would only cost time.
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status(StatusCode::kUnavailable, fmt::format("无法打开数据库 {}：{}", path, detail),
                  "db", "db_open_failed");
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  RETURN_IF_ERROR(exec(db,
                       "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                       "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;",
                       "设置数据库参数"));
  RETURN_IF_ERROR(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::~SqliteStore() {
  sqlite_detail::statement_cache::release(db_);
  sqlite3_close_v2(db_);
}

namespace sqlite_detail::statement_cache {

namespace {

// Statements kept per connection; SQL built at run time (lists of ids) can
// make many distinct texts, so only this many are kept.
constexpr std::size_t kKeptPerConnection = 256;

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct Kept {
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>, TextHash, std::equal_to<>> by_sql;
  std::size_t count = 0;
};

std::mutex& kept_mutex() {
  static std::mutex mu;
  return mu;
}
std::unordered_map<sqlite3*, Kept>& kept() {
  static std::unordered_map<sqlite3*, Kept> by_connection;
  return by_connection;
}

}  // namespace

sqlite3_stmt* take(sqlite3* db, std::string_view sql) {
  std::lock_guard lock(kept_mutex());
  auto connection = kept().find(db);
  if (connection == kept().end()) return nullptr;
  auto it = connection->second.by_sql.find(sql);
  if (it == connection->second.by_sql.end() || it->second.empty()) return nullptr;
  sqlite3_stmt* stmt = it->second.back();
  it->second.pop_back();
  --connection->second.count;
  return stmt;
}

void give(sqlite3* db, sqlite3_stmt* stmt) {
  const char* sql = sqlite3_sql(stmt);
  {
    std::lock_guard lock(kept_mutex());
    Kept& k = kept()[db];
    if (sql && k.count < kKeptPerConnection) {
      auto it = k.by_sql.find(std::string_view(sql));
      if (it == k.by_sql.end()) it = k.by_sql.emplace(sql, std::vector<sqlite3_stmt*>()).first;
      it->second.push_back(stmt);
      ++k.count;
      return;
    }
  }
  sqlite3_finalize(stmt);
}

void release(sqlite3* db) {
  std::vector<sqlite3_stmt*> all;
  {
    std::lock_guard lock(kept_mutex());
    auto connection = kept().find(db);
    if (connection == kept().end()) return;
    for (auto& [sql, stmts] : connection->second.by_sql)
      all.insert(all.end(), stmts.begin(), stmts.end());
    kept().erase(connection);
  }
  for (sqlite3_stmt* stmt : all) sqlite3_finalize(stmt);
}

}  // namespace sqlite_detail::statement_cache

Status SqliteStore::migrate() {
  RETURN_IF_ERROR(exec(db_,
                       "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))",
                       "创建迁移记录表"));
  for (const Migration& m : migrations()) {
    Transaction tx(db_);
    RETURN_IF_ERROR(tx.begin());
    ASSIGN_OR_RETURN(bool applied, exists(db_, "SELECT 1 FROM schema_migrations WHERE version = ?",
                                          "读取迁移记录", m.version));
    if (applied) continue;
    RETURN_IF_ERROR(exec(db_, m.sqlite_sql, fmt::format("数据库迁移 {}", m.version)));
    RETURN_IF_ERROR(run(db_, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)",
                        "记录迁移", m.version, m.name)
                        .status());
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
  return select_all(
      db_,
      "SELECT u.code, u.name, u.level, u.kind, coalesce(p.code, '') "
      "FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id",
      "读取单位", [](const Statement& q) -> StatusOr<model::OrgUnit> {
        ASSIGN_OR_RETURN(model::OrgUnitKind kind, model::parse_kind(q.text(3)));
        return model::OrgUnit{q.text(0), q.text(1), static_cast<int>(q.int64(2)), kind, q.text(4)};
      });
}

StatusOr<UpsertSummary> SqliteStore::upsert_org_units(std::span<const model::OrgUnit> units) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  std::unordered_map<std::string, std::int64_t> ids;
  {
    Statement q(db_, "SELECT code, id FROM org_unit");
    RETURN_IF_ERROR(q.prepared("读取单位代码"));
    RETURN_IF_ERROR(for_each_row(
        q, "读取单位代码", [&](const Statement& row) { ids.emplace(row.text(0), row.int64(1)); }));
  }
  Statement upsert(
      db_,
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
  ASSIGN_OR_RETURN(bool taken,
                   exists(db_, "SELECT 1 FROM org_unit WHERE code = ?", "检查单位代码", unit.code));
  if (taken) return AlreadyExists(fmt::format("单位代码 {} 已存在", unit.code), "code");
  RETURN_IF_ERROR(run_one(
      db_,
      "INSERT INTO org_unit(code, name, level, kind, parent_id) "
      "SELECT ?, ?, ?, ?, id FROM org_unit WHERE code = ?",
      "新增单位",
      NotFound(fmt::format("上级单位 {} 不存在", unit.parent_code), "parent", "unknown_parent"),
      unit.code, unit.name, unit.level, model::kind_name(unit.kind), unit.parent_code));
  return tx.commit();
}

// --- settings --------------------------------------------------------------

StatusOr<std::optional<std::string>> SqliteStore::get_setting(std::string_view key) {
  std::lock_guard lock(mu_);
  return select_first(
      db_, "SELECT value FROM setting WHERE key = ?", "读取设置",
      [](const Statement& q) { return q.text(0); }, key);
}

Status SqliteStore::set_setting(std::string_view key, std::string_view value) {
  std::lock_guard lock(mu_);
  return run(db_,
             "INSERT INTO setting(key, value) VALUES (?, ?) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             "保存设置", key, value)
      .status();
}

}  // namespace tianbao::store
