// OrgTree: the whole org-unit tree in memory, numbered in depth-first
// pre-order so that every subtree is one contiguous range of ordinals.
//
//   OrgTree tree = *OrgTree::build(units);
//   Ordinal zj = *tree.find("4408");
//   SubtreeRange r = tree.subtree(zj);   // 湛江市 and everything under it
//   for (Ordinal o = r.begin; o < r.end; ++o) ...
//
// The cube keys values by these ordinals, so "total of 湛江市" is a range sum.
// Ordinals are positions in this build only: they change when a unit is
// added, so nothing durable stores them. Siblings are ordered regions first
// (by code), then departments (by code).
//
// Thread-safety: immutable after build(); share a const OrgTree freely.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/org_unit.h"
#include "model/status.h"

namespace tianbao::model {

using Ordinal = std::uint32_t;

// Half-open range [begin, end) of ordinals.
struct SubtreeRange {
  Ordinal begin = 0;
  Ordinal end = 0;
  bool contains(Ordinal o) const { return o >= begin && o < end; }
  std::uint32_t size() const { return end - begin; }
  bool operator==(const SubtreeRange&) const = default;
};

class OrgTree {
 public:
  OrgTree() = default;

  // Fails if a code repeats or a parent is missing.
  static StatusOr<OrgTree> build(std::vector<OrgUnit> units);

  std::size_t size() const { return units_.size(); }
  std::optional<Ordinal> find(std::string_view code) const;
  const OrgUnit& unit(Ordinal o) const { return units_[o]; }
  std::optional<Ordinal> parent(Ordinal o) const;
  std::span<const Ordinal> children(Ordinal o) const;
  std::span<const Ordinal> roots() const { return roots_; }
  SubtreeRange subtree(Ordinal o) const { return {o, subtree_end_[o]}; }
  // Ordinals from the root down to `o`, inclusive.
  std::vector<Ordinal> path(Ordinal o) const;
  // "/44/4408/440802"
  std::string path_string(Ordinal o) const;
  // True if `o` lies in the subtree of `ancestor` (or is it).
  bool in_subtree(Ordinal ancestor, Ordinal o) const { return subtree(ancestor).contains(o); }

 private:
  std::vector<OrgUnit> units_;          // by ordinal
  std::vector<std::int32_t> parent_;    // by ordinal; -1 for roots
  std::vector<Ordinal> subtree_end_;    // by ordinal
  std::vector<std::uint32_t> child_begin_;  // CSR offsets into child_list_, size n+1
  std::vector<Ordinal> child_list_;
  std::vector<Ordinal> roots_;
  std::unordered_map<std::string, Ordinal> by_code_;
};

}  // namespace tianbao::model
