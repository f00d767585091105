// Accounts: users, passwords, sessions, API tokens and the second factor.
//
// Passwords are argon2id hashes; the policy is model::check_password_policy.
// Five failed logins lock an account for 30 minutes, and failures are also
// counted per source address. A session is a random 256-bit id that only
// the browser holds (the store keeps its SHA-256); it expires after 30
// idle minutes or 12 hours, and all of a user's sessions end when their
// password changes. API tokens are shown once, stored hashed, carry their
// owner's rights, and can be revoked. Every outcome is audited; no secret
// is ever logged or audited.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "service/access.h"
#include "service/audit_log.h"
#include "service/clock.h"
#include "service/org_units.h"
#include "service/principal.h"
#include "store/account_store.h"

namespace tianbao::service {

struct AuthPolicy {
  std::int64_t session_idle_ms = 30LL * 60 * 1000;
  std::int64_t session_absolute_ms = 12LL * 60 * 60 * 1000;
  int max_failed_logins = 5;
  std::int64_t lockout_ms = 30LL * 60 * 1000;
  // Failed logins from one source address, across accounts, in the window.
  int max_failures_per_address = 20;
  std::int64_t address_window_ms = 15LL * 60 * 1000;
};

// What the API shows of a user: never the hash or the TOTP secret.
struct UserView {
  std::string username;
  std::string display_name;
  std::string org_code;
  std::vector<std::string> roles;
  bool must_change_password = false;
  bool disabled = false;
  bool locked = false;
  bool totp_enabled = false;
  std::int64_t created_at = 0;
};

struct LoginResult {
  std::string session_id;  // the cookie value; shown to nobody else
  std::string csrf_token;
  Principal principal;
};

struct SessionAuth {
  Principal principal;
  std::string csrf_token;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::string org_code;
  std::vector<std::string> roles;
  std::string password;  // empty: generate a temporary one
  // Always true through the API; the demo data sets documented passwords.
  bool must_change_password = true;
};

struct AdminSetup {
  bool created = false;
  std::string generated_password;  // set if created with a generated password
};

struct CreatedUser {
  UserView user;
  std::string temporary_password;  // set if it was generated
};

struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> org_code;
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> disabled;
};

struct TokenView {
  std::int64_t id = 0;
  std::string name;
  std::string prefix;
  std::int64_t created_at = 0;
  std::int64_t last_used_at = 0;
  std::int64_t revoked_at = 0;
};

struct NewToken {
  TokenView view;
  std::string token;  // shown once
};

class Accounts {
 public:
  Accounts(store::AccountStore& store, const OrgUnits& units, const Access& access, AuditLog& audit,
           const Clock& clock, AuthPolicy policy)
      : store_(store),
        units_(units),
        access_(access),
        audit_(audit),
        clock_(clock),
        policy_(policy) {}

  const AuthPolicy& policy() const { return policy_; }

  // Creates the system administrator `admin` (no unit, acts everywhere) if
  // missing: with `password`, or a generated one that must be changed at
  // first login. With `set_password`, an existing admin gets `password`.
  StatusOr<AdminSetup> ensure_admin(const std::string& password, bool set_password);

  // Sign-in. `totp` is required when the account has a second factor.
  StatusOr<LoginResult> login(const std::string& username, const std::string& password,
                              const std::string& totp, const std::string& remote);
  Status logout(const std::string& session_id, const std::string& remote);
  StatusOr<SessionAuth> authenticate_session(const std::string& session_id,
                                             const std::string& remote);
  StatusOr<Principal> authenticate_token(const std::string& token, const std::string& remote);

  // Changes the caller's own password; ends all their sessions and opens a
  // fresh one for the caller.
  StatusOr<LoginResult> change_password(const Principal& who, const std::string& old_password,
                                        const std::string& new_password);

  // Administration, scoped: the target user's unit must be in the caller's
  // subtree, and only a system administrator grants or touches sysadmin.
  StatusOr<CreatedUser> create_user(const Principal& who, const NewUser& user);
  StatusOr<std::vector<UserView>> list_users(const Principal& who, const std::string& q,
                                             const std::string& org_code);
  StatusOr<UserView> get_user(const Principal& who, const std::string& username);
  StatusOr<UserView> update_user(const Principal& who, const std::string& username,
                                 const UserUpdate& update);
  // Sets a temporary password (generated if empty) that must be changed at
  // the next login; ends the user's sessions; clears lockout and TOTP.
  StatusOr<std::string> reset_password(const Principal& who, const std::string& username,
                                       const std::string& password);
  Status unlock(const Principal& who, const std::string& username);

  // API tokens of the caller.
  StatusOr<NewToken> create_token(const Principal& who, const std::string& name);
  StatusOr<std::vector<TokenView>> list_tokens(const Principal& who);
  Status revoke_token(const Principal& who, std::int64_t id);

  // Second factor (RFC 6238). setup returns a fresh secret that is stored
  // only once enable_totp confirms a code generated from it.
  StatusOr<std::string> new_totp_secret(const Principal& who);
  Status enable_totp(const Principal& who, const std::string& secret, const std::string& code);

  static UserView view(const store::UserRecord& user, std::int64_t now_ms);

 private:
  StatusOr<store::UserRecord> scoped_user(const Principal& who, const std::string& username,
                                          Permission what);
  Status check_roles_grantable(const Principal& who, const std::vector<std::string>& roles);
  StatusOr<LoginResult> open_session(const store::UserRecord& user, const std::string& remote);
  Principal principal_for(const store::UserRecord& user, std::string via,
                          const std::string& remote) const;
  bool address_blocked(const std::string& address);
  void note_address_failure(const std::string& address);

  store::AccountStore& store_;
  const OrgUnits& units_;
  const Access& access_;
  AuditLog& audit_;
  const Clock& clock_;
  AuthPolicy policy_;

  std::mutex address_mu_;
  std::unordered_map<std::string, std::deque<std::int64_t>>
      address_failures_;  // GUARDED_BY(address_mu_)
};

// "127.0.0.1:53412" → "127.0.0.1"; "[::1]:80" → "::1".
std::string address_of(const std::string& remote);

}  // namespace tianbao::service
