// Internal to the SQLite backend: RAII wrappers for prepared statements and
// transactions, and the mapping from SQLite errors to Status. Not part of
// the store interface; include only from sqlite_*.cc.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "model/status.h"

namespace tianbao::store::sqlite_detail {

inline Status sqlite_error(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  std::string detail = sqlite3_errmsg(db);
  if ((code & 0xFF) == SQLITE_CONSTRAINT) {
    return Status(StatusCode::kAlreadyExists,
                  fmt::format("{}：违反唯一或引用约束（{}）", what, detail), {}, "constraint");
  }
  if ((code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED) {
    return Status(StatusCode::kUnavailable, fmt::format("{}：数据库正忙，请稍后重试", what), {},
                  "busy");
  }
  return Internal(fmt::format("{}：SQLite 错误 {}（{}）", what, code, detail));
}

// Prepared statements kept per connection for reuse: preparing parses and
// plans the SQL, which for the small reads every request makes (its token,
// its user) costs more than running them. Thread-safe; a connection's
// statements must be released before it is closed.
namespace statement_cache {
// A ready statement for `sql` on `db`, or nullptr.
sqlite3_stmt* take(sqlite3* db, std::string_view sql);
// Takes back a statement (reset, bindings cleared) for later use, or
// finalizes it when the connection already keeps enough.
void give(sqlite3* db, sqlite3_stmt* stmt);
// Finalizes every statement kept for `db`.
void release(sqlite3* db);
}  // namespace statement_cache

// A prepared statement, taken from the connection's cache and given back
// on scope exit. Binds are 1-based.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    stmt_ = statement_cache::take(db, sql);
    rc_ = stmt_ ? SQLITE_OK
                : sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Statement() {
    if (rc_ != SQLITE_OK || !stmt_) {
      sqlite3_finalize(stmt_);
      return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    statement_cache::give(db_, stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status prepared(std::string_view what) const {
    return rc_ == SQLITE_OK ? Status::Ok() : sqlite_error(db_, what);
  }
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  // Binds without copying: `text` must stay alive until the statement is
  // reset (hot bulk paths, where the caller's rows outlive each step).
  void bind_static(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  void bind_double(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bind_optional(int i, const std::optional<double>& v) {
    if (v) {
      bind_double(i, *v);
    } else {
      bind_null(i);
    }
  }
  void bind_optional(int i, const std::optional<std::string>& v) {
    if (v) {
      bind(i, std::string_view(*v));
    } else {
      bind_null(i);
    }
  }
  // True if a row is ready, false when done; an error is returned as Status.
  StatusOr<bool> step(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, what);
  }
  Status run(std::string_view what) {
    StatusOr<bool> r = step(what);
    return r.ok() ? Status::Ok() : r.status();
  }
  // For a statement whose every parameter is bound again before the next
  // step: skips clearing the bindings.
  void rewind() { sqlite3_reset(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  // Valid until the next step() or reset().
  std::string_view text_view(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string_view(reinterpret_cast<const char*>(p),
                                static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<double> real(int col) const {
    if (is_null(col)) return std::nullopt;
    return sqlite3_column_double(stmt_, col);
  }
  std::optional<std::string> optional_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

inline Status exec(sqlite3* db, std::string_view sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::Ok() : sqlite_error(db, what);
}

// BEGIN IMMEDIATE … COMMIT, rolled back unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    // A failed ROLLBACK leaves nothing to do: SQLite rolls back the open
    // transaction itself when the statement or connection ends.
    if (open_) static_cast<void>(exec(db_, "ROLLBACK", "回滚事务"));
  }
  Status begin() {
    RETURN_IF_ERROR(exec(db_, "BEGIN IMMEDIATE", "开始事务"));
    open_ = true;
    return Status::Ok();
  }
  Status commit() {
    RETURN_IF_ERROR(exec(db_, "COMMIT", "提交事务"));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

// Runs a statement that must change exactly one row; `none` if it changed
// none (a taken code on insert, an unknown one on update or delete).
inline Status change_one(sqlite3* db, Statement& q, std::string_view what, Status none) {
  RETURN_IF_ERROR(q.run(what));
  return sqlite3_changes(db) == 1 ? Status::Ok() : none;
}

inline Status not_found(std::string_view what, std::string_view code, const char* reason) {
  return NotFound(fmt::format("{} {} 不存在", what, code), "code", reason);
}

}  // namespace tianbao::store::sqlite_detail
