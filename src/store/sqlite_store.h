// SqliteStore: the embedded Store backend on SQLite 3.
//
// One connection in WAL mode with synchronous=FULL and foreign keys on;
// prepared statements only. Calls are serialised by a mutex: SQLite allows
// one writer at a time anyway, and the reads that matter for speed are
// served from memory (the org tree, the cube), not from here. Entry steps
// that arrive together are committed together (commit_queue.h), so a
// deadline surge pays one fsync per batch rather than one per save.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "store/commit_queue.h"
#include "store/store.h"

struct sqlite3;

namespace tianbao::store {

class SqliteStore final : public Store, public ChangeFeed {
 public:
  static StatusOr<std::unique_ptr<Store>> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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
  ChangeFeed* change_feed() override { return this; }
  StatusOr<std::int64_t> latest_change() override;
  StatusOr<bool> changed_elsewhere() override;
  StatusOr<std::vector<ChangeRecord>> changes_since(std::int64_t seq, std::size_t limit) override;
  Status values_changed(const ChangeRecord& change, const ChangedCellVisitor& visit) override;
  Status record_node(std::string_view node, std::int64_t applied_seq, Millis at) override;
  StatusOr<std::size_t> prune_changes(Millis live_since) override;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status migrate();  // REQUIRES: mu_ held or not yet shared
  // REQUIRES: mu_ held.
  StatusOr<std::vector<UserRecord>> select_users(std::string_view where, std::string_view key,
                                                 std::int64_t id);
  Status write_roles(std::int64_t user_id, const std::vector<std::string>& roles);
  // REQUIRES: mu_ held and a transaction open.
  StatusOr<WriteSummary> write_values_locked(const std::vector<ValueWrite>& writes,
                                             const WriteContext& context);
  // REQUIRES: mu_ held and a transaction open. Returns what the writes did.
  StatusOr<WriteSummary> commit_entry_locked(const EntryCommit& commit);
  StatusOr<std::vector<EntryRecord>> select_entries(std::string_view where,
                                                    const std::vector<std::string>& binds,
                                                    std::int64_t task_id);

  std::mutex mu_;
  // Concurrent entry steps, committed together (group commit).
  using EntryQueue = CommitQueue<EntryCommit, StatusOr<std::int64_t>>;
  EntryQueue entry_queue_;
  sqlite3* db_;  // owned; closed in the destructor
  // PRAGMA data_version when changed_elsewhere() last looked. GUARDED_BY(mu_)
  std::optional<std::int64_t> data_version_;
};

}  // namespace tianbao::store
