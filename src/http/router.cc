#include "http/router.h"

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

StatusOr<std::string> percent_decode(std::string_view s, bool plus_is_space, const char* field) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      bool complete = i + 2 < s.size();
      int hi = complete ? hex_value(s[i + 1]) : -1;
      int lo = complete ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgument("网址中的百分号编码不正确", field, "bad_escape");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  if (!model::is_valid_utf8(out)) {
    return InvalidArgument("网址中含有无效的 UTF-8 字符", field, "invalid_utf8");
  }
  if (out.find('\0') != std::string::npos) {
    return InvalidArgument("网址中不能含有空字符", field, "bad_escape");
  }
  return out;
}

}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kPatch:
      return "PATCH";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

std::optional<std::string> Request::query_value(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Status parse_target(std::string_view target, Request& request) {
  request.target = std::string(target);
  std::size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (raw_path.empty() || raw_path.front() != '/') {
    return InvalidArgument("请求路径必须以 / 开头", "path", "bad_path");
  }
  ASSIGN_OR_RETURN(request.path, percent_decode(raw_path, false, "path"));
  request.query.clear();
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    ASSIGN_OR_RETURN(std::string key, percent_decode(pair.substr(0, eq), true, "query"));
    std::string value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, percent_decode(pair.substr(eq + 1), true, key.c_str()));
    }
    request.query.emplace(std::move(key), std::move(value));
  }
  return Status::Ok();
}

void Router::add(Method method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{method, split_path(pattern), std::move(handler)});
}

StatusOr<const Handler*> Router::find(Request& request) const {
  std::vector<std::string> segments = split_path(request.path);
  bool path_matched = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::unordered_map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        params[want.substr(1, want.size() - 2)] = segments[i];
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    path_matched = true;
    bool method_ok = route.method == request.method ||
                     (request.method == Method::kHead && route.method == Method::kGet);
    if (!method_ok) continue;
    request.params = std::move(params);
    return &route.handler;
  }
  if (path_matched) {
    return Status(StatusCode::kMethodNotAllowed,
                  fmt::format("此地址不支持 {} 方法", method_name(request.method)), "method",
                  "method_not_allowed");
  }
  return NotFound("没有这个接口", "path", "no_such_endpoint");
}

}  // namespace tianbao::http
