#include "cube/cube.h"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numeric>
#include <unordered_map>
#include <utility>

namespace tianbao::cube {

namespace {

constexpr std::uint32_t kKindShift = 30;
// Periods per chunk, by model::Period::Kind: a year of months, of quarters;
// one year; the twelve lengths of ranges starting in one month.
constexpr std::array<std::uint32_t, 4> kChunkWidth = {12, 4, 1, 12};
constexpr std::uint32_t kMaxChunkWidth = 12;
// Ranges of at most this many rows are added to the block directly.
constexpr std::size_t kDirectRows = 2;
// Batches at least this large are merged into their chunks.
constexpr std::size_t kMergeBatch = 256;
constexpr std::uint32_t kIndexMask = (1u << kKindShift) - 1;
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

std::uint32_t kind_of(Cube::PeriodId p) {
  return p >> kKindShift;
}
std::uint32_t index_of(Cube::PeriodId p) {
  return p & kIndexMask;
}

// The first position in [first, last) whose ordinal is not less than
// `target`. Ordinals in a track are spread fairly evenly over the tree, so
// the position is guessed by interpolation and then found by galloping
// around the guess: about three cache lines touched instead of the dozen a
// plain binary search reads in a chunk of thousands.
const model::Ordinal* seek(const model::Ordinal* first, const model::Ordinal* last,
                           model::Ordinal target) {
  constexpr std::ptrdiff_t kSmall = 16;
  std::ptrdiff_t n = last - first;
  if (n <= kSmall) return std::lower_bound(first, last, target);
  if (target <= first[0]) return first;
  if (target > last[-1]) return last;
  double fraction =
      static_cast<double>(target - first[0]) / static_cast<double>(last[-1] - first[0]);
  std::ptrdiff_t guess = std::min<std::ptrdiff_t>(n - 1, static_cast<std::ptrdiff_t>(fraction * n));
  // Gallop from the guess towards the target, doubling the step, until the
  // target is bracketed; then binary search inside the bracket.
  std::ptrdiff_t lo, hi;
  if (first[guess] < target) {
    std::ptrdiff_t step = 1;
    lo = guess;
    hi = guess + step;
    while (hi < n && first[hi] < target) {
      lo = hi;
      step *= 2;
      hi = guess + step;
    }
    hi = std::min(hi, n);
  } else {
    std::ptrdiff_t step = 1;
    hi = guess;
    lo = guess - step;
    while (lo > 0 && first[lo] >= target) {
      hi = lo;
      step *= 2;
      lo = guess - step;
    }
    lo = std::max<std::ptrdiff_t>(lo, 0);
  }
  return std::lower_bound(first + lo, first + hi, target);
}

// Running totals of one range over a block's periods, kept side by side
// so that adding a row's run of months is a plain loop over two arrays
// (counts as doubles: the loop then needs no conversion and vectorises).
class RangeTotals {
 public:
  explicit RangeTotals(std::uint32_t count, bool extremes)
      : sums_(count), counts_(count), extremes_(extremes) {
    if (extremes) {
      mins_.resize(count);
      maxs_.resize(count);
    }
  }
  void clear(std::size_t from, std::size_t n) {
    std::fill_n(sums_.begin() + from, n, 0.0);
    std::fill_n(counts_.begin() + from, n, 0.0);
    if (extremes_) {
      std::fill_n(mins_.begin() + from, n, std::numeric_limits<double>::infinity());
      std::fill_n(maxs_.begin() + from, n, -std::numeric_limits<double>::infinity());
    }
  }
  // Adds `rows` rows spaced `stride` apart, each with values for periods
  // [from, from + n) of the block. `column` is where [from, from + n) starts within a row of
  // `stride` values: rows of twelve are summed whole (the fixed loop is faster than a shorter one
  // of unknown length) and the columns wanted taken after.
  void add(const double* row0, std::size_t stride, std::size_t column, std::size_t rows,
           std::size_t from, std::size_t n) {
    const double* v = row0 + column;
    if (stride == kMaxChunkWidth) {
      std::array<double, kMaxChunkWidth> s{}, c{};
      sum_rows<kMaxChunkWidth>(row0, stride, rows, kMaxChunkWidth, s.data(), c.data());
      for (std::size_t k = 0; k < n; ++k) {
        sums_[from + k] += s[column + k];
        counts_[from + k] += c[column + k];
      }
    } else {
      sum_rows<0>(v, stride, rows, n, sums_.data() + from, counts_.data() + from);
    }
    if (!extremes_) return;
    double* mins = mins_.data() + from;
    double* maxs = maxs_.data() + from;
    for (std::size_t r = 0; r < rows; ++r) {
      const double* row = v + r * stride;
      for (std::size_t k = 0; k < n; ++k) {
        if (row[k] != row[k]) continue;
        mins[k] = std::min(mins[k], row[k]);
        maxs[k] = std::max(maxs[k], row[k]);
      }
    }
  }

 private:
  // Adds one row's n values to running sums and counts (NaN: no value).
  static void add_row(const double* row, std::size_t n, double* sums, double* counts) {
    for (std::size_t k = 0; k < n; ++k) {
      const double x = row[k];
      const bool present = x == x;
      sums[k] += present ? x : 0.0;
      counts[k] += present ? 1.0 : 0.0;
    }
  }

  // Two doubles side by side (GCC/Clang vector extensions: SSE2 on x86-64,
  // NEON on ARM), and a mask of the same width.
  using Pair = double __attribute__((vector_size(16)));
  using PairMask = std::int64_t __attribute__((vector_size(16)));

  // The sums and counts of `rows` rows of n values. With N > 0 (a whole
  // row of N, N even) the running totals are N/2 pairs held in registers:
  // per pair of values a load, a compare (NaN is not equal to itself), two
  // masks and two adds — the same sums, column by column and row by row,
  // as the plain loop, which the compiler did not vectorise.
  template <std::size_t N>
  static void sum_rows(const double* v, std::size_t stride, std::size_t rows, std::size_t n,
                       double* sums, double* counts) {
    if constexpr (N > 0) {
      static_assert(N % 2 == 0);
      constexpr std::size_t kPairs = N / 2;
      const Pair one = {1.0, 1.0};
      std::array<Pair, kPairs> s{}, c{};
      for (std::size_t r = 0; r < rows; ++r) {
        const double* row = v + r * stride;
        for (std::size_t j = 0; j < kPairs; ++j) {
          Pair x;
          std::memcpy(&x, row + 2 * j, sizeof x);
          const PairMask present = x == x;
          s[j] += reinterpret_cast<Pair>(reinterpret_cast<PairMask>(x) & present);
          c[j] += reinterpret_cast<Pair>(reinterpret_cast<PairMask>(one) & present);
        }
      }
      for (std::size_t j = 0; j < kPairs; ++j) {
        for (std::size_t k = 0; k < 2; ++k) {
          sums[2 * j + k] += s[j][k];
          counts[2 * j + k] += c[j][k];
        }
      }
    } else {
      for (std::size_t r = 0; r < rows; ++r) add_row(v + r * stride, n, sums, counts);
    }
  }

 public:
  // Adds the totals of periods [from, from + n) into cells[k * stride] for
  // period from + k (stride 0: all into one cell).
  void store(std::size_t from, std::size_t n, Totals* cells, std::size_t stride) const {
    for (std::size_t k = 0; k < n; ++k) {
      if (counts_[from + k] == 0) continue;
      Totals& t = cells[k * stride];
      t.sum += sums_[from + k];
      t.count += static_cast<std::uint32_t>(counts_[from + k]);
      if (extremes_) {
        t.min = std::min(t.min, mins_[from + k]);
        t.max = std::max(t.max, maxs_[from + k]);
      }
    }
  }

 private:
  std::vector<double> sums_, counts_, mins_, maxs_;
  bool extremes_;
};

}  // namespace

Cube::PeriodId Cube::period_id(const model::Period& p) {
  using Kind = model::Period::Kind;
  std::uint32_t first = static_cast<std::uint32_t>(p.first_month_index());
  std::uint32_t index = 0;
  switch (p.kind()) {
    case Kind::kMonth:
      index = first;
      break;
    case Kind::kQuarter:
      index = static_cast<std::uint32_t>(p.year()) * 4 + (first % 12) / 3;
      break;
    case Kind::kYear:
      index = static_cast<std::uint32_t>(p.year());
      break;
    case Kind::kMonthRange:
      index = first * 12 + static_cast<std::uint32_t>(p.month_count() - 1);
      break;
  }
  return (static_cast<std::uint32_t>(p.kind()) << kKindShift) | index;
}

Cube::PeriodId Cube::period_id(std::string_view text) {
  StatusOr<model::Period> p = model::Period::parse(text);
  return p.ok() ? period_id(*p) : kUnknown;
}

Cube::PeriodId Cube::month_id(int month_index) {
  return (static_cast<std::uint32_t>(model::Period::Kind::kMonth) << kKindShift) |
         static_cast<std::uint32_t>(month_index);
}

Cube::Cube(std::shared_ptr<const model::OrgTree> tree) : tree_(std::move(tree)) {}

void Cube::read(const std::function<void(const View&)>& reader) const {
  std::shared_lock lock(mu_);
  reader(View(*this));
}

std::shared_ptr<const model::OrgTree> Cube::tree() const {
  std::shared_lock lock(mu_);
  return tree_;
}

std::size_t Cube::value_count() const {
  std::shared_lock lock(mu_);
  return value_count_;
}

std::size_t Cube::memory_bytes() const {
  std::shared_lock lock(mu_);
  std::size_t bytes = tracks_.capacity() * sizeof(Tracks);
  for (const Tracks& tracks : tracks_) {
    for (const Track& t : tracks) {
      bytes += t.chunks.capacity() * sizeof(Chunk);
      for (const Chunk& c : t.chunks) {
        bytes +=
            c.ordinals.capacity() * sizeof(model::Ordinal) + c.values.capacity() * sizeof(double);
      }
    }
  }
  return bytes;
}

Cube::IndicatorId Cube::View::indicator(std::string_view code) const {
  auto it = cube_.indicator_ids_.find(code);
  return it == cube_.indicator_ids_.end() ? kUnknown : it->second;
}

const Cube::Track* Cube::track(IndicatorId i, PeriodId p) const {
  if (i >= tracks_.size() || p == kUnknown) return nullptr;
  const Track& t = tracks_[i][kind_of(p)];
  return t.chunks.empty() ? nullptr : &t;
}

Totals Cube::View::range(IndicatorId i, PeriodId p, model::SubtreeRange r) const {
  Totals t;
  block(i, p, 1, std::span<const model::SubtreeRange>(&r, 1), std::span<Totals>(&t, 1));
  return t;
}

void Cube::View::ranges(IndicatorId i, PeriodId p, std::span<const model::SubtreeRange> rs,
                        std::span<Totals> out, bool extremes) const {
  block(i, p, 1, rs, out, extremes);
}

void Cube::View::block(IndicatorId i, PeriodId first, std::uint32_t count,
                       std::span<const model::SubtreeRange> rs, std::span<Totals> out,
                       bool extremes) const {
  sweep(i, first, count, rs, out, extremes, false);
}

void Cube::View::block_total(IndicatorId i, PeriodId first, std::uint32_t count,
                             std::span<const model::SubtreeRange> rs, std::span<Totals> out,
                             bool extremes) const {
  sweep(i, first, count, rs, out, extremes, true);
}

void Cube::View::sweep(IndicatorId i, PeriodId first, std::uint32_t count,
                       std::span<const model::SubtreeRange> rs, std::span<Totals> out,
                       bool extremes, bool collapse) const {
  std::fill(out.begin(), out.end(), Totals{});
  const Track* t = cube_.track(i, first);
  if (!t || count == 0 || rs.empty()) return;
  const std::uint32_t width = kChunkWidth[kind_of(first)];
  const std::uint32_t lo = index_of(first);
  const std::uint64_t hi = std::uint64_t{lo} + count;
  // Visit ranges by ascending start so each search starts where the last
  // one landed: a sweep over the chunk for disjoint ranges (all counties),
  // still correct when ranges nest (a city and its counties).
  bool sorted = true;
  for (std::size_t k = 1; k < rs.size() && sorted; ++k) sorted = rs[k - 1].begin <= rs[k].begin;
  std::vector<std::uint32_t> order;
  if (!sorted) {
    order.resize(rs.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return rs[a].begin < rs[b].begin; });
  }
  RangeTotals totals(count, extremes);
  auto c = std::lower_bound(
      t->chunks.begin(), t->chunks.end(), lo,
      [&](const Chunk& chunk, std::uint32_t at) { return chunk.start + width <= at; });
  for (; c != t->chunks.end() && c->start < hi; ++c) {
    // The periods of the block this chunk holds, as columns of the chunk
    // and as periods of the block.
    const std::uint32_t from = std::max(lo, c->start);
    const auto to = static_cast<std::uint32_t>(std::min<std::uint64_t>(hi, c->start + width));
    const std::size_t column = from - c->start, at = from - lo, n = to - from;
    const model::Ordinal* ords = c->ordinals.data();
    const double* values = c->values.data();
    const std::size_t rows = c->ordinals.size();
    // Many ranges over a chunk of similar size: a merge (walk forward)
    // costs O(rows + ranges); few ranges over a big chunk: a search.
    const bool merge = rs.size() * 8 >= rows;
    std::size_t row = 0;
    for (std::size_t k = 0; k < rs.size(); ++k) {
      const std::size_t r = sorted ? k : order[k];
      if (merge) {
        while (row < rows && ords[row] < rs[r].begin) ++row;
      } else {
        row = static_cast<std::size_t>(seek(ords + row, ords + rows, rs[r].begin) - ords);
      }
      std::size_t end = row;
      while (end < rows && ords[end] < rs[r].end) ++end;
      // The cells of this range for the chunk's periods.
      Totals* cells = collapse ? &out[r] : &out[at * rs.size() + r];
      const std::size_t stride = collapse ? 0 : rs.size();
      if (end - row <= kDirectRows && collapse && !extremes) {
        // A unit or two (a town) over a run of periods: one sum, no branch
        // per value.
        double sum = 0;
        std::uint32_t present = 0;
        for (std::size_t in = row; in < end; ++in) {
          const double* v = values + in * width + column;
          for (std::size_t k = 0; k < n; ++k) {
            const bool here = v[k] == v[k];
            sum += here ? v[k] : 0.0;
            present += here ? 1 : 0;
          }
        }
        if (present > 0) {
          cells->sum += sum;
          cells->count += present;
        }
        continue;
      }
      if (end - row <= kDirectRows) {
        // A unit or two (a town): straight into the block, no running totals.
        for (std::size_t in = row; in < end; ++in) {
          const double* v = values + in * width + column;
          for (std::size_t k = 0; k < n; ++k) {
            if (std::isnan(v[k])) continue;
            Totals& cell = cells[k * stride];
            if (extremes) {
              cell.add(v[k]);
            } else {
              cell.sum += v[k];
              ++cell.count;
            }
          }
        }
        continue;
      }
      totals.clear(at, n);
      totals.add(values + row * width, width, column, end - row, at, n);
      totals.store(at, n, cells, stride);
    }
  }
}

std::optional<double> Cube::View::point(IndicatorId i, PeriodId p, model::Ordinal o) const {
  const Track* t = cube_.track(i, p);
  if (!t) return std::nullopt;
  const std::uint32_t width = kChunkWidth[kind_of(p)];
  const std::uint32_t index = index_of(p), start = index - index % width;
  auto c = std::lower_bound(t->chunks.begin(), t->chunks.end(), start,
                            [](const Chunk& chunk, std::uint32_t s) { return chunk.start < s; });
  if (c == t->chunks.end() || c->start != start) return std::nullopt;
  const model::Ordinal* ords = c->ordinals.data();
  const std::size_t rows = c->ordinals.size();
  const auto row = static_cast<std::size_t>(seek(ords, ords + rows, o) - ords);
  if (row == rows || ords[row] != o) return std::nullopt;
  double v = c->values[row * width + (index - start)];
  return std::isnan(v) ? std::nullopt : std::optional<double>(v);
}

Cube::IndicatorId Cube::intern_indicator(std::string_view code) {
  auto it = indicator_ids_.find(code);
  if (it != indicator_ids_.end()) return it->second;
  auto id = static_cast<IndicatorId>(tracks_.size());
  indicator_ids_.emplace(std::string(code), id);
  tracks_.emplace_back();
  return id;
}

void Cube::set_one(const Resolved& w) {
  Track& t = tracks_[w.track / kKinds][w.track % kKinds];
  const std::uint32_t width = kChunkWidth[w.track % kKinds];
  const std::uint32_t start = w.start, column = w.index - start;
  const bool removing = std::isnan(w.value);
  auto c = std::lower_bound(t.chunks.begin(), t.chunks.end(), start,
                            [](const Chunk& chunk, std::uint32_t s) { return chunk.start < s; });
  if (c == t.chunks.end() || c->start != start) {
    if (removing) return;
    c = t.chunks.insert(c, Chunk{start, {}, {}});
  }
  std::vector<model::Ordinal>& ords = c->ordinals;
  const auto row = static_cast<std::size_t>(
      seek(ords.data(), ords.data() + ords.size(), w.ordinal) - ords.data());
  const auto row_values = c->values.begin() + static_cast<std::ptrdiff_t>(row * width);
  if (row < ords.size() && ords[row] == w.ordinal) {
    double& slot = row_values[column];
    const bool had = !std::isnan(slot);
    slot = w.value;
    if (!removing) {
      value_count_ += had ? 0 : 1;
      return;
    }
    if (!had) return;
    --value_count_;
    if (std::all_of(row_values, row_values + width, [](double v) { return std::isnan(v); })) {
      ords.erase(ords.begin() + static_cast<std::ptrdiff_t>(row));
      c->values.erase(row_values, row_values + width);
      if (ords.empty()) t.chunks.erase(c);
    }
    return;
  }
  if (removing) return;
  ords.insert(ords.begin() + static_cast<std::ptrdiff_t>(row), w.ordinal);
  c->values.insert(row_values, width, kNoValue);
  c->values[row * width + column] = w.value;
  ++value_count_;
}

void Cube::merge_locked(std::span<const Resolved> writes) {
  const Resolved& head = writes.front();
  Track& t = tracks_[head.track / kKinds][head.track % kKinds];
  const std::uint32_t width = kChunkWidth[head.track % kKinds];
  const std::uint32_t start = head.start;
  auto c = std::lower_bound(t.chunks.begin(), t.chunks.end(), start,
                            [](const Chunk& chunk, std::uint32_t s) { return chunk.start < s; });
  if (c == t.chunks.end() || c->start != start) c = t.chunks.insert(c, Chunk{start, {}, {}});
  auto apply = [&](double& slot, double value) {
    const bool had = !std::isnan(slot), has = !std::isnan(value);
    value_count_ = value_count_ + (has ? 1 : 0) - (had ? 1 : 0);
    slot = value;
  };
  auto all_empty = [width](const double* row) {
    return std::all_of(row, row + width, [](double v) { return std::isnan(v); });
  };
  // Writes to rows the chunk has go in place (a new month of every unit);
  // the others make new rows, built first and then put in place at once.
  const std::size_t rows = c->ordinals.size();
  std::vector<model::Ordinal> fresh;
  std::vector<double> fresh_values;
  bool emptied = false;
  std::size_t row = 0;
  for (const Resolved& w : writes) {
    const model::Ordinal* ords = c->ordinals.data();
    row = static_cast<std::size_t>(seek(ords + row, ords + rows, w.ordinal) - ords);
    if (row < rows && ords[row] == w.ordinal) {
      apply(c->values[row * width + (w.index - start)], w.value);
      emptied = emptied || std::isnan(w.value);
      continue;
    }
    if (fresh.empty() || fresh.back() != w.ordinal) {
      fresh.push_back(w.ordinal);
      fresh_values.insert(fresh_values.end(), width, kNoValue);
    }
    apply(fresh_values[(fresh.size() - 1) * width + (w.index - start)], w.value);
  }
  if (!fresh.empty()) {
    const bool after = rows == 0 || fresh.front() > c->ordinals.back();
    if (after) {  // the usual case: units come in tree order
      for (std::size_t k = 0; k < fresh.size(); ++k) {
        const double* v = fresh_values.data() + k * width;
        if (all_empty(v)) continue;
        c->ordinals.push_back(fresh[k]);
        c->values.insert(c->values.end(), v, v + width);
      }
    } else {
      Chunk merged{start, {}, {}};
      merged.ordinals.reserve(rows + fresh.size());
      merged.values.reserve((rows + fresh.size()) * width);
      std::size_t in = 0, k = 0;
      while (in < rows || k < fresh.size()) {
        const bool old = k == fresh.size() || (in < rows && c->ordinals[in] < fresh[k]);
        const double* v = old ? c->values.data() + in * width : fresh_values.data() + k * width;
        const model::Ordinal o = old ? c->ordinals[in++] : fresh[k++];
        if (all_empty(v)) continue;
        merged.ordinals.push_back(o);
        merged.values.insert(merged.values.end(), v, v + width);
      }
      *c = std::move(merged);
      emptied = false;  // empty rows were left out
    }
  }
  if (emptied) {
    std::size_t kept = 0;
    for (std::size_t in = 0; in < c->ordinals.size(); ++in) {
      const double* v = c->values.data() + in * width;
      if (all_empty(v)) continue;
      c->ordinals[kept] = c->ordinals[in];
      std::copy(v, v + width, c->values.begin() + static_cast<std::ptrdiff_t>(kept * width));
      ++kept;
    }
    c->ordinals.resize(kept);
    c->values.resize(kept * width);
  }
  if (c->ordinals.empty()) t.chunks.erase(c);
}

Cube::Resolved Cube::resolved(IndicatorId i, PeriodId p, model::Ordinal o, std::uint32_t seq,
                              double value) {
  const std::uint32_t kind = kind_of(p), index = index_of(p);
  return {static_cast<std::uint32_t>(i * kKinds + kind),
          index - index % kChunkWidth[kind],
          o,
          seq,
          index,
          value};
}

void Cube::apply_locked(std::vector<Resolved>& writes) {
  if (writes.size() < kMergeBatch) {
    for (const Resolved& w : writes) set_one(w);
    return;
  }
  // Grouped by chunk with each group in batch order — a counting sort, since
  // a batch touches a few dozen chunks — then each group ordered by unit
  // where it is not already (a file's rows mostly come in tree order).
  std::unordered_map<std::uint64_t, std::uint32_t> group_of;
  std::vector<std::size_t> starts;
  std::vector<std::uint32_t> groups(writes.size());
  std::uint64_t last_key = std::numeric_limits<std::uint64_t>::max();
  std::uint32_t last_group = 0;
  for (std::size_t k = 0; k < writes.size(); ++k) {
    const std::uint64_t key = writes[k].chunk_key();
    if (key != last_key) {
      auto [it, added] = group_of.try_emplace(key, static_cast<std::uint32_t>(starts.size()));
      if (added) starts.push_back(0);
      last_key = key;
      last_group = it->second;
    }
    groups[k] = last_group;
    ++starts[last_group];
  }
  std::size_t offset = 0;
  for (std::size_t& start : starts) offset += std::exchange(start, offset);
  std::vector<Resolved> grouped(writes.size());
  std::vector<std::size_t> next = starts;
  for (std::size_t k = 0; k < writes.size(); ++k) grouped[next[groups[k]]++] = writes[k];
  std::vector<Resolved> scratch;
  std::vector<std::uint32_t> counts;
  for (std::size_t g = 0; g < starts.size(); ++g) {
    std::span<Resolved> group(grouped.data() + starts[g], next[g] - starts[g]);
    sort_by_unit(group, scratch, counts);
    // Merged: in place for the units the chunk has, new units appended
    // or merged in once.
    merge_locked(group);
  }
}

void Cube::sort_by_unit(std::span<Resolved> group, std::vector<Resolved>& scratch,
                        std::vector<std::uint32_t>& counts) {
  if (group.empty()) return;
  model::Ordinal lo = group[0].ordinal, hi = group[0].ordinal;
  bool sorted = true, in_batch_order = true;
  for (std::size_t k = 1; k < group.size(); ++k) {
    lo = std::min(lo, group[k].ordinal);
    hi = std::max(hi, group[k].ordinal);
    sorted = sorted && group[k - 1].row_key() < group[k].row_key();
    in_batch_order = in_batch_order && group[k - 1].seq < group[k].seq;
  }
  if (sorted) return;
  const std::size_t span = std::size_t{hi} - lo + 1;
  if (!in_batch_order || span > 4 * group.size() + 1024) {
    std::sort(group.begin(), group.end(),
              [](const Resolved& a, const Resolved& b) { return a.row_key() < b.row_key(); });
    return;
  }
  // The group's units span not much more than its size (a load's month of a
  // region): a counting sort by unit, stable, so writes to one unit stay in
  // batch order — what the row key orders by after the unit.
  counts.assign(span + 1, 0);
  for (const Resolved& w : group) ++counts[w.ordinal - lo + 1];
  for (std::size_t k = 1; k <= span; ++k) counts[k] += counts[k - 1];
  scratch.resize(group.size());
  for (const Resolved& w : group) scratch[counts[w.ordinal - lo]++] = w;
  std::copy(scratch.begin(), scratch.end(), group.begin());
}

void Cube::trim_locked() {
  for (Tracks& tracks : tracks_) {
    for (Track& t : tracks) {
      t.chunks.shrink_to_fit();
      for (Chunk& c : t.chunks) {
        c.ordinals.shrink_to_fit();
        c.values.shrink_to_fit();
      }
    }
  }
  // Rebuilding chunks leaves freed heap pages behind; hand them back so
  // resident memory tracks what the cube holds.
  malloc_trim(0);
}

void Cube::Loader::add(IndicatorId i, PeriodId p, model::Ordinal o, double value) {
  if (p == kUnknown || i >= cube_.tracks_.size() || o >= cube_.tree_->size() || std::isnan(value))
    return;
  pending_.push_back(resolved(i, p, o, static_cast<std::uint32_t>(pending_.size()), value));
  if (pending_.size() >= kBuffer) {
    cube_.apply_locked(pending_);
    pending_.clear();
  }
}

Cube::Loader::~Loader() {
  cube_.apply_locked(pending_);
  pending_ = {};
  cube_.trim_locked();
}

void Cube::set(std::string_view indicator, std::string_view period, std::string_view org_code,
               std::optional<double> value) {
  const Write one{indicator, period, org_code, value};
  set(std::span<const Write>(&one, 1));
}

void Cube::set(std::span<const Write> writes) {
  std::unique_lock lock(mu_);
  std::vector<Resolved> batch;
  batch.reserve(writes.size());
  // Rows of a file come grouped by unit and period: remember the last ones.
  std::optional<std::string_view> last_period, last_org, last_indicator;
  PeriodId p = kUnknown;
  IndicatorId i = kUnknown;
  std::optional<model::Ordinal> o;
  for (const Write& w : writes) {
    if (w.period != last_period) {
      p = period_id(w.period);
      last_period = w.period;
    }
    if (w.org_code != last_org) {
      o = tree_->find(w.org_code);
      last_org = w.org_code;
    }
    if (!o || p == kUnknown) continue;
    if (w.indicator != last_indicator) {
      i = intern_indicator(w.indicator);
      last_indicator = w.indicator;
    }
    batch.push_back(
        resolved(i, p, *o, static_cast<std::uint32_t>(batch.size()), w.value.value_or(kNoValue)));
  }
  apply_locked(batch);
}

void Cube::rebase(std::shared_ptr<const model::OrgTree> next) {
  std::unique_lock lock(mu_);
  if (next == tree_) return;
  constexpr model::Ordinal kGone = std::numeric_limits<model::Ordinal>::max();
  std::vector<model::Ordinal> map(tree_->size(), kGone);
  for (model::Ordinal o = 0; o < tree_->size(); ++o) {
    if (std::optional<model::Ordinal> n = next->find(tree_->unit(o).code)) map[o] = *n;
  }
  value_count_ = 0;
  for (Tracks& tracks : tracks_) {
    for (std::size_t kind = 0; kind < kKinds; ++kind) {
      const std::uint32_t width = kChunkWidth[kind];
      for (Chunk& c : tracks[kind].chunks) {
        std::vector<std::pair<model::Ordinal, std::size_t>> rows;  // new ordinal, old row
        for (std::size_t row = 0; row < c.ordinals.size(); ++row) {
          model::Ordinal n = c.ordinals[row] < map.size() ? map[c.ordinals[row]] : kGone;
          if (n != kGone) rows.emplace_back(n, row);
        }
        std::sort(rows.begin(), rows.end());
        Chunk moved{c.start, {}, {}};
        moved.ordinals.reserve(rows.size());
        moved.values.reserve(rows.size() * width);
        for (const auto& [n, row] : rows) {
          moved.ordinals.push_back(n);
          auto from = c.values.begin() + static_cast<std::ptrdiff_t>(row * width);
          moved.values.insert(moved.values.end(), from, from + width);
        }
        for (double v : moved.values) value_count_ += std::isnan(v) ? 0 : 1;
        c = std::move(moved);
      }
      std::erase_if(tracks[kind].chunks, [](const Chunk& c) { return c.ordinals.empty(); });
    }
  }
  tree_ = std::move(next);
}

}  // namespace tianbao::cube
