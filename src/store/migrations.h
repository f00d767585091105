// Numbered schema migrations. A migration is never edited once landed; a
// change to the schema is a new migration with the next number. open_store()
// applies the missing ones in order, each in its own transaction, and records
// them in schema_migrations.
#pragma once

#include <span>
#include <string_view>

namespace tianbao::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sqlite_sql;
};

std::span<const Migration> migrations();

}  // namespace tianbao::store
