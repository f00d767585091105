#include "store/store.h"

#include "store/sqlite_store.h"

namespace tianbao::store {

StatusOr<std::unique_ptr<Store>> open_store(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return Status(StatusCode::kFailedPrecondition, "PostgreSQL 存储尚未实现，请使用 sqlite:路径",
                  "db", "backend_unavailable");
  }
  if (url.starts_with(kSqlite)) url.remove_prefix(kSqlite.size());
  if (url.empty()) return InvalidArgument("数据库路径不能为空", "db");
  return SqliteStore::open(std::string(url));
}

}  // namespace tianbao::store
