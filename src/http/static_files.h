// Serving the built web application (web/dist) for paths outside /api.
// Unknown paths fall back to index.html so the single-page app's own routes
// work on reload. Paths are confined to the root: ".." never escapes it.
#pragma once

#include <filesystem>
#include <optional>

#include "http/router.h"

namespace tianbao::http {

class StaticFiles {
 public:
  // `root` may not exist; then a short built-in page says the UI is not built.
  explicit StaticFiles(std::filesystem::path root);
  Response serve(const Request& request) const;

 private:
  std::optional<Response> read_file(const std::filesystem::path& file) const;

  std::filesystem::path root_;  // canonical, or empty if absent
};

}  // namespace tianbao::http
