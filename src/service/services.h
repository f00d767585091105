// Services: the use cases that the outer layers (http, cli, exchange) call,
// wired over one open store. It owns the store and every service object.
//
//   ASSIGN_OR_RETURN(auto services, Services::open("sqlite:var/tianbao.db"));
//   services->org_units().get(who, "44");
//
// Thread-safety: the accessors are const after open(); the services
// themselves are thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "cube/cube.h"
#include "service/access.h"
#include "service/accounts.h"
#include "service/analytics.h"
#include "service/audit_log.h"
#include "service/bulletins.h"
#include "service/change_follower.h"
#include "service/clock.h"
#include "service/contacts.h"
#include "service/data_import.h"
#include "service/metadata.h"
#include "service/org_units.h"
#include "service/reporting.h"
#include "service/tree_snapshots.h"
#include "store/store.h"

namespace tianbao::service {

struct ServiceOptions {
  AuthPolicy auth;
  const Clock* clock = nullptr;  // not owned; the system clock if null
  bool load_analytics = false;   // fill the cube from the store (the server does)
  // With load_analytics: how often to look for other processes' commits
  // (store::ChangeFeed); 0: never (a one-shot command).
  std::chrono::milliseconds follow_interval{0};
};

class Services {
 public:
  static StatusOr<std::unique_ptr<Services>> open(std::string_view db_url,
                                                  ServiceOptions options = {});

  store::Store& store() { return *store_; }
  const Clock& clock() const { return *clock_; }
  AuditLog& audit() { return *audit_; }
  const Access& access() const { return *access_; }
  OrgUnits& org_units() { return *org_units_; }
  Accounts& accounts() { return *accounts_; }
  Contacts& contacts() { return *contacts_; }
  Metadata& metadata() { return *metadata_; }
  Reporting& reporting() { return *reporting_; }
  Analytics& analytics() { return *analytics_; }
  DataImport& data_import() { return *data_import_; }
  Bulletins& bulletins() { return *bulletins_; }
  ChangeFollower& changes() { return *changes_; }

 private:
  Services() = default;
  SystemClock system_clock_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<store::Store> store_;
  OrgTreeSnapshots snapshots_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Access> access_;
  std::unique_ptr<OrgUnits> org_units_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Contacts> contacts_;
  std::unique_ptr<Metadata> metadata_;
  std::unique_ptr<Reporting> reporting_;
  std::unique_ptr<cube::Cube> cube_;
  std::unique_ptr<Analytics> analytics_;
  std::unique_ptr<DataImport> data_import_;
  std::unique_ptr<Bulletins> bulletins_;
  // Last: it stops its poller before what it writes into goes.
  std::unique_ptr<ChangeFollower> changes_;
};

}  // namespace tianbao::service
