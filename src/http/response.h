// Building responses: JSON bodies, and the one mapping from Status to an
// HTTP status line and the JSON error body
//   {"error":{"code":"unknown_org_unit","message":"单位 9999 不存在","field":"code"}}
// with, for a Status that carries violations (validation_failed,
// explanation_required), the list beside it:
//   {"error":{…},"violations":[{"field":"A01","severity":"error","code":"not_a_number",…}]}
#pragma once

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "model/status.h"

namespace tianbao::http {

Response json_response(const nlohmann::json& body, unsigned status = 200);
Response error_response(const Status& status);
// {"field","severity","code","message"[,"suggestion"]}, as every body that
// lists violations shows them.
nlohmann::json violation_json(const model::Violation& v);
nlohmann::json violations_json(const std::vector<model::Violation>& violations);
unsigned http_status(const Status& status);

// Parses a JSON request body; InvalidArgument (中文) if it is not JSON or
// not an object.
StatusOr<nlohmann::json> parse_json_object(const Request& request);

}  // namespace tianbao::http
