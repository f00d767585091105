#include "cli/demo_figures.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "model/period.h"

namespace tianbao::cli {

namespace {

// Seasons by calendar month (index 1–12; 0 unused).
// Activity (办件, 月活, 自助机): Spring Festival in Feb 2022, National Day in
// Oct, the year-end push in Dec, back-to-work catch-up in Mar.
constexpr double kActivity[13] = {0,    0.97, 0.74, 1.07, 0.99, 0.97, 1.01,
                                  1.03, 1.02, 1.00, 0.90, 1.03, 1.12};
// Uptake of the user bases (monthly increments of the stocks).
constexpr double kUptake[13] = {0,    0.90, 0.50, 1.30, 1.00, 0.95, 1.05,
                                1.00, 1.00, 1.00, 0.80, 1.05, 1.40};
// 12345 calls: fewer over the Spring Festival, more in the typhoon summer.
constexpr double kHotline[13] = {0,    1.04, 0.80, 1.02, 0.97, 0.98, 1.05,
                                 1.10, 1.08, 1.00, 0.90, 0.98, 1.06};
// 粤政易 daily-active rate: holidays and summer leave lower it.
constexpr double kDauShift[13] = {0,      -0.010, -0.070, 0.010,  0.000, -0.005, 0.000,
                                  -0.012, -0.010, 0.000,  -0.035, 0.005, 0.015};
// Working days of each demo month (2021-09 … 2022-09) under the State
// Council's holiday arrangements; a village service station opens on them
// and on a Saturday or two.
constexpr int kWorkdays[kDemoMonths] = {22, 18, 22, 23, 20, 16, 23, 20, 20, 21, 21, 23, 22};

int calendar_month(int month) {
  return (8 + month) % 12 + 1;
}

double round_to(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

// Population (millions) and the yearly growth of the city's platforms.
struct CityProfile {
  const char* code;
  double population;
  double growth;
};

constexpr CityProfile kCities[] = {
    {"4401", 18.7, 0.08},  // 广州: large, slower relative growth
    {"4402", 2.9, 0.32},   // 韶关: northern, catching up fast
    {"4403", 17.6, 0.06},  // 深圳: large, slowest relative growth
    {"4404", 2.4, 0.15},   // 珠海
    {"4405", 5.5, 0.12},   // 汕头
    {"4406", 9.5, 0.10},   // 佛山
    {"4407", 4.8, 0.14},   // 江门
    {"4408", 7.0, 0.18},   // 湛江
    {"4409", 6.2, 0.16},   // 茂名
    {"4412", 4.1, 0.20},   // 肇庆
    {"4413", 6.0, 0.17},   // 惠州
    {"4414", 3.9, 0.30},   // 梅州: northern
    {"4415", 2.7, 0.01},   // 汕尾: flat
    {"4416", 2.8, 0.36},   // 河源: northern, fastest
    {"4417", 2.6, 0.13},   // 阳江
    {"4418", 4.0, 0.28},   // 清远: northern
    {"4419", 10.5, 0.09},  // 东莞
    {"4420", 4.4, 0.11},   // 中山
    {"4451", 2.6, -0.04},  // 潮州: activity dipping
    {"4452", 5.6, 0.14},   // 揭阳
    {"4453", 2.4, 0.22},   // 云浮
};

// Each stored city indicator with the step of its figures (for breaking ties)
// and whether it is a stock (that must not decrease).
struct Ranked {
  const char* indicator;
  double step;
  bool stock;
};
constexpr Ranked kCityIndicators[] = {
    {"YSS_REG_USERS", 0.1, true},     {"YSS_SERVICES", 1, true},   {"YSS_APP_INSTALLS", 0.1, true},
    {"MARKET_ENTITIES", 0.1, true},   {"YST_ENTITIES", 0.1, true}, {"YST_MAU", 0.1, false},
    {"YZY_OPENED", 0.01, true},       {"YZY_DAU", 0.01, false},    {"HOTLINE_CALLS", 0.1, false},
    {"HOTLINE_ANSWERED", 0.1, false}, {"GDZWFW_ITEMS", 1, true},   {"YZZ_MACHINES", 1, true},
    {"YZZ_TRANSACTIONS", 0.1, false},
};

DemoFigures::Series city_series(const CityProfile& c) {
  DemoNoise n(c.code);
  const double pop = c.population;
  const double stock_growth = std::max(c.growth, 0.015);  // user bases never shrink
  const double flow_trend = c.growth;

  double reg = pop * 55 * n.between(0.85, 1.15);
  double installs = reg * n.between(0.42, 0.55);
  double services = std::round(780 + pop * 38 * n.between(0.8, 1.2));
  double entities = pop * 68 * n.between(0.88, 1.12);
  double coverage = n.between(0.56, 0.68);
  const double coverage_gain = n.between(0.006, 0.011) + 0.01 * stock_growth;
  const double mau_share = n.between(0.11, 0.145);
  double opened = pop * 3.0 * n.between(0.85, 1.15);
  const double dau_base = n.between(0.545, 0.605);
  const double calls_base = pop * 12 * n.between(0.85, 1.15);
  const double answer_base = n.between(0.86, 0.925);
  double items = std::round(1480 + pop * 20 * n.between(0.8, 1.2));
  double machines = std::round(pop * 58 * n.between(0.75, 1.25));
  const double per_machine = n.between(0.055, 0.075);  // 万件 a month

  const double reg0 = reg, installs0 = installs, entities0 = entities, opened0 = opened,
               machines0 = machines;
  DemoFigures::Series s;
  for (int m = 0; m < kDemoMonths; ++m) {
    const int cm = calendar_month(m);
    if (m > 0) {
      reg += reg0 * stock_growth / 12 * kUptake[cm] * n.jitter(0.25);
      installs += installs0 * stock_growth * 0.9 / 12 * kUptake[cm] * n.jitter(0.3);
      services += std::round(std::max(0.0, 4 * kUptake[cm] + 2.5 * n.gauss()));
      entities += entities0 * (0.045 + 0.15 * stock_growth) / 12 * kUptake[cm] * n.jitter(0.25);
      coverage = std::min(0.93, coverage + coverage_gain * kUptake[cm] * n.jitter(0.3));
      opened += opened0 * (0.05 + 0.3 * stock_growth) / 12 * n.jitter(0.3);
      items += std::round(std::max(0.0, 3 * kUptake[cm] + 2 * n.gauss()));
      machines +=
          std::round(std::max(0.0, machines0 * stock_growth / 12 * kUptake[cm] * n.jitter(0.4)));
    }
    const double yst = entities * coverage;
    const double dau_rate = dau_base + 0.0035 * m + kDauShift[cm] + 0.006 * n.gauss();
    const double calls = calls_base * kHotline[cm] * (1 + flow_trend * m / 12) * n.jitter(0.035);
    const double answer_rate = std::clamp(
        answer_base + 0.0025 * m - 0.25 * (kHotline[cm] - 1) + 0.006 * n.gauss(), 0.78, 0.985);
    s["YSS_REG_USERS"].push_back(round_to(reg, 1));
    s["YSS_SERVICES"].push_back(services);
    s["YSS_APP_INSTALLS"].push_back(round_to(installs, 1));
    s["MARKET_ENTITIES"].push_back(round_to(entities, 1));
    s["YST_ENTITIES"].push_back(round_to(yst, 1));
    s["YST_MAU"].push_back(
        round_to(yst * mau_share * kActivity[cm] * (1 + flow_trend * m / 24) * n.jitter(0.03), 1));
    s["YZY_OPENED"].push_back(round_to(opened, 2));
    s["YZY_DAU"].push_back(round_to(opened * dau_rate, 2));
    s["HOTLINE_CALLS"].push_back(round_to(calls, 1));
    s["HOTLINE_ANSWERED"].push_back(round_to(calls * answer_rate, 1));
    s["GDZWFW_ITEMS"].push_back(items);
    s["YZZ_MACHINES"].push_back(machines);
    s["YZZ_TRANSACTIONS"].push_back(round_to(
        machines * per_machine * kActivity[cm] * (1 + flow_trend * m / 24) * n.jitter(0.05), 1));
  }
  return s;
}

// Nudges figures apart so that no two units tie in any month: a ranking
// with ties reads as made up. A stock nudged up carries the nudge into the
// later months where needed, so it still never decreases.
void separate_ties(std::map<std::string, DemoFigures::Series>& units,
                   const std::vector<std::string>& codes, const char* indicator, double step,
                   bool stock) {
  for (int m = 0; m < kDemoMonths; ++m) {
    bool changed = true;
    while (changed) {
      changed = false;
      std::vector<std::pair<double, std::string>> ranked;
      for (const std::string& code : codes) {
        ranked.push_back({units[code][indicator][m], code});
      }
      std::sort(ranked.begin(), ranked.end());
      for (std::size_t i = 1; i < ranked.size(); ++i) {
        if (std::abs(ranked[i].first - ranked[i - 1].first) > step / 2) continue;
        std::vector<double>& series = units[ranked[i].second][indicator];
        series[m] = round_to(series[m] + step, 2);
        for (int later = m + 1; stock && later < kDemoMonths; ++later) {
          series[later] = std::max(series[later], series[later - 1]);
        }
        changed = true;
        break;
      }
    }
  }
}

DemoFigures::Series department_series(int i, const std::string& code) {
  DemoNoise n(code);
  double services = std::round(60 + 25 * i + 6 * n.gauss());
  double items = std::round(150 + 40 * i + 10 * n.gauss());
  DemoFigures::Series s;
  for (int m = 0; m < kDemoMonths; ++m) {
    const int cm = calendar_month(m);
    if (m > 0) {
      services += std::round(std::max(0.0, 1.2 * kUptake[cm] + 1.2 * n.gauss()));
      items += std::round(std::max(0.0, 2 * kUptake[cm] + 1.5 * n.gauss()));
    }
    s["YSS_SERVICES"].push_back(services);
    s["GDZWFW_ITEMS"].push_back(items);
  }
  return s;
}

DemoFigures::Series town_series(const std::string& code) {
  DemoNoise n(code);
  const double size = std::exp(n.between(std::log(250.0), std::log(2200.0)));
  const double online_base = n.between(0.42, 0.66);
  const double trend = n.between(-0.03, 0.2);
  DemoFigures::Series s;
  for (int m = 0; m < kDemoMonths; ++m) {
    const int cm = calendar_month(m);
    double cases = std::round(size * kActivity[cm] * (1 + trend * m / 12) * n.jitter(0.08));
    double share = std::clamp(online_base + 0.011 * m + 0.02 * n.gauss(), 0.2, 0.95);
    s["ZW_CASES"].push_back(cases);
    s["ZW_ONLINE_CASES"].push_back(std::round(cases * share));
  }
  return s;
}

DemoFigures::Series village_series(const std::string& code) {
  DemoNoise n(code);
  const double agent = n.between(85, 170);
  const double kiosk = n.between(180, 420);
  DemoFigures::Series s;
  for (int m = 0; m < kDemoMonths; ++m) {
    const int cm = calendar_month(m);
    // Open on working days and, now and then, a Saturday morning.
    double days = std::min(23.0, kWorkdays[m] + std::floor(n.between(0, 2)));
    s["VIL_AGENT_CASES"].push_back(std::round(agent * kActivity[cm] * n.jitter(0.1)));
    s["VIL_YZZ_USES"].push_back(std::round(kiosk * kActivity[cm] * n.jitter(0.1)));
    s["VIL_OPEN_DAYS"].push_back(days);
  }
  return s;
}

}  // namespace

std::string DemoFigures::period(int month) {
  return model::Period::month(2021 + (8 + month) / 12, calendar_month(month)).to_string();
}

std::vector<store::ValueWrite> DemoFigures::writes(const std::string& org_code, int month) const {
  std::vector<store::ValueWrite> out;
  auto unit = units.find(org_code);
  if (unit == units.end()) return out;
  for (const auto& [indicator, series] : unit->second) {
    out.push_back({indicator, org_code, period(month), series.at(month), std::nullopt});
  }
  return out;
}

double DemoFigures::value(const std::string& org_code, int month,
                          const std::string& indicator) const {
  auto unit = units.find(org_code);
  if (unit == units.end()) return 0;
  auto series = unit->second.find(indicator);
  return series == unit->second.end() ? 0 : series->second.at(month);
}

std::vector<store::ValueWrite> DemoFigures::all_writes(int months) const {
  std::vector<store::ValueWrite> out;
  for (const auto& [code, series] : units) {
    for (int m = 0; m < months; ++m) {
      std::vector<store::ValueWrite> w = writes(code, m);
      out.insert(out.end(), w.begin(), w.end());
    }
  }
  return out;
}

const std::vector<std::string>& demo_cities() {
  static const std::vector<std::string> codes = [] {
    std::vector<std::string> out;
    for (const CityProfile& c : kCities) out.push_back(c.code);
    return out;
  }();
  return codes;
}

const std::vector<std::string>& demo_provincial_departments() {
  static const std::vector<std::string> codes = {"44_ZSJ", "44_GAT", "44_RST", "44_SCJGJ",
                                                 "44_WJW"};
  return codes;
}

DemoFigures make_demo_figures(const std::vector<std::string>& towns,
                              const std::vector<std::string>& villages) {
  DemoFigures f;
  for (const CityProfile& c : kCities) f.units[c.code] = city_series(c);
  for (const Ranked& r : kCityIndicators) {
    separate_ties(f.units, demo_cities(), r.indicator, r.step, r.stock);
  }
  int i = 0;
  for (const std::string& d : demo_provincial_departments()) {
    f.units[d] = department_series(i++, d);
  }
  for (const std::string& t : towns) f.units[t] = town_series(t);
  separate_ties(f.units, towns, "ZW_CASES", 1, false);
  for (const std::string& v : villages) f.units[v] = village_series(v);
  return f;
}

}  // namespace tianbao::cli
