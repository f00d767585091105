// The deadline-surge load driver (bench/load/run): thousands of fillers on
// keep-alive connections each open their entry, save a draft of 30 values
// and submit it, while viewers poll the dashboard's queries.
//
//   bench_load prepare --db sqlite:var/load.db --units 2000 --sessions var/load.tsv
//   bench_load surge --port 8080 --sessions var/load.tsv --connections 2000 --ack var/ack.tsv
//   bench_load verify --db sqlite:var/load.db --ack var/ack.tsv
//   bench_load fsync --dir var
//
// `prepare` builds the fixture through the services (30 indicators, a form,
// a task to the first N villages of Guangdong) and signs every filler in
// directly in the store (one password hash shared by all: argon2 per user
// would make the fixture, not the surge, the thing measured). `surge` speaks
// HTTP/1.1 from one thread (Boost.Beast coroutines), prints forms/s and the
// percentiles per request kind, and logs every save answered 200 with the
// values it carried; `verify` checks each of them against the store. `fsync`
// measures the disk's durable-commit ceiling (write + fdatasync).
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "fmt/core.h"
#include "model/password.h"
#include "model/security.h"
#include "service/services.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace tianbao::bench {
namespace {

constexpr int kFields = 30;
constexpr const char* kForm = "LOAD_FORM";
constexpr const char* kPassword = "Load-Surge-2026!";

std::string field_code(int i) {
  return fmt::format("LOAD_{:02d}", i + 1);
}

// The value a unit's field carries in the surge: different per unit and
// field, so that a value landing in the wrong cell is caught by verify.
double field_value(const std::string& org, int i) {
  return static_cast<double>(std::hash<std::string>{}(org) % 9000 + 100 + i);
}

struct Session {
  std::string kind;  // "filler" or "viewer"
  std::string org;
  std::string cookie;
  std::string csrf;
  std::int64_t task = 0;
  std::string period;
};

std::vector<Session> read_sessions(const std::string& path) {
  std::vector<Session> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    Session s;
    std::string task;
    std::getline(row, s.kind, '\t');
    std::getline(row, s.org, '\t');
    std::getline(row, s.cookie, '\t');
    std::getline(row, s.csrf, '\t');
    std::getline(row, task, '\t');
    std::getline(row, s.period, '\t');
    s.task = std::stoll(task);
    out.push_back(std::move(s));
  }
  return out;
}

std::string month_before(std::int64_t now_ms) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000 + 8 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int months = (tm.tm_year + 1900) * 12 + tm.tm_mon - 1;
  return fmt::format("{:04d}-{:02d}", months / 12, months % 12 + 1);
}

std::string date_after(std::int64_t now_ms, int days) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000 + 8 * 3600 + days * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

[[noreturn]] void fail(const Status& status, std::string_view what) {
  std::cerr << "bench_load: " << what << ": " << status.message() << "\n";
  std::exit(1);
}

template <typename T>
T need(StatusOr<T> value, std::string_view what) {
  if (!value.ok()) fail(value.status(), what);
  return std::move(*value);
}

// The fixture: indicators, the form, the task and a signed-in filler per unit.
void prepare(const std::string& db, std::size_t units, const std::string& sessions_path) {
  auto services = need(service::Services::open(db), "open");
  const service::Principal system = service::Principal::system("44");
  const std::int64_t now = services->clock().now_ms();
  model::FormSection section{"压测指标", {}};
  for (int i = 0; i < kFields; ++i) {
    model::Indicator indicator;
    indicator.code = field_code(i);
    indicator.name = fmt::format("压测指标{}", i + 1);
    indicator.unit = "个";
    need(services->metadata().create_indicator(system, indicator), "indicator");
    section.indicators.push_back(indicator.code);
  }
  model::Form form{kForm, "截止日压测月报", model::FormPeriodType::kMonth, {5}, {section}};
  need(services->metadata().create_form(system, form), "form");

  auto all = need(services->store().load_org_units(), "org units");
  std::vector<std::string> villages;
  for (const auto& unit : all) {
    if (unit.level == 5 && unit.code.starts_with("44")) villages.push_back(unit.code);
  }
  std::sort(villages.begin(), villages.end());
  if (villages.size() < units) {
    std::cerr << "bench_load: only " << villages.size() << " villages in the store\n";
    std::exit(1);
  }
  villages.resize(units);
  service::NewTask task;
  task.form = kForm;
  task.period = month_before(now);
  task.org_units = villages;
  task.deadline = date_after(now, 40);
  task.title = "截止日压测";
  const std::int64_t task_id = need(services->reporting().create_task(system, task), "task");

  const std::string hash = model::hash_password(kPassword);
  std::ofstream out(sessions_path);
  auto sign_in = [&](const std::string& kind, const std::string& org, const std::string& role) {
    store::UserRecord user;
    user.username = fmt::format("load_{}_{}", kind, org);
    user.display_name = user.username;
    user.org_code = org;
    user.password_hash = hash;
    user.roles = {role};
    user.must_change_password = false;
    user.created_at = now;
    user.password_changed_at = now;
    const std::int64_t id = need(services->store().insert_user(user), "user");
    const std::string cookie = model::random_hex(32);
    const std::string csrf = model::random_hex(16);
    Status inserted = services->store().insert_session(
        store::SessionRecord{model::sha256_hex(cookie), id, csrf, now, now, "bench"});
    if (!inserted.ok()) fail(inserted, "session");
    out << kind << '\t' << org << '\t' << cookie << '\t' << csrf << '\t' << task_id << '\t'
        << task.period << '\n';
  };
  for (const auto& org : villages) sign_in("filler", org, "filler");
  sign_in("viewer", "44", "viewer");
  std::cout << fmt::format("prepared task {} ({}) for {} villages × {} fields\n", task_id,
                           task.period, units, kFields);
}

// Latencies and outcomes per request kind.
struct Tally {
  std::map<std::string, std::vector<double>> ms;
  std::map<std::string, std::map<int, std::size_t>> codes;  // kind → status → count
  std::size_t forms = 0;
  Clock::time_point first_start{}, last_submit{};
};

class Surge {
 public:
  Surge(asio::io_context& io, std::string host, unsigned short port, std::ofstream& ack)
      : io_(io), host_(std::move(host)), port_(port), ack_(ack), gate_(io) {}

  Tally& tally() { return tally_; }
  bool fillers_done() const { return fillers_left_ == 0; }

  void start(const std::vector<Session>& fillers, const Session& viewer, std::size_t connections,
             std::size_t viewers) {
    fillers_left_ = connections;
    waiting_ = connections + viewers;
    gate_.expires_at(Clock::time_point::max());
    for (std::size_t c = 0; c < connections; ++c) {
      std::vector<const Session*> mine;
      for (std::size_t s = c; s < fillers.size(); s += connections) mine.push_back(&fillers[s]);
      asio::co_spawn(io_, filler(std::move(mine)), asio::detached);
    }
    for (std::size_t v = 0; v < viewers; ++v) asio::co_spawn(io_, poller(viewer), asio::detached);
  }

 private:
  using Stream = beast::tcp_stream;

  asio::awaitable<void> connect(Stream& stream) {
    auto endpoint = asio::ip::tcp::endpoint(asio::ip::make_address(host_), port_);
    co_await stream.async_connect(endpoint, asio::use_awaitable);
    stream.socket().set_option(asio::ip::tcp::no_delay(true));
    // Everyone connects first; the surge starts when the last one has.
    if (--waiting_ == 0) {
      tally_.first_start = Clock::now();
      gate_.cancel();
    } else {
      boost::system::error_code ignored;
      co_await gate_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  asio::awaitable<bhttp::response<bhttp::string_body>> call(Stream& stream, const Session& who,
                                                            bhttp::verb verb,
                                                            const std::string& target,
                                                            std::string body,
                                                            const std::string& kind) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, host_);
    req.set(bhttp::field::cookie, "tianbao_session=" + who.cookie);
    req.keep_alive(true);
    if (verb != bhttp::verb::get) {
      req.set("x-csrf-token", who.csrf);
      req.set(bhttp::field::content_type, "application/json");
      req.body() = std::move(body);
      req.prepare_payload();
    }
    const auto begin = Clock::now();
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    auto res = parser.release();
    tally_.ms[kind].push_back(ms);
    ++tally_.codes[kind][res.result_int()];
    co_return res;
  }

  asio::awaitable<void> filler(std::vector<const Session*> sessions) {
    Stream stream(io_);
    try {
      co_await connect(stream);
      for (const Session* s : sessions) co_await fill(stream, *s);
    } catch (const std::exception& e) {
      ++tally_.codes["connection"][0];
      std::cerr << "filler connection: " << e.what() << "\n";
    }
    if (--fillers_left_ == 0) tally_.last_submit = Clock::now();
  }

  asio::awaitable<void> fill(Stream& stream, const Session& s) {
    const std::string path = fmt::format("/api/tasks/{}/entries/{}", s.task, s.org);
    auto opened = co_await call(stream, s, bhttp::verb::get, path, "", "open");
    if (opened.result_int() != 200) co_return;
    // The entry's version, as the web app reads it: the ETag of the answer.
    std::string etag(opened[bhttp::field::etag]);
    if (etag.size() < 3) co_return;
    const std::int64_t version = std::stoll(etag.substr(1, etag.size() - 2));
    json values = json::object();
    for (int i = 0; i < kFields; ++i) values[field_code(i)] = field_value(s.org, i);
    json body = {{"version", version}, {"values", values}};
    auto saved = co_await call(stream, s, bhttp::verb::put, path, body.dump(), "save");
    if (saved.result_int() != 200) co_return;
    ack_ << s.org << '\t' << s.period << '\n';
    auto submitted = co_await call(stream, s, bhttp::verb::post, path + "/submit", "{}", "submit");
    if (submitted.result_int() == 200) ++tally_.forms;
  }

  // A leader's screen: the form's figures by city, and the task's completeness.
  asio::awaitable<void> poller(Session viewer) {
    Stream stream(io_);
    try {
      co_await connect(stream);
      std::string dx;
      for (int i = 0; i < 5; ++i) dx += (i ? ";" : "") + field_code(i);
      const std::string figures =
          fmt::format("/api/analytics?dimension=dx:{}&dimension=ou:44;LEVEL-2&filter=pe:{}", dx, viewer.period);
      const std::string status = fmt::format("/api/tasks/{}/status", viewer.task);
      while (!fillers_done()) {
        co_await call(stream, viewer, bhttp::verb::get, figures, "", "dashboard");
        co_await call(stream, viewer, bhttp::verb::get, status, "", "status");
      }
    } catch (const std::exception& e) {
      ++tally_.codes["connection"][0];
      std::cerr << "viewer connection: " << e.what() << "\n";
    }
  }

  asio::io_context& io_;
  std::string host_;
  unsigned short port_;
  std::ofstream& ack_;
  asio::steady_timer gate_;
  std::size_t waiting_ = 0;
  std::size_t fillers_left_ = 0;
  Tally tally_;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void raise_open_files() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int surge(const std::string& host, unsigned short port, const std::string& sessions_path,
          std::size_t connections, std::size_t viewers, const std::string& ack_path,
          const std::string& label, const std::string& results) {
  raise_open_files();
  std::vector<Session> all = read_sessions(sessions_path);
  std::vector<Session> fillers;
  const Session* viewer = nullptr;
  for (const auto& s : all) {
    if (s.kind == "filler") fillers.push_back(s);
    if (s.kind == "viewer") viewer = &s;
  }
  if (!viewer || fillers.empty()) {
    std::cerr << "bench_load: no sessions in " << sessions_path << "\n";
    return 1;
  }
  connections = std::min(connections, fillers.size());
  std::ofstream ack(ack_path);
  asio::io_context io(1);
  Surge run(io, host, port, ack);
  run.start(fillers, *viewer, connections, viewers);
  io.run();
  ack.flush();

  Tally& t = run.tally();
  const double seconds = std::chrono::duration<double>(t.last_submit - t.first_start).count();
  const double rate = seconds > 0 ? static_cast<double>(t.forms) / seconds : 0;
  json report = {{"label", label},   {"connections", connections}, {"viewers", viewers},
                 {"forms", t.forms}, {"seconds", seconds},         {"formsPerSecond", rate}};
  std::cout << fmt::format(
      "{}: {} forms of {} values in {:.2f} s = {:.0f} forms/s ({} connections)\n", label, t.forms,
      kFields, seconds, rate, connections);
  for (auto& [kind, ms] : t.ms) {
    const double p50 = percentile(ms, 0.50), p95 = percentile(ms, 0.95), p99 = percentile(ms, 0.99);
    std::cout << fmt::format("  {:<9} n={:<7} p50 {:7.1f} ms  p95 {:7.1f} ms  p99 {:7.1f} ms\n",
                             kind, ms.size(), p50, p95, p99);
    report["requests"][kind] = {{"n", ms.size()}, {"p50", p50}, {"p95", p95}, {"p99", p99}};
  }
  for (const auto& [kind, codes] : t.codes) {
    for (const auto& [code, n] : codes) {
      if (code == 200) continue;
      std::cout << fmt::format("  errors: {} → {} × {}\n", kind, code, n);
      report["errors"][kind][std::to_string(code)] = n;
    }
  }
  if (!results.empty()) std::ofstream(results, std::ios::app) << report.dump() << "\n";
  return 0;
}

// Every save answered 200 is in the store with the values it carried.
int verify(const std::string& db, const std::string& ack_path) {
  auto store = need(store::open_store(db), "open");
  std::ifstream in(ack_path);
  std::string line;
  std::size_t checked = 0, lost = 0;
  std::vector<std::string> codes;
  for (int i = 0; i < kFields; ++i) codes.push_back(field_code(i));
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    const std::string org = line.substr(0, tab), period = line.substr(tab + 1);
    auto values = need(store->find_values(org, {period}, codes), "values");
    std::map<std::string, double> found;
    for (const auto& v : values) {
      if (v.number) found[v.indicator] = *v.number;
    }
    for (int i = 0; i < kFields; ++i) {
      ++checked;
      auto it = found.find(field_code(i));
      if (it == found.end() || it->second != field_value(org, i)) {
        if (++lost <= 10) std::cerr << "lost: " << org << " " << field_code(i) << "\n";
      }
    }
  }
  std::cout << fmt::format("verify: {} acknowledged values checked, {} lost\n", checked, lost);
  return lost == 0 ? 0 : 1;
}

// The disk's ceiling for durable commits: 4 KiB writes each followed by fdatasync.
int fsync_rate(const std::string& dir) {
  const std::string path = dir + "/fsync-probe";
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) {
    std::perror("open");
    return 1;
  }
  std::vector<char> block(4096, 'x');
  std::size_t n = 0;
  const auto begin = Clock::now();
  while (Clock::now() - begin < std::chrono::seconds(3)) {
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>((n % 256) * 4096)) < 0 ||
        ::fdatasync(fd) != 0) {
      std::perror("write");
      return 1;
    }
    ++n;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  ::close(fd);
  ::unlink(path.c_str());
  std::cout << fmt::format("fsync: {:.0f} durable 4 KiB writes/s on {}\n",
                           static_cast<double>(n) / seconds, dir);
  return 0;
}

}  // namespace
}  // namespace tianbao::bench

int main(int argc, char** argv) {
  using namespace tianbao::bench;
  CLI::App app{"tianbao deadline-surge load driver"};
  app.require_subcommand(1);
  std::string db, sessions = "var/load-sessions.tsv", ack = "var/load-ack.tsv", host = "127.0.0.1";
  std::string label = "surge", results, dir = "var";
  std::size_t units = 2000, connections = 2000, viewers = 20;
  unsigned short port = 8080;
  auto* prep = app.add_subcommand("prepare", "build the fixture");
  prep->add_option("--db", db)->required();
  prep->add_option("--units", units);
  prep->add_option("--sessions", sessions);
  auto* run = app.add_subcommand("surge", "run the surge against a server");
  run->add_option("--host", host);
  run->add_option("--port", port)->required();
  run->add_option("--sessions", sessions);
  run->add_option("--connections", connections);
  run->add_option("--viewers", viewers);
  run->add_option("--ack", ack);
  run->add_option("--label", label);
  run->add_option("--results", results);
  auto* check = app.add_subcommand("verify", "check acknowledged saves against the store");
  check->add_option("--db", db)->required();
  check->add_option("--ack", ack);
  auto* disk = app.add_subcommand("fsync", "measure the disk's fsync rate");
  disk->add_option("--dir", dir);
  CLI11_PARSE(app, argc, argv);
  if (prep->parsed()) {
    prepare(db, units, sessions);
    return 0;
  }
  if (run->parsed()) return surge(host, port, sessions, connections, viewers, ack, label, results);
  if (check->parsed()) return verify(db, ack);
  return fsync_rate(dir);
}
