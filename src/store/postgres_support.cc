#include "store/postgres_support.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace tianbao::store::pg_detail {

// --- parameters and rows ------------------------------------------------------

Params& Params::text(std::string_view v) {
  values_.emplace_back(v);
  nulls_.push_back(false);
  return *this;
}

Params& Params::num(std::int64_t v) {
  values_.push_back(std::to_string(v));
  nulls_.push_back(false);
  return *this;
}

Params& Params::real(double v) {
  values_.push_back(real_text(v));
  nulls_.push_back(false);
  return *this;
}

Params& Params::null() {
  values_.emplace_back();
  nulls_.push_back(true);
  return *this;
}

namespace {

// An array literal's element: double-quoted, with " and \ escaped.
void append_array_element(std::string& literal, std::string_view element) {
  literal += '"';
  for (char c : element) {
    if (c == '"' || c == '\\') literal += '\\';
    literal += c;
  }
  literal += '"';
}

}  // namespace

Params& Params::text_array(std::span<const std::string> values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) literal += ',';
    append_array_element(literal, values[i]);
  }
  literal += '}';
  return text(literal);
}

Params& Params::array(std::span<const std::optional<std::string>> elements) {
  std::string literal = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i) literal += ',';
    if (elements[i]) {
      append_array_element(literal, *elements[i]);
    } else {
      literal += "NULL";
    }
  }
  literal += '}';
  return text(literal);
}

std::string real_text(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return ec == std::errc() ? std::string(buf, end) : fmt::format("{:.17g}", v);
}

void append_copy_field(std::string& line, std::string_view field) {
  for (char c : field) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += c;
    }
  }
}

void Rows::Clear::operator()(pg_result* r) const {
  PQclear(r);
}

Rows::Rows(pg_result* result) : result_(result) {}

std::size_t Rows::size() const {
  return static_cast<std::size_t>(PQntuples(result_.get()));
}

bool Rows::is_null(std::size_t row, int col) const {
  return PQgetisnull(result_.get(), static_cast<int>(row), col) != 0;
}

std::string_view Rows::view(std::size_t row, int col) const {
  const int r = static_cast<int>(row);
  return std::string_view(PQgetvalue(result_.get(), r, col),
                          static_cast<std::size_t>(PQgetlength(result_.get(), r, col)));
}

std::int64_t Rows::int64(std::size_t row, int col) const {
  std::string_view v = view(row, col);
  std::int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

std::optional<double> Rows::real(std::size_t row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return std::strtod(PQgetvalue(result_.get(), static_cast<int>(row), col), nullptr);
}

std::optional<std::string> Rows::optional_text(std::size_t row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

// --- connection ---------------------------------------------------------------

namespace {

// Notices (e.g. "relation already exists, skipping") are not errors and
// would otherwise go to stderr.
void ignore_notice(void*, const PGresult*) {}

Status unavailable(std::string_view what, std::string_view detail) {
  return Status(StatusCode::kUnavailable,
                fmt::format("{}：无法连接 PostgreSQL 数据库（{}）", what, detail), "db",
                "db_unavailable");
}

// libpq's message on one line: its line breaks and tabs as single spaces.
std::string trimmed(const char* message) {
  std::string s;
  for (const char* p = message ? message : ""; *p; ++p) {
    const bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (!space) {
      s += *p;
    } else if (!s.empty() && s.back() != ' ') {
      s += ' ';
    }
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<Connection>> Connection::connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string detail = trimmed(conn ? PQerrorMessage(conn) : "out of memory");
    PQfinish(conn);
    return Status(StatusCode::kUnavailable, fmt::format("无法连接 PostgreSQL 数据库：{}", detail),
                  "db", "db_open_failed");
  }
  PQsetNoticeReceiver(conn, ignore_notice, nullptr);
  std::unique_ptr<Connection> c(new Connection(conn));
  // Texts are UTF-8; times are epoch milliseconds, so the session time zone
  // does not matter.
  RETURN_IF_ERROR(c->script("SET client_encoding = 'UTF8'", "设置数据库参数"));
  return c;
}

Connection::~Connection() {
  PQfinish(conn_);
}

Status Connection::ensure_connected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    return unavailable("重新连接", trimmed(PQerrorMessage(conn_)));
  PQsetNoticeReceiver(conn_, ignore_notice, nullptr);
  return Status::Ok();
}

Status Connection::error(pg_result* result, std::string_view what) {
  std::string detail = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = state ? state : "";
  if (PQstatus(conn_) != CONNECTION_OK || sqlstate.starts_with("08") ||
      sqlstate.starts_with("57P")) {
    return unavailable(what, detail);
  }
  if (sqlstate.starts_with("23")) {
    return Status(StatusCode::kAlreadyExists,
                  fmt::format("{}：违反唯一或引用约束（{}）", what, detail), {}, "constraint");
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return Status(StatusCode::kUnavailable, fmt::format("{}：数据库正忙，请稍后重试", what), {},
                  "busy");
  }
  return Internal(fmt::format("{}：PostgreSQL 错误 {}（{}）", what, sqlstate, detail));
}

bool Connection::may_retry(std::string_view sql) const {
  // Outside a transaction, a read or a BEGIN that met a dropped connection
  // did nothing on the server: it is sent again once, on a new connection.
  // A write outside a transaction is not (it may have committed before the
  // connection dropped); it fails, and the next call finds the connection
  // renewed.
  return PQtransactionStatus(conn_) == PQTRANS_IDLE &&
         (sql.starts_with("SELECT ") || sql.starts_with("WITH ") || sql.starts_with("BEGIN"));
}

bool Connection::renewed_after_loss() {
  return PQstatus(conn_) == CONNECTION_BAD && ensure_connected().ok();
}

StatusOr<Rows> Connection::run(std::string_view sql, const Params& params, std::string_view what) {
  std::vector<const char*> values(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    values[i] = params.is_null(i) ? nullptr : params.value(i).c_str();
  }
  const std::string text(sql);
  const bool retry = may_retry(sql);
  auto send = [&] {
    return PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                        values.data(), nullptr, nullptr, 0);
  };
  PGresult* result = send();
  ExecStatusType s = PQresultStatus(result);
  if (s == PGRES_FATAL_ERROR && retry && renewed_after_loss()) {
    PQclear(result);
    result = send();
    s = PQresultStatus(result);
  }
  if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
    Status err = error(result, what);
    PQclear(result);
    return err;
  }
  return Rows(result);
}

StatusOr<std::int64_t> Connection::change(std::string_view sql, const Params& params,
                                          std::string_view what) {
  ASSIGN_OR_RETURN(Rows rows, run(sql, params, what));
  return rows.affected();
}

Status Connection::script(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  const bool retry = may_retry(sql);
  PGresult* result = PQexec(conn_, text.c_str());
  ExecStatusType s = PQresultStatus(result);
  if (s == PGRES_FATAL_ERROR && retry && renewed_after_loss()) {
    PQclear(result);
    result = PQexec(conn_, text.c_str());
    s = PQresultStatus(result);
  }
  Status out = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? Status::Ok() : error(result, what);
  PQclear(result);
  return out;
}

Status Connection::copy_in(std::string_view copy_sql, std::string_view data,
                           std::string_view what) {
  PGresult* start = PQexec(conn_, std::string(copy_sql).c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    Status err = error(start, what);
    PQclear(start);
    return err;
  }
  PQclear(start);
  constexpr std::size_t kPiece = 1 << 20;
  bool sent = true;
  for (std::size_t at = 0; sent && at < data.size(); at += kPiece) {
    std::string_view piece = data.substr(at, kPiece);
    sent = PQputCopyData(conn_, piece.data(), static_cast<int>(piece.size())) == 1;
  }
  PQputCopyEnd(conn_, sent ? nullptr : "client failed to send");
  Status out = Status::Ok();
  while (PGresult* r = PQgetResult(conn_)) {
    if (out.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) out = error(r, what);
    PQclear(r);
  }
  return out;
}

Status Connection::copy_out(std::string_view copy_sql,
                            const std::function<void(std::string_view)>& line,
                            std::string_view what) {
  PGresult* start = PQexec(conn_, std::string(copy_sql).c_str());
  if (PQresultStatus(start) != PGRES_COPY_OUT) {
    Status err = error(start, what);
    PQclear(start);
    return err;
  }
  PQclear(start);
  char* buffer = nullptr;
  int n = 0;
  while ((n = PQgetCopyData(conn_, &buffer, 0)) > 0) {
    std::string_view row(buffer, static_cast<std::size_t>(n));
    if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
    line(row);
    PQfreemem(buffer);
  }
  Status out = n == -1 ? Status::Ok() : unavailable(what, trimmed(PQerrorMessage(conn_)));
  while (PGresult* r = PQgetResult(conn_)) {
    if (out.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) out = error(r, what);
    PQclear(r);
  }
  return out;
}

Transaction::~Transaction() {
  // A failed ROLLBACK leaves nothing to do: the server rolls back an open
  // transaction itself when the connection ends.
  if (open_) static_cast<void>(c_.script("ROLLBACK", "回滚事务"));
}

Status Transaction::begin(std::int64_t advisory_lock) {
  // BEGIN and the lock in one round trip; the key is a constant of the
  // store's, not a value from outside.
  const std::string sql =
      advisory_lock ? fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})", advisory_lock)
                    : std::string("BEGIN");
  Status begun = c_.script(sql, "开始事务");
  open_ = begun.ok() || advisory_lock != 0;  // a failed lock leaves the transaction open
  return begun;
}

Status Transaction::commit() {
  open_ = false;  // a failed COMMIT has ended the transaction too
  return c_.script("COMMIT", "提交事务");
}

// --- row sets -------------------------------------------------------------------

RowSet::RowSet(std::string_view name, std::vector<Column> columns, bool staged)
    : name_(name), columns_(std::move(columns)), staged_(staged) {
  if (!staged_) literals_.assign(columns_.size(), "{");
}

void RowSet::add(std::initializer_list<std::optional<std::string_view>> fields) {
  std::size_t col = 0;
  for (const std::optional<std::string_view>& f : fields) {
    if (staged_) {
      if (col) copy_ += '\t';
      if (f) {
        append_copy_field(copy_, *f);
      } else {
        copy_ += "\\N";
      }
    } else {
      std::string& literal = literals_[col];
      if (rows_) literal += ',';
      if (f) {
        append_array_element(literal, *f);
      } else {
        literal += "NULL";
      }
    }
    ++col;
  }
  if (staged_) copy_ += '\n';
  ++rows_;
}

StatusOr<std::string> RowSet::source(Connection& c, Params& params, std::string_view alias) {
  std::string names;
  for (const Column& col : columns_) {
    if (!names.empty()) names += ", ";
    names += col.name;
  }
  if (staged_ && copied_) return fmt::format("{} AS {}", name_, alias);
  if (staged_) {
    std::string ddl;
    for (const Column& col : columns_) {
      ddl += ddl.empty() ? "" : ", ";
      ddl += fmt::format("{} {}", col.name, col.type);
    }
    RETURN_IF_ERROR(
        c.script(fmt::format("CREATE TEMP TABLE {} ({}) ON COMMIT DROP", name_, ddl), "暂存数据"));
    RETURN_IF_ERROR(c.copy_in(fmt::format("COPY {} FROM STDIN", name_), copy_, "暂存数据"));
    // Statistics, so that joins with the staged rows are planned for their
    // real number (a temporary table has none until analysed).
    RETURN_IF_ERROR(c.script(fmt::format("ANALYZE {}", name_), "暂存数据"));
    copied_ = true;
    std::string().swap(copy_);
    return fmt::format("{} AS {}", name_, alias);
  }
  std::string arrays;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    params.text(literals_[i] + "}");
    arrays += fmt::format("{}${}::{}[]", i ? ", " : "", params.size(), columns_[i].type);
  }
  return fmt::format("unnest({}) AS {}({})", arrays, alias, names);
}

// --- pool -----------------------------------------------------------------------

StatusOr<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_ptr<Connection> c;
  {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [&] { return !idle_.empty() || opened_ < size_; });
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++opened_;
    }
  }
  if (!c) {
    StatusOr<std::unique_ptr<Connection>> opened = Connection::connect(conninfo_);
    if (!opened.ok()) {
      std::lock_guard lock(mu_);
      --opened_;
      returned_.notify_one();
      return opened.status();
    }
    c = std::move(*opened);
  }
  Status connected = c->ensure_connected();
  Lease lease(*this, std::move(c));
  RETURN_IF_ERROR(connected);
  return lease;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(c));
  returned_.notify_one();
}

bool is_unique_violation(const Status& s) {
  return s.reason() == "constraint";
}

}  // namespace tianbao::store::pg_detail
