#include "store/store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

#include <fmt/format.h>

#include "model/security.h"

namespace tianbao::store {

std::string audit_record_hash(const AuditRecord& r) {
  // Fields separated by U+001F, which no field can contain (they are
  // validated UTF-8 text without control characters).
  std::string canonical =
      fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", r.prev_hash, r.id,
                  r.at, r.username, r.org_code, r.remote, r.action, r.object, r.outcome, r.detail);
  return model::sm3_hex(canonical);
}

Status cell_lock_refusal(const CellHolder& h) {
  return Status(StatusCode::kFailedPrecondition,
                fmt::format("cell {}/{}/{} is held by task {} ({})", h.indicator, h.org_code,
                            h.period, h.task_id, model::entry_status_name(h.status)),
                h.indicator, std::string(kCellLocked));
}

StatusOr<std::unique_ptr<Store>> open_store(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return PostgresStore::open(std::string(url));
  }
  if (url.starts_with(kSqlite)) url.remove_prefix(kSqlite.size());
  if (url.empty()) return InvalidArgument("数据库路径不能为空", "db");
  return SqliteStore::open(std::string(url));
}

}  // namespace tianbao::store
