// The store conformance suite's backends: every TEST_P over StoreTest runs
// once per backend listed in store_backends(), against a fresh, empty store.
//
//   class ValuesTest : public StoreTest {};
//   TEST_P(ValuesTest, …) { store_->write_values(…); }
//   INSTANTIATE_STORE_TEST(ValuesTest);
//
// A backend that cannot run here (PostgreSQL without TIANBAO_TEST_PG, a
// libpq conninfo such as "postgresql://tianbao@127.0.0.1:5433/tianbao_test")
// is skipped, not failed.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "support/temp_dir.h"

namespace tianbao::store {

struct StoreBackend {
  std::string name;  // "sqlite", "postgresql": the test name's suffix
  // Opens an empty store; `scratch` is the test's own temporary directory.
  // Fails with reason kBackendSkipped when the backend cannot run here.
  std::function<StatusOr<std::unique_ptr<Store>>(const std::string& scratch)> open;
};

inline constexpr const char* kBackendSkipped = "backend_skipped";

// Every backend, SQLite first.
std::vector<StoreBackend> store_backends();

inline void PrintTo(const StoreBackend& backend, std::ostream* os) {
  *os << backend.name;
}

// A test against one backend, with an empty store in store_. A fixture
// derived from it that overrides SetUp calls StoreTest::SetUp() first and
// returns if IsSkipped().
class StoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<Store>> store = GetParam().open(dir_.path().string());
    if (store.status().reason() == kBackendSkipped) GTEST_SKIP() << store.status().message();
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = std::move(store).value();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace tianbao::store

#define INSTANTIATE_STORE_TEST(suite)                                            \
  INSTANTIATE_TEST_SUITE_P(                                                      \
      Backends, suite, ::testing::ValuesIn(::tianbao::store::store_backends()),  \
      [](const ::testing::TestParamInfo<::tianbao::store::StoreBackend>& info) { \
        return info.param.name;                                                  \
      })
