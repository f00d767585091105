// Clock: where services read the time, so tests can move it (lockouts,
// session expiry) without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace tianbao::service {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix epoch milliseconds.
  virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace tianbao::service
