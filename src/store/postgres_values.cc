// The PostgreSQL backend's data values: batched writes with history and
// cell locks, reads, and the streaming scans.
//
// A batch of writes is decided in memory and written set-based: one query
// reads the stored versions of every cell the batch names (and, in periods
// where an entry holds cells, their holders), the writes are then applied
// in order to those versions — so a cell written twice in one batch gets
// two history rows, as one row at a time would — and the outcome goes to
// the database in at most four statements (upsert, delete, history,
// indicator marks). Batches over kStagedRows reach the database through
// COPY into temporary tables instead of array parameters.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "store/postgres_store.h"

namespace tianbao::store {

using pg_detail::Params;
using pg_detail::Rows;
using pg_detail::RowSet;
using pg_detail::Transaction;

namespace {

// Kept after pg_advisory_xact_lock by every transaction that writes values
// or cell locks, in every process.
constexpr std::int64_t kValuesLock = 0x7462'0003;
// From this many writes a batch is staged with COPY.
constexpr std::size_t kStagedRows = 2000;

std::string value_text(const std::optional<double>& number,
                       const std::optional<std::string>& text) {
  if (number) return fmt::format("{}", *number);
  if (text) return *text;
  return {};
}

std::optional<std::string> number_field(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  return pg_detail::real_text(*v);
}

std::optional<std::string_view> view(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return std::string_view(*v);
}

// What a batch's codes name, in one round trip: the ids of its indicators
// and units, and which of its periods have cells an entry holds.
struct BatchIds {
  std::unordered_map<std::string, std::int64_t> indicators, units;
  std::vector<std::string> held_periods;
  bool any_stored = false;  // some period of the batch has values
};

std::vector<std::string> distinct(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

StatusOr<BatchIds> batch_ids(pg_detail::Connection& c, std::vector<std::string> indicators,
                             std::vector<std::string> units, std::vector<std::string> periods) {
  ASSIGN_OR_RETURN(Rows r, c.run("SELECT 0, code, id FROM indicator WHERE code = ANY($1::text[]) "
                                 "UNION ALL SELECT 1, code, id FROM org_unit "
                                 "WHERE code = ANY($2::text[]) UNION ALL SELECT DISTINCT 2, "
                                 "period, 0 FROM cell_lock WHERE period = ANY($3::text[]) "
                                 "UNION ALL SELECT 3, p, 0 FROM unnest($3::text[]) AS p WHERE "
                                 "EXISTS (SELECT 1 FROM data_value d WHERE d.period = p)",
                                 Params()
                                     .text_array(distinct(std::move(indicators)))
                                     .text_array(distinct(std::move(units)))
                                     .text_array(distinct(std::move(periods))),
                                 "读取指标与单位"));
  BatchIds out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    switch (r.int64(i, 0)) {
      case 0:
        out.indicators.emplace(r.text(i, 1), r.int64(i, 2));
        break;
      case 1:
        out.units.emplace(r.text(i, 1), r.int64(i, 2));
        break;
      case 2:
        out.held_periods.push_back(r.text(i, 1));
        break;
      default:
        out.any_stored = true;
    }
  }
  return out;
}

// One cell a batch writes: its stored version as the writes apply in order.
struct Cell {
  std::string_view period;
  std::int64_t org = 0;
  std::int64_t indicator = 0;
  bool stored = false;   // in the store before the batch
  bool present = false;  // as of the writes applied so far
  std::optional<double> number;
  std::optional<std::string> text;
  Millis at = 0;
  std::string username;
  std::string channel;
  bool dirty = false;
  std::optional<CellHolder> holder;
};

struct CellKeyHash {
  std::size_t operator()(const std::tuple<std::string_view, std::int64_t, std::int64_t>& k) const {
    return std::hash<std::string_view>{}(std::get<0>(k)) ^
           (std::hash<std::int64_t>{}(std::get<1>(k)) * 31) ^
           (std::hash<std::int64_t>{}(std::get<2>(k)) * 1000003);
  }
};

}  // namespace

Status PostgresStore::begin_value_writes(Transaction& tx) {
  return tx.begin(kValuesLock);
}

StatusOr<WriteSummary> PostgresStore::write_values(const std::vector<ValueWrite>& writes,
                                                   const WriteContext& context) {
  std::lock_guard lock(values_mu_);
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  Transaction tx(*c);
  RETURN_IF_ERROR(begin_value_writes(tx));
  ASSIGN_OR_RETURN(WriteSummary summary, write_values_locked(*c, writes, context));
  if (context.dry_run) return summary;  // the transaction rolls back on scope exit
  RETURN_IF_ERROR(tx.commit());
  return summary;
}

namespace {

// Reads the stored version and the holder of every cell.
Status read_cells(pg_detail::Connection& c, std::vector<Cell>& cells, bool staged, bool any_stored,
                  const std::unordered_set<std::string_view>& held_periods) {
  // A new month (none of the batch's periods has values, nothing held)
  // needs no lookup at all.
  if (!any_stored && held_periods.empty()) return Status::Ok();
  RowSet keys("value_keys",
              {{"ord", "bigint"}, {"period", "text"}, {"org", "bigint"}, {"ind", "bigint"}},
              staged);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    keys.add({std::to_string(i), cells[i].period, std::to_string(cells[i].org),
              std::to_string(cells[i].indicator)});
  }
  Params params;
  ASSIGN_OR_RETURN(std::string source, keys.source(c, params, "k"));
  if (any_stored) {
    ASSIGN_OR_RETURN(
        Rows stored,
        c.run(
            fmt::format("SELECT k.ord, d.value, d.text_value, w.at, w.username, w.channel "
                        "FROM {} JOIN data_value d ON d.period = k.period AND d.org_unit_id = "
                        "k.org AND d.indicator_id = k.ind JOIN value_write w ON w.id = d.write_id",
                        source),
            params, "读取原值"));
    for (std::size_t i = 0; i < stored.size(); ++i) {
      Cell& cell = cells[static_cast<std::size_t>(stored.int64(i, 0))];
      cell.stored = cell.present = true;
      cell.number = stored.real(i, 1);
      cell.text = stored.optional_text(i, 2);
      cell.at = stored.int64(i, 3);
      cell.username = stored.text(i, 4);
      cell.channel = stored.text(i, 5);
    }
  }
  if (held_periods.empty()) return Status::Ok();
  // The holder of each cell in a period where something is held; the
  // lowest task first, as SQLite answers.
  ASSIGN_OR_RETURN(
      Rows holders,
      c.run(fmt::format("SELECT DISTINCT ON (k.ord) k.ord, h.task_id, t.title, e.status "
                        "FROM {} JOIN cell_lock h ON h.period = k.period AND h.org_unit_id = "
                        "k.org AND h.indicator_id = k.ind JOIN task t ON t.id = h.task_id "
                        "JOIN entry e ON e.task_id = h.task_id AND e.org_unit_id = h.org_unit_id "
                        "ORDER BY k.ord, h.task_id",
                        source),
            params, "读取数据锁"));
  for (std::size_t i = 0; i < holders.size(); ++i) {
    Cell& cell = cells[static_cast<std::size_t>(holders.int64(i, 0))];
    ASSIGN_OR_RETURN(model::EntryStatus status, model::parse_entry_status(holders.text(i, 3)));
    cell.holder = CellHolder{
        {}, {}, std::string(cell.period), holders.int64(i, 1), holders.text(i, 2), status};
  }
  return Status::Ok();
}

}  // namespace

namespace {

// The cells a batch writes, each once, with the index of every write's
// cell; NotFound for a code the store does not have.
struct BatchCells {
  std::vector<Cell> cells;
  std::vector<std::size_t> cell_of;
  std::vector<std::string> held_periods;  // periods where an entry holds cells
  bool any_stored = false;                // some period of the batch has values
};

StatusOr<BatchCells> batch_cells(pg_detail::Connection& c, const std::vector<ValueWrite>& writes) {
  std::vector<std::string> indicator_codes, org_codes, periods;
  for (const ValueWrite& w : writes) {
    if (indicator_codes.empty() || indicator_codes.back() != w.indicator) {
      indicator_codes.push_back(w.indicator);
    }
    if (org_codes.empty() || org_codes.back() != w.org_code) org_codes.push_back(w.org_code);
    if (periods.empty() || periods.back() != w.period) periods.push_back(w.period);
  }
  ASSIGN_OR_RETURN(BatchIds ids, batch_ids(c, std::move(indicator_codes), std::move(org_codes),
                                           std::move(periods)));
  const auto& indicator_ids = ids.indicators;
  const auto& org_ids = ids.units;
  BatchCells out;
  out.held_periods = std::move(ids.held_periods);
  out.any_stored = ids.any_stored;
  out.cell_of.resize(writes.size());
  std::unordered_map<std::tuple<std::string_view, std::int64_t, std::int64_t>, std::size_t,
                     CellKeyHash>
      index;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const ValueWrite& w = writes[i];
    auto ind = indicator_ids.find(w.indicator);
    auto org = org_ids.find(w.org_code);
    if (ind == indicator_ids.end() || org == org_ids.end()) {
      return NotFound(fmt::format("指标 {} 或单位 {} 不存在", w.indicator, w.org_code),
                      "dataElement", "unknown_indicator");
    }
    auto [it, fresh] = index.try_emplace({w.period, org->second, ind->second}, out.cells.size());
    if (fresh) {
      Cell& cell = out.cells.emplace_back();
      cell.period = w.period;
      cell.org = org->second;
      cell.indicator = ind->second;
    }
    out.cell_of[i] = it->second;
  }
  return out;
}

// Applies the writes, in order, to the cells' versions in memory: counts
// them in `summary`, adds a history row for each replaced or cleared value
// and lists the indicators that got a first value in `used`.
void apply_in_order(const std::vector<ValueWrite>& writes, const WriteContext& ctx,
                    BatchCells& batch, WriteSummary& summary, RowSet& history,
                    std::vector<std::int64_t>& used) {
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const ValueWrite& w = writes[i];
    Cell& cell = batch.cells[batch.cell_of[i]];
    const bool clearing = !w.number && !w.text;
    const bool same = cell.present ? cell.number == w.number && cell.text == w.text : clearing;
    if (cell.holder) {
      // Writing what the cell holds already, or what the mode skips, changes nothing.
      const bool skipped =
          cell.present ? w.mode == WriteMode::kCreateOnly : w.mode == WriteMode::kUpdateOnly;
      if (same || skipped) {
        ++summary.unchanged;
      } else {
        CellHolder holder = *cell.holder;
        holder.indicator = w.indicator;
        holder.org_code = w.org_code;
        summary.refused.push_back({i, std::move(holder)});
      }
      continue;
    }
    if (!cell.present) {
      if (clearing || w.mode == WriteMode::kUpdateOnly) {
        ++summary.unchanged;
        continue;
      }
      ++summary.created;
      used.push_back(cell.indicator);
    } else {
      if (w.mode == WriteMode::kCreateOnly || same) {
        ++summary.unchanged;
        continue;
      }
      std::optional<std::string> new_text;
      if (!clearing) new_text = value_text(w.number, w.text);
      history.add({std::to_string(history.size()), std::to_string(cell.indicator),
                   std::to_string(cell.org), cell.period, value_text(cell.number, cell.text),
                   view(new_text), std::to_string(cell.at), cell.username, cell.channel});
      ++(clearing ? summary.deleted : summary.updated);
    }
    summary.applied[i] = true;
    cell.present = !clearing;
    cell.number = w.number;
    cell.text = w.text;
    cell.at = ctx.at;
    cell.username = ctx.username;
    cell.channel = ctx.channel;
    cell.dirty = true;
  }
}

// Writes the cells' final versions (one upsert, one delete) as write
// `write_id`.
Status write_cells(pg_detail::Connection& c, const std::vector<Cell>& cells,
                   const std::string& write_id, bool staged) {
  // Small batches upsert in one statement. Staged ones know which cells
  // are new (no other writer runs under kValuesLock): those are inserted
  // in key order without conflict handling, and the stored ones updated.
  const std::vector<RowSet::Column> columns = {{"period", "text"},
                                               {"org", "bigint"},
                                               {"ind", "bigint"},
                                               {"value", "float8"},
                                               {"text_value", "text"}};
  RowSet upserts("value_rows", columns, staged);
  RowSet replaced("value_replaced", columns, staged);
  RowSet deletes("value_gone", {{"period", "text"}, {"org", "bigint"}, {"ind", "bigint"}}, false);
  for (const Cell& cell : cells) {
    if (!cell.dirty) continue;
    if (cell.present) {
      std::optional<std::string> number = number_field(cell.number);
      RowSet& rows = staged && cell.stored ? replaced : upserts;
      rows.add({cell.period, std::to_string(cell.org), std::to_string(cell.indicator), view(number),
                view(cell.text)});
    } else if (cell.stored) {
      deletes.add({cell.period, std::to_string(cell.org), std::to_string(cell.indicator)});
    }
  }
  if (upserts.size() > 0) {
    Params params;
    params.text(write_id);
    ASSIGN_OR_RETURN(std::string source, upserts.source(c, params, "r"));
    RETURN_IF_ERROR(c.run(fmt::format("INSERT INTO data_value(period, org_unit_id, indicator_id, "
                                      "value, text_value, write_id) SELECT r.period, r.org, "
                                      "r.ind, r.value, r.text_value, $1::bigint FROM {} {}",
                                      source,
                                      staged ? "ORDER BY r.period, r.org, r.ind"
                                             : "ON CONFLICT (period, org_unit_id, indicator_id) "
                                               "DO UPDATE SET value = excluded.value, text_value = "
                                               "excluded.text_value, write_id = excluded.write_id"),
                          params, "保存数据")
                        .status());
  }
  if (replaced.size() > 0) {
    Params params;
    params.text(write_id);
    ASSIGN_OR_RETURN(std::string source, replaced.source(c, params, "r"));
    RETURN_IF_ERROR(c.run(fmt::format("UPDATE data_value d SET value = r.value, text_value = "
                                      "r.text_value, write_id = $1::bigint FROM {} WHERE "
                                      "d.period = r.period AND d.org_unit_id = r.org AND "
                                      "d.indicator_id = r.ind",
                                      source),
                          params, "保存数据")
                        .status());
  }
  if (deletes.size() > 0) {
    Params params;
    ASSIGN_OR_RETURN(std::string source, deletes.source(c, params, "g"));
    RETURN_IF_ERROR(
        c.run(fmt::format("DELETE FROM data_value d USING {} WHERE d.period = "
                          "g.period AND d.org_unit_id = g.org AND d.indicator_id = g.ind",
                          source),
              params, "清除数据")
            .status());
  }
  return Status::Ok();
}

Status write_history(pg_detail::Connection& c, RowSet& history, const WriteContext& ctx) {
  if (history.size() == 0) return Status::Ok();
  Params params;
  params.num(ctx.at).text(ctx.username).text(ctx.channel);
  ASSIGN_OR_RETURN(std::string source, history.source(c, params, "h"));
  return c
      .run(fmt::format("INSERT INTO data_value_history(indicator_id, org_unit_id, period, "
                       "old_value, new_value, at, username, channel, old_at, old_username, "
                       "old_channel) SELECT h.ind, h.org, h.period, h.old_value, h.new_value, "
                       "$1::bigint, $2, $3, h.old_at, h.old_username, h.old_channel FROM {} "
                       "ORDER BY h.ord",
                       source),
           params, "记录数据历史")
      .status();
}

Status mark_indicators_used(pg_detail::Connection& c, std::vector<std::int64_t> used) {
  if (used.empty()) return Status::Ok();
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  std::vector<std::string> ids;
  for (std::int64_t id : used) ids.push_back(std::to_string(id));
  return c
      .run("UPDATE indicator SET has_values = true WHERE id = ANY($1::bigint[]) AND NOT has_values",
           Params().text_array(ids), "保存数据")
      .status();
}

}  // namespace

StatusOr<WriteSummary> PostgresStore::write_values_locked(Connection& c,
                                                          const std::vector<ValueWrite>& writes,
                                                          const WriteContext& ctx) {
  WriteSummary summary;
  summary.applied.assign(writes.size(), false);
  if (writes.empty()) return summary;
  const bool staged = writes.size() >= kStagedRows;
  // Ids first: an unknown code refuses the whole batch before anything is written.
  ASSIGN_OR_RETURN(BatchCells batch, batch_cells(c, writes));
  std::unordered_set<std::string_view> held(batch.held_periods.begin(), batch.held_periods.end());
  RETURN_IF_ERROR(read_cells(c, batch.cells, staged, batch.any_stored, held));
  ASSIGN_OR_RETURN(Rows record,
                   c.run("INSERT INTO value_write(at, username, channel) "
                         "VALUES ($1, $2, $3) RETURNING id",
                         Params().num(ctx.at).text(ctx.username).text(ctx.channel), "记录写入"));
  RowSet history("value_history_rows",
                 {{"ord", "bigint"},
                  {"ind", "bigint"},
                  {"org", "bigint"},
                  {"period", "text"},
                  {"old_value", "text"},
                  {"new_value", "text"},
                  {"old_at", "bigint"},
                  {"old_username", "text"},
                  {"old_channel", "text"}},
                 staged);
  std::vector<std::int64_t> used;
  apply_in_order(writes, ctx, batch, summary, history, used);
  RETURN_IF_ERROR(write_cells(c, batch.cells, record.text(0, 0), staged));
  RETURN_IF_ERROR(write_history(c, history, ctx));
  RETURN_IF_ERROR(mark_indicators_used(c, std::move(used)));
  return summary;
}

namespace {

// The columns of a DataValueRecord, from data_value d joined with its
// write record w, indicator i and unit o.
constexpr std::string_view kValueColumns =
    "SELECT i.code, o.code, d.period, d.value, d.text_value, w.at, w.username, w.channel "
    "FROM data_value d JOIN value_write w ON w.id = d.write_id "
    "JOIN indicator i ON i.id = d.indicator_id JOIN org_unit o ON o.id = d.org_unit_id ";

DataValueRecord read_value(const Rows& r, std::size_t i) {
  return DataValueRecord{r.text(i, 0),          r.text(i, 1),  r.text(i, 2), r.real(i, 3),
                         r.optional_text(i, 4), r.int64(i, 5), r.text(i, 6), r.text(i, 7)};
}

// The fields of a COPY … TO STDOUT line (text format), unescaped;
// nullopt for \N.
std::vector<std::optional<std::string>> copy_fields(std::string_view line) {
  std::vector<std::optional<std::string>> out;
  std::string field;
  bool null = false;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      out.push_back(null ? std::nullopt : std::optional<std::string>(std::move(field)));
      field.clear();
      null = false;
      continue;
    }
    if (line[i] != '\\' || i + 1 == line.size()) {
      field += line[i];
      continue;
    }
    switch (line[++i]) {
      case 'N':
        null = true;
        break;
      case 't':
        field += '\t';
        break;
      case 'n':
        field += '\n';
        break;
      case 'r':
        field += '\r';
        break;
      default:
        field += line[i];
    }
  }
  return out;
}

std::int64_t to_int64(std::string_view text) {
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace

StatusOr<std::vector<DataValueRecord>> PostgresStore::find_values(
    std::string_view org_code, const std::vector<std::string>& periods,
    const std::vector<std::string>& indicators) {
  std::vector<DataValueRecord> out;
  if (periods.empty() || indicators.empty()) return out;
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(
      Rows r,
      c->run(std::string(kValueColumns) + "WHERE d.org_unit_id = (SELECT id FROM org_unit WHERE "
                                          "code = $1) AND d.period = ANY($2::text[]) AND "
                                          "i.code = ANY($3::text[])",
             Params().text(org_code).text_array(periods).text_array(indicators), "读取数据"));
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_value(r, i));
  return out;
}

StatusOr<std::vector<ValueChange>> PostgresStore::value_history(std::string_view indicator,
                                                                std::string_view org_code,
                                                                std::string_view period) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  // History rows are the changes that replaced or cleared a value, each
  // with the replaced version's who/when; a first write has no row of its
  // own and is told from the version that followed (or the current one).
  ASSIGN_OR_RETURN(Rows r,
                   c->run("SELECT h.old_value, h.new_value, h.at, h.username, h.channel, h.old_at, "
                          "h.old_username, h.old_channel FROM data_value_history h "
                          "JOIN indicator i ON i.id = h.indicator_id JOIN org_unit o "
                          "ON o.id = h.org_unit_id WHERE i.code = $1 AND o.code = $2 AND "
                          "h.period = $3 ORDER BY h.id",
                          Params().text(indicator).text(org_code).text(period), "读取数据历史"));
  std::vector<ValueChange> out;
  auto change = [&](std::optional<std::string> old_value, std::optional<std::string> new_value,
                    Millis at, std::string username, std::string channel) {
    out.push_back(ValueChange{std::string(indicator), std::string(org_code), std::string(period),
                              std::move(old_value), std::move(new_value), at, std::move(username),
                              std::move(channel)});
  };
  bool present = false;  // whether a value stood before the next change
  for (std::size_t i = 0; i < r.size(); ++i) {
    std::optional<std::string> old_value = r.optional_text(i, 0);
    if (old_value && !present && !r.is_null(i, 5)) {
      change(std::nullopt, old_value, r.int64(i, 5), r.text(i, 6), r.text(i, 7));
    }
    present = !r.is_null(i, 1);
    change(std::move(old_value), r.optional_text(i, 1), r.int64(i, 2), r.text(i, 3), r.text(i, 4));
  }
  if (!present) {
    ASSIGN_OR_RETURN(Rows current,
                     c->run(std::string(kValueColumns) + "WHERE i.code = $1 AND o.code = $2 AND "
                                                         "d.period = $3",
                            Params().text(indicator).text(org_code).text(period), "读取数据"));
    if (!current.empty()) {
      DataValueRecord v = read_value(current, 0);
      change(std::nullopt, value_text(v.number, v.text), v.updated_at, std::move(v.updated_by),
             std::move(v.channel));
    }
  }
  return out;
}

Status PostgresStore::scan_values(const std::function<void(const DataValueRecord&)>& visit) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return c->copy_out(
      fmt::format("COPY ({}) TO STDOUT", kValueColumns),
      [&](std::string_view line) {
        std::vector<std::optional<std::string>> f = copy_fields(line);
        if (f.size() != 8) return;
        std::optional<double> number;
        if (f[3]) number = std::strtod(f[3]->c_str(), nullptr);
        visit(DataValueRecord{*f[0], *f[1], *f[2], number, f[4], to_int64(*f[5]), *f[6], *f[7]});
      },
      "读取数据");
}

Status PostgresStore::select_values(const std::vector<std::string>& periods,
                                    const std::vector<std::string>& indicators,
                                    const std::function<void(const DataValueRecord&)>& visit) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  ASSIGN_OR_RETURN(Rows r,
                   c->run(std::string(kValueColumns) +
                              "WHERE (cardinality($1::text[]) = 0 OR d.period = ANY($1::text[])) "
                              "AND (cardinality($2::text[]) = 0 OR i.code = ANY($2::text[]))",
                          Params().text_array(periods).text_array(indicators), "读取数据"));
  for (std::size_t i = 0; i < r.size(); ++i) visit(read_value(r, i));
  return Status::Ok();
}

Status PostgresStore::scan_numbers(const NumberVisitor& visit) {
  ASSIGN_OR_RETURN(auto c, pool_.acquire());
  // Codes come from the small tables read first, so the stream of the big
  // table carries integers, one short text and a double per row; each
  // code's text stays at one address for the whole scan.
  std::unordered_map<std::int64_t, std::string> indicators, units;
  for (auto [table, codes] : {std::pair{"indicator", &indicators}, std::pair{"org_unit", &units}}) {
    ASSIGN_OR_RETURN(Rows r, c->run(fmt::format("SELECT id, code FROM {}", table), "读取数据"));
    codes->reserve(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) codes->emplace(r.int64(i, 0), r.text(i, 1));
  }
  static const std::string kNone;
  auto code = [](std::unordered_map<std::int64_t, std::string>& codes,
                 std::int64_t id) -> const std::string& {
    auto it = codes.find(id);
    return it == codes.end() ? kNone : it->second;
  };
  return c->copy_out(
      "COPY (SELECT indicator_id, org_unit_id, period, value FROM data_value "
      "WHERE value IS NOT NULL) TO STDOUT",
      [&](std::string_view line) {
        // indicator \t unit \t period \t value; none needs unescaping.
        std::size_t a = line.find('\t');
        std::size_t b = line.find('\t', a + 1);
        std::size_t d = line.find('\t', b + 1);
        if (d == std::string_view::npos) return;
        double value = 0;
        std::string_view number = line.substr(d + 1);
        std::from_chars(number.data(), number.data() + number.size(), value);
        visit(code(indicators, to_int64(line.substr(0, a))),
              code(units, to_int64(line.substr(a + 1, b - a - 1))), line.substr(b + 1, d - b - 1),
              value);
      },
      "读取数据");
}

}  // namespace tianbao::store
