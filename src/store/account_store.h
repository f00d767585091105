// AccountStore: users with their roles, their login sessions and their API
// tokens. Secrets are never stored, only their hashes.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "store/millis.h"

namespace tianbao::store {

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

class AccountStore {
 public:
  virtual ~AccountStore() = default;

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
};

}  // namespace tianbao::store
