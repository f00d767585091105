// Principal: who is acting — a signed-in user (session or API token), or the
// command line acting as the system. Every service call that reads or
// writes scoped data takes one.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "model/security.h"

namespace tianbao::service {

struct Principal {
  std::int64_t user_id = 0;  // 0 for the system (CLI)
  std::string username;
  std::string display_name;
  std::string org_code;  // the user's unit; the root of their scope
  std::vector<model::Role> roles;
  std::string via;     // "session", "token" or "cli"
  std::string remote;  // source address, for the audit log
  bool must_change_password = false;
  bool totp_enabled = false;  // signing in needs a code from an authenticator app

  bool has(model::Role role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  // The command line, with every right, acting at the root of `org_code`.
  static Principal system(std::string org_code) {
    return Principal{0, "system", "命令行", std::move(org_code), {model::Role::kSysadmin}, "cli",
                     "local", false, false};
  }
};

}  // namespace tianbao::service
