#include "http/api.h"

#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

void register_api(Router& router, service::Services& services) {
  router.add(Method::kGet, "/api/health", [&services](const Request&) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(int schema, services.store().schema_version());
    return json_response({{"status", "ok"},
                          {"schemaVersion", schema},
                          {"orgUnits", services.org_units().tree()->size()}});
  });
  register_auth_routes(router, services);
  register_orgunit_routes(router, services);
  register_user_routes(router, services);
  register_audit_routes(router, services);
  register_contact_routes(router, services);
  register_metadata_routes(router, services);
  register_reporting_routes(router, services);
  register_analytics_routes(router, services);
  register_data_value_routes(router, services);
  register_bulletin_routes(router, services);
  register_task_workbook_routes(router, services);
}

}  // namespace tianbao::http
