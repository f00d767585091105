#include "service/accounts.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/password.h"
#include "model/security.h"
#include "model/text.h"

namespace tianbao::service {

namespace {

constexpr std::size_t kSessionIdBytes = 32;  // 256 bits
constexpr std::size_t kCsrfBytes = 16;
constexpr std::size_t kTokenBytes = 32;
constexpr std::string_view kTokenPrefix = "tb_";
constexpr std::size_t kTokenShownPrefix = 11;  // "tb_" and 8 hex digits
constexpr std::int64_t kTouchIntervalMs = 60 * 1000;
constexpr std::size_t kMaxDisplayNameChars = 50;

Status bad_credentials() {
  return Status(StatusCode::kUnauthenticated, "用户名或密码错误", "password", "bad_credentials");
}

Status unknown_user(std::string_view username) {
  return NotFound(fmt::format("用户 {} 不存在", model::sanitize_for_message(username)), "username",
                  "unknown_user");
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// A password that satisfies the policy: four classes, 15 characters.
std::string temporary_password() { return "Tb#" + model::random_hex(6); }

// An argon2id hash of nothing in particular, verified against when the
// username is unknown so that both answers take the same time.
const std::string& timing_decoy_hash() {
  static const std::string hash = model::hash_password("timing-decoy-password");
  return hash;
}

Status check_display_name(std::string_view name) {
  if (!model::is_valid_utf8(name)) {
    return InvalidArgument("姓名不是有效的 UTF-8 文本", "displayName", "invalid_utf8");
  }
  std::string_view trimmed = model::trim(name);
  if (trimmed.empty()) return InvalidArgument("姓名不能为空", "displayName", "required");
  if (model::utf8_length(trimmed) > kMaxDisplayNameChars || model::has_control_chars(trimmed)) {
    return InvalidArgument("姓名须为不超过 50 个字的文本", "displayName", "invalid_name");
  }
  return Status::Ok();
}

StatusOr<std::vector<std::string>> normalize_roles(const std::vector<std::string>& roles) {
  if (roles.empty()) return InvalidArgument("至少需要一个角色", "roles", "required");
  std::vector<std::string> out;
  for (const std::string& r : roles) {
    ASSIGN_OR_RETURN(model::Role role, model::parse_role(r));
    out.emplace_back(model::role_code(role));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

}  // namespace

std::string address_of(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    std::size_t close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  std::size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

UserView Accounts::view(const store::UserRecord& u, std::int64_t now_ms) {
  return UserView{u.username,   u.display_name,           u.org_code,
                  u.roles,      u.must_change_password,   u.disabled,
                  u.locked_until > now_ms, !u.totp_secret.empty(), u.created_at};
}

Principal Accounts::principal_for(const store::UserRecord& user, std::string via,
                                  const std::string& remote) const {
  Principal p;
  p.user_id = user.id;
  p.username = user.username;
  p.display_name = user.display_name;
  p.org_code = user.org_code;
  for (const std::string& r : user.roles) {
    StatusOr<model::Role> role = model::parse_role(r);
    if (role.ok()) p.roles.push_back(*role);
  }
  p.via = std::move(via);
  p.remote = remote;
  p.must_change_password = user.must_change_password;
  p.totp_enabled = !user.totp_secret.empty();
  return p;
}

bool Accounts::address_blocked(const std::string& address) {
  std::lock_guard lock(address_mu_);
  auto it = address_failures_.find(address);
  if (it == address_failures_.end()) return false;
  std::int64_t horizon = clock_.now_ms() - policy_.address_window_ms;
  while (!it->second.empty() && it->second.front() < horizon) it->second.pop_front();
  if (it->second.empty()) {
    address_failures_.erase(it);
    return false;
  }
  return static_cast<int>(it->second.size()) >= policy_.max_failures_per_address;
}

void Accounts::note_address_failure(const std::string& address) {
  std::lock_guard lock(address_mu_);
  address_failures_[address].push_back(clock_.now_ms());
}

StatusOr<LoginResult> Accounts::open_session(const store::UserRecord& user,
                                             const std::string& remote) {
  std::int64_t now = clock_.now_ms();
  LoginResult result;
  result.session_id = model::random_hex(kSessionIdBytes);
  result.csrf_token = model::random_hex(kCsrfBytes);
  RETURN_IF_ERROR(store_.insert_session(store::SessionRecord{
      model::sha256_hex(result.session_id), user.id, result.csrf_token, now, now, remote}));
  result.principal = principal_for(user, "session", remote);
  return result;
}

StatusOr<AdminSetup> Accounts::ensure_admin(const std::string& password, bool set_password) {
  constexpr const char* kAdmin = "admin";
  Principal system = Principal::system("");
  if (!password.empty()) RETURN_IF_ERROR(model::check_password_policy(password, kAdmin));
  if (set_password && password.empty()) {
    return InvalidArgument("请从标准输入提供管理员密码", "password", "required");
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> existing, store_.find_user(kAdmin));
  std::int64_t now = clock_.now_ms();
  AdminSetup setup;
  if (existing) {
    if (!set_password) return setup;
    existing->password_hash = model::hash_password(password);
    existing->must_change_password = false;
    existing->password_changed_at = now;
    existing->failed_logins = 0;
    existing->locked_until = 0;
    RETURN_IF_ERROR(store_.update_user(*existing));
    RETURN_IF_ERROR(store_.delete_user_sessions(existing->id));
    RETURN_IF_ERROR(audit_.record(system, {"user.reset_password", "user:admin", "ok", "命令行"}));
    return setup;
  }
  store::UserRecord admin;
  admin.username = kAdmin;
  admin.display_name = "系统管理员";
  admin.roles = {"sysadmin"};
  std::string chosen = password;
  if (chosen.empty()) {
    chosen = temporary_password();
    setup.generated_password = chosen;
  }
  admin.password_hash = model::hash_password(chosen);
  admin.must_change_password = password.empty();
  admin.created_at = now;
  admin.password_changed_at = now;
  ASSIGN_OR_RETURN(admin.id, store_.insert_user(admin));
  RETURN_IF_ERROR(audit_.record(system, {"user.create", "user:admin", "ok", "角色 sysadmin"}));
  setup.created = true;
  return setup;
}

StatusOr<LoginResult> Accounts::login(const std::string& username, const std::string& password,
                                      const std::string& totp, const std::string& remote) {
  const std::string address = address_of(remote);
  const std::string safe_name = model::sanitize_for_message(username);
  const std::string object = "user:" + safe_name;
  std::string account_org;  // set once the account is known
  auto audit_failure = [&](const std::string& why) {
    return audit_.record_anonymous(safe_name, remote, {"login", object, "failed", why},
                                   account_org);
  };
  if (address_blocked(address)) {
    RETURN_IF_ERROR(audit_failure("来源地址失败次数过多"));
    return Status(StatusCode::kResourceExhausted, "登录失败次数过多，请 15 分钟后再试", {},
                  "too_many_attempts");
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> found, store_.find_user(username));
  if (!found || found->disabled) {
    model::verify_password(timing_decoy_hash(), password);
    note_address_failure(address);
    RETURN_IF_ERROR(audit_failure(found ? "账户已停用" : "用户不存在"));
    return bad_credentials();
  }
  store::UserRecord& user = *found;
  account_org = user.org_code;
  std::int64_t now = clock_.now_ms();
  if (user.locked_until > now) {
    RETURN_IF_ERROR(audit_failure("账户已锁定"));
    std::int64_t minutes = (user.locked_until - now + 59'999) / 60'000;
    return Status(StatusCode::kResourceExhausted,
                  fmt::format("密码连续输错 {} 次，账户已锁定，请 {} 分钟后再试",
                              policy_.max_failed_logins, minutes),
                  "username", "account_locked");
  }
  bool password_ok = model::verify_password(user.password_hash, password);
  bool needs_totp = password_ok && !user.totp_secret.empty();
  if (needs_totp && totp.empty()) {
    return Status(StatusCode::kUnauthenticated, "请输入动态验证码", "totp", "totp_required");
  }
  bool totp_ok = !needs_totp || model::totp_verify(user.totp_secret, totp, now / 1000);
  if (!password_ok || !totp_ok) {
    note_address_failure(address);
    user.failed_logins += 1;
    bool locking = user.failed_logins >= policy_.max_failed_logins;
    if (locking) {
      user.locked_until = now + policy_.lockout_ms;
      user.failed_logins = 0;
    }
    RETURN_IF_ERROR(store_.update_user(user));
    RETURN_IF_ERROR(audit_failure(locking ? "密码错误，账户已锁定" : (password_ok ? "动态验证码错误" : "密码错误")));
    if (locking) {
      return Status(StatusCode::kResourceExhausted,
                    fmt::format("密码连续输错 {} 次，账户已锁定 {} 分钟", policy_.max_failed_logins,
                                (policy_.lockout_ms + 59'999) / 60'000),
                    "username", "account_locked");
    }
    if (!password_ok) return bad_credentials();
    return Status(StatusCode::kUnauthenticated, "动态验证码不正确", "totp", "bad_totp");
  }
  if (user.failed_logins != 0 || user.locked_until != 0) {
    user.failed_logins = 0;
    user.locked_until = 0;
    RETURN_IF_ERROR(store_.update_user(user));
  }
  ASSIGN_OR_RETURN(LoginResult result, open_session(user, remote));
  RETURN_IF_ERROR(audit_.record(result.principal, {"login", object, "ok", ""}));
  return result;
}

Status Accounts::logout(const std::string& session_id, const std::string& remote) {
  StatusOr<SessionAuth> auth = authenticate_session(session_id, remote);
  if (!auth.ok()) return Status::Ok();  // nothing to end
  RETURN_IF_ERROR(store_.delete_session(model::sha256_hex(session_id)));
  return audit_.record(auth->principal, {"logout", "user:" + auth->principal.username, "ok", ""});
}

StatusOr<SessionAuth> Accounts::authenticate_session(const std::string& session_id,
                                                     const std::string& remote) {
  Status expired(StatusCode::kUnauthenticated, "登录已过期，请重新登录", {}, "session_expired");
  if (session_id.size() != kSessionIdBytes * 2 || !is_hex(session_id)) return expired;
  std::string id_hash = model::sha256_hex(session_id);
  ASSIGN_OR_RETURN(std::optional<store::SessionRecord> session, store_.find_session(id_hash));
  if (!session) return expired;
  std::int64_t now = clock_.now_ms();
  if (now - session->last_seen > policy_.session_idle_ms ||
      now - session->created_at > policy_.session_absolute_ms) {
    RETURN_IF_ERROR(store_.delete_session(id_hash));
    return expired;
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.find_user_by_id(session->user_id));
  if (!user || user->disabled) {
    RETURN_IF_ERROR(store_.delete_session(id_hash));
    return expired;
  }
  // last_seen is written at most every minute (or tenth of the idle time):
  // enough precision for the idle timeout without a write per request.
  std::int64_t touch_every = std::min(kTouchIntervalMs, policy_.session_idle_ms / 10);
  if (now - session->last_seen >= touch_every) RETURN_IF_ERROR(store_.touch_session(id_hash, now));
  return SessionAuth{principal_for(*user, "session", remote), session->csrf_token};
}

StatusOr<Principal> Accounts::authenticate_token(const std::string& token,
                                                 const std::string& remote) {
  Status invalid(StatusCode::kUnauthenticated, "接口令牌无效或已吊销", "authorization",
                 "invalid_token");
  if (!token.starts_with(kTokenPrefix)) return invalid;
  ASSIGN_OR_RETURN(std::optional<store::TokenRecord> record,
                   store_.find_token(model::sha256_hex(token)));
  if (!record || record->revoked_at != 0) return invalid;
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.find_user_by_id(record->user_id));
  if (!user || user->disabled) return invalid;
  std::int64_t now = clock_.now_ms();
  if (now - record->last_used_at >= kTouchIntervalMs) {
    RETURN_IF_ERROR(store_.touch_token(record->id, now));
  }
  Principal p = principal_for(*user, "token", remote);
  p.must_change_password = false;  // a program cannot change a password
  return p;
}

StatusOr<LoginResult> Accounts::change_password(const Principal& who,
                                                const std::string& old_password,
                                                const std::string& new_password) {
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> found, store_.find_user_by_id(who.user_id));
  if (!found) return unknown_user(who.username);
  store::UserRecord& user = *found;
  std::int64_t now = clock_.now_ms();
  if (!model::verify_password(user.password_hash, old_password)) {
    user.failed_logins += 1;
    if (user.failed_logins >= policy_.max_failed_logins) {
      user.locked_until = now + policy_.lockout_ms;
      user.failed_logins = 0;
    }
    RETURN_IF_ERROR(store_.update_user(user));
    RETURN_IF_ERROR(audit_.record(who, {"user.change_password", "user:" + user.username, "failed",
                                        "原密码不正确"}));
    return InvalidArgument("原密码不正确", "old", "wrong_password");
  }
  RETURN_IF_ERROR(model::check_password_policy(new_password, user.username));
  if (new_password == old_password) {
    return InvalidArgument("新密码不能与原密码相同", "new", "weak_password");
  }
  user.password_hash = model::hash_password(new_password);
  user.must_change_password = false;
  user.password_changed_at = now;
  user.failed_logins = 0;
  RETURN_IF_ERROR(store_.update_user(user));
  RETURN_IF_ERROR(store_.delete_user_sessions(user.id));
  RETURN_IF_ERROR(audit_.record(who, {"user.change_password", "user:" + user.username, "ok",
                                      "已结束该用户的全部会话"}));
  return open_session(user, who.remote);
}

Status Accounts::check_roles_grantable(const Principal& who,
                                       const std::vector<std::string>& roles) {
  bool grants_sysadmin = std::find(roles.begin(), roles.end(), "sysadmin") != roles.end();
  if (grants_sysadmin && !who.has(model::Role::kSysadmin)) {
    return Status(StatusCode::kPermissionDenied, "只有系统管理员可以授予系统管理员角色", "roles",
                  "permission_denied");
  }
  return Status::Ok();
}

StatusOr<store::UserRecord> Accounts::scoped_user(const Principal& who,
                                                  const std::string& username, Permission what) {
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.find_user(username));
  if (!user) return unknown_user(username);
  Status allowed = access_.check(who, what, user->org_code, "user:" + user->username);
  if (allowed.code() == StatusCode::kNotFound) return unknown_user(username);
  RETURN_IF_ERROR(allowed);
  bool target_sysadmin =
      std::find(user->roles.begin(), user->roles.end(), "sysadmin") != user->roles.end();
  if (target_sysadmin && !who.has(model::Role::kSysadmin)) {
    return Status(StatusCode::kPermissionDenied, "只有系统管理员可以管理系统管理员账户", "username",
                  "permission_denied");
  }
  return std::move(*user);
}

StatusOr<CreatedUser> Accounts::create_user(const Principal& who, const NewUser& nu) {
  RETURN_IF_ERROR(model::check_username(nu.username));
  RETURN_IF_ERROR(check_display_name(nu.display_name));
  ASSIGN_OR_RETURN(std::vector<std::string> roles, normalize_roles(nu.roles));
  std::string object = "user:" + nu.username;
  Status allowed = access_.check(who, Permission::kManageUsers, nu.org_code, object);
  if (allowed.code() == StatusCode::kNotFound) {
    return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(nu.org_code)),
                    "orgUnit", "unknown_org_unit");
  }
  RETURN_IF_ERROR(allowed);
  RETURN_IF_ERROR(check_roles_grantable(who, roles));
  CreatedUser created;
  std::string password = nu.password;
  if (password.empty()) {
    password = temporary_password();
    created.temporary_password = password;
  } else {
    RETURN_IF_ERROR(model::check_password_policy(password, nu.username));
  }
  std::int64_t now = clock_.now_ms();
  store::UserRecord user;
  user.username = nu.username;
  user.display_name = std::string(model::trim(nu.display_name));
  user.org_code = nu.org_code;
  user.password_hash = model::hash_password(password);
  user.roles = roles;
  user.must_change_password = nu.must_change_password;
  user.created_at = now;
  user.password_changed_at = now;
  ASSIGN_OR_RETURN(user.id, store_.insert_user(user));
  RETURN_IF_ERROR(audit_.record(
      who, {"user.create", object, "ok", fmt::format("单位 {}，角色 {}", user.org_code, join(roles))}));
  created.user = view(user, now);
  return created;
}

StatusOr<std::vector<UserView>> Accounts::list_users(const Principal& who, const std::string& q,
                                                     const std::string& org_code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageUsers, "users"));
  auto tree = units_.tree();
  std::optional<model::SubtreeRange> within;
  if (!org_code.empty()) {
    RETURN_IF_ERROR(access_.check(who, Permission::kManageUsers, org_code));
    within = tree->subtree(*tree->find(org_code));
  }
  ASSIGN_OR_RETURN(std::vector<store::UserRecord> users, store_.list_users());
  std::int64_t now = clock_.now_ms();
  std::vector<UserView> out;
  for (const store::UserRecord& u : users) {
    std::optional<model::Ordinal> o = tree->find(u.org_code);
    if (!o || !access_.in_scope(who, *tree, *o)) continue;
    if (within && !within->contains(*o)) continue;
    if (!q.empty() && u.username.find(q) == std::string::npos &&
        u.display_name.find(q) == std::string::npos) {
      continue;
    }
    out.push_back(view(u, now));
  }
  return out;
}

StatusOr<UserView> Accounts::get_user(const Principal& who, const std::string& username) {
  ASSIGN_OR_RETURN(store::UserRecord user, scoped_user(who, username, Permission::kManageUsers));
  return view(user, clock_.now_ms());
}

StatusOr<UserView> Accounts::update_user(const Principal& who, const std::string& username,
                                         const UserUpdate& update) {
  ASSIGN_OR_RETURN(store::UserRecord user, scoped_user(who, username, Permission::kManageUsers));
  std::vector<std::string> changes;
  if (update.display_name) {
    RETURN_IF_ERROR(check_display_name(*update.display_name));
    user.display_name = std::string(model::trim(*update.display_name));
    changes.push_back("姓名");
  }
  if (update.org_code && *update.org_code != user.org_code) {
    Status allowed = access_.check(who, Permission::kManageUsers, *update.org_code,
                                   "user:" + user.username);
    if (allowed.code() == StatusCode::kNotFound) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(*update.org_code)),
                      "orgUnit", "unknown_org_unit");
    }
    RETURN_IF_ERROR(allowed);
    changes.push_back(fmt::format("单位 {}→{}", user.org_code, *update.org_code));
    user.org_code = *update.org_code;
  }
  if (update.roles) {
    ASSIGN_OR_RETURN(std::vector<std::string> roles, normalize_roles(*update.roles));
    RETURN_IF_ERROR(check_roles_grantable(who, roles));
    changes.push_back(fmt::format("角色 {}→{}", join(user.roles), join(roles)));
    user.roles = roles;
  }
  bool disabling = update.disabled && *update.disabled && !user.disabled;
  if (update.disabled) {
    if (*update.disabled && user.id == who.user_id) {
      return InvalidArgument("不能停用自己的账户", "disabled", "invalid_argument");
    }
    user.disabled = *update.disabled;
    changes.push_back(user.disabled ? "停用" : "启用");
  }
  RETURN_IF_ERROR(store_.update_user(user));
  if (disabling) RETURN_IF_ERROR(store_.delete_user_sessions(user.id));
  std::string detail;
  for (const std::string& c : changes) detail += (detail.empty() ? "" : "；") + c;
  RETURN_IF_ERROR(audit_.record(who, {"user.update", "user:" + user.username, "ok", detail}));
  return view(user, clock_.now_ms());
}

StatusOr<std::string> Accounts::reset_password(const Principal& who, const std::string& username,
                                               const std::string& password) {
  ASSIGN_OR_RETURN(store::UserRecord user, scoped_user(who, username, Permission::kManageUsers));
  std::string next = password.empty() ? temporary_password() : password;
  if (!password.empty()) RETURN_IF_ERROR(model::check_password_policy(password, user.username));
  user.password_hash = model::hash_password(next);
  user.must_change_password = true;
  user.password_changed_at = clock_.now_ms();
  user.failed_logins = 0;
  user.locked_until = 0;
  user.totp_secret.clear();
  RETURN_IF_ERROR(store_.update_user(user));
  RETURN_IF_ERROR(store_.delete_user_sessions(user.id));
  RETURN_IF_ERROR(audit_.record(who, {"user.reset_password", "user:" + user.username, "ok",
                                      "须在下次登录时修改密码"}));
  return password.empty() ? next : std::string();
}

Status Accounts::unlock(const Principal& who, const std::string& username) {
  ASSIGN_OR_RETURN(store::UserRecord user, scoped_user(who, username, Permission::kManageUsers));
  user.failed_logins = 0;
  user.locked_until = 0;
  RETURN_IF_ERROR(store_.update_user(user));
  return audit_.record(who, {"user.unlock", "user:" + user.username, "ok", ""});
}

StatusOr<NewToken> Accounts::create_token(const Principal& who, const std::string& name) {
  constexpr std::size_t kMaxNameChars = 50;
  if (who.user_id == 0) {
    return Status(StatusCode::kFailedPrecondition, "接口令牌须属于某个用户", "username",
                  "failed_precondition");
  }
  std::string label = name.empty() ? "接口令牌" : name;
  if (!model::is_valid_utf8(label) || model::utf8_length(label) > kMaxNameChars ||
      model::has_control_chars(label)) {
    return InvalidArgument("令牌名称须为不超过 50 个字的文本", "name", "invalid_name");
  }
  NewToken out;
  out.token = std::string(kTokenPrefix) + model::random_hex(kTokenBytes);
  store::TokenRecord record;
  record.user_id = who.user_id;
  record.name = label;
  record.token_hash = model::sha256_hex(out.token);
  record.prefix = out.token.substr(0, kTokenShownPrefix);
  record.created_at = clock_.now_ms();
  ASSIGN_OR_RETURN(record.id, store_.insert_token(record));
  RETURN_IF_ERROR(audit_.record(
      who, {"token.create", fmt::format("token:{}", record.id), "ok", label + " " + record.prefix}));
  out.view = TokenView{record.id, record.name, record.prefix, record.created_at, 0, 0};
  return out;
}

StatusOr<std::vector<TokenView>> Accounts::list_tokens(const Principal& who) {
  ASSIGN_OR_RETURN(std::vector<store::TokenRecord> tokens, store_.list_tokens(who.user_id));
  std::vector<TokenView> out;
  for (const store::TokenRecord& t : tokens) {
    out.push_back(TokenView{t.id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at});
  }
  return out;
}

Status Accounts::revoke_token(const Principal& who, std::int64_t id) {
  RETURN_IF_ERROR(store_.revoke_token(who.user_id, id, clock_.now_ms()));
  return audit_.record(who, {"token.revoke", fmt::format("token:{}", id), "ok", ""});
}

StatusOr<std::string> Accounts::new_totp_secret(const Principal& who) {
  if (who.user_id == 0) {
    return Status(StatusCode::kFailedPrecondition, "动态验证码须属于某个用户", {}, "failed_precondition");
  }
  return model::new_totp_secret();
}

Status Accounts::enable_totp(const Principal& who, const std::string& secret,
                             const std::string& code) {
  std::optional<std::string> key = model::base32_decode(secret);
  if (!key || key->size() < 10) {
    return InvalidArgument("动态验证码密钥格式不正确", "secret", "invalid_secret");
  }
  if (!model::totp_verify(secret, code, clock_.now_ms() / 1000)) {
    return InvalidArgument("动态验证码不正确，请核对手机上的验证器时间", "code", "bad_totp");
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.find_user_by_id(who.user_id));
  if (!user) return unknown_user(who.username);
  user->totp_secret = secret;
  RETURN_IF_ERROR(store_.update_user(*user));
  return audit_.record(who, {"user.totp_enable", "user:" + user->username, "ok", ""});
}

}  // namespace tianbao::service
