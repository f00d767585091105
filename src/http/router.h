// Request, Response and Router: the HTTP layer's view of a request, what a
// handler returns, and the table from (method, path pattern) to handler.
//
// Patterns are literal segments and `{name}` captures:
//   router.add(Method::kGet, "/api/orgunits/{code}/children", handler);
// Paths are percent-decoded per segment before matching; a path or query
// that is not valid UTF-8 is refused before any handler runs.
//
// Thread-safety: add() during setup only; find() is const and concurrent.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/status.h"

namespace tianbao::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

std::string_view method_name(Method m);

struct Request {
  Method method = Method::kGet;
  std::string target;                                    // raw, as received
  std::string path;                                      // percent-decoded
  std::multimap<std::string, std::string> query;         // percent-decoded
  std::unordered_map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote;                                   // "127.0.0.1:53412"
  std::unordered_map<std::string, std::string> params;  // `{name}` captures

  // First value of a query parameter, if present.
  std::optional<std::string> query_value(const std::string& name) const;
  // A header by lower-case name, or empty.
  std::string header(const std::string& lower_name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<StatusOr<Response>(const Request&)>;

// Splits `target` into path and query, percent-decoding both. Fails with
// InvalidArgument on bad escapes or invalid UTF-8.
Status parse_target(std::string_view target, Request& request);

class Router {
 public:
  void add(Method method, std::string_view pattern, Handler handler);

  // The handler for a request, with `request.params` filled in. NotFound if
  // no pattern matches the path; MethodNotAllowed (405) if the path matches
  // under another method.
  StatusOr<const Handler*> find(Request& request) const;

 private:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // "{name}" marks a capture
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace tianbao::http
