// PostgresStore: the Store backend on PostgreSQL (libpq), for a province
// that runs several tianbao nodes on one database (and for the PostgreSQL
// family: openGauss, KingbaseES, Highgo).
//
// Same schema and semantics as SqliteStore, in PostgreSQL's types
// (postgres_migrations.h). Each call borrows a connection from a small pool
// and runs in its own transaction; a connection the server dropped (a
// restart) is reconnected by the next call that borrows it.
//
// Writes that must not interleave across processes take a transaction-level
// advisory lock: every transaction that writes data values or cell locks
// (write_values, commit_entry, cancel_task, …) takes kValuesLock, so a
// check of a cell lock and the write it allows see no other writer between
// them, as SQLite's single writer guarantees; append_audit takes kAuditLock
// so the SM3 chain stays linear when several nodes append. In one process,
// value writes are also serialised by a mutex, so that `committed`
// callbacks run in commit order.
//
// Big batches of values go through COPY into a temporary staging table and
// one set-based merge; scan_numbers streams with COPY … TO STDOUT.
//
// Thread-safety: safe to call from several threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/postgres_support.h"
#include "store/store.h"

namespace tianbao::store {

class PostgresStore final : public Store {
 public:
  // `url`: a libpq connection URI (postgresql://user@host:port/db) or
  // key=value conninfo. Connects, and applies missing migrations.
  static StatusOr<std::unique_ptr<Store>> open(const std::string& url);
  ~PostgresStore() override = default;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  StatusOr<int> schema_version() override;
  StatusOr<std::vector<model::OrgUnit>> load_org_units() override;
  StatusOr<UpsertSummary> upsert_org_units(std::span<const model::OrgUnit> units) override;
  Status insert_org_unit(const model::OrgUnit& unit) override;
  StatusOr<std::optional<UserRecord>> find_user(std::string_view username) override;
  StatusOr<std::optional<UserRecord>> find_user_by_id(std::int64_t id) override;
  StatusOr<std::vector<UserRecord>> list_users() override;
  StatusOr<std::int64_t> insert_user(const UserRecord& user) override;
  Status update_user(const UserRecord& user) override;
  Status insert_session(const SessionRecord& session) override;
  StatusOr<std::optional<SessionRecord>> find_session(std::string_view id_hash) override;
  Status touch_session(std::string_view id_hash, Millis last_seen) override;
  Status delete_session(std::string_view id_hash) override;
  Status delete_user_sessions(std::int64_t user_id) override;
  StatusOr<std::int64_t> insert_token(const TokenRecord& token) override;
  StatusOr<std::optional<TokenRecord>> find_token(std::string_view token_hash) override;
  StatusOr<std::vector<TokenRecord>> list_tokens(std::int64_t user_id) override;
  Status touch_token(std::int64_t id, Millis last_used) override;
  Status revoke_token(std::int64_t user_id, std::int64_t id, Millis at) override;
  StatusOr<AuditRecord> append_audit(AuditRecord record) override;
  StatusOr<std::vector<AuditRecord>> query_audit(const AuditFilter& filter) override;
  Status scan_audit(const std::function<bool(const AuditRecord&)>& visit) override;
  StatusOr<std::vector<ContactRecord>> list_contacts() override;
  StatusOr<std::optional<ContactRecord>> find_contact(std::int64_t id) override;
  StatusOr<std::int64_t> insert_contact(const ContactRecord& contact) override;
  Status update_contact(const ContactRecord& contact) override;
  Status delete_contact(std::int64_t id) override;
  StatusOr<std::vector<model::Indicator>> list_indicators() override;
  Status insert_indicator(const model::Indicator& indicator) override;
  Status update_indicator(const model::Indicator& indicator) override;
  Status delete_indicator(std::string_view code) override;
  StatusOr<std::vector<model::Form>> list_forms() override;
  Status insert_form(const model::Form& form) override;
  Status update_form(const model::Form& form) override;
  StatusOr<std::vector<model::ValidationRule>> list_rules() override;
  Status insert_rule(const model::ValidationRule& rule) override;
  Status update_rule(const model::ValidationRule& rule) override;
  Status delete_rule(std::string_view code) override;
  StatusOr<std::int64_t> insert_task(const TaskRecord& task,
                                     const std::vector<std::string>& org_codes) override;
  StatusOr<std::optional<TaskRecord>> find_task(std::int64_t id) override;
  StatusOr<std::vector<TaskRecord>> list_tasks() override;
  StatusOr<std::vector<EntryRecord>> list_entries(std::int64_t task_id) override;
  StatusOr<std::vector<EntryRecord>> entries_of_units(
      const std::vector<std::string>& org_codes) override;
  StatusOr<std::optional<EntryRecord>> find_entry(std::int64_t task_id,
                                                  std::string_view org_code) override;
  StatusOr<std::int64_t> commit_entry(const EntryCommit& commit) override;
  StatusOr<std::size_t> add_task_units(std::int64_t task_id,
                                       const std::vector<std::string>& org_codes) override;
  Status set_due_date(std::int64_t task_id, const std::string& deadline,
                      const std::string& due_date,
                      const std::vector<std::string>& org_codes) override;
  Status cancel_task(std::int64_t task_id, const std::string& reason, Millis at,
                     const std::string& username) override;
  StatusOr<std::vector<TaskOverlap>> find_task_overlaps() override;
  StatusOr<std::vector<CellHolder>> cell_holders(
      std::string_view org_code, std::string_view period,
      const std::vector<std::string>& indicators) override;
  Status commit_entries(const std::vector<EntryCommit>& commits) override;
  StatusOr<std::vector<EntryEvent>> entry_events(std::int64_t task_id,
                                                 std::string_view org_code) override;
  StatusOr<WriteSummary> write_values(const std::vector<ValueWrite>& writes,
                                      const WriteContext& context) override;
  StatusOr<std::vector<DataValueRecord>> find_values(
      std::string_view org_code, const std::vector<std::string>& periods,
      const std::vector<std::string>& indicators) override;
  StatusOr<std::vector<ValueChange>> value_history(std::string_view indicator,
                                                   std::string_view org_code,
                                                   std::string_view period) override;
  Status scan_values(const std::function<void(const DataValueRecord&)>& visit) override;
  Status scan_numbers(const NumberVisitor& visit) override;
  Status select_values(const std::vector<std::string>& periods,
                       const std::vector<std::string>& indicators,
                       const std::function<void(const DataValueRecord&)>& visit) override;
  Status insert_notices(const std::vector<NoticeRecord>& notices) override;
  StatusOr<std::vector<NoticeRecord>> notices_for(const std::vector<std::string>& org_codes,
                                                  std::size_t limit) override;
  StatusOr<std::vector<BulletinRecord>> list_bulletins() override;
  StatusOr<std::optional<BulletinRecord>> find_bulletin(std::string_view code) override;
  Status insert_bulletin(const BulletinRecord& bulletin) override;
  Status update_bulletin(const BulletinRecord& bulletin) override;
  Status delete_bulletin(std::string_view code) override;
  StatusOr<std::optional<std::string>> get_setting(std::string_view key) override;
  Status set_setting(std::string_view key, std::string_view value) override;

 private:
  using Connection = pg_detail::Connection;
  using Params = pg_detail::Params;

  explicit PostgresStore(const std::string& conninfo);
  Status migrate();
  StatusOr<std::vector<UserRecord>> select_users(Connection& c, std::string_view where,
                                                 const Params& params);
  // REQUIRES: a transaction open on `c`.
  Status write_roles(Connection& c, std::int64_t user_id, const std::vector<std::string>& roles);
  // REQUIRES: values_mu_ held, a transaction open on `c` holding kValuesLock.
  StatusOr<WriteSummary> write_values_locked(Connection& c, const std::vector<ValueWrite>& writes,
                                             const WriteContext& context);
  StatusOr<WriteSummary> commit_entry_locked(Connection& c, const EntryCommit& commit);
  // Opens the transaction and takes kValuesLock in it.
  Status begin_value_writes(pg_detail::Transaction& tx);
  StatusOr<std::vector<EntryRecord>> select_entries(std::string_view where, const Params& params);

  pg_detail::ConnectionPool pool_;
  // Held over every transaction that writes values or cell locks, through
  // its commit and `committed` callback.
  std::mutex values_mu_;
};

}  // namespace tianbao::store
