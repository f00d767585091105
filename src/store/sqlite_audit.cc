// The SQLite backend's AuditStore (the chained audit log) and ContactStore.
#include <fmt/format.h>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

constexpr std::string_view kAuditColumns =
    "SELECT id, at, username, org_code, remote, action, object, outcome, detail, prev_hash, hash "
    "FROM audit_log ";

AuditRecord read_audit(const Statement& q) {
  return AuditRecord{q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.text(5),
                     q.text(6),  q.text(7),  q.text(8), q.text(9), q.text(10)};
}

constexpr std::string_view kContactColumns =
    "SELECT c.id, o.code, c.name, c.title, c.mobile, c.office_phone, c.email, c.note "
    "FROM contact c JOIN org_unit o ON o.id = c.org_unit_id ";

ContactRecord read_contact(const Statement& q) {
  return ContactRecord{q.int64(0), q.text(1), q.text(2), q.text(3),
                       q.text(4),  q.text(5), q.text(6), q.text(7)};
}

Status unknown_contact() {
  return NotFound("联系人不存在", "id", "unknown_contact");
}

}  // namespace

// --- audit log -------------------------------------------------------------

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
  RETURN_IF_ERROR(run(db_,
                      "INSERT INTO audit_log(id, at, username, org_code, remote, action, object, "
                      "outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "写审计日志", record.id, record.at, record.username, record.org_code,
                      record.remote, record.action, record.object, record.outcome, record.detail,
                      record.prev_hash, record.hash)
                      .status());
  RETURN_IF_ERROR(tx.commit());
  return record;
}

StatusOr<std::vector<AuditRecord>> SqliteStore::query_audit(const AuditFilter& f) {
  std::lock_guard lock(mu_);
  return select_all(db_,
                    std::string(kAuditColumns) +
                        "WHERE at >= ?1 AND (?2 = 0 OR at <= ?2) AND (?3 = '' OR username = ?3) "
                        "AND (?4 = '' OR substr(action, 1, length(?4)) = ?4) "
                        "AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?6",
                    "查询审计日志", read_audit, f.from, f.to, f.username, f.action, f.before_id,
                    f.limit);
}

Status SqliteStore::scan_audit(const std::function<bool(const AuditRecord&)>& visit) {
  std::lock_guard lock(mu_);
  Statement q(db_, std::string(kAuditColumns) + "ORDER BY id");
  RETURN_IF_ERROR(q.prepared("读取审计日志"));
  return for_each_row(q, "读取审计日志",
                      [&](const Statement& row) { return visit(read_audit(row)); });
}

// --- contacts --------------------------------------------------------------

StatusOr<std::vector<ContactRecord>> SqliteStore::list_contacts() {
  std::lock_guard lock(mu_);
  return select_all(db_, std::string(kContactColumns) + "ORDER BY o.code, c.id", "读取通讯录",
                    read_contact);
}

StatusOr<std::optional<ContactRecord>> SqliteStore::find_contact(std::int64_t id) {
  std::lock_guard lock(mu_);
  return select_first(db_, std::string(kContactColumns) + "WHERE c.id = ?", "读取通讯录",
                      read_contact, id);
}

StatusOr<std::int64_t> SqliteStore::insert_contact(const ContactRecord& c) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(
      run_one(db_,
              "INSERT INTO contact(org_unit_id, name, title, mobile, office_phone, email, note) "
              "SELECT id, ?, ?, ?, ?, ?, ? FROM org_unit WHERE code = ?",
              "新增联系人",
              NotFound(fmt::format("单位 {} 不存在", c.org_code), "orgUnit", "unknown_org_unit"),
              c.name, c.title, c.mobile, c.office_phone, c.email, c.note, c.org_code));
  return sqlite3_last_insert_rowid(db_);
}

Status SqliteStore::update_contact(const ContactRecord& c) {
  std::lock_guard lock(mu_);
  return run_one(db_,
                 "UPDATE contact SET org_unit_id = (SELECT id FROM org_unit WHERE code = ?), "
                 "name = ?, title = ?, mobile = ?, office_phone = ?, email = ?, note = ? "
                 "WHERE id = ?",
                 "更新联系人", unknown_contact(), c.org_code, c.name, c.title, c.mobile,
                 c.office_phone, c.email, c.note, c.id);
}

Status SqliteStore::delete_contact(std::int64_t id) {
  std::lock_guard lock(mu_);
  return run_one(db_, "DELETE FROM contact WHERE id = ?", "删除联系人", unknown_contact(), id);
}

}  // namespace tianbao::store
