#include "store_backends.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <fmt/format.h>

#include "store/postgres_support.h"

namespace tianbao::store {

namespace {

StatusOr<std::unique_ptr<Store>> open_sqlite(const std::string& scratch) {
  return open_store("sqlite:" + scratch + "/store.db");
}

// `url` with its database name replaced.
std::string with_database(const std::string& url, const std::string& name) {
  std::size_t query = url.find('?');
  std::size_t slash = url.rfind('/', query == std::string::npos ? url.size() : query);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, slash + 1) + name + rest;
}

// A fresh, empty database on the server named by TIANBAO_TEST_PG (a private
// cluster from scripts/pg-cluster, removed with everything in it).
StatusOr<std::unique_ptr<Store>> open_postgresql(const std::string&) {
  const char* url = std::getenv("TIANBAO_TEST_PG");
  if (!url || !*url) {
    return Status(StatusCode::kFailedPrecondition, "TIANBAO_TEST_PG is not set", "",
                  kBackendSkipped);
  }
  static std::atomic<int> counter{0};
  const std::string name = fmt::format("tianbao_conformance_{}_{}", getpid(), ++counter);
  ASSIGN_OR_RETURN(auto admin, pg_detail::Connection::connect(url));
  RETURN_IF_ERROR(admin->script("CREATE DATABASE " + name, "create"));
  return open_store(with_database(url, name));
}

}  // namespace

std::vector<StoreBackend> store_backends() {
  return {
      {"sqlite", open_sqlite},
      {"postgresql", open_postgresql},
  };
}

}  // namespace tianbao::store
