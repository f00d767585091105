// Store: the durable state of tianbao behind one interface.
//
// Callers (the service layer) see domain operations only, never SQL; each
// backend (SQLite now, PostgreSQL next) implements them with its own SQL and
// its own bulk paths. Every method is atomic: it commits fully or not at all,
// and a method that returned OK has committed durably (it survives kill -9 of
// the process and, with synchronous=FULL, a power cut).
//
// Schema changes are numbered migrations (migrations.h) applied by open_store()
// before it returns.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store, open_store("sqlite:var/tianbao.db"));
//   ASSIGN_OR_RETURN(auto units, store->load_org_units());
//
// Thread-safety: implementations are safe to call from several threads; they
// serialise access internally.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/org_unit.h"
#include "model/reporting.h"
#include "model/status.h"

namespace tianbao::store {

// Times are Unix epoch milliseconds throughout the store.
using Millis = std::int64_t;

struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string org_code;
  std::string password_hash;       // argon2id encoded string
  std::vector<std::string> roles;  // role codes
  bool must_change_password = true;
  bool disabled = false;
  int failed_logins = 0;
  Millis locked_until = 0;  // 0: not locked
  std::string totp_secret;  // base32; empty: no second factor
  Millis created_at = 0;
  Millis password_changed_at = 0;
};

struct SessionRecord {
  std::string id_hash;  // SHA-256 of the cookie value; the value itself is never stored
  std::int64_t user_id = 0;
  std::string csrf_token;
  Millis created_at = 0;
  Millis last_seen = 0;
  std::string remote;
};

struct TokenRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string token_hash;  // SHA-256 of the token
  std::string prefix;      // first characters, to recognise it in a list
  Millis created_at = 0;
  Millis last_used_at = 0;  // 0: never
  Millis revoked_at = 0;    // 0: active
};

struct AuditRecord {
  std::int64_t id = 0;
  Millis at = 0;
  std::string username;  // empty for anonymous
  std::string org_code;  // the acting user's unit, for scoped reading
  std::string remote;
  std::string action;   // "login", "user.create", "permission.denied", …
  std::string object;   // what it was done to
  std::string outcome;  // "ok", "failed", "denied"
  std::string detail;   // free text, never a secret
  std::string prev_hash;
  std::string hash;
};

struct AuditFilter {
  Millis from = 0;
  Millis to = 0;  // 0: no bound
  std::string username;
  std::string action;          // prefix match
  std::int64_t before_id = 0;  // 0: newest first from the end
  std::size_t limit = 100;
};

struct ContactRecord {
  std::int64_t id = 0;
  std::string org_code;
  std::string name;
  std::string title;  // 总指挥, 填表员, …
  std::string mobile;
  std::string office_phone;
  std::string email;
  std::string note;
};

struct TaskRecord {
  std::int64_t id = 0;
  std::string form_code;
  std::string period;      // "2022-08"
  std::string deadline;    // "P18D" or "2022-09-18"
  std::string due_date;    // resolved "2022-09-18"
  std::string issuer_org;  // the unit that dispatched it; the top of the approval chain
  std::string title;
  Millis created_at = 0;
  std::string created_by;
  model::TaskState state = model::TaskState::kOpen;
  std::string cancel_reason;  // of a cancelled task
  Millis cancelled_at = 0;
  std::string cancelled_by;
};

struct EntryRecord {
  std::int64_t task_id = 0;
  std::string org_code;
  model::EntryStatus status = model::EntryStatus::kNotStarted;
  std::int64_t version = 0;  // increases with every change; guards concurrent edits
  Millis submitted_at = 0;   // of the submission in force; 0 if none
  std::string explanation;   // 说明 given with warnings at submission
  std::string return_reason;
  std::vector<std::string> approvals;  // org codes that approved, lowest first
  Millis updated_at = 0;
  std::string updated_by;
  std::string due_date;            // this unit's extended deadline; empty: the task's
  Millis recall_requested_at = 0;  // 撤回 asked by the filler, awaiting the approver; 0: none
  std::string recall_reason;
};

// The entry that holds a cell (indicator × unit × period): one that is
// submitted or approved in an open task. While it does, no path writes the
// cell; it must be returned (退回), unapproved (撤销审核) or recalled first.
struct CellHolder {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::int64_t task_id = 0;
  std::string task_title;
  model::EntryStatus status = model::EntryStatus::kSubmitted;
};

// The refusal of a write to a held cell, in 中文 naming the holder
// (FailedPrecondition, code "cell_locked", field the indicator).
Status cell_locked(const CellHolder& holder);

// Two open tasks asking for the same cells: the same period, a shared
// indicator and `units` units in both (found by find_task_overlaps; a store
// from before the overlap check may hold such pairs).
struct TaskOverlap {
  std::int64_t task = 0;
  std::int64_t other = 0;
  std::size_t units = 0;
};

struct EntryEvent {
  std::int64_t task_id = 0;
  std::string org_code;
  Millis at = 0;
  std::string username;
  std::string action;  // "save", "submit", "approve", "return", "unapprove"
  std::string from_status;
  std::string to_status;
  std::string reason;
};

// How a write treats a value that exists (or not) already.
enum class WriteMode {
  kUpsert,      // create or update (the default)
  kCreateOnly,  // skip if a value exists
  kUpdateOnly,  // skip if none exists
};

// A value to write; neither number nor text means "clear it".
struct ValueWrite {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::optional<double> number;
  std::optional<std::string> text;
  WriteMode mode = WriteMode::kUpsert;
};

// What a batch of writes did.
struct WriteSummary {
  std::size_t created = 0;
  std::size_t updated = 0;
  std::size_t deleted = 0;
  std::size_t unchanged = 0;  // same value again, or skipped by the mode
  std::vector<bool> applied;  // per write, in the order given: whether it changed the store
  // Writes refused because an entry holds the cell (index into the batch).
  struct Refusal {
    std::size_t index = 0;
    CellHolder holder;
  };
  std::vector<Refusal> refused;
};

struct DataValueRecord {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::optional<double> number;
  std::optional<std::string> text;
  Millis updated_at = 0;
  std::string updated_by;
  std::string channel;  // "form", "import", "api"
};

struct ValueChange {
  std::string indicator;
  std::string org_code;
  std::string period;
  std::optional<std::string> old_value;  // as text; nullopt: there was none
  std::optional<std::string> new_value;  // nullopt: cleared
  Millis at = 0;
  std::string username;
  std::string channel;
};

// Who changes values, when and through which channel, for the history.
struct WriteContext {
  std::string username;
  std::string channel;
  Millis at = 0;
  bool dry_run = false;  // roll back after counting what would change
  // Called under the store's lock right after the commit, with what the
  // writes did: an observer (the cube) then sees commits in the order they
  // happened, even when two writers race for the same value.
  std::function<void(const WriteSummary&)> committed = nullptr;
};

// Everything one step of an entry changes, committed together: the values
// (with history), the entry's new state, and the transition record.
struct EntryCommit {
  std::int64_t task_id = 0;
  std::string org_code;
  std::int64_t expected_version = 0;  // Conflict unless the entry still has it
  EntryRecord next;                   // status, submitted_at, explanation, reason, approvals
  std::vector<ValueWrite> writes;
  WriteContext context;
  std::optional<EntryEvent> event;
};

struct NoticeRecord {
  std::int64_t id = 0;
  std::string org_code;  // the unit it is addressed to
  std::int64_t task_id = 0;
  std::string kind;  // "remind", "return", "cancel", "recall"
  std::string message;
  Millis at = 0;
  std::string created_by;
};

// A bulletin or work-report template (service/bulletins.h); the store
// keeps its definition as JSON text and does not look inside.
struct BulletinRecord {
  std::string code;
  std::string title;
  std::string kind;        // "bulletin" or "report"
  std::string definition;  // JSON
  Millis updated_at = 0;
  std::string updated_by;
};

struct UpsertSummary {
  std::size_t inserted = 0;
  std::size_t updated = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Highest migration applied.
  virtual StatusOr<int> schema_version() = 0;

  // All org units, parents before children is NOT guaranteed.
  virtual StatusOr<std::vector<model::OrgUnit>> load_org_units() = 0;
  // Inserts new units and updates the name/level/kind/parent of existing ones
  // (matched by code), all in one transaction. A unit's parent must exist in
  // the store or come earlier in `units`.
  virtual StatusOr<UpsertSummary> upsert_org_units(std::span<const model::OrgUnit> units) = 0;
  // Adds one unit; AlreadyExists if the code is taken, NotFound if the parent is missing.
  virtual Status insert_org_unit(const model::OrgUnit& unit) = 0;

  // Users. Roles are replaced whole by update_user.
  virtual StatusOr<std::optional<UserRecord>> find_user(std::string_view username) = 0;
  virtual StatusOr<std::optional<UserRecord>> find_user_by_id(std::int64_t id) = 0;
  virtual StatusOr<std::vector<UserRecord>> list_users() = 0;
  // AlreadyExists if the username is taken; returns the new id.
  virtual StatusOr<std::int64_t> insert_user(const UserRecord& user) = 0;
  virtual Status update_user(const UserRecord& user) = 0;

  // Sessions and API tokens, looked up by the hash of their secret.
  virtual Status insert_session(const SessionRecord& session) = 0;
  virtual StatusOr<std::optional<SessionRecord>> find_session(std::string_view id_hash) = 0;
  virtual Status touch_session(std::string_view id_hash, Millis last_seen) = 0;
  virtual Status delete_session(std::string_view id_hash) = 0;
  virtual Status delete_user_sessions(std::int64_t user_id) = 0;

  virtual StatusOr<std::int64_t> insert_token(const TokenRecord& token) = 0;
  virtual StatusOr<std::optional<TokenRecord>> find_token(std::string_view token_hash) = 0;
  virtual StatusOr<std::vector<TokenRecord>> list_tokens(std::int64_t user_id) = 0;
  virtual Status touch_token(std::int64_t id, Millis last_used) = 0;
  // NotFound unless an active token with this id belongs to the user.
  virtual Status revoke_token(std::int64_t user_id, std::int64_t id, Millis at) = 0;

  // The audit log: append-only, each record chained to the previous by SM3.
  // append_audit fills id, prev_hash and hash.
  virtual StatusOr<AuditRecord> append_audit(AuditRecord record) = 0;
  virtual StatusOr<std::vector<AuditRecord>> query_audit(const AuditFilter& filter) = 0;
  // Calls `visit` on every record in id order; stops early if it returns false.
  virtual Status scan_audit(const std::function<bool(const AuditRecord&)>& visit) = 0;

  // The address book (通讯录).
  virtual StatusOr<std::vector<ContactRecord>> list_contacts() = 0;
  virtual StatusOr<std::optional<ContactRecord>> find_contact(std::int64_t id) = 0;
  virtual StatusOr<std::int64_t> insert_contact(const ContactRecord& contact) = 0;
  virtual Status update_contact(const ContactRecord& contact) = 0;
  virtual Status delete_contact(std::int64_t id) = 0;

  // Metadata: indicators, forms, validation rules (keyed by code).
  virtual StatusOr<std::vector<model::Indicator>> list_indicators() = 0;
  virtual Status insert_indicator(const model::Indicator& indicator) = 0;  // AlreadyExists
  virtual Status update_indicator(const model::Indicator& indicator) = 0;  // NotFound
  virtual Status delete_indicator(std::string_view code) = 0;
  virtual StatusOr<std::vector<model::Form>> list_forms() = 0;
  virtual Status insert_form(const model::Form& form) = 0;
  virtual Status update_form(const model::Form& form) = 0;
  virtual StatusOr<std::vector<model::ValidationRule>> list_rules() = 0;
  virtual Status insert_rule(const model::ValidationRule& rule) = 0;
  virtual Status update_rule(const model::ValidationRule& rule) = 0;
  virtual Status delete_rule(std::string_view code) = 0;

  // Tasks and their entries (one per assigned unit, created not started).
  virtual StatusOr<std::int64_t> insert_task(const TaskRecord& task,
                                             const std::vector<std::string>& org_codes) = 0;
  virtual StatusOr<std::optional<TaskRecord>> find_task(std::int64_t id) = 0;
  virtual StatusOr<std::vector<TaskRecord>> list_tasks() = 0;
  virtual StatusOr<std::vector<EntryRecord>> list_entries(std::int64_t task_id) = 0;
  // Entries of any task assigned to one of these units.
  virtual StatusOr<std::vector<EntryRecord>> entries_of_units(
      const std::vector<std::string>& org_codes) = 0;
  virtual StatusOr<std::optional<EntryRecord>> find_entry(std::int64_t task_id,
                                                          std::string_view org_code) = 0;
  // Applies an entry step atomically; returns the new version. The entry
  // holds its form's cells while its new status is submitted or approved
  // (and its task is open), and releases them otherwise; a write to a cell
  // another entry holds refuses the whole step (cell_locked).
  virtual StatusOr<std::int64_t> commit_entry(const EntryCommit& commit) = 0;
  // Applies several steps, in order, as one transaction: all or none. For
  // recording a history of many steps (the demo) without a durable commit
  // each; a step's expected_version counts the steps before it.
  virtual Status commit_entries(const std::vector<EntryCommit>& commits) = 0;
  virtual StatusOr<std::vector<EntryEvent>> entry_events(std::int64_t task_id,
                                                         std::string_view org_code) = 0;
  // Adds units to a task (new entries, not started); units already in it are skipped.
  // Returns how many were added.
  virtual StatusOr<std::size_t> add_task_units(std::int64_t task_id,
                                               const std::vector<std::string>& org_codes) = 0;
  // Moves a deadline: the task's (no units given) or those units' own.
  virtual Status set_due_date(std::int64_t task_id, const std::string& deadline,
                              const std::string& due_date,
                              const std::vector<std::string>& org_codes) = 0;
  // Cancels an open task: it releases every cell its entries held; the
  // entries stay as they are, as history. NotFound / FailedPrecondition.
  virtual Status cancel_task(std::int64_t task_id, const std::string& reason, Millis at,
                             const std::string& username) = 0;
  // Pairs of open tasks over the same cells, lower id first.
  virtual StatusOr<std::vector<TaskOverlap>> find_task_overlaps() = 0;
  // The holders of a unit's cells of one period among `indicators`.
  virtual StatusOr<std::vector<CellHolder>> cell_holders(
      std::string_view org_code, std::string_view period,
      const std::vector<std::string>& indicators) = 0;

  // Data values with their full history: who wrote each version, when and
  // through which channel (value_history). A batch is one transaction;
  // an unknown indicator or unit refuses the whole batch. A write that
  // would change a cell an entry holds is not made and is listed in
  // `refused` (the rest of the batch is written).
  virtual StatusOr<WriteSummary> write_values(const std::vector<ValueWrite>& writes,
                                              const WriteContext& context) = 0;
  virtual StatusOr<std::vector<DataValueRecord>> find_values(
      std::string_view org_code, const std::vector<std::string>& periods,
      const std::vector<std::string>& indicators) = 0;
  virtual StatusOr<std::vector<ValueChange>> value_history(std::string_view indicator,
                                                           std::string_view org_code,
                                                           std::string_view period) = 0;
  // Values of the given periods and indicators (empty list: all), to the
  // visitor, in no particular order; the caller filters units.
  virtual Status select_values(const std::vector<std::string>& periods,
                               const std::vector<std::string>& indicators,
                               const std::function<void(const DataValueRecord&)>& visit) = 0;
  // Every stored value, in no particular order.
  virtual Status scan_values(const std::function<void(const DataValueRecord&)>& visit) = 0;
  // Every numeric value, lean: the views are valid only during the call
  // (building the cube at start-up reads 100M of these), but the code
  // views of one indicator or unit point at the same text for the whole
  // scan, so callers may remember what they found by its address.
  using NumberVisitor = std::function<void(std::string_view indicator, std::string_view org_code,
                                           std::string_view period, double value)>;
  virtual Status scan_numbers(const NumberVisitor& visit) = 0;

  // Notices (催报, 退回) addressed to units.
  virtual Status insert_notices(const std::vector<NoticeRecord>& notices) = 0;
  virtual StatusOr<std::vector<NoticeRecord>> notices_for(const std::vector<std::string>& org_codes,
                                                          std::size_t limit) = 0;

  // Bulletin and work-report templates, keyed by code.
  virtual StatusOr<std::vector<BulletinRecord>> list_bulletins() = 0;
  virtual StatusOr<std::optional<BulletinRecord>> find_bulletin(std::string_view code) = 0;
  virtual Status insert_bulletin(const BulletinRecord& bulletin) = 0;  // AlreadyExists
  virtual Status update_bulletin(const BulletinRecord& bulletin) = 0;  // NotFound
  virtual Status delete_bulletin(std::string_view code) = 0;           // NotFound

  // Small named settings (deployment name, reference-data version, …).
  virtual StatusOr<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Status set_setting(std::string_view key, std::string_view value) = 0;
};

// The SM3 chain hash of an audit record: over its prev_hash and every field
// except `hash`, so that editing any field, or removing or reordering
// records, breaks the chain from that record on. The first record's
// prev_hash is kAuditGenesis.
inline constexpr std::string_view kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
std::string audit_record_hash(const AuditRecord& record);

// Opens (creating if needed) and migrates the store named by `url`:
// "sqlite:PATH" or a bare PATH for SQLite; "postgresql://…" is recognised but
// not yet implemented.
StatusOr<std::unique_ptr<Store>> open_store(std::string_view url);

}  // namespace tianbao::store
