// The SQLite backend's ChangeFeed: the change log, read by each node's
// follower (service/change_follower.h). Writers append to it in their own
// transactions (append_change); other processes' commits are noticed
// cheaply through PRAGMA data_version.
#include <fmt/format.h>

#include "store/sqlite_change_log.h"
#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

StatusOr<ChangeKind> parse_change_kind(std::string_view name) {
  for (ChangeKind k : {ChangeKind::kValues, ChangeKind::kOrgUnits, ChangeKind::kCatalogue}) {
    if (change_kind_name(k) == name) return k;
  }
  return Internal(fmt::format("变更记录的种类 {} 无法识别", name));
}

StatusOr<ChangeRecord> read_change(const Statement& q) {
  ASSIGN_OR_RETURN(ChangeKind kind, parse_change_kind(q.text(2)));
  return ChangeRecord{q.int64(0), q.int64(1), kind, q.int64(3), q.int64(4), q.int64(5), q.text(6)};
}

}  // namespace

std::string_view change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kValues:
      return "values";
    case ChangeKind::kOrgUnits:
      return "org_units";
    case ChangeKind::kCatalogue:
      return "catalogue";
  }
  return "values";
}

StatusOr<std::int64_t> append_change(sqlite3* db, const ChangeRecord& change) {
  RETURN_IF_ERROR(run(db,
                      "INSERT INTO change_log(at, kind, write_id, history_from, history_to, "
                      "detail) VALUES (?, ?, ?, ?, ?, ?)",
                      "记录变更", change.at, change_kind_name(change.kind), change.write_id,
                      change.history_from, change.history_to, change.detail)
                      .status());
  return sqlite3_last_insert_rowid(db);
}

StatusOr<std::int64_t> SqliteStore::latest_change() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(std::optional<std::int64_t> seq,
                   select_first(db_, "SELECT coalesce(max(seq), 0) FROM change_log", "读取变更",
                                [](const Statement& q) { return q.int64(0); }));
  return seq.value_or(0);
}

StatusOr<bool> SqliteStore::changed_elsewhere() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(std::optional<std::int64_t> version,
                   select_first(db_, "PRAGMA data_version", "读取数据版本",
                                [](const Statement& q) { return q.int64(0); }));
  const bool changed = !data_version_ || *data_version_ != version.value_or(0);
  data_version_ = version.value_or(0);
  return changed;
}

StatusOr<std::vector<ChangeRecord>> SqliteStore::changes_since(std::int64_t seq,
                                                               std::size_t limit) {
  std::lock_guard lock(mu_);
  return select_all(db_,
                    "SELECT seq, at, kind, write_id, history_from, history_to, detail "
                    "FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?",
                    "读取变更", read_change, seq, limit);
}

Status SqliteStore::values_changed(const ChangeRecord& change, const ChangedCellVisitor& visit) {
  std::lock_guard lock(mu_);
  if (change.kind != ChangeKind::kValues) return Status::Ok();
  ValueChangeDetail detail = parse_value_change_detail(change.detail);
  if (!detail.cells.empty()) {
    // A small write: each cell as it stands now, by its key.
    Statement q(db_,
                "SELECT d.value FROM data_value d JOIN indicator i ON i.id = d.indicator_id "
                "JOIN org_unit o ON o.id = d.org_unit_id "
                "WHERE d.period = ? AND o.code = ? AND i.code = ?");
    RETURN_IF_ERROR(q.prepared("读取变更数据"));
    for (const ValueChangeDetail::Cell& c : detail.cells) {
      q.reset();
      bind_all(q, c.period, c.org_code, c.indicator);
      ASSIGN_OR_RETURN(
          std::optional<std::optional<double>> stored,
          first_row(q, "读取变更数据", [](const Statement& row) { return row.real(0); }));
      visit(c.indicator, c.org_code, c.period, stored ? *stored : std::nullopt);
    }
    return Status::Ok();
  }
  // A large one: what it cleared (its history rows without a new value),
  // then what it wrote that still stands, in the periods it wrote.
  if (change.history_to >= change.history_from && change.history_from > 0) {
    Statement cleared(db_,
                      "SELECT i.code, o.code, h.period FROM data_value_history h "
                      "JOIN indicator i ON i.id = h.indicator_id "
                      "JOIN org_unit o ON o.id = h.org_unit_id "
                      "WHERE h.id BETWEEN ? AND ? AND h.new_value IS NULL");
    RETURN_IF_ERROR(cleared.prepared("读取变更数据"));
    bind_all(cleared, change.history_from, change.history_to);
    RETURN_IF_ERROR(for_each_row(cleared, "读取变更数据", [&](const Statement& row) {
      visit(row.text_view(0), row.text_view(1), row.text_view(2), std::nullopt);
    }));
  }
  if (detail.periods.empty()) return Status::Ok();
  Statement written(db_,
                    "SELECT i.code, o.code, d.period, d.value FROM data_value d "
                    "JOIN indicator i ON i.id = d.indicator_id "
                    "JOIN org_unit o ON o.id = d.org_unit_id "
                    "WHERE d.period IN (" +
                        placeholders(detail.periods.size()) + ") AND d.write_id = ?");
  RETURN_IF_ERROR(written.prepared("读取变更数据"));
  int i = 1;
  for (const std::string& p : detail.periods) written.bind(i++, p);
  written.bind(i, change.write_id);
  return for_each_row(written, "读取变更数据", [&](const Statement& row) {
    visit(row.text_view(0), row.text_view(1), row.text_view(2), row.real(3));
  });
}

Status SqliteStore::record_node(std::string_view node, std::int64_t applied_seq, Millis at) {
  std::lock_guard lock(mu_);
  return run(db_,
             "INSERT INTO node(id, applied_seq, seen_at) VALUES (?, ?, ?) ON CONFLICT(id) DO "
             "UPDATE SET applied_seq = excluded.applied_seq, seen_at = excluded.seen_at",
             "记录节点", node, applied_seq, at)
      .status();
}

StatusOr<std::size_t> SqliteStore::prune_changes(Millis live_since) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  RETURN_IF_ERROR(run(db_, "DELETE FROM node WHERE seen_at < ?", "清理节点", live_since).status());
  // With no live node, none needs the log: a node that starts reads the
  // store itself and follows from the newest record.
  ASSIGN_OR_RETURN(int dropped,
                   run(db_,
                       "DELETE FROM change_log WHERE seq <= coalesce((SELECT min(applied_seq) "
                       "FROM node), (SELECT max(seq) FROM change_log))",
                       "清理变更记录"));
  RETURN_IF_ERROR(tx.commit());
  return static_cast<std::size_t>(dropped);
}

// --- the detail of a value record ---------------------------------------------

std::string ValueChangeDetail::text() const {
  // Codes and periods are validated text without control characters, so
  // U+001E/U+001F cannot occur in them.
  std::string out;
  if (!cells.empty()) {
    out = "cells";
    for (const Cell& c : cells)
      out += fmt::format("\x1e{}\x1f{}\x1f{}", c.indicator, c.org_code, c.period);
    return out;
  }
  out = "periods";
  for (const std::string& p : periods) out += "\x1e" + p;
  return out;
}

ValueChangeDetail parse_value_change_detail(const std::string& text) {
  ValueChangeDetail detail;
  std::vector<std::string> parts = split(text, '\x1e');
  if (parts.empty()) return detail;
  const bool cells = parts.front() == "cells";
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (!cells) {
      detail.periods.push_back(std::move(parts[i]));
      continue;
    }
    std::vector<std::string> fields = split(parts[i], '\x1f');
    if (fields.size() == 3) detail.cells.push_back({fields[0], fields[1], fields[2]});
  }
  return detail;
}

}  // namespace tianbao::store
