// Millis: how the store writes time — Unix epoch milliseconds, throughout
// every aggregate's records.
#pragma once

#include <cstdint>

namespace tianbao::store {

using Millis = std::int64_t;

}  // namespace tianbao::store
