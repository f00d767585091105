#include "service/services.h"

namespace tianbao::service {

StatusOr<std::unique_ptr<Services>> Services::open(std::string_view db_url) {
  std::unique_ptr<Services> services(new Services());
  ASSIGN_OR_RETURN(services->store_, store::open_store(db_url));
  ASSIGN_OR_RETURN(services->org_units_, OrgUnits::load(*services->store_));
  return services;
}

}  // namespace tianbao::service
