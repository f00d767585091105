// A service clock that tests set by hand, so time-driven behaviour
// (deadlines, schedules, lockouts) is tested without waiting.
#pragma once

#include <cstdint>
#include <memory>

#include "service/clock.h"
#include "service/services.h"
#include "support/temp_dir.h"

namespace tianbao::testing {

class FakeClock final : public service::Clock {
 public:
  std::int64_t now_ms() const override { return now; }
  std::int64_t now = 0;
};

// Services over a fresh SQLite store in `dir`, reading `clock`.
inline StatusOr<std::unique_ptr<service::Services>> open_services(const TempDir& dir,
                                                                  const service::Clock& clock) {
  service::ServiceOptions options;
  options.clock = &clock;
  return service::Services::open(dir.file("t.db"), options);
}

}  // namespace tianbao::testing
