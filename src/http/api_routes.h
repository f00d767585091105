// The route groups of the JSON API, one file each; api.cc registers them.
#pragma once

#include "http/router.h"
#include "service/services.h"

#include <nlohmann/json.hpp>

namespace tianbao::http {

// The DHIS2-shaped import summary, shared by the API and `tianbao import`.
nlohmann::json import_summary_json(const service::ImportSummary& summary);

void register_orgunit_routes(Router& router, service::Services& services);
void register_auth_routes(Router& router, service::Services& services);
void register_user_routes(Router& router, service::Services& services);
void register_audit_routes(Router& router, service::Services& services);
void register_contact_routes(Router& router, service::Services& services);
void register_metadata_routes(Router& router, service::Services& services);
void register_reporting_routes(Router& router, service::Services& services);
void register_analytics_routes(Router& router, service::Services& services);
void register_data_value_routes(Router& router, service::Services& services);
void register_bulletin_routes(Router& router, service::Services& services);
void register_task_workbook_routes(Router& router, service::Services& services);

}  // namespace tianbao::http
