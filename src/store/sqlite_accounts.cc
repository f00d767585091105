// The SQLite backend's AccountStore: users with their roles, sessions, API tokens.
#include <algorithm>

#include <fmt/format.h>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

constexpr std::string_view kUserColumns =
    "SELECT u.id, u.username, u.display_name, coalesce(o.code, ''), u.password_hash, "
    "u.must_change_password, "
    "u.disabled, u.failed_logins, u.locked_until, u.totp_secret, u.created_at, "
    "u.password_changed_at, coalesce((SELECT group_concat(role, ',') FROM user_role r "
    "WHERE r.user_id = u.id), '') FROM app_user u LEFT JOIN org_unit o ON o.id = u.org_unit_id ";

UserRecord read_user(const Statement& q) {
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
  u.roles = split(q.text(12), ',');
  std::sort(u.roles.begin(), u.roles.end());
  return u;
}

constexpr std::string_view kTokenColumns =
    "SELECT id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at "
    "FROM api_token ";

TokenRecord read_token(const Statement& q) {
  return TokenRecord{q.int64(0), q.int64(1), q.text(2),  q.text(3),
                     q.text(4),  q.int64(5), q.int64(6), q.int64(7)};
}

SessionRecord read_session(const Statement& q) {
  return SessionRecord{q.text(0), q.int64(1), q.text(2), q.int64(3), q.int64(4), q.text(5)};
}

Status unknown_unit(const std::string& code) {
  return NotFound(fmt::format("单位 {} 不存在", code), "orgUnit", "unknown_org_unit");
}

}  // namespace

// --- users -----------------------------------------------------------------

StatusOr<std::optional<UserRecord>> SqliteStore::find_user(std::string_view username) {
  std::lock_guard lock(mu_);
  return select_first(db_, std::string(kUserColumns) + "WHERE u.username = ?", "读取用户",
                      read_user, username);
}

StatusOr<std::optional<UserRecord>> SqliteStore::find_user_by_id(std::int64_t id) {
  std::lock_guard lock(mu_);
  return select_first(db_, std::string(kUserColumns) + "WHERE u.id = ?", "读取用户", read_user, id);
}

StatusOr<std::vector<UserRecord>> SqliteStore::list_users() {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kUserColumns) + "ORDER BY u.username", "读取用户", read_user);
}

Status SqliteStore::write_roles(std::int64_t user_id, const std::vector<std::string>& roles) {
  RETURN_IF_ERROR(
      run(db_, "DELETE FROM user_role WHERE user_id = ?", "更新角色", user_id).status());
  Statement add(db_, "INSERT OR IGNORE INTO user_role(user_id, role) VALUES (?, ?)");
  RETURN_IF_ERROR(add.prepared("更新角色"));
  for (const std::string& role : roles) {
    add.reset();
    bind_all(add, user_id, role);
    RETURN_IF_ERROR(add.run("更新角色"));
  }
  return Status::Ok();
}

StatusOr<std::int64_t> SqliteStore::insert_user(const UserRecord& u) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(bool taken, exists(db_, "SELECT 1 FROM app_user WHERE username = ?",
                                      "检查用户名", u.username));
  if (taken) return AlreadyExists(fmt::format("用户名 {} 已被使用", u.username), "username");
  RETURN_IF_ERROR(
      run_one(db_,
              "INSERT INTO app_user(username, display_name, org_unit_id, password_hash, "
              "must_change_password, disabled, failed_logins, locked_until, totp_secret, "
              "created_at, password_changed_at) "
              "SELECT ?1, ?2, (SELECT id FROM org_unit WHERE code = ?11), ?3, ?4, ?5, ?6, "
              "?7, ?8, ?9, ?10 "
              "WHERE ?11 = '' OR EXISTS (SELECT 1 FROM org_unit WHERE code = ?11)",
              "新增用户", unknown_unit(u.org_code), u.username, u.display_name, u.password_hash,
              u.must_change_password, u.disabled, u.failed_logins, u.locked_until, u.totp_secret,
              u.created_at, u.password_changed_at, u.org_code));
  const std::int64_t id = sqlite3_last_insert_rowid(db_);
  RETURN_IF_ERROR(write_roles(id, u.roles));
  RETURN_IF_ERROR(tx.commit());
  return id;
}

Status SqliteStore::update_user(const UserRecord& u) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  if (!u.org_code.empty()) {
    ASSIGN_OR_RETURN(bool found,
                     exists(db_, "SELECT 1 FROM org_unit WHERE code = ?", "检查单位", u.org_code));
    if (!found) return unknown_unit(u.org_code);
  }
  RETURN_IF_ERROR(run_one(db_,
                          "UPDATE app_user SET display_name = ?, "
                          "org_unit_id = (SELECT id FROM org_unit WHERE code = ?), "
                          "password_hash = ?, must_change_password = ?, disabled = ?, "
                          "failed_logins = ?, locked_until = ?, totp_secret = ?, "
                          "password_changed_at = ? WHERE id = ?",
                          "更新用户", NotFound("用户不存在", "username", "unknown_user"),
                          u.display_name, u.org_code, u.password_hash, u.must_change_password,
                          u.disabled, u.failed_logins, u.locked_until, u.totp_secret,
                          u.password_changed_at, u.id));
  RETURN_IF_ERROR(write_roles(u.id, u.roles));
  return tx.commit();
}

// --- sessions and tokens ------------------------------------------------------

Status SqliteStore::insert_session(const SessionRecord& s) {
  std::lock_guard lock(mu_);
  return run(db_,
             "INSERT INTO user_session(id_hash, user_id, csrf_token, created_at, last_seen, "
             "remote) VALUES (?, ?, ?, ?, ?, ?)",
             "保存会话", s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen, s.remote)
      .status();
}

StatusOr<std::optional<SessionRecord>> SqliteStore::find_session(std::string_view id_hash) {
  std::lock_guard lock(mu_);
  return select_first(db_,
                      "SELECT id_hash, user_id, csrf_token, created_at, last_seen, remote "
                      "FROM user_session WHERE id_hash = ?",
                      "读取会话", read_session, id_hash);
}

Status SqliteStore::touch_session(std::string_view id_hash, Millis last_seen) {
  std::lock_guard lock(mu_);
  return run(db_, "UPDATE user_session SET last_seen = ? WHERE id_hash = ?", "更新会话", last_seen,
             id_hash)
      .status();
}

Status SqliteStore::delete_session(std::string_view id_hash) {
  std::lock_guard lock(mu_);
  return run(db_, "DELETE FROM user_session WHERE id_hash = ?", "删除会话", id_hash).status();
}

Status SqliteStore::delete_user_sessions(std::int64_t user_id) {
  std::lock_guard lock(mu_);
  return run(db_, "DELETE FROM user_session WHERE user_id = ?", "删除会话", user_id).status();
}

StatusOr<std::int64_t> SqliteStore::insert_token(const TokenRecord& t) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(run(db_,
                      "INSERT INTO api_token(user_id, name, token_hash, prefix, created_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      "保存令牌", t.user_id, t.name, t.token_hash, t.prefix, t.created_at)
                      .status());
  return sqlite3_last_insert_rowid(db_);
}

StatusOr<std::optional<TokenRecord>> SqliteStore::find_token(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  return select_first(db_, std::string(kTokenColumns) + "WHERE token_hash = ?", "读取令牌",
                      read_token, token_hash);
}

StatusOr<std::vector<TokenRecord>> SqliteStore::list_tokens(std::int64_t user_id) {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kTokenColumns) + "WHERE user_id = ? ORDER BY id", "读取令牌",
                    read_token, user_id);
}

Status SqliteStore::touch_token(std::int64_t id, Millis last_used) {
  std::lock_guard lock(mu_);
  return run(db_, "UPDATE api_token SET last_used_at = ? WHERE id = ?", "更新令牌", last_used, id)
      .status();
}

Status SqliteStore::revoke_token(std::int64_t user_id, std::int64_t id, Millis at) {
  std::lock_guard lock(mu_);
  return run_one(
      db_, "UPDATE api_token SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = 0",
      "吊销令牌", NotFound("令牌不存在或已吊销", "id", "unknown_token"), at, id, user_id);
}

}  // namespace tianbao::store
