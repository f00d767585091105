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
#include "model/status.h"

namespace tianbao::store {

// Times are Unix epoch milliseconds throughout the store.
using Millis = std::int64_t;

struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string org_code;
  std::string password_hash;  // argon2id encoded string
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
  std::string action;    // "login", "user.create", "permission.denied", …
  std::string object;    // what it was done to
  std::string outcome;   // "ok", "failed", "denied"
  std::string detail;    // free text, never a secret
  std::string prev_hash;
  std::string hash;
};

struct AuditFilter {
  Millis from = 0;
  Millis to = 0;  // 0: no bound
  std::string username;
  std::string action;  // prefix match
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
