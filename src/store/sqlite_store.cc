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
    out.push_back(
        model::OrgUnit{q.text(0), q.text(1), static_cast<int>(q.int64(2)), kind, q.text(4)});
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
    return NotFound(fmt::format("上级单位 {} 不存在", unit.parent_code), "parent",
                    "unknown_parent");
  }
  return tx.commit();
}

// --- users -----------------------------------------------------------------

namespace {

constexpr std::string_view kUserColumns =
    "SELECT u.id, u.username, u.display_name, coalesce(o.code, ''), u.password_hash, "
    "u.must_change_password, "
    "u.disabled, u.failed_logins, u.locked_until, u.totp_secret, u.created_at, "
    "u.password_changed_at, coalesce((SELECT group_concat(role, ',') FROM user_role r "
    "WHERE r.user_id = u.id), '') FROM app_user u LEFT JOIN org_unit o ON o.id = u.org_unit_id ";

std::vector<std::string> split_roles(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

StatusOr<std::vector<UserRecord>> SqliteStore::select_users(std::string_view where,
                                                            std::string_view key, std::int64_t id) {
  Statement q(db_, std::string(kUserColumns) + std::string(where));
  RETURN_IF_ERROR(q.prepared("读取用户"));
  if (!key.empty()) q.bind(1, key);
  if (id != 0) q.bind(1, id);
  std::vector<UserRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取用户"));
    if (!row) break;
    UserRecord u;
    u.id = q.int64(0);
    u.username = q.text(1);
    u.display_name = q.text(2);
    u.org_code = q.text(3);
    u.password_hash = q.text(4);
    u.must_change_password = q.int64(5) != 0;
    u.disabled = q.int64(6) != 0;
    u.failed_logins = static_cast<int>(q.int64(7));
    u.locked_until = q.int64(8);
    u.totp_secret = q.text(9);
    u.created_at = q.int64(10);
    u.password_changed_at = q.int64(11);
    u.roles = split_roles(q.text(12));
    out.push_back(std::move(u));
  }
  return out;
}

StatusOr<std::optional<UserRecord>> SqliteStore::find_user(std::string_view username) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto users, select_users("WHERE u.username = ?", username, 0));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users.front()));
}

StatusOr<std::optional<UserRecord>> SqliteStore::find_user_by_id(std::int64_t id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto users, select_users("WHERE u.id = ?", {}, id));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users.front()));
}

StatusOr<std::vector<UserRecord>> SqliteStore::list_users() {
  std::lock_guard lock(mu_);
  return select_users("ORDER BY u.username", {}, 0);
}

Status SqliteStore::write_roles(std::int64_t user_id, const std::vector<std::string>& roles) {
  Statement clear(db_, "DELETE FROM user_role WHERE user_id = ?");
  RETURN_IF_ERROR(clear.prepared("更新角色"));
  clear.bind(1, user_id);
  RETURN_IF_ERROR(clear.run("更新角色"));
  Statement add(db_, "INSERT OR IGNORE INTO user_role(user_id, role) VALUES (?, ?)");
  RETURN_IF_ERROR(add.prepared("更新角色"));
  for (const std::string& role : roles) {
    add.reset();
    add.bind(1, user_id);
    add.bind(2, role);
    RETURN_IF_ERROR(add.run("更新角色"));
  }
  return Status::Ok();
}

StatusOr<std::int64_t> SqliteStore::insert_user(const UserRecord& u) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  std::int64_t id = 0;
  {
    Statement taken(db_, "SELECT 1 FROM app_user WHERE username = ?");
    RETURN_IF_ERROR(taken.prepared("检查用户名"));
    taken.bind(1, u.username);
    ASSIGN_OR_RETURN(bool exists, taken.step("检查用户名"));
    if (exists) return AlreadyExists(fmt::format("用户名 {} 已被使用", u.username), "username");
    Statement insert(db_,
                     "INSERT INTO app_user(username, display_name, org_unit_id, password_hash, "
                     "must_change_password, disabled, failed_logins, locked_until, totp_secret, "
                     "created_at, password_changed_at) "
                     "SELECT ?1, ?2, (SELECT id FROM org_unit WHERE code = ?11), ?3, ?4, ?5, ?6, "
                     "?7, ?8, ?9, ?10 "
                     "WHERE ?11 = '' OR EXISTS (SELECT 1 FROM org_unit WHERE code = ?11)");
    RETURN_IF_ERROR(insert.prepared("新增用户"));
    insert.bind(1, u.username);
    insert.bind(2, u.display_name);
    insert.bind(3, u.password_hash);
    insert.bind(4, std::int64_t{u.must_change_password});
    insert.bind(5, std::int64_t{u.disabled});
    insert.bind(6, std::int64_t{u.failed_logins});
    insert.bind(7, u.locked_until);
    insert.bind(8, u.totp_secret);
    insert.bind(9, u.created_at);
    insert.bind(10, u.password_changed_at);
    insert.bind(11, u.org_code);
    RETURN_IF_ERROR(insert.run("新增用户"));
    if (sqlite3_changes(db_) != 1) {
      return NotFound(fmt::format("单位 {} 不存在", u.org_code), "orgUnit", "unknown_org_unit");
    }
    id = sqlite3_last_insert_rowid(db_);
  }
  RETURN_IF_ERROR(write_roles(id, u.roles));
  RETURN_IF_ERROR(tx.commit());
  return id;
}

Status SqliteStore::update_user(const UserRecord& u) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  if (!u.org_code.empty()) {
    Statement exists(db_, "SELECT 1 FROM org_unit WHERE code = ?");
    RETURN_IF_ERROR(exists.prepared("检查单位"));
    exists.bind(1, u.org_code);
    ASSIGN_OR_RETURN(bool found, exists.step("检查单位"));
    if (!found) {
      return NotFound(fmt::format("单位 {} 不存在", u.org_code), "orgUnit", "unknown_org_unit");
    }
  }
  {
    Statement update(db_,
                     "UPDATE app_user SET display_name = ?, "
                     "org_unit_id = (SELECT id FROM org_unit WHERE code = ?), password_hash = ?, "
                     "must_change_password = ?, disabled = ?, failed_logins = ?, locked_until = ?, "
                     "totp_secret = ?, password_changed_at = ? WHERE id = ?");
    RETURN_IF_ERROR(update.prepared("更新用户"));
    update.bind(1, u.display_name);
    update.bind(2, u.org_code);
    update.bind(3, u.password_hash);
    update.bind(4, std::int64_t{u.must_change_password});
    update.bind(5, std::int64_t{u.disabled});
    update.bind(6, std::int64_t{u.failed_logins});
    update.bind(7, u.locked_until);
    update.bind(8, u.totp_secret);
    update.bind(9, u.password_changed_at);
    update.bind(10, u.id);
    RETURN_IF_ERROR(update.run("更新用户"));
    if (sqlite3_changes(db_) != 1) return NotFound("用户不存在", "username", "unknown_user");
  }
  RETURN_IF_ERROR(write_roles(u.id, u.roles));
  return tx.commit();
}

// --- sessions and tokens ------------------------------------------------------

Status SqliteStore::insert_session(const SessionRecord& s) {
  std::lock_guard lock(mu_);
  Statement q(
      db_,
      "INSERT INTO user_session(id_hash, user_id, csrf_token, created_at, last_seen, remote) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  RETURN_IF_ERROR(q.prepared("保存会话"));
  q.bind(1, s.id_hash);
  q.bind(2, s.user_id);
  q.bind(3, s.csrf_token);
  q.bind(4, s.created_at);
  q.bind(5, s.last_seen);
  q.bind(6, s.remote);
  return q.run("保存会话");
}

StatusOr<std::optional<SessionRecord>> SqliteStore::find_session(std::string_view id_hash) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "SELECT id_hash, user_id, csrf_token, created_at, last_seen, remote "
              "FROM user_session WHERE id_hash = ?");
  RETURN_IF_ERROR(q.prepared("读取会话"));
  q.bind(1, id_hash);
  ASSIGN_OR_RETURN(bool row, q.step("读取会话"));
  if (!row) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(
      SessionRecord{q.text(0), q.int64(1), q.text(2), q.int64(3), q.int64(4), q.text(5)});
}

Status SqliteStore::touch_session(std::string_view id_hash, Millis last_seen) {
  std::lock_guard lock(mu_);
  Statement q(db_, "UPDATE user_session SET last_seen = ? WHERE id_hash = ?");
  RETURN_IF_ERROR(q.prepared("更新会话"));
  q.bind(1, last_seen);
  q.bind(2, id_hash);
  return q.run("更新会话");
}

Status SqliteStore::delete_session(std::string_view id_hash) {
  std::lock_guard lock(mu_);
  Statement q(db_, "DELETE FROM user_session WHERE id_hash = ?");
  RETURN_IF_ERROR(q.prepared("删除会话"));
  q.bind(1, id_hash);
  return q.run("删除会话");
}

Status SqliteStore::delete_user_sessions(std::int64_t user_id) {
  std::lock_guard lock(mu_);
  Statement q(db_, "DELETE FROM user_session WHERE user_id = ?");
  RETURN_IF_ERROR(q.prepared("删除会话"));
  q.bind(1, user_id);
  return q.run("删除会话");
}

namespace {

constexpr std::string_view kTokenColumns =
    "SELECT id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at "
    "FROM api_token ";

TokenRecord read_token(const Statement& q) {
  return TokenRecord{q.int64(0), q.int64(1), q.text(2),  q.text(3),
                     q.text(4),  q.int64(5), q.int64(6), q.int64(7)};
}

}  // namespace

StatusOr<std::int64_t> SqliteStore::insert_token(const TokenRecord& t) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO api_token(user_id, name, token_hash, prefix, created_at) "
              "VALUES (?, ?, ?, ?, ?)");
  RETURN_IF_ERROR(q.prepared("保存令牌"));
  q.bind(1, t.user_id);
  q.bind(2, t.name);
  q.bind(3, t.token_hash);
  q.bind(4, t.prefix);
  q.bind(5, t.created_at);
  RETURN_IF_ERROR(q.run("保存令牌"));
  return sqlite3_last_insert_rowid(db_);
}

StatusOr<std::optional<TokenRecord>> SqliteStore::find_token(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kTokenColumns) + "WHERE token_hash = ?");
  RETURN_IF_ERROR(q.prepared("读取令牌"));
  q.bind(1, token_hash);
  ASSIGN_OR_RETURN(bool row, q.step("读取令牌"));
  if (!row) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(read_token(q));
}

StatusOr<std::vector<TokenRecord>> SqliteStore::list_tokens(std::int64_t user_id) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kTokenColumns) + "WHERE user_id = ? ORDER BY id");
  RETURN_IF_ERROR(q.prepared("读取令牌"));
  q.bind(1, user_id);
  std::vector<TokenRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取令牌"));
    if (!row) break;
    out.push_back(read_token(q));
  }
  return out;
}

Status SqliteStore::touch_token(std::int64_t id, Millis last_used) {
  std::lock_guard lock(mu_);
  Statement q(db_, "UPDATE api_token SET last_used_at = ? WHERE id = ?");
  RETURN_IF_ERROR(q.prepared("更新令牌"));
  q.bind(1, last_used);
  q.bind(2, id);
  return q.run("更新令牌");
}

Status SqliteStore::revoke_token(std::int64_t user_id, std::int64_t id, Millis at) {
  std::lock_guard lock(mu_);
  Statement q(
      db_, "UPDATE api_token SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = 0");
  RETURN_IF_ERROR(q.prepared("吊销令牌"));
  q.bind(1, at);
  q.bind(2, id);
  q.bind(3, user_id);
  RETURN_IF_ERROR(q.run("吊销令牌"));
  if (sqlite3_changes(db_) != 1) return NotFound("令牌不存在或已吊销", "id", "unknown_token");
  return Status::Ok();
}

// --- audit log -------------------------------------------------------------

namespace {

constexpr std::string_view kAuditColumns =
    "SELECT id, at, username, org_code, remote, action, object, outcome, detail, prev_hash, hash "
    "FROM audit_log ";

AuditRecord read_audit(const Statement& q) {
  return AuditRecord{q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.text(5),
                     q.text(6),  q.text(7),  q.text(8), q.text(9), q.text(10)};
}

}  // namespace

StatusOr<AuditRecord> SqliteStore::append_audit(AuditRecord record) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  {
    Statement last(db_, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    RETURN_IF_ERROR(last.prepared("读取审计日志"));
    ASSIGN_OR_RETURN(bool row, last.step("读取审计日志"));
    record.id = row ? last.int64(0) + 1 : 1;
    record.prev_hash = row ? last.text(1) : std::string(kAuditGenesis);
  }
  record.hash = audit_record_hash(record);
  {
    Statement insert(db_,
                     "INSERT INTO audit_log(id, at, username, org_code, remote, action, object, "
                     "outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    RETURN_IF_ERROR(insert.prepared("写审计日志"));
    insert.bind(1, record.id);
    insert.bind(2, record.at);
    insert.bind(3, record.username);
    insert.bind(4, record.org_code);
    insert.bind(5, record.remote);
    insert.bind(6, record.action);
    insert.bind(7, record.object);
    insert.bind(8, record.outcome);
    insert.bind(9, record.detail);
    insert.bind(10, record.prev_hash);
    insert.bind(11, record.hash);
    RETURN_IF_ERROR(insert.run("写审计日志"));
  }
  RETURN_IF_ERROR(tx.commit());
  return record;
}

StatusOr<std::vector<AuditRecord>> SqliteStore::query_audit(const AuditFilter& f) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kAuditColumns) +
                       "WHERE at >= ? AND (? = 0 OR at <= ?) AND (? = '' OR username = ?) "
                       "AND (? = '' OR substr(action, 1, length(?)) = ?) AND (? = 0 OR id < ?) "
                       "ORDER BY id DESC LIMIT ?");
  RETURN_IF_ERROR(q.prepared("查询审计日志"));
  q.bind(1, f.from);
  q.bind(2, f.to);
  q.bind(3, f.to);
  q.bind(4, f.username);
  q.bind(5, f.username);
  q.bind(6, f.action);
  q.bind(7, f.action);
  q.bind(8, f.action);
  q.bind(9, f.before_id);
  q.bind(10, f.before_id);
  q.bind(11, static_cast<std::int64_t>(f.limit));
  std::vector<AuditRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("查询审计日志"));
    if (!row) break;
    out.push_back(read_audit(q));
  }
  return out;
}

Status SqliteStore::scan_audit(const std::function<bool(const AuditRecord&)>& visit) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kAuditColumns) + "ORDER BY id");
  RETURN_IF_ERROR(q.prepared("读取审计日志"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取审计日志"));
    if (!row || !visit(read_audit(q))) break;
  }
  return Status::Ok();
}

// --- contacts --------------------------------------------------------------

namespace {

constexpr std::string_view kContactColumns =
    "SELECT c.id, o.code, c.name, c.title, c.mobile, c.office_phone, c.email, c.note "
    "FROM contact c JOIN org_unit o ON o.id = c.org_unit_id ";

ContactRecord read_contact(const Statement& q) {
  return ContactRecord{q.int64(0), q.text(1), q.text(2), q.text(3),
                       q.text(4),  q.text(5), q.text(6), q.text(7)};
}

}  // namespace

StatusOr<std::vector<ContactRecord>> SqliteStore::list_contacts() {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kContactColumns) + "ORDER BY o.code, c.id");
  RETURN_IF_ERROR(q.prepared("读取通讯录"));
  std::vector<ContactRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取通讯录"));
    if (!row) break;
    out.push_back(read_contact(q));
  }
  return out;
}

StatusOr<std::optional<ContactRecord>> SqliteStore::find_contact(std::int64_t id) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kContactColumns) + "WHERE c.id = ?");
  RETURN_IF_ERROR(q.prepared("读取通讯录"));
  q.bind(1, id);
  ASSIGN_OR_RETURN(bool row, q.step("读取通讯录"));
  if (!row) return std::optional<ContactRecord>();
  return std::optional<ContactRecord>(read_contact(q));
}

StatusOr<std::int64_t> SqliteStore::insert_contact(const ContactRecord& c) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO contact(org_unit_id, name, title, mobile, office_phone, email, note) "
              "SELECT id, ?, ?, ?, ?, ?, ? FROM org_unit WHERE code = ?");
  RETURN_IF_ERROR(q.prepared("新增联系人"));
  q.bind(1, c.name);
  q.bind(2, c.title);
  q.bind(3, c.mobile);
  q.bind(4, c.office_phone);
  q.bind(5, c.email);
  q.bind(6, c.note);
  q.bind(7, c.org_code);
  RETURN_IF_ERROR(q.run("新增联系人"));
  if (sqlite3_changes(db_) != 1) {
    return NotFound(fmt::format("单位 {} 不存在", c.org_code), "orgUnit", "unknown_org_unit");
  }
  return sqlite3_last_insert_rowid(db_);
}

Status SqliteStore::update_contact(const ContactRecord& c) {
  std::lock_guard lock(mu_);
  Statement q(
      db_,
      "UPDATE contact SET org_unit_id = (SELECT id FROM org_unit WHERE code = ?), name = ?, "
      "title = ?, mobile = ?, office_phone = ?, email = ?, note = ? WHERE id = ?");
  RETURN_IF_ERROR(q.prepared("更新联系人"));
  q.bind(1, c.org_code);
  q.bind(2, c.name);
  q.bind(3, c.title);
  q.bind(4, c.mobile);
  q.bind(5, c.office_phone);
  q.bind(6, c.email);
  q.bind(7, c.note);
  q.bind(8, c.id);
  RETURN_IF_ERROR(q.run("更新联系人"));
  if (sqlite3_changes(db_) != 1) return NotFound("联系人不存在", "id", "unknown_contact");
  return Status::Ok();
}

Status SqliteStore::delete_contact(std::int64_t id) {
  std::lock_guard lock(mu_);
  Statement q(db_, "DELETE FROM contact WHERE id = ?");
  RETURN_IF_ERROR(q.prepared("删除联系人"));
  q.bind(1, id);
  RETURN_IF_ERROR(q.run("删除联系人"));
  if (sqlite3_changes(db_) != 1) return NotFound("联系人不存在", "id", "unknown_contact");
  return Status::Ok();
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
