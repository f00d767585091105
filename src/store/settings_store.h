// SettingsStore: small named settings (deployment name, reference-data
// version, …) as key → text.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/status.h"

namespace tianbao::store {

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;

  virtual StatusOr<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Status set_setting(std::string_view key, std::string_view value) = 0;
};

}  // namespace tianbao::store
