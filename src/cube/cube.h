// Cube: every numeric data value in memory, so that any total is computed
// at query time from committed figures — no analytics job, no lag.
//
// Values are kept per indicator and period kind (month, quarter, year,
// month range) in a track, and a track is cut along time into chunks of
// consecutive periods — a year of months, a year of quarters. A chunk
// holds one row per org unit with any value in it, sorted by the unit's
// ordinal (depth-first pre-order, see model::OrgTree), and a row holds the
// unit's values for the chunk's periods side by side (NaN: no value). So a
// subtree is one run of rows: "total of 湛江市 in 2022-08" is a search and
// a short scan, "all counties × the 12 months of 2025" one forward pass
// over one contiguous array, and "one village's 120 months" ten searches.
// A monthly value costs its 8 bytes plus a twelfth of its row's 4-byte
// ordinal: about 8.3 bytes, within the 16-byte budget.
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

#include <array>
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
#include "model/period.h"
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
  void merge(const Totals& t) {
    sum += t.sum;
    count += t.count;
    if (t.min < min) min = t.min;
    if (t.max > max) max = t.max;
  }
  bool empty() const { return count == 0; }
};

class Cube {
 private:
  // One chunk of a track: the rows of the units with a value in periods
  // [start, start + width), row-major.
  struct Chunk {
    std::uint32_t start = 0;
    std::vector<model::Ordinal> ordinals;  // sorted, unique
    std::vector<double> values;            // ordinals.size() × width; NaN: no value
  };
  struct Track {
    std::vector<Chunk> chunks;  // sorted by start
  };
  static constexpr std::size_t kKinds = 4;  // model::Period::Kind
  using Tracks = std::array<Track, kKinds>;
  // A write with its ids resolved; a NaN value removes.
  struct Resolved {
    std::uint32_t track;  // indicator * kKinds + kind
    std::uint32_t start;  // the chunk's first period index
    model::Ordinal ordinal;
    std::uint32_t seq;    // position in its batch: later writes win
    std::uint32_t index;  // period index within the kind
    double value;
    std::uint64_t chunk_key() const { return (std::uint64_t{track} << 32) | start; }
    std::uint64_t row_key() const { return (std::uint64_t{ordinal} << 32) | seq; }
  };

 public:
  using IndicatorId = std::uint32_t;
  // A period as the cube keys it: the kind (model::Period::Kind) in the top
  // two bits, the index within the kind below — months year*12+month-1,
  // quarters year*4+quarter-1, years the year, month ranges first month
  // index*12+months-1 — so the months after 2022-08 are the ids after it.
  using PeriodId = std::uint32_t;
  static constexpr std::uint32_t kUnknown = std::numeric_limits<std::uint32_t>::max();

  static PeriodId period_id(const model::Period& p);
  static PeriodId period_id(std::string_view text);  // kUnknown unless Period::parse takes it
  static PeriodId month_id(int month_index);

  explicit Cube(std::shared_ptr<const model::OrgTree> tree);

  // The state readers see, valid inside read().
  class View {
   public:
    const model::OrgTree& tree() const { return *cube_.tree_; }
    std::shared_ptr<const model::OrgTree> tree_ptr() const { return cube_.tree_; }
    IndicatorId indicator(std::string_view code) const;  // kUnknown if never seen
    PeriodId period(std::string_view text) const { return period_id(text); }
    Totals range(IndicatorId i, PeriodId p, model::SubtreeRange r) const;
    // Totals for several ranges of one period at once (any order, may nest).
    // Without `extremes`, min and max are left as they are: sums and counts
    // are all most indicators need, and the loop is then a plain sum.
    void ranges(IndicatorId i, PeriodId p, std::span<const model::SubtreeRange> rs,
                std::span<Totals> out, bool extremes = true) const;
    // Totals for `count` consecutive periods of one kind from `first`, for
    // every range: out[k * rs.size() + r] is period first + k in range r
    // (out.size() == count * rs.size()). Each row in a range is read once
    // for all the periods — a unit's months lie side by side.
    void block(IndicatorId i, PeriodId first, std::uint32_t count,
               std::span<const model::SubtreeRange> rs, std::span<Totals> out,
               bool extremes = true) const;
    // Totals over all `count` periods from `first` together, per range
    // (out.size() == rs.size()): a flow's 1–8月 in one pass.
    void block_total(IndicatorId i, PeriodId first, std::uint32_t count,
                     std::span<const model::SubtreeRange> rs, std::span<Totals> out,
                     bool extremes = true) const;
    std::optional<double> point(IndicatorId i, PeriodId p, model::Ordinal o) const;
    std::size_t value_count() const { return cube_.value_count_; }

   private:
    void sweep(IndicatorId i, PeriodId first, std::uint32_t count,
               std::span<const model::SubtreeRange> rs, std::span<Totals> out, bool extremes,
               bool collapse) const;
    friend class Cube;
    explicit View(const Cube& cube) : cube_(cube) {}
    const Cube& cube_;
  };

  void read(const std::function<void(const View&)>& reader) const;

  // Sets (or with nullopt removes) one value. Unknown units and texts that
  // are no period are ignored (units after a rebase attempt: they were
  // removed from the tree).
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

  // Bulk loading by ids in any order, holding the write lock for its
  // lifetime; a later value for the same (indicator, period, unit)
  // replaces the earlier one:
  //   { Cube::Loader load(cube); auto i = load.indicator("A"); … load.add(i, p, o, v); }
  // The cube is finished (chunks merged, trimmed) when the loader goes away.
  class Loader {
   public:
    explicit Loader(Cube& cube) : cube_(cube), lock_(cube.mu_) {}
    ~Loader();
    Loader(const Loader&) = delete;
    Loader& operator=(const Loader&) = delete;
    IndicatorId indicator(std::string_view code) { return cube_.intern_indicator(code); }
    PeriodId period(std::string_view text) const { return period_id(text); }
    const model::OrgTree& tree() const { return *cube_.tree_; }
    void add(IndicatorId i, PeriodId p, model::Ordinal o, double value);

   private:
    // Values are applied a buffer at a time, each chunk rebuilt once per buffer.
    static constexpr std::size_t kBuffer = std::size_t{1} << 20;
    Cube& cube_;
    std::unique_lock<std::shared_mutex> lock_;
    std::vector<Resolved> pending_;
  };

  // Re-maps ordinals to `next` (units matched by code; values of units no
  // longer present are dropped).
  void rebase(std::shared_ptr<const model::OrgTree> next);
  std::shared_ptr<const model::OrgTree> tree() const;

  std::size_t value_count() const;
  // Bytes held by tracks and chunks (ordinals, headers, value arrays with
  // their spare capacity) — for the "bytes per value" figure.
  std::size_t memory_bytes() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  IndicatorId intern_indicator(std::string_view code);  // REQUIRES: exclusive lock
  static Resolved resolved(IndicatorId i, PeriodId p, model::Ordinal o, std::uint32_t seq,
                           double value);
  const Track* track(IndicatorId i, PeriodId p) const;
  // Applies writes in order (the last one of a key wins). Small batches go
  // one by one; large ones are sorted and merged into each chunk they
  // touch, so an import or a load costs one pass per chunk, not a shift of
  // the rows behind every new unit. REQUIRES: exclusive lock.
  void apply_locked(std::vector<Resolved>& writes);
  void set_one(const Resolved& w);  // REQUIRES: exclusive lock
  // Orders one chunk's writes by (ordinal, seq); `scratch` and `counts` are
  // reused between calls.
  static void sort_by_unit(std::span<Resolved> group, std::vector<Resolved>& scratch,
                           std::vector<std::uint32_t>& counts);
  // `writes` all in one chunk, sorted by (ordinal, seq). REQUIRES: exclusive lock.
  void merge_locked(std::span<const Resolved> writes);
  // Returns freed capacity to the heap. REQUIRES: exclusive lock.
  void trim_locked();

  mutable std::shared_mutex mu_;
  std::shared_ptr<const model::OrgTree> tree_;
  std::unordered_map<std::string, IndicatorId, StringHash, std::equal_to<>> indicator_ids_;
  std::vector<Tracks> tracks_;  // by IndicatorId
  std::size_t value_count_ = 0;
};

}  // namespace tianbao::cube
