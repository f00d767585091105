// Cube: every numeric data value in memory, so that any total is computed
// at query time from committed figures — no analytics job, no lag.
//
// Values are grouped per (indicator, period) into a slice; a slice keeps
// the org-unit ordinals (depth-first pre-order, see model::OrgTree) of the
// units that have a value, sorted, with the values alongside. A subtree is
// one ordinal range, so "total of 湛江市" is a binary search and a short
// scan, and "all 124 counties" is one sweep over the slice. That is 12
// bytes per value (uint32 ordinal + double), within the 16-byte budget.
//
// The cube carries the tree its ordinals refer to. Writes name units by
// code; when the tree changes (a department is added) the cube re-maps its
// ordinals to the new tree before applying further writes (rebase).
//
//   Cube cube(tree);
//   cube.set("YSS_REG_USERS", "2022-08", "4408", 1234.5);
//   cube.read([&](const Cube::View& v) {
//     Totals t = v.range(v.indicator("YSS_REG_USERS"), v.period("2022-08"),
//                        v.tree().subtree(*v.tree().find("44")));
//   });
//
// Thread-safety: reads (read()) take a shared lock and may run
// concurrently; writes take an exclusive lock.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/org_tree.h"
#include "model/status.h"

namespace tianbao::cube {

// Aggregates of the values within a range.
struct Totals {
  double sum = 0;
  std::uint32_t count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();

  void add(double v) {
    sum += v;
    ++count;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  bool empty() const { return count == 0; }
};

class Cube {
 private:
  struct Slice {
    std::vector<model::Ordinal> ordinals;  // sorted, unique after finish()
    std::vector<double> values;
  };

 public:
  using IndicatorId = std::uint32_t;
  using PeriodId = std::uint32_t;
  static constexpr std::uint32_t kUnknown = std::numeric_limits<std::uint32_t>::max();

  explicit Cube(std::shared_ptr<const model::OrgTree> tree);

  // The state readers see, valid inside read().
  class View {
   public:
    const model::OrgTree& tree() const { return *cube_.tree_; }
    std::shared_ptr<const model::OrgTree> tree_ptr() const { return cube_.tree_; }
    IndicatorId indicator(std::string_view code) const;  // kUnknown if never seen
    PeriodId period(std::string_view period) const;      // kUnknown if never seen
    Totals range(IndicatorId i, PeriodId p, model::SubtreeRange r) const;
    // Totals for several ranges of one slice at once (any order, may nest).
    // Without `extremes`, min and max are left as they are: sums and counts
    // are all most indicators need, and the loop is then a plain sum.
    void ranges(IndicatorId i, PeriodId p, std::span<const model::SubtreeRange> rs,
                std::span<Totals> out, bool extremes = true) const;
    std::optional<double> point(IndicatorId i, PeriodId p, model::Ordinal o) const;
    std::size_t value_count() const { return cube_.value_count_; }

   private:
    friend class Cube;
    explicit View(const Cube& cube) : cube_(cube) {}
    const Cube& cube_;
  };

  void read(const std::function<void(const View&)>& reader) const;

  // Sets (or with nullopt removes) one value. Unknown units are ignored
  // after a rebase attempt (they were removed from the tree).
  void set(std::string_view indicator, std::string_view period, std::string_view org_code,
           std::optional<double> value);

  // Several writes under one lock, each as set() would apply it, in order
  // (an import's batch: one lock instead of thousands).
  struct Write {
    std::string_view indicator;
    std::string_view period;
    std::string_view org_code;
    std::optional<double> value;
  };
  void set(std::span<const Write> writes);

  // Bulk loading: append in any order, then finish() sorts every slice.
  // Later set() calls are fine without finish() only after it ran.
  void append(std::string_view indicator, std::string_view period, std::string_view org_code,
              double value);
  void finish();

  // Fast bulk loading by ids, holding the write lock for its lifetime:
  //   { Cube::Loader load(cube); auto i = load.indicator("A"); … load.add(i, p, o, v); }
  // The cube is finished (sorted, trimmed) when the loader goes away.
  class Loader {
   public:
    explicit Loader(Cube& cube) : cube_(cube), lock_(cube.mu_) {}
    ~Loader();
    Loader(const Loader&) = delete;
    Loader& operator=(const Loader&) = delete;
    IndicatorId indicator(std::string_view code) { return cube_.intern_indicator(code); }
    PeriodId period(std::string_view period) { return cube_.intern_period(period); }
    const model::OrgTree& tree() const { return *cube_.tree_; }
    void add(IndicatorId i, PeriodId p, model::Ordinal o, double value) {
      Slice& s =
          i == last_i_ && p == last_p_ ? *last_ : (last_ = &cube_.slices_[key(i, p)], *last_);
      last_i_ = i;
      last_p_ = p;
      s.ordinals.push_back(o);
      s.values.push_back(value);
    }

   private:
    Cube& cube_;
    std::unique_lock<std::shared_mutex> lock_;
    IndicatorId last_i_ = kUnknown;
    PeriodId last_p_ = kUnknown;
    Slice* last_ = nullptr;
  };

  // Re-maps ordinals to `next` (units matched by code; values of units no
  // longer present are dropped).
  void rebase(std::shared_ptr<const model::OrgTree> next);
  std::shared_ptr<const model::OrgTree> tree() const;

  std::size_t value_count() const;
  // Bytes held by slices (ordinals, values, vector headers) — for the
  // "bytes per value" figure.
  std::size_t memory_bytes() const;

 private:
  static std::uint64_t key(IndicatorId i, PeriodId p) { return (std::uint64_t{i} << 32) | p; }
  IndicatorId intern_indicator(std::string_view code);  // REQUIRES: exclusive lock
  PeriodId intern_period(std::string_view period);      // REQUIRES: exclusive lock
  const Slice* slice(IndicatorId i, PeriodId p) const;
  void set_locked(Slice& s, model::Ordinal o,
                  std::optional<double> value);  // REQUIRES: exclusive lock
  void sort_slice(Slice& s);
  void finish_locked();  // REQUIRES: exclusive lock

  mutable std::shared_mutex mu_;
  std::shared_ptr<const model::OrgTree> tree_;
  std::unordered_map<std::string, IndicatorId> indicator_ids_;
  std::unordered_map<std::string, PeriodId> period_ids_;
  std::unordered_map<std::uint64_t, Slice> slices_;
  std::size_t value_count_ = 0;
};

}  // namespace tianbao::cube
