#include "http/static_files.h"

#include <fstream>
#include <sstream>

#include "http/response.h"

namespace tianbao::http {

namespace {

std::string content_type_for(const std::filesystem::path& file) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
  };
  std::string ext = file.extension().string();
  for (auto [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

constexpr const char* kNotBuiltPage =
    "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>填报</title>"
    "<body><h1>tianbao 填报平台正在运行</h1>"
    "<p>网页界面尚未构建。接口可用：<a href=\"/api/health\">/api/health</a></p></body></html>";

}  // namespace

StaticFiles::StaticFiles(std::filesystem::path root) {
  std::error_code ec;
  if (std::filesystem::is_directory(root, ec)) root_ = std::filesystem::canonical(root, ec);
}

std::optional<Response> StaticFiles::read_file(const std::filesystem::path& file) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  Response r;
  r.content_type = content_type_for(file);
  r.body = body.str();
  // Vite puts content hashes in asset names, so those may be cached for long.
  bool hashed_asset = file.parent_path().filename() == "assets";
  r.headers.emplace_back("Cache-Control", hashed_asset ? "public, max-age=31536000, immutable"
                                                       : "no-cache");
  return r;
}

Response StaticFiles::serve(const Request& request) const {
  if (root_.empty()) {
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = kNotBuiltPage;
    return r;
  }
  std::filesystem::path relative = std::filesystem::path(request.path).relative_path();
  for (const auto& part : relative) {
    if (part == "..") return error_response(NotFound("没有这个文件", "path"));
  }
  std::filesystem::path file = (root_ / relative).lexically_normal();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) file /= "index.html";
  if (std::filesystem::is_regular_file(file, ec)) {
    if (std::optional<Response> r = read_file(file)) return *r;
  }
  // Files with an extension are real misses; other paths are app routes.
  if (relative.has_extension()) return error_response(NotFound("没有这个文件", "path"));
  if (std::optional<Response> r = read_file(root_ / "index.html")) return *r;
  return error_response(NotFound("没有这个文件", "path"));
}

}  // namespace tianbao::http
