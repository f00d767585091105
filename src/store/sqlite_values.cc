// The SQLite backend's ValueStore: data values with their history, written
// in bulk (see README.md for the layout and the chunked first writes).
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "store/sqlite_change_log.h"
#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace tianbao::store {

using namespace sqlite_detail;  // NOLINT: the backend's own helpers

namespace {

std::string value_text(const std::optional<double>& number,
                       const std::optional<std::string>& text) {
  if (number) return fmt::format("{}", *number);
  if (text) return *text;
  return {};
}

// Row ids of codes, looked up once per code for a batch of writes.
class IdLookup {
 public:
  IdLookup(sqlite3* db, std::string_view sql, std::string_view what) : q_(db, sql), what_(what) {}
  Status prepared() const { return q_.prepared(what_); }
  // nullopt for a code the table does not have.
  StatusOr<std::optional<std::int64_t>> find(const std::string& code) {
    if (last_ && last_->first == code) return last_->second;  // rows come grouped by unit
    auto cached = ids_.find(code);
    if (cached != ids_.end()) {
      last_ = &*cached;
      return cached->second;
    }
    q_.reset();
    q_.bind(1, std::string_view(code));
    ASSIGN_OR_RETURN(bool row, q_.step(what_));
    std::optional<std::int64_t> id;
    if (row) id = q_.int64(0);
    q_.reset();
    last_ = &*ids_.emplace(code, id).first;
    return id;
  }

 private:
  Statement q_;
  std::string_view what_;
  std::unordered_map<std::string, std::optional<std::int64_t>> ids_;
  const std::pair<const std::string, std::optional<std::int64_t>>* last_ = nullptr;
};

// First writes per multi-row insert: enough to make the statement's own
// cost small per row, few enough to keep the statement's program small.
constexpr std::size_t kChunkRows = 128;
// After a chunk fails, this many times more rows go one at a time before
// chunks are tried again (doubling while they keep failing, up to the
// most): a batch of stored values wastes a few failed statements, a new
// month where some units saved their forms already stays mostly chunked.
constexpr std::size_t kMaxBackoffChunks = 1024;

// INSERT of kChunkRows rows, with the write record as ?1 and row r's
// period, unit, indicator, number and text as ?(2+5r) … ?(6+5r).
const std::string& chunk_insert_sql() {
  static const std::string sql = [] {
    std::string s =
        "INSERT INTO data_value(period, org_unit_id, indicator_id, value, text_value, write_id) "
        "VALUES ";
    for (std::size_t r = 0; r < kChunkRows; ++r) {
      const std::size_t p = 2 + r * 5;
      s += fmt::format("{}(?{}, ?{}, ?{}, ?{}, ?{}, ?1)", r ? ", " : "", p, p + 1, p + 2, p + 3,
                       p + 4);
    }
    return s;
  }();
  return sql;
}

// The holder of one cell (?1 period, ?2 unit id, ?3 indicator id).
constexpr std::string_view kCellHolder =
    "SELECT c.task_id, t.title, e.status FROM cell_lock c JOIN task t ON t.id = c.task_id "
    "JOIN entry e ON e.task_id = c.task_id AND e.org_unit_id = c.org_unit_id "
    "WHERE c.period = ?1 AND c.org_unit_id = ?2 AND c.indicator_id = ?3 "
    "ORDER BY c.task_id LIMIT 1";

// Which writes of a batch meet a cell an entry holds. Most batches write
// periods where nothing is held (history, closed months): one lookup per
// period tells, and only writes into periods with holders are looked up
// cell by cell.
class CellLocks {
 public:
  explicit CellLocks(sqlite3* db)
      : any_(db, "SELECT 1 FROM cell_lock WHERE period = ? LIMIT 1"), holder_(db, kCellHolder) {}
  Status prepared() const {
    RETURN_IF_ERROR(any_.prepared("读取数据锁"));
    return holder_.prepared("读取数据锁");
  }
  // Whether any cell of the period is held.
  StatusOr<bool> in_period(const std::string& period) {
    if (period == last_period_) return last_answer_;
    auto cached = periods_.find(period);
    if (cached == periods_.end()) {
      any_.reset();
      any_.bind(1, std::string_view(period));
      ASSIGN_OR_RETURN(bool row, any_.step("读取数据锁"));
      any_.reset();
      cached = periods_.emplace(period, row).first;
    }
    last_period_ = period;
    last_answer_ = cached->second;
    return last_answer_;
  }
  StatusOr<std::optional<CellHolder>> holder(const ValueWrite& w, std::int64_t org,
                                             std::int64_t indicator) {
    holder_.reset();
    bind_all(holder_, w.period, org, indicator);
    auto read = [&w](const Statement& q) -> StatusOr<CellHolder> {
      ASSIGN_OR_RETURN(model::EntryStatus status, model::parse_entry_status(q.text(2)));
      return CellHolder{w.indicator, w.org_code, w.period, q.int64(0), q.text(1), status};
    };
    StatusOr<std::optional<CellHolder>> out = first_row(holder_, "读取数据锁", read);
    holder_.reset();
    return out;
  }

 private:
  Statement any_;
  Statement holder_;
  std::unordered_map<std::string, bool> periods_;
  std::string last_period_;
  bool last_answer_ = false;
};

// The version of a value a write replaces.
struct StoredValue {
  std::optional<double> number;
  std::optional<std::string> text;
  Millis at = 0;
  std::string username;
  std::string channel;
};

// One batch of writes inside an open transaction: ids first (an unknown
// code refuses the whole batch before anything is written), then the
// writes. A value's first write is an insert; replacing or clearing one
// reads the stored version and keeps it in the history. First writes go
// kChunkRows to a statement: one statement per row costs more than the
// row itself. A chunk that meets a stored value fails as a whole (SQLite
// undoes the statement); its rows, and a run after it that doubles while
// chunks keep failing, then go one row at a time.
class ValueBatch {
 public:
  ValueBatch(sqlite3* db, const std::vector<ValueWrite>& writes, const WriteContext& ctx)
      : db_(db),
        writes_(writes),
        ctx_(ctx),
        locks_(db),
        chunk_(db, chunk_insert_sql()),
        insert_(db,
                "INSERT INTO data_value(period, org_unit_id, indicator_id, value, text_value, "
                "write_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
        stored_(db,
                "SELECT d.value, d.text_value, w.at, w.username, w.channel FROM data_value d "
                "JOIN value_write w ON w.id = d.write_id "
                "WHERE d.period = ? AND d.org_unit_id = ? AND d.indicator_id = ?"),
        update_(db,
                "UPDATE data_value SET value = ?, text_value = ?, write_id = ? "
                "WHERE period = ? AND org_unit_id = ? AND indicator_id = ?"),
        remove_(db,
                "DELETE FROM data_value WHERE period = ? AND org_unit_id = ? AND indicator_id = ?"),
        history_(db,
                 "INSERT INTO data_value_history(indicator_id, org_unit_id, period, old_value, "
                 "new_value, at, username, channel, old_at, old_username, old_channel) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") {}

  StatusOr<WriteSummary> write() {
    summary_.applied.assign(writes_.size(), false);
    if (writes_.empty()) return std::move(summary_);
    RETURN_IF_ERROR(resolve_ids());
    RETURN_IF_ERROR(prepare());
    ASSIGN_OR_RETURN(std::int64_t history_before, last_history_row());
    std::size_t alone_until = 0;  // rows before it go one at a time
    std::size_t backoff = 1;      // chunks' worth of rows to go alone after a failure
    for (std::size_t next = 0; next < keyed_.size();) {
      // Rows up to `end` go one at a time: those after a failed chunk, else
      // those before the next chunk of first writes.
      std::size_t end = alone_until;
      if (next >= alone_until) {
        end = next;
        while (end < keyed_.size() && end - next < kChunkRows && chunkable(keyed_[end])) ++end;
        if (end - next == kChunkRows) {
          ASSIGN_OR_RETURN(bool written, write_chunk(next));
          if (written) {
            next += kChunkRows;
            backoff = 1;
            continue;
          }
          end = alone_until = std::min(keyed_.size(), next + backoff * kChunkRows);
          backoff = std::min(2 * backoff, kMaxBackoffChunks);
        } else if (end < keyed_.size()) {
          ++end;  // the write that cut the chunk short goes alone too
        }
      }
      for (; next < end; ++next) RETURN_IF_ERROR(write_one(keyed_[next]));
    }
    RETURN_IF_ERROR(mark_used());
    RETURN_IF_ERROR(log_change(history_before));
    return std::move(summary_);
  }

 private:
  struct Keyed {
    std::int64_t indicator;
    std::int64_t org;
    std::size_t index;
    bool maybe_held;  // an entry holds some cell of its period
  };

  Status resolve_ids() {
    RETURN_IF_ERROR(locks_.prepared());
    IdLookup indicators(db_, "SELECT id FROM indicator WHERE code = ?", "读取指标");
    IdLookup units(db_, "SELECT id FROM org_unit WHERE code = ?", "读取单位");
    RETURN_IF_ERROR(indicators.prepared());
    RETURN_IF_ERROR(units.prepared());
    keyed_.reserve(writes_.size());
    for (std::size_t i = 0; i < writes_.size(); ++i) {
      const ValueWrite& w = writes_[i];
      ASSIGN_OR_RETURN(std::optional<std::int64_t> indicator, indicators.find(w.indicator));
      ASSIGN_OR_RETURN(std::optional<std::int64_t> org, units.find(w.org_code));
      if (!indicator || !org) {
        return NotFound(fmt::format("指标 {} 或单位 {} 不存在", w.indicator, w.org_code),
                        "dataElement", "unknown_indicator");
      }
      ASSIGN_OR_RETURN(bool maybe_held, locks_.in_period(w.period));
      keyed_.push_back({*indicator, *org, i, maybe_held});
    }
    return Status::Ok();
  }

  Status prepare() {
    RETURN_IF_ERROR(run(db_, "INSERT INTO value_write(at, username, channel) VALUES (?, ?, ?)",
                        "记录写入", ctx_.at, ctx_.username, ctx_.channel)
                        .status());
    write_id_ = sqlite3_last_insert_rowid(db_);
    RETURN_IF_ERROR(chunk_.prepared("保存数据"));
    chunk_.bind(1, write_id_);  // ?1 in every row; rewind() keeps it bound
    RETURN_IF_ERROR(insert_.prepared("保存数据"));
    insert_.bind(6, write_id_);
    RETURN_IF_ERROR(stored_.prepared("读取原值"));
    RETURN_IF_ERROR(update_.prepared("保存数据"));
    RETURN_IF_ERROR(remove_.prepared("清除数据"));
    return history_.prepared("记录数据历史");
  }

  bool first_write(const Keyed& k) const {
    const ValueWrite& w = writes_[k.index];
    return (w.number || w.text) && w.mode != WriteMode::kUpdateOnly;
  }
  bool chunkable(const Keyed& k) const { return first_write(k) && !k.maybe_held; }

  void created(const Keyed& k) {
    ++summary_.created;
    summary_.applied[k.index] = true;
    if (used_.empty() || used_.back() != k.indicator) used_.push_back(k.indicator);
  }

  // Inserts keyed_[next, next + kChunkRows) in one statement; false if one
  // of them met a stored value (and none was written).
  StatusOr<bool> write_chunk(std::size_t next) {
    chunk_.rewind();
    for (std::size_t r = 0; r < kChunkRows; ++r) {
      const Keyed& k = keyed_[next + r];
      const ValueWrite& w = writes_[k.index];
      const int at = 2 + static_cast<int>(r) * 5;
      chunk_.bind_static(at, w.period);
      chunk_.bind(at + 1, k.org);
      chunk_.bind(at + 2, k.indicator);
      chunk_.bind_optional(at + 3, w.number);
      chunk_.bind_optional(at + 4, w.text);
    }
    Status ran = chunk_.run("保存数据");
    chunk_.rewind();
    if (ran.reason() == "constraint") return false;
    RETURN_IF_ERROR(ran);
    for (std::size_t r = 0; r < kChunkRows; ++r) created(keyed_[next + r]);
    return true;
  }

  // The stored version of a write's cell, if any.
  StatusOr<std::optional<StoredValue>> stored(const Keyed& k) {
    stored_.rewind();
    stored_.bind_static(1, writes_[k.index].period);
    stored_.bind(2, k.org);
    stored_.bind(3, k.indicator);
    StatusOr<std::optional<StoredValue>> out =
        first_row(stored_, "读取原值", [](const Statement& q) {
          return StoredValue{q.real(0), q.optional_text(1), q.int64(2), q.text(3), q.text(4)};
        });
    stored_.rewind();
    return out;
  }

  // A write to a held cell: unchanged if it writes what the cell holds
  // already, or what its mode skips; refused otherwise.
  Status refuse(const Keyed& k, CellHolder holder) {
    const ValueWrite& w = writes_[k.index];
    ASSIGN_OR_RETURN(std::optional<StoredValue> old, stored(k));
    const bool same = old ? old->number == w.number && old->text == w.text : !w.number && !w.text;
    const bool skipped = old ? w.mode == WriteMode::kCreateOnly : w.mode == WriteMode::kUpdateOnly;
    if (same || skipped) {
      ++summary_.unchanged;
    } else {
      summary_.refused.push_back({k.index, std::move(holder)});
    }
    return Status::Ok();
  }

  Status write_one(const Keyed& k) {
    const ValueWrite& w = writes_[k.index];
    if (k.maybe_held) {
      ASSIGN_OR_RETURN(std::optional<CellHolder> holder, locks_.holder(w, k.org, k.indicator));
      if (holder) return refuse(k, std::move(*holder));
    }
    if (first_write(k)) {
      insert_.rewind();
      insert_.bind_static(1, w.period);
      insert_.bind(2, k.org);
      insert_.bind(3, k.indicator);
      insert_.bind_optional(4, w.number);
      insert_.bind_optional(5, w.text);
      RETURN_IF_ERROR(insert_.run("保存数据"));
      if (sqlite3_changes(db_) == 1) {
        created(k);
        return Status::Ok();
      }
      if (w.mode == WriteMode::kCreateOnly) {  // a value exists: kept
        ++summary_.unchanged;
        return Status::Ok();
      }
    }
    ASSIGN_OR_RETURN(std::optional<StoredValue> old, stored(k));
    // Nothing to clear or to update, or no change (and so no history).
    if (!old || (old->number == w.number && old->text == w.text)) {
      ++summary_.unchanged;
      return Status::Ok();
    }
    return replace(k, *old);
  }

  Status replace(const Keyed& k, const StoredValue& old) {
    const ValueWrite& w = writes_[k.index];
    const bool clearing = !w.number && !w.text;
    Statement& change = clearing ? remove_ : update_;
    change.rewind();
    int at = 1;
    if (!clearing) {
      change.bind_optional(at++, w.number);
      change.bind_optional(at++, w.text);
      change.bind(at++, write_id_);
    }
    change.bind_static(at++, w.period);
    change.bind(at++, k.org);
    change.bind(at++, k.indicator);
    RETURN_IF_ERROR(change.run(clearing ? "清除数据" : "保存数据"));
    history_.reset();
    std::optional<std::string> new_value;
    if (!clearing) new_value = value_text(w.number, w.text);
    bind_all(history_, k.indicator, k.org, w.period, value_text(old.number, old.text), new_value,
             ctx_.at, ctx_.username, ctx_.channel, old.at, old.username, old.channel);
    RETURN_IF_ERROR(history_.run("记录数据历史"));
    ++(clearing ? summary_.deleted : summary_.updated);
    summary_.applied[k.index] = true;
    return Status::Ok();
  }

  StatusOr<std::int64_t> last_history_row() {
    ASSIGN_OR_RETURN(std::optional<std::int64_t> id,
                     select_first(db_, "SELECT coalesce(max(id), 0) FROM data_value_history",
                                  "读取数据历史", [](const Statement& q) { return q.int64(0); }));
    return id.value_or(0);
  }

  // Appends the batch's record to the change log, if it changed anything:
  // its cells, or for a large batch the periods it wrote.
  Status log_change(std::int64_t history_before) {
    const std::size_t changed = summary_.created + summary_.updated + summary_.deleted;
    if (changed == 0) return Status::Ok();
    ValueChangeDetail detail;
    for (std::size_t i = 0; i < writes_.size(); ++i) {
      if (!summary_.applied[i]) continue;
      const ValueWrite& w = writes_[i];
      if (changed <= ValueChangeDetail::kMostCells) {
        detail.cells.push_back({w.indicator, w.org_code, w.period});
      } else if (std::find(detail.periods.begin(), detail.periods.end(), w.period) ==
                 detail.periods.end()) {
        detail.periods.push_back(w.period);
      }
    }
    ASSIGN_OR_RETURN(std::int64_t history_after, last_history_row());
    ChangeRecord change;
    change.at = ctx_.at;
    change.kind = ChangeKind::kValues;
    change.write_id = write_id_;
    change.history_from = history_before + 1;
    change.history_to = history_after;
    change.detail = detail.text();
    ASSIGN_OR_RETURN(summary_.change_seq, append_change(db_, change));
    return Status::Ok();
  }

  // indicator.has_values for the indicators that got a value.
  Status mark_used() {
    std::sort(used_.begin(), used_.end());
    used_.erase(std::unique(used_.begin(), used_.end()), used_.end());
    Statement mark(db_, "UPDATE indicator SET has_values = 1 WHERE id = ? AND has_values = 0");
    RETURN_IF_ERROR(mark.prepared("保存数据"));
    for (std::int64_t id : used_) {
      mark.reset();
      mark.bind(1, id);
      RETURN_IF_ERROR(mark.run("保存数据"));
    }
    return Status::Ok();
  }

  sqlite3* db_;
  const std::vector<ValueWrite>& writes_;
  const WriteContext& ctx_;
  WriteSummary summary_;
  std::vector<Keyed> keyed_;
  std::vector<std::int64_t> used_;  // indicators that got a value
  std::int64_t write_id_ = 0;
  CellLocks locks_;
  Statement chunk_;
  Statement insert_;
  Statement stored_;
  Statement update_;
  Statement remove_;
  Statement history_;
};

// The columns of a DataValueRecord, from data_value d joined with its
// write record w, indicator i and unit o.
constexpr std::string_view kValueColumns =
    "SELECT i.code, o.code, d.period, d.value, d.text_value, w.at, w.username, w.channel "
    "FROM data_value d JOIN value_write w ON w.id = d.write_id "
    "JOIN indicator i ON i.id = d.indicator_id JOIN org_unit o ON o.id = d.org_unit_id ";

DataValueRecord read_value(const Statement& q) {
  return DataValueRecord{q.text(0),          q.text(1),  q.text(2), q.real(3),
                         q.optional_text(4), q.int64(5), q.text(6), q.text(7)};
}

// Binds the texts of `lists`, one after another, from parameter `first`.
void bind_lists(Statement& q, int first,
                std::initializer_list<const std::vector<std::string>*> lists) {
  for (const std::vector<std::string>* list : lists) {
    for (const std::string& text : *list) q.bind(first++, text);
  }
}

}  // namespace

StatusOr<WriteSummary> SqliteStore::write_values_locked(const std::vector<ValueWrite>& writes,
                                                        const WriteContext& context) {
  ValueBatch batch(db_, writes, context);
  return batch.write();
}

StatusOr<WriteSummary> SqliteStore::write_values(const std::vector<ValueWrite>& writes,
                                                 const WriteContext& ctx) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  RETURN_IF_ERROR(tx.begin());
  ASSIGN_OR_RETURN(WriteSummary summary, write_values_locked(writes, ctx));
  if (ctx.dry_run) {
    summary.change_seq = 0;
    return summary;  // the transaction rolls back on scope exit
  }
  RETURN_IF_ERROR(tx.commit());
  return summary;
}

StatusOr<std::vector<DataValueRecord>> SqliteStore::find_values(
    std::string_view org_code, const std::vector<std::string>& periods,
    const std::vector<std::string>& indicators) {
  std::lock_guard lock(mu_);
  if (periods.empty() || indicators.empty()) return std::vector<DataValueRecord>();
  Statement q(db_, std::string(kValueColumns) + "WHERE o.code = ? AND d.period IN (" +
                       placeholders(periods.size()) + ") AND i.code IN (" +
                       placeholders(indicators.size()) + ")");
  RETURN_IF_ERROR(q.prepared("读取数据"));
  q.bind(1, org_code);
  bind_lists(q, 2, {&periods, &indicators});
  return collect(q, "读取数据", read_value);
}

StatusOr<std::vector<ValueChange>> SqliteStore::value_history(std::string_view indicator,
                                                              std::string_view org_code,
                                                              std::string_view period) {
  std::lock_guard lock(mu_);
  // History rows are the changes that replaced or cleared a value, each
  // with the replaced version's who/when; a first write has no row of its
  // own and is told from the version that followed (or the current one).
  Statement q(db_,
              "SELECT h.old_value, h.new_value, h.at, h.username, h.channel, h.old_at, "
              "h.old_username, h.old_channel FROM data_value_history h "
              "JOIN indicator i ON i.id = h.indicator_id JOIN org_unit o ON o.id = h.org_unit_id "
              "WHERE i.code = ? AND o.code = ? AND h.period = ? ORDER BY h.id");
  RETURN_IF_ERROR(q.prepared("读取数据历史"));
  bind_all(q, indicator, org_code, period);
  std::vector<ValueChange> out;
  auto change = [&](std::optional<std::string> old_value, std::optional<std::string> new_value,
                    Millis at, std::string username, std::string channel) {
    out.push_back(ValueChange{std::string(indicator), std::string(org_code), std::string(period),
                              std::move(old_value), std::move(new_value), at, std::move(username),
                              std::move(channel)});
  };
  bool present = false;  // whether a value stood before the next change
  RETURN_IF_ERROR(for_each_row(q, "读取数据历史", [&](const Statement& row) {
    std::optional<std::string> old_value = row.optional_text(0);
    if (old_value && !present && !row.is_null(5)) {
      change(std::nullopt, old_value, row.int64(5), row.text(6), row.text(7));
    }
    present = !row.is_null(1);
    change(std::move(old_value), row.optional_text(1), row.int64(2), row.text(3), row.text(4));
  }));
  if (present) return out;
  ASSIGN_OR_RETURN(
      std::optional<DataValueRecord> current,
      select_first(db_,
                   std::string(kValueColumns) + "WHERE i.code = ? AND o.code = ? AND d.period = ?",
                   "读取数据", read_value, indicator, org_code, period));
  if (current) {
    change(std::nullopt, value_text(current->number, current->text), current->updated_at,
           std::move(current->updated_by), std::move(current->channel));
  }
  return out;
}

Status SqliteStore::scan_values(const std::function<void(const DataValueRecord&)>& visit) {
  std::lock_guard lock(mu_);
  Statement q(db_, kValueColumns);
  RETURN_IF_ERROR(q.prepared("读取数据"));
  return for_each_row(q, "读取数据", [&](const Statement& row) { visit(read_value(row)); });
}

Status SqliteStore::select_values(const std::vector<std::string>& periods,
                                  const std::vector<std::string>& indicators,
                                  const std::function<void(const DataValueRecord&)>& visit) {
  std::lock_guard lock(mu_);
  std::string sql = std::string(kValueColumns) + "WHERE 1 = 1";
  if (!periods.empty()) sql += " AND d.period IN (" + placeholders(periods.size()) + ")";
  if (!indicators.empty()) sql += " AND i.code IN (" + placeholders(indicators.size()) + ")";
  // The key is (period, unit, indicator): for a few indicators of a month,
  // naming every unit turns the scan of the month's rows (all indicators)
  // into one seek per unit and indicator.
  constexpr std::size_t kFewIndicators = 16;
  if (!periods.empty() && !indicators.empty() && indicators.size() <= kFewIndicators) {
    sql += " AND d.org_unit_id IN (SELECT id FROM org_unit)";
  }
  Statement q(db_, sql);
  RETURN_IF_ERROR(q.prepared("读取数据"));
  bind_lists(q, 1, {&periods, &indicators});
  return for_each_row(q, "读取数据", [&](const Statement& row) { visit(read_value(row)); });
}

namespace {

// Codes of a small table by row id. Row ids are dense from 1, and the scan
// of the values changes indicator on every row and unit every few, so codes
// are found by index, not by hash (a hash only for ids far out of range).
class CodesById {
 public:
  Status read(sqlite3* db, std::string_view sql, std::string_view what) {
    Statement q(db, sql);
    RETURN_IF_ERROR(q.prepared(what));
    return for_each_row(q, what, [&](const Statement& row) {
      const std::int64_t id = row.int64(0);
      if (id >= 0 && id < kDense) {
        if (static_cast<std::size_t>(id) >= dense_.size()) dense_.resize(id + 1);
        dense_[static_cast<std::size_t>(id)] = row.text(1);
      } else {
        sparse_.emplace(id, row.text(1));
      }
    });
  }
  const std::string& operator[](std::int64_t id) {
    return id >= 0 && static_cast<std::size_t>(id) < dense_.size()
               ? dense_[static_cast<std::size_t>(id)]
               : sparse_[id];
  }

 private:
  static constexpr std::int64_t kDense = 1 << 26;
  std::vector<std::string> dense_;
  std::unordered_map<std::int64_t, std::string> sparse_;
};

}  // namespace

Status SqliteStore::scan_numbers(const NumberVisitor& visit) {
  std::lock_guard lock(mu_);
  // Codes come from the small tables read first, so the scan of the big
  // table reads integers, one short text and a double per row.
  CodesById indicators, units;
  RETURN_IF_ERROR(indicators.read(db_, "SELECT id, code FROM indicator", "读取指标"));
  RETURN_IF_ERROR(units.read(db_, "SELECT id, code FROM org_unit", "读取单位"));
  Statement q(db_,
              "SELECT indicator_id, org_unit_id, period, value FROM data_value "
              "WHERE value IS NOT NULL");
  RETURN_IF_ERROR(q.prepared("读取数据"));
  return for_each_row(q, "读取数据", [&](const Statement& row) {
    visit(indicators[row.int64(0)], units[row.int64(1)], row.text_view(2), *row.real(3));
  });
}

}  // namespace tianbao::store
