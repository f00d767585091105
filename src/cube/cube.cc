#include "cube/cube.h"

#include <malloc.h>

#include <algorithm>
#include <mutex>
#include <numeric>

namespace tianbao::cube {

namespace {

// The first position in [first, last) whose ordinal is not less than
// `target`. Ordinals in a slice are spread fairly evenly over the tree, so
// the position is guessed by interpolation and then found by galloping
// around the guess: about three cache lines touched instead of the dozen a
// plain binary search reads in a slice of thousands (a village's history
// is thousands of such lookups in different slices).
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

}  // namespace

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
  std::size_t bytes = 0;
  for (const auto& [k, s] : slices_) {
    bytes += sizeof(k) + sizeof(Slice) + s.ordinals.capacity() * sizeof(model::Ordinal) +
             s.values.capacity() * sizeof(double);
  }
  return bytes;
}

Cube::IndicatorId Cube::View::indicator(std::string_view code) const {
  auto it = cube_.indicator_ids_.find(std::string(code));
  return it == cube_.indicator_ids_.end() ? kUnknown : it->second;
}

Cube::PeriodId Cube::View::period(std::string_view period) const {
  auto it = cube_.period_ids_.find(std::string(period));
  return it == cube_.period_ids_.end() ? kUnknown : it->second;
}

const Cube::Slice* Cube::slice(IndicatorId i, PeriodId p) const {
  if (i == kUnknown || p == kUnknown) return nullptr;
  auto it = slices_.find(key(i, p));
  return it == slices_.end() ? nullptr : &it->second;
}

Totals Cube::View::range(IndicatorId i, PeriodId p, model::SubtreeRange r) const {
  Totals t;
  const Slice* s = cube_.slice(i, p);
  if (!s) return t;
  const model::Ordinal* ords = s->ordinals.data();
  const std::size_t n = s->ordinals.size();
  for (auto at = static_cast<std::size_t>(seek(ords, ords + n, r.begin) - ords);
       at < n && ords[at] < r.end; ++at) {
    t.add(s->values[at]);
  }
  return t;
}

void Cube::View::ranges(IndicatorId i, PeriodId p, std::span<const model::SubtreeRange> rs,
                        std::span<Totals> out, bool extremes) const {
  const Slice* s = cube_.slice(i, p);
  if (!s) return;
  const model::Ordinal* ords = s->ordinals.data();
  const double* vals = s->values.data();
  const std::size_t n = s->ordinals.size();
  // The values of a range are one run [from, to) of the slice: find its end,
  // then sum a plain array.
  auto sum_range = [&](std::size_t from, const model::SubtreeRange& r) {
    std::size_t to = from;
    while (to < n && ords[to] < r.end) ++to;
    Totals t;
    t.count = static_cast<std::uint32_t>(to - from);
    double sum = 0;
    for (std::size_t at = from; at < to; ++at) sum += vals[at];
    t.sum = sum;
    if (extremes) {
      for (std::size_t at = from; at < to; ++at) {
        t.min = std::min(t.min, vals[at]);
        t.max = std::max(t.max, vals[at]);
      }
    }
    return t;
  };
  // Visit ranges by ascending start so each search starts where the last
  // one landed: a sweep over the slice for disjoint ranges (all counties),
  // still correct when ranges nest (a city and its counties).
  bool sorted = true;
  for (std::size_t k = 1; k < rs.size() && sorted; ++k) sorted = rs[k - 1].begin <= rs[k].begin;
  std::size_t from = 0;
  if (sorted) {
    // Many ranges over a slice of similar size: a merge (walk forward)
    // costs O(values + ranges); few ranges over a big slice: a search.
    bool merge = rs.size() * 8 >= n;
    for (std::size_t k = 0; k < rs.size(); ++k) {
      if (merge) {
        while (from < n && ords[from] < rs[k].begin) ++from;
      } else {
        from = static_cast<std::size_t>(seek(ords + from, ords + n, rs[k].begin) - ords);
      }
      out[k] = sum_range(from, rs[k]);
    }
    return;
  }
  std::vector<std::uint32_t> order(rs.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return rs[a].begin < rs[b].begin; });
  for (std::uint32_t k : order) {
    from = static_cast<std::size_t>(seek(ords + from, ords + n, rs[k].begin) - ords);
    out[k] = sum_range(from, rs[k]);
  }
}

std::optional<double> Cube::View::point(IndicatorId i, PeriodId p, model::Ordinal o) const {
  const Slice* s = cube_.slice(i, p);
  if (!s) return std::nullopt;
  const model::Ordinal* ords = s->ordinals.data();
  const model::Ordinal* it = seek(ords, ords + s->ordinals.size(), o);
  if (it == ords + s->ordinals.size() || *it != o) return std::nullopt;
  return s->values[static_cast<std::size_t>(it - ords)];
}

Cube::IndicatorId Cube::intern_indicator(std::string_view code) {
  auto [it, inserted] = indicator_ids_.try_emplace(std::string(code),
                                                   static_cast<IndicatorId>(indicator_ids_.size()));
  return it->second;
}

Cube::PeriodId Cube::intern_period(std::string_view period) {
  auto [it, inserted] =
      period_ids_.try_emplace(std::string(period), static_cast<PeriodId>(period_ids_.size()));
  return it->second;
}

void Cube::append(std::string_view indicator, std::string_view period, std::string_view org_code,
                  double value) {
  std::unique_lock lock(mu_);
  std::optional<model::Ordinal> o = tree_->find(org_code);
  if (!o) return;
  Slice& s = slices_[key(intern_indicator(indicator), intern_period(period))];
  s.ordinals.push_back(*o);
  s.values.push_back(value);
  ++value_count_;
}

void Cube::sort_slice(Slice& s) {
  std::vector<std::uint32_t> order(s.ordinals.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return s.ordinals[a] < s.ordinals[b]; });
  Slice sorted;
  sorted.ordinals.reserve(order.size());
  sorted.values.reserve(order.size());
  for (std::uint32_t k : order) {
    // A later duplicate of the same unit replaces the earlier one.
    if (!sorted.ordinals.empty() && sorted.ordinals.back() == s.ordinals[k]) {
      sorted.values.back() = s.values[k];
      continue;
    }
    sorted.ordinals.push_back(s.ordinals[k]);
    sorted.values.push_back(s.values[k]);
  }
  sorted.ordinals.shrink_to_fit();
  sorted.values.shrink_to_fit();
  s = std::move(sorted);
}

void Cube::finish() {
  std::unique_lock lock(mu_);
  finish_locked();
}

void Cube::finish_locked() {
  value_count_ = 0;
  for (auto& [k, s] : slices_) {
    bool sorted = std::is_sorted(s.ordinals.begin(), s.ordinals.end()) &&
                  std::adjacent_find(s.ordinals.begin(), s.ordinals.end()) == s.ordinals.end();
    if (sorted) {
      s.ordinals.shrink_to_fit();
      s.values.shrink_to_fit();
    } else {
      sort_slice(s);
    }
    value_count_ += s.ordinals.size();
  }
  // Growing and trimming millions of slice vectors leaves freed heap pages
  // behind; hand them back so resident memory tracks what the cube holds.
  malloc_trim(0);
}

Cube::Loader::~Loader() {
  cube_.finish_locked();
}

void Cube::set(std::string_view indicator, std::string_view period, std::string_view org_code,
               std::optional<double> value) {
  const Write one{indicator, period, org_code, value};
  set(std::span<const Write>(&one, 1));
}

void Cube::set(std::span<const Write> writes) {
  std::unique_lock lock(mu_);
  // Rows of a file come grouped by unit and period: remember the last ones.
  std::optional<std::string_view> last_period, last_org;
  PeriodId p = kUnknown;
  std::optional<model::Ordinal> o;
  for (const Write& w : writes) {
    if (w.period != last_period) {
      p = intern_period(w.period);
      last_period = w.period;
    }
    if (w.org_code != last_org) {
      o = tree_->find(w.org_code);
      last_org = w.org_code;
    }
    if (!o) continue;
    set_locked(slices_[key(intern_indicator(w.indicator), p)], *o, w.value);
  }
}

void Cube::set_locked(Slice& s, model::Ordinal o, std::optional<double> value) {
  if (value && (s.ordinals.empty() || s.ordinals.back() < o)) {  // the common append
    s.ordinals.push_back(o);
    s.values.push_back(*value);
    ++value_count_;
    return;
  }
  auto it = std::lower_bound(s.ordinals.begin(), s.ordinals.end(), o);
  std::size_t at = static_cast<std::size_t>(it - s.ordinals.begin());
  bool present = it != s.ordinals.end() && *it == o;
  if (value) {
    if (present) {
      s.values[at] = *value;
    } else {
      s.ordinals.insert(it, o);
      s.values.insert(s.values.begin() + static_cast<std::ptrdiff_t>(at), *value);
      ++value_count_;
    }
  } else if (present) {
    s.ordinals.erase(it);
    s.values.erase(s.values.begin() + static_cast<std::ptrdiff_t>(at));
    --value_count_;
  }
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
  for (auto& [k, s] : slices_) {
    Slice moved;
    for (std::size_t j = 0; j < s.ordinals.size(); ++j) {
      model::Ordinal n = s.ordinals[j] < map.size() ? map[s.ordinals[j]] : kGone;
      if (n == kGone) continue;
      moved.ordinals.push_back(n);
      moved.values.push_back(s.values[j]);
    }
    sort_slice(moved);
    value_count_ += moved.ordinals.size();
    s = std::move(moved);
  }
  tree_ = std::move(next);
}

}  // namespace tianbao::cube
