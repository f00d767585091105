// Password hashing with argon2id (RFC 9106) through libargon2. The encoded
// form carries its own salt and parameters, so parameters can be raised
// later without invalidating stored hashes.
//
// Thread-safety: pure functions (each call allocates its own memory).
#pragma once

#include <string>
#include <string_view>

namespace tianbao::model {

// Parameters: 2 passes over 19 MiB, 1 lane — OWASP's minimum for argon2id,
// about 30 ms here, so that logins stay cheap for the server and expensive
// for an attacker holding a stolen database.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view encoded, std::string_view password);

}  // namespace tianbao::model
