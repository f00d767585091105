// Store: the durable state of tianbao, as the composition of one small
// interface per aggregate.
//
// Callers (the service layer) see domain operations only, never SQL; each
// backend (SQLite now, PostgreSQL next) implements them with its own SQL and
// its own bulk paths. Every method is atomic: it commits fully or not at all,
// and a method that returned OK has committed durably (it survives kill -9 of
// the process and, with synchronous=FULL, a power cut).
//
// The aggregates, each in its own header with its records:
//   OrgUnitStore    org_unit_store.h   the org tree's units
//   AccountStore    account_store.h    users, sessions, API tokens
//   AuditStore      audit_store.h      the chained audit log
//   ContactStore    contact_store.h    the address book
//   CatalogueStore  catalogue_store.h  indicators, forms, validation rules
//   ReportingStore  reporting_store.h  tasks, entries, events, cell locks, notices
//   ValueStore      value_store.h      data values and their history
//   BulletinStore   bulletin_store.h   bulletin templates
//   SettingsStore   settings_store.h   small named settings
// and, apart, the change log of every commit (ChangeFeed, change_feed.h).
// A service that needs one aggregate takes that interface, not Store.
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

#include <memory>
#include <string_view>

#include "model/status.h"
#include "store/account_store.h"
#include "store/audit_store.h"
#include "store/bulletin_store.h"
#include "store/catalogue_store.h"
#include "store/change_feed.h"
#include "store/contact_store.h"
#include "store/millis.h"
#include "store/org_unit_store.h"
#include "store/reporting_store.h"
#include "store/settings_store.h"
#include "store/value_store.h"

namespace tianbao::store {

class Store : public OrgUnitStore,
              public AccountStore,
              public AuditStore,
              public ContactStore,
              public CatalogueStore,
              public ReportingStore,
              public ValueStore,
              public BulletinStore,
              public SettingsStore {
 public:
  ~Store() override = default;

  // Highest migration applied.
  virtual StatusOr<int> schema_version() = 0;

  // The change log every commit appends to (change_feed.h), owned by the
  // store; null for a backend that has none yet: its nodes see only their
  // own writes.
  virtual ChangeFeed* change_feed() { return nullptr; }
};

// Opens (creating if needed) and migrates the store named by `url`:
// "sqlite:PATH" or a bare PATH for SQLite; "postgresql://user@host:port/db"
// (or "postgres://…", any libpq connection URI) for PostgreSQL.
StatusOr<std::unique_ptr<Store>> open_store(std::string_view url);

}  // namespace tianbao::store
