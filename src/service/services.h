// Services: the use cases that the outer layers (http, cli, exchange) call,
// wired over one open store. It owns the store and every service object.
//
//   ASSIGN_OR_RETURN(auto services, Services::open("sqlite:var/tianbao.db"));
//   services->org_units().get("44");
//
// Thread-safety: the accessors are const after open(); the services
// themselves are thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "service/org_units.h"
#include "store/store.h"

namespace tianbao::service {

class Services {
 public:
  static StatusOr<std::unique_ptr<Services>> open(std::string_view db_url);

  store::Store& store() { return *store_; }
  OrgUnits& org_units() { return *org_units_; }

 private:
  Services() = default;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<OrgUnits> org_units_;
};

}  // namespace tianbao::service
