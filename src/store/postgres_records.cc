// The PostgreSQL backend's audit log, address book, bulletin templates and
// notices.
#include <fmt/format.h>

#include "store/postgres_store.h"

namespace tianbao::store {

using pg_detail::Params;
using pg_detail::Rows;
using pg_detail::Transaction;

namespace {

// Taken by every append, so that nodes appending at once chain their
// records one after another.
constexpr std::int64_t kAuditLock = 0x7462'0002;

constexpr std::string_view kAuditColumns =
    "SELECT id, at, username, org_code, remote, action, object, outcome, detail, prev_hash, hash "
    "FROM audit_log ";

AuditRecord read_audit(const Rows& r, std::size_t i) {
  return AuditRecord{r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.text(i, 3),
                     r.text(i, 4),  r.text(i, 5),  r.text(i, 6), r.text(i, 7),
                     r.text(i, 8),  r.text(i, 9),  r.text(i, 10)};
}

}  // namespace

StatusOr<AuditRecord> PostgresStore::append_audit(AuditRecord record) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin(kAuditLock));
  ASSIGN_OR_RETURN(
      Rows last, c->run("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", "读取审计日志"));
  record.id = last.empty() ? 1 : last.int64(0, 0) + 1;
  record.prev_hash = last.empty() ? std::string(kAuditGenesis) : last.text(0, 1);
  record.hash = audit_record_hash(record);
  RETURN_IF_ERROR(c->run("INSERT INTO audit_log(id, at, username, org_code, remote, action, "
                         "object, outcome, detail, prev_hash, hash) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                         Params()
                             .num(record.id)
                             .num(record.at)
                             .text(record.username)
                             .text(record.org_code)
                             .text(record.remote)
                             .text(record.action)
                             .text(record.object)
                             .text(record.outcome)
                             .text(record.detail)
                             .text(record.prev_hash)
                             .text(record.hash),
                         "写审计日志")
                      .status());
  RETURN_IF_ERROR(tx.commit());
  return record;
}

StatusOr<std::vector<AuditRecord>> PostgresStore::query_audit(const AuditFilter& f) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r,
                   c->run(std::string(kAuditColumns) +
                              "WHERE at >= $1 AND ($2::bigint = 0 OR at <= $2::bigint) AND ($3 = "
                              "'' OR username = $3) "
                              "AND ($4 = '' OR left(action, length($4)) = $4) "
                              "AND ($5::bigint = 0 OR id < $5::bigint) ORDER BY id DESC LIMIT $6",
                          Params()
                              .num(f.from)
                              .num(f.to)
                              .text(f.username)
                              .text(f.action)
                              .num(f.before_id)
                              .num(static_cast<std::int64_t>(f.limit)),
                          "查询审计日志"));
  std::vector<AuditRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_audit(r, i));
  return out;
}

Status PostgresStore::scan_audit(const std::function<bool(const AuditRecord&)>& visit) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  // In pages by id, so a long log is never held in memory whole.
  constexpr std::int64_t kPage = 10000;
  std::int64_t after = 0;
  while (true) {
    ASSIGN_OR_RETURN(Rows r,
                     c->run(std::string(kAuditColumns) + "WHERE id > $1 ORDER BY id LIMIT $2",
                            Params().num(after).num(kPage), "读取审计日志"));
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (!visit(read_audit(r, i))) return Status::Ok();
    }
    if (r.size() < static_cast<std::size_t>(kPage)) return Status::Ok();
    after = r.int64(r.size() - 1, 0);
  }
}

// --- contacts ----------------------------------------------------------------------

namespace {

constexpr std::string_view kContactColumns =
    "SELECT c.id, o.code, c.name, c.title, c.mobile, c.office_phone, c.email, c.note "
    "FROM contact c JOIN org_unit o ON o.id = c.org_unit_id ";

ContactRecord read_contact(const Rows& r, std::size_t i) {
  return ContactRecord{r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                       r.text(i, 4),  r.text(i, 5), r.text(i, 6), r.text(i, 7)};
}

}  // namespace

StatusOr<std::vector<ContactRecord>> PostgresStore::list_contacts() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r,
                   c->run(std::string(kContactColumns) + "ORDER BY o.code, c.id", "读取通讯录"));
  std::vector<ContactRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_contact(r, i));
  return out;
}

StatusOr<std::optional<ContactRecord>> PostgresStore::find_contact(std::int64_t id) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kContactColumns) + "WHERE c.id = $1",
                                  Params().num(id), "读取通讯录"));
  if (r.empty()) return std::optional<ContactRecord>();
  return std::optional<ContactRecord>(read_contact(r, 0));
}

StatusOr<std::int64_t> PostgresStore::insert_contact(const ContactRecord& ct) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run("INSERT INTO contact(org_unit_id, name, title, mobile, "
                                  "office_phone, email, note) "
                                  "SELECT id, $1, $2, $3, $4, $5, $6 FROM org_unit WHERE code = $7 "
                                  "RETURNING id",
                                  Params()
                                      .text(ct.name)
                                      .text(ct.title)
                                      .text(ct.mobile)
                                      .text(ct.office_phone)
                                      .text(ct.email)
                                      .text(ct.note)
                                      .text(ct.org_code),
                                  "新增联系人"));
  if (r.empty()) {
    return NotFound(fmt::format("单位 {} 不存在", ct.org_code), "orgUnit", "unknown_org_unit");
  }
  return r.int64(0, 0);
}

Status PostgresStore::update_contact(const ContactRecord& ct) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      std::int64_t changed,
      c->change("UPDATE contact SET org_unit_id = (SELECT id FROM org_unit WHERE code = $1), "
                "name = $2, title = $3, mobile = $4, office_phone = $5, email = $6, note = $7 "
                "WHERE id = $8",
                Params()
                    .text(ct.org_code)
                    .text(ct.name)
                    .text(ct.title)
                    .text(ct.mobile)
                    .text(ct.office_phone)
                    .text(ct.email)
                    .text(ct.note)
                    .num(ct.id),
                "更新联系人"));
  if (changed != 1) return NotFound("联系人不存在", "id", "unknown_contact");
  return Status::Ok();
}

Status PostgresStore::delete_contact(std::int64_t id) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t changed,
                   c->change("DELETE FROM contact WHERE id = $1", Params().num(id), "删除联系人"));
  if (changed != 1) return NotFound("联系人不存在", "id", "unknown_contact");
  return Status::Ok();
}

// --- bulletin templates ------------------------------------------------------------

namespace {

constexpr std::string_view kBulletinColumns =
    "SELECT code, title, kind, definition, updated_at, updated_by FROM bulletin_template ";

BulletinRecord read_bulletin(const Rows& r, std::size_t i) {
  return BulletinRecord{r.text(i, 0), r.text(i, 1),  r.text(i, 2),
                        r.text(i, 3), r.int64(i, 4), r.text(i, 5)};
}

Params bulletin_params(const BulletinRecord& b) {
  Params p;
  p.text(b.code).text(b.title).text(b.kind).text(b.definition).num(b.updated_at).text(b.updated_by);
  return p;
}

}  // namespace

StatusOr<std::vector<BulletinRecord>> PostgresStore::list_bulletins() {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kBulletinColumns) + "ORDER BY code", "读取月报模板"));
  std::vector<BulletinRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_bulletin(r, i));
  return out;
}

StatusOr<std::optional<BulletinRecord>> PostgresStore::find_bulletin(std::string_view code) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r, c->run(std::string(kBulletinColumns) + "WHERE code = $1",
                                  Params().text(code), "读取月报模板"));
  if (r.empty()) return std::optional<BulletinRecord>();
  return std::optional<BulletinRecord>(read_bulletin(r, 0));
}

Status PostgresStore::insert_bulletin(const BulletinRecord& b) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t added,
                   c->change("INSERT INTO bulletin_template(code, title, kind, definition, "
                             "updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) "
                             "ON CONFLICT (code) DO NOTHING",
                             bulletin_params(b), "新增月报模板"));
  if (added != 1) return AlreadyExists(fmt::format("模板代码 {} 已存在", b.code), "code");
  return Status::Ok();
}

Status PostgresStore::update_bulletin(const BulletinRecord& b) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t changed,
                   c->change("UPDATE bulletin_template SET title = $2, kind = $3, "
                             "definition = $4, updated_at = $5, updated_by = $6 WHERE code = $1",
                             bulletin_params(b), "更新月报模板"));
  if (changed != 1) return pg_detail::not_found("模板", b.code, "unknown_bulletin");
  return Status::Ok();
}

Status PostgresStore::delete_bulletin(std::string_view code) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(std::int64_t changed, c->change("DELETE FROM bulletin_template WHERE code = $1",
                                                   Params().text(code), "删除月报模板"));
  if (changed != 1) return pg_detail::not_found("模板", code, "unknown_bulletin");
  return Status::Ok();
}

// --- notices -------------------------------------------------------------------------

Status PostgresStore::insert_notices(const std::vector<NoticeRecord>& notices) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(tx.begin());
  for (const NoticeRecord& n : notices) {
    RETURN_IF_ERROR(
        c->run("INSERT INTO notice(org_unit_id, task_id, kind, message, at, "
               "created_by) SELECT id, $1::bigint, $2, $3, $4::bigint, $5 FROM org_unit "
               "WHERE code = $6",
               Params()
                   .num(n.task_id)
                   .text(n.kind)
                   .text(n.message)
                   .num(n.at)
                   .text(n.created_by)
                   .text(n.org_code),
               "保存通知")
            .status());
  }
  return tx.commit();
}

StatusOr<std::vector<NoticeRecord>> PostgresStore::notices_for(
    const std::vector<std::string>& org_codes, std::size_t limit) {
  std::vector<NoticeRecord> out;
  if (org_codes.empty()) return out;
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r,
      c->run("SELECT n.id, o.code, n.task_id, n.kind, n.message, n.at, n.created_by "
             "FROM notice n JOIN org_unit o ON o.id = n.org_unit_id "
             "WHERE o.code = ANY($1::text[]) ORDER BY n.id DESC LIMIT $2",
             Params().text_array(org_codes).num(static_cast<std::int64_t>(limit)), "读取通知"));
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back(NoticeRecord{r.int64(i, 0), r.text(i, 1), r.int64(i, 2), r.text(i, 3),
                               r.text(i, 4), r.int64(i, 5), r.text(i, 6)});
  }
  return out;
}

}  // namespace tianbao::store
