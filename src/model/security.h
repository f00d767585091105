// Security vocabulary of the domain, free of I/O: roles, the password
// policy, and the primitives the audit chain and second factor rest on
// (SM3 digests, RFC 6238 TOTP codes), computed with OpenSSL 3.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace tianbao::model {

enum class Role { kSysadmin, kAdmin, kApprover, kFiller, kViewer };

inline constexpr Role kAllRoles[] = {Role::kSysadmin, Role::kAdmin, Role::kApprover, Role::kFiller,
                                     Role::kViewer};

std::string_view role_code(Role role);   // "sysadmin", "admin", …
std::string_view role_title(Role role);  // 系统管理员, 管理员, …
StatusOr<Role> parse_role(std::string_view code);

// ≥ 8 characters from at least 3 of: lower case, upper case, digits, other;
// not the username (in any case), at most 128 characters.
Status check_password_policy(std::string_view password, std::string_view username);

// Usernames: 2–64 characters of [A-Za-z0-9_.@-], case preserved.
Status check_username(std::string_view username);

// Lower-case hex SM3 digest (GB/T 32905) of `data`.
std::string sm3_hex(std::string_view data);
// Lower-case hex SHA-256 of `data`; used for hashing random tokens at rest.
std::string sha256_hex(std::string_view data);

// `bytes` random bytes from the OS CSPRNG, hex-encoded (2 chars per byte).
std::string random_hex(std::size_t bytes);
// RFC 4648 base32 without padding, for TOTP secrets.
std::string base32_encode(std::string_view bytes);
std::optional<std::string> base32_decode(std::string_view text);
// A new random 160-bit TOTP secret, base32.
std::string new_totp_secret();
// The 6-digit RFC 6238 code (HMAC-SHA1, 30 s steps) for `unix_seconds`.
std::string totp_code(std::string_view secret_base32, std::int64_t unix_seconds);
// True if `code` matches the step of `unix_seconds` or one step either side.
bool totp_verify(std::string_view secret_base32, std::string_view code, std::int64_t unix_seconds);

}  // namespace tianbao::model
