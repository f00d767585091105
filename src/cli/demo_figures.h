// The figures of the demo province, 2021-09 … 2022-09: what 21 cities, the
// 省直 departments, 湛江's towns and 中华街道's villages report each month.
// They are made to read like a real province: flows dip at the Spring
// Festival (2022-02) and the National Day holiday and peak with the
// year-end push in December; cities grow at their own pace (深圳 and 广州
// large but slow, the northern cities fast, 汕尾 flat, 潮州 dipping); rates
// move from month to month; and no two cities tie in a month. The noise
// comes from std::mt19937 seeded per unit from a fixed seed, so every run
// gives the same figures, whatever order the units are generated in.
//
// The figures keep the validation rules of the demo forms: 日活 ≤ 开通,
// 接通 ≤ 来电, 粤商通注册 ≤ 市场主体, 网办 ≤ 办件; stocks never decrease.
//
// Pure: no I/O. Usage:
//   DemoFigures f = make_demo_figures(towns, villages);
//   for (const store::ValueWrite& w : f.writes("4408", 11)) …  // 2022-08
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace tianbao::cli {

// A random stream of its own for each key (a unit, a task): the same key
// gives the same numbers whatever else the demo generates, run after run.
class DemoNoise {
 public:
  explicit DemoNoise(std::string_view key) : rng_(kSeed ^ fnv1a(key)) {}
  double uniform() { return static_cast<double>(rng_()) / 4294967296.0; }  // [0, 1)
  double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int below(int n) { return std::min(n - 1, static_cast<int>(uniform() * n)); }  // [0, n)
  // Roughly standard normal (Irwin–Hall of four uniforms), bounded by ±3.5.
  double gauss() {
    double s = 0;
    for (int i = 0; i < 4; ++i) s += uniform();
    return (s - 2.0) * std::sqrt(3.0);
  }
  // 1 + spread·gauss, never below `floor`: a multiplicative jitter.
  double jitter(double spread, double floor = 0.2) {
    return std::max(floor, 1.0 + spread * gauss());
  }

 private:
  // Changing it changes every figure of the demo (and the tests' expectations).
  static constexpr std::uint32_t kSeed = 20220913;  // the day 2022年第8期 was issued
  // std::hash is not promised to be stable across libraries; FNV-1a is.
  static std::uint32_t fnv1a(std::string_view s) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
  }
  std::mt19937 rng_;
};

// Months of the demo: index 0 is 2021-09, 11 is 2022-08 (the last filled
// month), 12 is 2022-09 (the open month; only a few units have it).
inline constexpr int kDemoMonths = 13;
inline constexpr int kDemoHistoryMonths = 12;

class DemoFigures {
 public:
  // "2021-09" for 0 … "2022-09" for 12.
  static std::string period(int month);

  // What `org_code` reports for month `month`, in a fixed order; empty for
  // a unit without figures.
  std::vector<store::ValueWrite> writes(const std::string& org_code, int month) const;
  // One figure; 0 if the unit has none.
  double value(const std::string& org_code, int month, const std::string& indicator) const;
  // Every unit's figures for months [0, months), unit by unit.
  std::vector<store::ValueWrite> all_writes(int months) const;

  // Series of one unit: indicator → a value per month.
  using Series = std::map<std::string, std::vector<double>>;
  std::map<std::string, Series> units;
};

// The 21 cities, in code order.
const std::vector<std::string>& demo_cities();
// The province's own departments (省直) that report on the city form.
const std::vector<std::string>& demo_provincial_departments();

DemoFigures make_demo_figures(const std::vector<std::string>& towns,
                              const std::vector<std::string>& villages);

}  // namespace tianbao::cli
