// The SQLite backend's bulletin and work-report templates.
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

void bind_bulletin(Statement& q, const BulletinRecord& b) {
  q.bind(1, b.code);
  q.bind(2, b.title);
  q.bind(3, b.kind);
  q.bind(4, b.definition);
  q.bind(5, b.updated_at);
  q.bind(6, b.updated_by);
}

}  // namespace

StatusOr<std::vector<BulletinRecord>> SqliteStore::list_bulletins() {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kBulletinColumns) + "ORDER BY code");
  RETURN_IF_ERROR(q.prepared("读取月报模板"));
  std::vector<BulletinRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step("读取月报模板"));
    if (!row) break;
    out.push_back(read_bulletin(q));
  }
  return out;
}

StatusOr<std::optional<BulletinRecord>> SqliteStore::find_bulletin(std::string_view code) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kBulletinColumns) + "WHERE code = ?");
  RETURN_IF_ERROR(q.prepared("读取月报模板"));
  q.bind(1, code);
  ASSIGN_OR_RETURN(bool row, q.step("读取月报模板"));
  if (!row) return std::optional<BulletinRecord>();
  return std::optional<BulletinRecord>(read_bulletin(q));
}

Status SqliteStore::insert_bulletin(const BulletinRecord& b) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "INSERT INTO bulletin_template(code, title, kind, definition, updated_at, "
              "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING");
  RETURN_IF_ERROR(q.prepared("新增月报模板"));
  bind_bulletin(q, b);
  return change_one(db_, q, "新增月报模板",
                    AlreadyExists(fmt::format("模板代码 {} 已存在", b.code), "code"));
}

Status SqliteStore::update_bulletin(const BulletinRecord& b) {
  std::lock_guard lock(mu_);
  Statement q(db_,
              "UPDATE bulletin_template SET title = ?2, kind = ?3, definition = ?4, "
              "updated_at = ?5, updated_by = ?6 WHERE code = ?1");
  RETURN_IF_ERROR(q.prepared("更新月报模板"));
  bind_bulletin(q, b);
  return change_one(db_, q, "更新月报模板", not_found("模板", b.code, "unknown_bulletin"));
}

Status SqliteStore::delete_bulletin(std::string_view code) {
  std::lock_guard lock(mu_);
  Statement q(db_, "DELETE FROM bulletin_template WHERE code = ?");
  RETURN_IF_ERROR(q.prepared("删除月报模板"));
  q.bind(1, code);
  return change_one(db_, q, "删除月报模板", not_found("模板", code, "unknown_bulletin"));
}

}  // namespace tianbao::store
