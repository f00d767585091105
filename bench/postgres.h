// A PostgreSQL connection for the benchmarks' comparisons (libpq): run
// statements, COPY a CSV file in through the client, sum a column. Errors
// throw std::runtime_error — benchmarks stop at the first one.
#pragma once

#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tianbao::bench {

class Postgres {
 public:
  explicit Postgres(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw std::runtime_error(std::string("PostgreSQL: ") + PQerrorMessage(conn_));
    }
  }
  ~Postgres() { PQfinish(conn_); }
  void exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    ExecStatusType s = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) throw std::runtime_error(err + " in " + sql);
  }
  // COPY … FROM STDIN with the file's bytes (no server-side file access).
  void copy_from(const std::string& table, const std::filesystem::path& file, bool header = false) {
    std::string sql =
        "COPY " + table + " FROM STDIN WITH (FORMAT csv" + (header ? ", HEADER)" : ")");
    PGresult* r = PQexec(conn_, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(conn_));
    std::ifstream in(file, std::ios::binary);
    std::vector<char> buffer(1 << 20);
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      if (in.gcount() > 0 &&
          PQputCopyData(conn_, buffer.data(), static_cast<int>(in.gcount())) != 1) {
        throw std::runtime_error(PQerrorMessage(conn_));
      }
    }
    PQputCopyEnd(conn_, nullptr);
    r = PQgetResult(conn_);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
    if (!ok) throw std::runtime_error(err);
  }
  // Sum of column `col` over all rows (fetching every row, as a client would).
  double sum(const std::string& sql, int col) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string err = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(err);
    }
    double s = 0;
    for (int i = 0; i < PQntuples(r); ++i) {
      if (!PQgetisnull(r, i, col)) s += std::stod(PQgetvalue(r, i, col));
    }
    PQclear(r);
    return s;
  }

 private:
  PGconn* conn_;
};

}  // namespace tianbao::bench
