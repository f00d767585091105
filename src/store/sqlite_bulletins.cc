// The SQLite backend's BulletinStore: bulletin and work-report templates.
#include <fmt/format.h>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

constexpr std::string_view kBulletinColumns =
    "SELECT code, title, kind, definition, updated_at, updated_by FROM bulletin_template ";

BulletinRecord read_bulletin(const Statement& q) {
  return BulletinRecord{q.text(0), q.text(1), q.text(2), q.text(3), q.int64(4), q.text(5)};
}

// Runs `sql` with a template's columns as ?1 … ?6.
Status write_bulletin(sqlite3* db, std::string_view sql, std::string_view what, Status none,
                      const BulletinRecord& b) {
  return run_one(db, sql, what, std::move(none), b.code, b.title, b.kind, b.definition,
                 b.updated_at, b.updated_by);
}

}  // namespace

StatusOr<std::vector<BulletinRecord>> SqliteStore::list_bulletins() {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kBulletinColumns) + "ORDER BY code", "读取月报模板",
                    read_bulletin);
}

StatusOr<std::optional<BulletinRecord>> SqliteStore::find_bulletin(std::string_view code) {
  std::lock_guard lock(mu_);
  return select_first(db_, std::string(kBulletinColumns) + "WHERE code = ?", "读取月报模板",
                      read_bulletin, code);
}

Status SqliteStore::insert_bulletin(const BulletinRecord& b) {
  std::lock_guard lock(mu_);
  return write_bulletin(db_,
                        "INSERT INTO bulletin_template(code, title, kind, definition, updated_at, "
                        "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING",
                        "新增月报模板",
                        AlreadyExists(fmt::format("模板代码 {} 已存在", b.code), "code"), b);
}

Status SqliteStore::update_bulletin(const BulletinRecord& b) {
  std::lock_guard lock(mu_);
  return write_bulletin(db_,
                        "UPDATE bulletin_template SET title = ?2, kind = ?3, definition = ?4, "
                        "updated_at = ?5, updated_by = ?6 WHERE code = ?1",
                        "更新月报模板", not_found("模板", b.code, "unknown_bulletin"), b);
}

Status SqliteStore::delete_bulletin(std::string_view code) {
  std::lock_guard lock(mu_);
  return run_one(db_, "DELETE FROM bulletin_template WHERE code = ?", "删除月报模板",
                 not_found("模板", code, "unknown_bulletin"), code);
}

}  // namespace tianbao::store
