#include "store/postgres_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/text.h"
#include "store/postgres_migrations.h"

namespace tianbao::store {

using pg_detail::Params;
using pg_detail::Rows;
using pg_detail::Transaction;

namespace {

using model::join;
using model::split;

// Connections per store: enough for a node's request threads to read in
// parallel; value writes are serialised anyway (kValuesLock).
constexpr std::size_t kPoolSize = 4;
// Advisory lock keys (pg_advisory_xact_lock), fixed for every node.
constexpr std::int64_t kMigrationLock = 0x7462'0001;

}  // namespace

PostgresStore::PostgresStore(const std::string& conninfo) : pool_(conninfo, kPoolSize) {}

StatusOr<std::unique_ptr<Store>> PostgresStore::open(const std::string& url) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(url));
  RETURN_IF_ERROR(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

Status PostgresStore::migrate() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  for (const PostgresMigration& m : postgres_migrations()) {
    Transaction tx(*c);
    RETURN_IF_ERROR(tx.begin());
    // Two processes starting at once: the second waits here, then finds
    // the migration recorded.
    RETURN_IF_ERROR(
        c->run("SELECT pg_advisory_xact_lock($1)", Params().num(kMigrationLock), "数据库迁移")
            .status());
    RETURN_IF_ERROR(
        c->script("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                  "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                  "创建迁移记录表"));
    ASSIGN_OR_RETURN(Rows applied, c->run("SELECT 1 FROM schema_migrations WHERE version = $1",
                                          Params().num(m.version), "读取迁移记录"));
    if (!applied.empty()) continue;
    RETURN_IF_ERROR(c->script(m.sql, fmt::format("数据库迁移 {}", m.version)));
    RETURN_IF_ERROR(c->run("INSERT INTO schema_migrations(version, name) VALUES ($1, $2)",
                           Params().num(m.version).text(m.name), "记录迁移")
                        .status());
    RETURN_IF_ERROR(tx.commit());
  }
  return Status::Ok();
}

StatusOr<int> PostgresStore::schema_version() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r, c->run("SELECT coalesce(max(version), 0) FROM schema_migrations", "读取迁移版本"));
  return static_cast<int>(r.int64(0, 0));
}

// --- org units -----------------------------------------------------------------

StatusOr<std::vector<model::OrgUnit>> PostgresStore::load_org_units() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run("SELECT u.code, u.name, u.level, u.kind, coalesce(p.code, '') "
                                  "FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id",
                                  "读取单位"));
  std::vector<model::OrgUnit> out;
  out.reserve(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSIGN_OR_RETURN(model::OrgUnitKind kind, model::parse_kind(r.view(i, 3)));
    out.push_back(model::OrgUnit{r.text(i, 0), r.text(i, 1), static_cast<int>(r.int64(i, 2)), kind,
                                 r.text(i, 4)});
  }
  return out;
}

StatusOr<UpsertSummary> PostgresStore::upsert_org_units(std::span<const model::OrgUnit> units) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  // The whole country is 700k units: they go in with one COPY and three
  // set-based statements; a later duplicate of a code wins, as it would
  // one row at a time.
  RETURN_IF_ERROR(c->script(
      "CREATE TEMP TABLE org_stage (ord BIGINT, code TEXT, name TEXT, level INTEGER, kind TEXT, "
      "parent_code TEXT) ON COMMIT DROP",
      "写入单位"));
  std::string data;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const model::OrgUnit& u = units[i];
    data += std::to_string(i);
    data += '\t';
    pg_detail::append_copy_field(data, u.code);
    data += '\t';
    pg_detail::append_copy_field(data, u.name);
    data += fmt::format("\t{}\t{}\t", u.level, model::kind_name(u.kind));
    pg_detail::append_copy_field(data, u.parent_code);
    data += '\n';
  }
  RETURN_IF_ERROR(c->copy_in("COPY org_stage FROM STDIN", data, "写入单位"));
  RETURN_IF_ERROR(c->script("ANALYZE org_stage", "写入单位"));  // plan the joins for its size
  ASSIGN_OR_RETURN(
      Rows orphan,
      c->run("SELECT s.code, s.parent_code FROM org_stage s WHERE s.parent_code <> '' "
             "AND NOT EXISTS (SELECT 1 FROM org_stage p WHERE p.code = s.parent_code) "
             "AND NOT EXISTS (SELECT 1 FROM org_unit p WHERE p.code = s.parent_code) LIMIT 1",
             "写入单位"));
  if (!orphan.empty()) {
    return NotFound(fmt::format("单位 {} 的上级 {} 不存在", orphan.view(0, 0), orphan.view(0, 1)),
                    "parent", "unknown_parent");
  }
  ASSIGN_OR_RETURN(Rows fresh, c->run("SELECT count(DISTINCT s.code) FROM org_stage s WHERE NOT "
                                      "EXISTS (SELECT 1 FROM org_unit u WHERE u.code = s.code)",
                                      "写入单位"));
  RETURN_IF_ERROR(c->script(
      "CREATE TEMP TABLE org_last ON COMMIT DROP AS SELECT DISTINCT ON (code) code, name, level, "
      "kind, parent_code FROM org_stage ORDER BY code, ord DESC; "
      "INSERT INTO org_unit(code, name, level, kind) SELECT code, name, level, kind FROM org_last "
      "ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, "
      "kind = excluded.kind; "
      "UPDATE org_unit u SET parent_id = p.id FROM org_last s LEFT JOIN org_unit p "
      "ON p.code = s.parent_code WHERE u.code = s.code AND u.parent_id IS DISTINCT FROM p.id",
      "写入单位"));
  RETURN_IF_ERROR(tx.commit());
  UpsertSummary summary;
  summary.inserted = static_cast<std::size_t>(fresh.int64(0, 0));
  summary.updated = units.size() - summary.inserted;
  return summary;
}

Status PostgresStore::insert_org_unit(const model::OrgUnit& unit) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(Rows taken, c->run("SELECT 1 FROM org_unit WHERE code = $1",
                                      Params().text(unit.code), "检查单位代码"));
  if (!taken.empty()) return AlreadyExists(fmt::format("单位代码 {} 已存在", unit.code), "code");
  ASSIGN_OR_RETURN(std::int64_t added,
                   c->change("INSERT INTO org_unit(code, name, level, kind, parent_id) "
                             "SELECT $1, $2, $3::integer, $4, id FROM org_unit WHERE code = $5",
                             Params()
                                 .text(unit.code)
                                 .text(unit.name)
                                 .num(unit.level)
                                 .text(model::kind_name(unit.kind))
                                 .text(unit.parent_code),
                             "新增单位"));
  if (added != 1) {
    return NotFound(fmt::format("上级单位 {} 不存在", unit.parent_code), "parent",
                    "unknown_parent");
  }
  return tx.commit();
}

// --- users -----------------------------------------------------------------------

namespace {

constexpr std::string_view kUserColumns =
    "SELECT u.id, u.username, u.display_name, coalesce(o.code, ''), u.password_hash, "
    "u.must_change_password, u.disabled, u.failed_logins, u.locked_until, u.totp_secret, "
    "u.created_at, u.password_changed_at, coalesce((SELECT string_agg(role, ',' ORDER BY role) "
    "FROM user_role r WHERE r.user_id = u.id), '') "
    "FROM app_user u LEFT JOIN org_unit o ON o.id = u.org_unit_id ";

}  // namespace

StatusOr<std::vector<UserRecord>> PostgresStore::select_users(Connection& c, std::string_view where,
                                                              const Params& params) {
  ASSIGN_OR_RETURN(Rows r,
                   c.run(std::string(kUserColumns) + std::string(where), params, "读取用户"));
  std::vector<UserRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    UserRecord u;
    u.id = r.int64(i, 0);
    u.username = r.text(i, 1);
    u.display_name = r.text(i, 2);
    u.org_code = r.text(i, 3);
    u.password_hash = r.text(i, 4);
    u.must_change_password = r.boolean(i, 5);
    u.disabled = r.boolean(i, 6);
    u.failed_logins = static_cast<int>(r.int64(i, 7));
    u.locked_until = r.int64(i, 8);
    u.totp_secret = r.text(i, 9);
    u.created_at = r.int64(i, 10);
    u.password_changed_at = r.int64(i, 11);
    u.roles = split(r.view(i, 12), ',');
    out.push_back(std::move(u));
  }
  return out;
}

StatusOr<std::optional<UserRecord>> PostgresStore::find_user(std::string_view username) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(auto users, select_users(*c, "WHERE u.username = $1", Params().text(username)));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users.front()));
}

StatusOr<std::optional<UserRecord>> PostgresStore::find_user_by_id(std::int64_t id) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(auto users, select_users(*c, "WHERE u.id = $1", Params().num(id)));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users.front()));
}

StatusOr<std::vector<UserRecord>> PostgresStore::list_users() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return select_users(*c, "ORDER BY u.username", Params());
}

Status PostgresStore::write_roles(Connection& c, std::int64_t user_id,
                                  const std::vector<std::string>& roles) {
  RETURN_IF_ERROR(
      c.run("DELETE FROM user_role WHERE user_id = $1", Params().num(user_id), "更新角色")
          .status());
  return c
      .run(
          "INSERT INTO user_role(user_id, role) SELECT $1::bigint, unnest($2::text[]) "
          "ON CONFLICT DO NOTHING",
          Params().num(user_id).text_array(roles), "更新角色")
      .status();
}

StatusOr<std::int64_t> PostgresStore::insert_user(const UserRecord& u) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(Rows taken, c->run("SELECT 1 FROM app_user WHERE username = $1",
                                      Params().text(u.username), "检查用户名"));
  if (!taken.empty()) {
    return AlreadyExists(fmt::format("用户名 {} 已被使用", u.username), "username");
  }
  ASSIGN_OR_RETURN(
      Rows inserted,
      c->run("INSERT INTO app_user(username, display_name, org_unit_id, password_hash, "
             "must_change_password, disabled, failed_logins, locked_until, totp_secret, "
             "created_at, password_changed_at) "
             "SELECT $1, $2, (SELECT id FROM org_unit WHERE code = $11::text), $3, $4::boolean, "
             "$5::boolean, $6::integer, $7::bigint, $8, $9::bigint, $10::bigint WHERE $11::text = "
             "'' OR EXISTS "
             "(SELECT 1 FROM org_unit WHERE code = $11::text) RETURNING id",
             Params()
                 .text(u.username)
                 .text(u.display_name)
                 .text(u.password_hash)
                 .num(u.must_change_password)
                 .num(u.disabled)
                 .num(u.failed_logins)
                 .num(u.locked_until)
                 .text(u.totp_secret)
                 .num(u.created_at)
                 .num(u.password_changed_at)
                 .text(u.org_code),
             "新增用户"));
  if (inserted.empty()) {
    return NotFound(fmt::format("单位 {} 不存在", u.org_code), "orgUnit", "unknown_org_unit");
  }
  const std::int64_t id = inserted.int64(0, 0);
  RETURN_IF_ERROR(write_roles(*c, id, u.roles));
  RETURN_IF_ERROR(tx.commit());
  return id;
}

Status PostgresStore::update_user(const UserRecord& u) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  if (!u.org_code.empty()) {
    ASSIGN_OR_RETURN(Rows found, c->run("SELECT 1 FROM org_unit WHERE code = $1",
                                        Params().text(u.org_code), "检查单位"));
    if (found.empty()) {
      return NotFound(fmt::format("单位 {} 不存在", u.org_code), "orgUnit", "unknown_org_unit");
    }
  }
  ASSIGN_OR_RETURN(
      std::int64_t changed,
      c->change("UPDATE app_user SET display_name = $1, "
                "org_unit_id = (SELECT id FROM org_unit WHERE code = $2), password_hash = $3, "
                "must_change_password = $4, disabled = $5, failed_logins = $6, "
                "locked_until = $7, totp_secret = $8, password_changed_at = $9 WHERE id = $10",
                Params()
                    .text(u.display_name)
                    .text(u.org_code)
                    .text(u.password_hash)
                    .num(u.must_change_password)
                    .num(u.disabled)
                    .num(u.failed_logins)
                    .num(u.locked_until)
                    .text(u.totp_secret)
                    .num(u.password_changed_at)
                    .num(u.id),
                "更新用户"));
  if (changed != 1) return NotFound("用户不存在", "username", "unknown_user");
  RETURN_IF_ERROR(write_roles(*c, u.id, u.roles));
  return tx.commit();
}

// --- sessions and tokens -----------------------------------------------------------

Status PostgresStore::insert_session(const SessionRecord& s) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c
      ->run(
          "INSERT INTO user_session(id_hash, user_id, csrf_token, created_at, last_seen, "
          "remote) VALUES ($1, $2, $3, $4, $5, $6)",
          Params()
              .text(s.id_hash)
              .num(s.user_id)
              .text(s.csrf_token)
              .num(s.created_at)
              .num(s.last_seen)
              .text(s.remote),
          "保存会话")
      .status();
}

StatusOr<std::optional<SessionRecord>> PostgresStore::find_session(std::string_view id_hash) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run("SELECT id_hash, user_id, csrf_token, created_at, last_seen, "
                                  "remote FROM user_session WHERE id_hash = $1",
                                  Params().text(id_hash), "读取会话"));
  if (r.empty()) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(SessionRecord{r.text(0, 0), r.int64(0, 1), r.text(0, 2),
                                                    r.int64(0, 3), r.int64(0, 4), r.text(0, 5)});
}

Status PostgresStore::touch_session(std::string_view id_hash, Millis last_seen) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c
      ->run("UPDATE user_session SET last_seen = $1 WHERE id_hash = $2",
            Params().num(last_seen).text(id_hash), "更新会话")
      .status();
}

Status PostgresStore::delete_session(std::string_view id_hash) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c->run("DELETE FROM user_session WHERE id_hash = $1", Params().text(id_hash), "删除会话")
      .status();
}

Status PostgresStore::delete_user_sessions(std::int64_t user_id) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c->run("DELETE FROM user_session WHERE user_id = $1", Params().num(user_id), "删除会话")
      .status();
}

namespace {

constexpr std::string_view kTokenColumns =
    "SELECT id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at "
    "FROM api_token ";

TokenRecord read_token(const Rows& r, std::size_t i) {
  return TokenRecord{r.int64(i, 0), r.int64(i, 1), r.text(i, 2),  r.text(i, 3),
                     r.text(i, 4),  r.int64(i, 5), r.int64(i, 6), r.int64(i, 7)};
}

}  // namespace

StatusOr<std::int64_t> PostgresStore::insert_token(const TokenRecord& t) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r,
      c->run(
          "INSERT INTO api_token(user_id, name, token_hash, prefix, "
          "created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
          Params().num(t.user_id).text(t.name).text(t.token_hash).text(t.prefix).num(t.created_at),
          "保存令牌"));
  return r.int64(0, 0);
}

StatusOr<std::optional<TokenRecord>> PostgresStore::find_token(std::string_view token_hash) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kTokenColumns) + "WHERE token_hash = $1",
                                  Params().text(token_hash), "读取令牌"));
  if (r.empty()) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(read_token(r, 0));
}

StatusOr<std::vector<TokenRecord>> PostgresStore::list_tokens(std::int64_t user_id) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kTokenColumns) + "WHERE user_id = $1 ORDER BY id",
                                  Params().num(user_id), "读取令牌"));
  std::vector<TokenRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_token(r, i));
  return out;
}

Status PostgresStore::touch_token(std::int64_t id, Millis last_used) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c
      ->run("UPDATE api_token SET last_used_at = $1 WHERE id = $2", Params().num(last_used).num(id),
            "更新令牌")
      .status();
}

Status PostgresStore::revoke_token(std::int64_t user_id, std::int64_t id, Millis at) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t changed,
                   c->change("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND "
                             "user_id = $3 AND revoked_at = 0",
                             Params().num(at).num(id).num(user_id), "吊销令牌"));
  if (changed != 1) return NotFound("令牌不存在或已吊销", "id", "unknown_token");
  return Status::Ok();
}

// --- settings ------------------------------------------------------------------------

StatusOr<std::optional<std::string>> PostgresStore::get_setting(std::string_view key) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r, c->run("SELECT value FROM setting WHERE key = $1", Params().text(key), "读取设置"));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.text(0, 0));
}

Status PostgresStore::set_setting(std::string_view key, std::string_view value) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c
      ->run(
          "INSERT INTO setting(key, value) VALUES ($1, $2) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          Params().text(key).text(value), "保存设置")
      .status();
}

}  // namespace tianbao::store
