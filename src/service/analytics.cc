#include "service/analytics.h"

#include <algorithm>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "model/text.h"
#include "model/time.h"
#include "service/analytics_execute.h"
#include "service/analytics_plan.h"
#include "service/batch_pipe.h"

namespace tianbao::service {

std::string_view AnalyticsTable::keep(std::string_view text) {
  if (texts_.empty() || text_size_ - text_used_ < text.size()) {
    text_size_ = std::max(kTextBlock, text.size());
    texts_.push_back(std::make_unique_for_overwrite<char[]>(text_size_));
    text_used_ = 0;
  }
  char* at = texts_.back().get() + text_used_;
  std::copy(text.begin(), text.end(), at);
  text_used_ += text.size();
  return {at, text.size()};
}

std::string_view measure_name(Measure m) {
  switch (m) {
    case Measure::kValue:
      return "value";
    case Measure::kNew:
      return "new";
    case Measure::kMom:
      return "mom";
    case Measure::kYoy:
      return "yoy";
    case Measure::kRank:
      return "rank";
  }
  return "value";
}

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kData:
      return "dx";
    case Dimension::kOrgUnit:
      return "ou";
    case Dimension::kPeriod:
      return "pe";
  }
  return "dx";
}

std::optional<Dimension> parse_dimension(std::string_view name) {
  for (Dimension d : {Dimension::kData, Dimension::kOrgUnit, Dimension::kPeriod}) {
    if (dimension_name(d) == name) return d;
  }
  return std::nullopt;
}

StatusOr<Measure> parse_measure(std::string_view name) {
  for (Measure m : {Measure::kValue, Measure::kNew, Measure::kMom, Measure::kYoy, Measure::kRank}) {
    if (measure_name(m) == name) return m;
  }
  return InvalidArgument(
      fmt::format(
          "measure 须为 "
          "value（数值）、new（本期新增）、mom（环比）、yoy（同比）、rank（排名），收到“{}”",
          model::sanitize_for_message(name)),
      "measure", "invalid_measure");
}

Status Analytics::load(store::Store& store) {
  cube_.rebase(units_.tree());
  cube::Cube::Loader loader(cube_);
  const model::OrgTree& tree = loader.tree();
  // Two threads: this one scans the store and resolves each row's ids (the
  // store's part is most of the work), the other puts the rows into the
  // cube. The catalogue's indicators are interned first, so that only the
  // other thread touches the cube while the scan runs; a value of an
  // indicator the catalogue lacks is kept aside and added at the end.
  struct Row {
    cube::Cube::IndicatorId indicator;
    cube::Cube::PeriodId period;
    model::Ordinal ordinal;
    double value;
  };
  std::unordered_map<std::string_view, cube::Cube::IndicatorId> interned;
  auto catalogue = metadata_.catalogue();
  for (const auto& [code, indicator] : catalogue->indicators) {
    if (!indicator.derived()) interned.emplace(code, loader.indicator(code));
  }
  BatchPipe<Row> pipe(std::size_t{1} << 16);
  std::thread filler([&] {
    while (std::optional<std::vector<Row>> rows = pipe.take()) {
      for (const Row& r : *rows) loader.add(r.indicator, r.period, r.ordinal, r.value);
      pipe.give_back(std::move(*rows));
    }
  });
  std::vector<Row> rows = pipe.empty_batch();
  std::vector<std::pair<std::string, Row>> unlisted;  // by indicator code
  // Rows arrive by period and unit, so the indicator changes every row and
  // the unit every few: both are remembered by the address of the store's
  // code text, which stays the same for the whole scan.
  std::string last_period;
  std::unordered_map<const char*, cube::Cube::IndicatorId> indicators;
  std::unordered_map<const char*, std::optional<model::Ordinal>> ordinals;
  cube::Cube::PeriodId p = cube::Cube::kUnknown;
  const char* last_org = nullptr;
  std::optional<model::Ordinal> o;
  Status scanned = store.scan_numbers(
      [&](std::string_view indicator, std::string_view org, std::string_view period, double value) {
        auto [i, new_indicator] = indicators.try_emplace(indicator.data());
        if (new_indicator) {
          auto known = interned.find(indicator);
          i->second = known == interned.end() ? cube::Cube::kUnknown : known->second;
        }
        if (org.data() != last_org) {
          auto [known, added] = ordinals.try_emplace(org.data());
          if (added) known->second = tree.find(org);
          o = known->second;
          last_org = org.data();
        }
        if (period != last_period) {
          last_period = period;
          p = cube::Cube::period_id(period);
        }
        if (!o) return;
        if (i->second == cube::Cube::kUnknown) {
          unlisted.emplace_back(std::string(indicator), Row{0, p, *o, value});
          return;
        }
        rows.push_back({i->second, p, *o, value});
        if (rows.size() >= pipe.batch_size()) pipe.put(std::exchange(rows, pipe.empty_batch()));
      });
  pipe.put(std::move(rows));
  pipe.close();
  filler.join();
  for (const auto& [code, r] : unlisted)
    loader.add(loader.indicator(code), r.period, r.ordinal, r.value);
  return scanned;
}

void Analytics::sync_tree() {
  auto current = units_.tree();
  if (cube_.tree() != current) cube_.rebase(current);
}

void Analytics::apply(const std::vector<store::ValueWrite>& writes,
                      const std::vector<bool>& applied) {
  sync_tree();
  std::vector<cube::Cube::Write> changes;
  changes.reserve(writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (!applied.empty() && !applied[i]) continue;
    const store::ValueWrite& w = writes[i];
    changes.push_back({w.indicator, w.period, w.org_code, w.number});
  }
  cube_.set(changes);
}

StatusOr<AnalyticsTable> Analytics::query(const Principal& who, const AnalyticsRequest& req) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "analytics"));
  sync_tree();
  std::shared_ptr<const Catalogue> catalogue = metadata_.catalogue();
  AnalyticsTable table;
  table.catalogue = catalogue;
  ASSIGN_OR_RETURN(AnalyticsPlan plan,
                   plan_query(req, *catalogue, model::beijing_month(clock_.now_ms()), table));
  Status done;
  cube_.read([&](const cube::Cube::View& view) {
    // The units against the very tree snapshot the execution reads.
    table.tree = view.tree_ptr();
    StatusOr<std::vector<OrgUnitRow>> units =
        resolve_org_units(req, view.tree(), who, access_, plan, table);
    if (!units.ok()) {
      done = units.status();
      return;
    }
    plan.units = std::move(*units);
    done = check_size(plan);
    if (done.ok()) execute(plan, view, *catalogue, table);
  });
  RETURN_IF_ERROR(done);
  name_dimensions(plan, table);
  return table;
}

}  // namespace tianbao::service
