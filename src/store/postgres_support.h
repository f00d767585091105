// Internal to the PostgreSQL backend: a libpq connection with parameterised
// statements, their results, transactions, COPY, a small connection pool,
// and the mapping from PostgreSQL errors to Status. Not part of the store
// interface; include only from postgres_*.cc.
//
// Every value goes to the server as a parameter of PQexecParams (text
// format); SQL text is never built from values.
//
// Thread-safety: a Connection is used by one thread at a time (the pool
// hands each out to one caller); ConnectionPool is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

struct pg_conn;
struct pg_result;

namespace tianbao::store::pg_detail {

// The parameters of one statement, $1 … $n in the order added.
class Params {
 public:
  Params() = default;
  Params& text(std::string_view v);
  Params& num(std::int64_t v);
  Params& real(double v);
  Params& null();
  Params& optional(const std::optional<double>& v) { return v ? real(*v) : null(); }
  Params& optional(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
  // A text[] parameter (an `= ANY($n)` list).
  Params& text_array(std::span<const std::string> values);
  // An array parameter of any element type, each element as its text (a
  // number as real_text / std::to_string), nullopt for NULL; cast it in
  // the SQL ($1::float8[]).
  Params& array(std::span<const std::optional<std::string>> elements);
  std::size_t size() const { return values_.size(); }
  const std::string& value(std::size_t i) const { return values_[i]; }
  bool is_null(std::size_t i) const { return nulls_[i]; }

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

// The rows a statement returned (text format); columns and rows 0-based.
class Rows {
 public:
  explicit Rows(pg_result* result);
  std::size_t size() const;
  bool empty() const { return size() == 0; }
  bool is_null(std::size_t row, int col) const;
  std::string_view view(std::size_t row, int col) const;
  std::string text(std::size_t row, int col) const { return std::string(view(row, col)); }
  std::int64_t int64(std::size_t row, int col) const;
  bool boolean(std::size_t row, int col) const { return view(row, col) == "t"; }
  std::optional<double> real(std::size_t row, int col) const;
  std::optional<std::string> optional_text(std::size_t row, int col) const;
  // Rows affected by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

// A double as text that parses back to the same double.
std::string real_text(double v);
// A field of COPY … FROM STDIN (text format): escaped, or \N for none.
void append_copy_field(std::string& line, std::string_view field);

class Connection {
 public:
  static StatusOr<std::unique_ptr<Connection>> connect(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement with parameters; its rows (none for a command).
  StatusOr<Rows> run(std::string_view sql, const Params& params, std::string_view what);
  StatusOr<Rows> run(std::string_view sql, std::string_view what) {
    return run(sql, Params(), what);
  }
  // Rows changed by a command with parameters.
  StatusOr<std::int64_t> change(std::string_view sql, const Params& params, std::string_view what);
  // Several statements without parameters (migrations, BEGIN, COMMIT).
  Status script(std::string_view sql, std::string_view what);
  // COPY … FROM STDIN with `data` in COPY's text format.
  Status copy_in(std::string_view copy_sql, std::string_view data, std::string_view what);
  // COPY … TO STDOUT: each line (without its newline) to `line`.
  Status copy_out(std::string_view copy_sql, const std::function<void(std::string_view)>& line,
                  std::string_view what);
  // Reconnects if the server closed the connection (a restart).
  Status ensure_connected();

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  bool may_retry(std::string_view sql) const;
  // Whether the connection was lost and is connected again now.
  bool renewed_after_loss();
  Status error(pg_result* result, std::string_view what);
  pg_conn* conn_;  // owned
};

// Rows for one set-based statement, as a source in its FROM clause: a few
// go as array parameters (`unnest($1::text[], …) AS name(col, …)`), many
// through COPY into a temporary table dropped at commit (the bulk path:
// one round trip for the rows, no parse of huge parameters). Whether it
// is staged is decided up front, from the expected number of rows.
class RowSet {
 public:
  struct Column {
    std::string_view name;
    std::string_view type;  // "text", "bigint", "float8"
  };
  RowSet(std::string_view name, std::vector<Column> columns, bool staged);
  // One row, a field per column (nullopt: NULL), numbers as text.
  void add(std::initializer_list<std::optional<std::string_view>> fields);
  std::size_t size() const { return rows_; }
  // The FROM source for the rows, named `alias`: stages them (COPY; once)
  // or appends their array parameters to `params`. REQUIRES: a
  // transaction open on `c`.
  StatusOr<std::string> source(Connection& c, Params& params, std::string_view alias);

 private:
  std::string name_;
  std::vector<Column> columns_;
  bool staged_;
  std::size_t rows_ = 0;
  bool copied_ = false;
  std::string copy_;                   // staged: COPY text
  std::vector<std::string> literals_;  // else: an array literal per column
};

// BEGIN … COMMIT on one connection, rolled back unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // BEGIN, and with a key, pg_advisory_xact_lock(key) held until the end.
  Status begin(std::int64_t advisory_lock = 0);
  Status commit();

 private:
  Connection& c_;
  bool open_ = false;
};

// Up to `size` connections, opened when first needed, each lent to one
// caller at a time.
class ConnectionPool {
 public:
  ConnectionPool(std::string conninfo, std::size_t size)
      : conninfo_(std::move(conninfo)), size_(size) {}

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    Connection& operator*() const { return *c_; }
    Connection* operator->() const { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
  };

  // A connected connection, waiting while all are lent out.
  StatusOr<Lease> acquire();

 private:
  void give_back(std::unique_ptr<Connection> c);

  const std::string conninfo_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
  std::size_t opened_ = 0;                         // GUARDED_BY(mu_)
};

// SQLSTATE classes the store acts on.
bool is_unique_violation(const Status& s);

inline Status not_found(std::string_view what, std::string_view code, const char* reason) {
  return NotFound(std::string(what) + " " + std::string(code) + " 不存在", "code", reason);
}

}  // namespace tianbao::store::pg_detail
