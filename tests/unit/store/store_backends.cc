#include "store_backends.h"

#include <cstdlib>

namespace tianbao::store {

namespace {

StatusOr<std::unique_ptr<Store>> open_sqlite(const std::string& scratch) {
  return open_store("sqlite:" + scratch + "/store.db");
}

// The server named by TIANBAO_TEST_PG; each open is expected to give an
// empty database (the PostgreSQL backend's test set-up makes it so).
StatusOr<std::unique_ptr<Store>> open_postgresql(const std::string&) {
  const char* conninfo = std::getenv("TIANBAO_TEST_PG");
  if (!conninfo || !*conninfo) {
    return Status(StatusCode::kFailedPrecondition, "TIANBAO_TEST_PG is not set", "",
                  kBackendSkipped);
  }
  return open_store(conninfo);
}

}  // namespace

std::vector<StoreBackend> store_backends() {
  return {
      {"sqlite", open_sqlite},
      {"postgresql", open_postgresql},
  };
}

}  // namespace tianbao::store
