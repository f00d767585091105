// Internal to the SQLite backend: RAII wrappers for prepared statements and
// transactions, and the mapping from SQLite errors to Status. Not part of
// the store interface; include only from sqlite_*.cc.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "model/status.h"
#include "model/text.h"

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

  // Binds one value by its type: integers and bools as integers, doubles,
  // text (anything a string_view takes, copied), an optional's value or
  // NULL, nullptr as NULL.
  template <typename T>
  void bind_value(int i, const T& v) {
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      bind_null(i);
    } else if constexpr (std::is_integral_v<T>) {
      bind(i, static_cast<std::int64_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      bind_double(i, v);
    } else if constexpr (requires { v.has_value(); }) {
      if (v) {
        bind_value(i, *v);
      } else {
        bind_null(i);
      }
    } else {
      bind(i, std::string_view(v));
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// Binds `args` to the parameters 1, 2, … in order (Statement::bind_value).
template <typename... Args>
void bind_all(Statement& q, const Args&... args) {
  [[maybe_unused]] int i = 1;
  (q.bind_value(i++, args), ...);
}

// What a row reader returns, without its StatusOr: a reader may map a row
// to T, or to StatusOr<T> when a column can hold what the model refuses.
template <typename R>
struct RowOf {
  using type = R;
};
template <typename T>
struct RowOf<StatusOr<T>> {
  using type = T;
};
template <typename Read>
using RowType = typename RowOf<std::invoke_result_t<Read&, const Statement&>>::type;

// Steps `q` to its end, calling `visit` on each row; `visit` returns void,
// or a bool that is false to stop early.
template <typename Visit>
Status for_each_row(Statement& q, std::string_view what, Visit&& visit) {
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step(what));
    if (!row) return Status::Ok();
    if constexpr (std::is_same_v<std::invoke_result_t<Visit&, const Statement&>, bool>) {
      if (!visit(static_cast<const Statement&>(q))) return Status::Ok();
    } else {
      visit(static_cast<const Statement&>(q));
    }
  }
}

// Steps `q` to its end, mapping every row with `read` (T or StatusOr<T>).
template <typename Read>
StatusOr<std::vector<RowType<Read>>> collect(Statement& q, std::string_view what, Read&& read) {
  std::vector<RowType<Read>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.step(what));
    if (!row) return out;
    StatusOr<RowType<Read>> value = read(static_cast<const Statement&>(q));
    if (!value.ok()) return value.status();
    out.push_back(std::move(value).value());
  }
}

// The first row of `q` mapped with `read`, or nullopt if it has none.
template <typename Read>
StatusOr<std::optional<RowType<Read>>> first_row(Statement& q, std::string_view what, Read&& read) {
  ASSIGN_OR_RETURN(bool row, q.step(what));
  if (!row) return std::optional<RowType<Read>>();
  StatusOr<RowType<Read>> value = read(static_cast<const Statement&>(q));
  if (!value.ok()) return value.status();
  return std::optional<RowType<Read>>(std::move(value).value());
}

// Prepares `sql`, binds `args` and collects every row with `read`.
template <typename Read, typename... Args>
StatusOr<std::vector<RowType<Read>>> select_all(sqlite3* db, std::string_view sql,
                                                std::string_view what, Read&& read,
                                                const Args&... args) {
  Statement q(db, sql);
  RETURN_IF_ERROR(q.prepared(what));
  bind_all(q, args...);
  return collect(q, what, std::forward<Read>(read));
}

// Prepares `sql`, binds `args` and maps the first row with `read`.
template <typename Read, typename... Args>
StatusOr<std::optional<RowType<Read>>> select_first(sqlite3* db, std::string_view sql,
                                                    std::string_view what, Read&& read,
                                                    const Args&... args) {
  Statement q(db, sql);
  RETURN_IF_ERROR(q.prepared(what));
  bind_all(q, args...);
  return first_row(q, what, std::forward<Read>(read));
}

// Whether `sql` with `args` bound yields a row.
template <typename... Args>
StatusOr<bool> exists(sqlite3* db, std::string_view sql, std::string_view what,
                      const Args&... args) {
  Statement q(db, sql);
  RETURN_IF_ERROR(q.prepared(what));
  bind_all(q, args...);
  return q.step(what);
}

// Prepares `sql`, binds `args` and runs it; how many rows it changed.
template <typename... Args>
StatusOr<int> run(sqlite3* db, std::string_view sql, std::string_view what, const Args&... args) {
  Statement q(db, sql);
  RETURN_IF_ERROR(q.prepared(what));
  bind_all(q, args...);
  RETURN_IF_ERROR(q.run(what));
  return sqlite3_changes(db);
}

// As run(), for a statement that must change exactly one row; `none` if it
// changed none (a taken code on insert, an unknown one on update or delete).
template <typename... Args>
Status run_one(sqlite3* db, std::string_view sql, std::string_view what, Status none,
               const Args&... args) {
  ASSIGN_OR_RETURN(int changed, run(db, sql, what, args...));
  return changed == 1 ? Status::Ok() : none;
}

using model::join;
using model::split;

// "?, ?, ?" for an IN list of n.
inline std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

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

inline Status not_found(std::string_view what, std::string_view code, const char* reason) {
  return NotFound(fmt::format("{} {} 不存在", what, code), "code", reason);
}

}  // namespace tianbao::store::sqlite_detail
