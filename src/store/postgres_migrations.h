// The PostgreSQL schema as numbered migrations, numbered as SQLite's
// (migrations.h): the same tables and columns in PostgreSQL's types, so
// schema_version() answers the same number on both backends. A migration is
// never edited once landed; PostgresStore::open applies the missing ones in
// order, each in its own transaction, under an advisory lock so that two
// processes starting at once do not both apply one.
#pragma once

#include <span>
#include <string_view>

namespace tianbao::store {

struct PostgresMigration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const PostgresMigration> postgres_migrations();

}  // namespace tianbao::store
