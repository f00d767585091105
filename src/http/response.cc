#include "http/response.h"

namespace tianbao::http {

unsigned http_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kMethodNotAllowed:
      return 405;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

nlohmann::json violation_json(const model::Violation& v) {
  nlohmann::json out = {{"field", v.field},
                        {"severity", model::severity_name(v.severity)},
                        {"code", v.code},
                        {"message", v.message}};
  if (!v.suggestion.empty()) out["suggestion"] = v.suggestion;
  return out;
}

nlohmann::json violations_json(const std::vector<model::Violation>& violations) {
  nlohmann::json list = nlohmann::json::array();
  for (const model::Violation& v : violations) list.push_back(violation_json(v));
  return list;
}

Response json_response(const nlohmann::json& body, unsigned status) {
  Response r;
  r.status = status;
  // Invalid UTF-8 never reaches a body: inputs are validated on the way in.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(const Status& status) {
  nlohmann::json error = {
      {"code", status.reason().empty() ? status_code_name(status.code()) : status.reason()},
      {"message", status.message()},
  };
  error["field"] =
      status.field().empty() ? nlohmann::json(nullptr) : nlohmann::json(status.field());
  nlohmann::json body = {{"error", error}};
  // A validation failure lists what is wrong beside the error itself.
  if (!status.violations().empty()) body["violations"] = violations_json(status.violations());
  return json_response(body, http_status(status));
}

StatusOr<nlohmann::json> parse_json_object(const Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return InvalidArgument("请求内容不是有效的 JSON（注意须为 UTF-8 编码）", "body",
                           "invalid_json");
  }
  if (!body.is_object()) return InvalidArgument("请求内容须为 JSON 对象", "body", "invalid_json");
  return body;
}

}  // namespace tianbao::http
