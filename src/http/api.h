// The JSON API of tianbao: registers every /api route on a Router, each
// handler a thin translation between HTTP and a service call. Request
// parsing and response shapes live here; decisions live in the services.
#pragma once

#include "http/router.h"
#include "service/services.h"

namespace tianbao::http {

void register_api(Router& router, service::Services& services);

}  // namespace tianbao::http
