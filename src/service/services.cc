#include "service/services.h"

namespace tianbao::service {

StatusOr<std::unique_ptr<Services>> Services::open(std::string_view db_url,
                                                   ServiceOptions options) {
  std::unique_ptr<Services> s(new Services());
  s->clock_ = options.clock ? options.clock : &s->system_clock_;
  ASSIGN_OR_RETURN(s->store_, store::open_store(db_url));
  s->audit_ = std::make_unique<AuditLog>(*s->store_, *s->clock_);
  s->access_ = std::make_unique<Access>(s->snapshots_, *s->audit_);
  s->org_units_ = std::make_unique<OrgUnits>(*s->store_, s->snapshots_, *s->access_, *s->audit_);
  RETURN_IF_ERROR(s->org_units_->load());
  s->accounts_ = std::make_unique<Accounts>(*s->store_, *s->org_units_, *s->access_, *s->audit_,
                                            *s->clock_, options.auth);
  s->contacts_ = std::make_unique<Contacts>(*s->store_, *s->org_units_, *s->access_, *s->audit_);
  s->metadata_ = std::make_unique<Metadata>(*s->store_, *s->access_, *s->audit_);
  RETURN_IF_ERROR(s->metadata_->load());
  s->reporting_ = std::make_unique<Reporting>(*s->store_, *s->org_units_, *s->metadata_,
                                              *s->access_, *s->audit_, *s->clock_);
  s->cube_ = std::make_unique<cube::Cube>(s->org_units_->tree());
  s->analytics_ = std::make_unique<Analytics>(*s->cube_, *s->org_units_, *s->metadata_, *s->access_,
                                              *s->clock_);
  s->changes_ = std::make_unique<ChangeFollower>(s->store_->change_feed(), *s->analytics_,
                                                 *s->org_units_, *s->metadata_, *s->clock_);
  // Where the log stands before the cube is read: nothing committed after
  // is missed, and what the read saw already is set again, to the same.
  RETURN_IF_ERROR(s->changes_->start());
  if (options.load_analytics) RETURN_IF_ERROR(s->analytics_->load(*s->store_));
  ChangeFollower* changes = s->changes_.get();
  s->data_import_ = std::make_unique<DataImport>(*s->store_, *s->org_units_, *s->metadata_,
                                                 *s->access_, *s->audit_, *s->clock_);
  s->data_import_->set_observer(
      [changes](const std::vector<store::ValueWrite>& writes, const store::WriteSummary& written) {
        changes->committed(writes, written.applied, written.change_seq);
      });
  s->reporting_->set_value_observer(
      [changes](const std::vector<store::ValueWrite>& writes, std::int64_t change_seq) {
        changes->committed(writes, {}, change_seq);
      });
  s->bulletins_ = std::make_unique<Bulletins>(*s->store_, *s->org_units_, *s->metadata_,
                                              *s->analytics_, *s->access_, *s->audit_, *s->clock_);
  if (options.load_analytics && options.follow_interval.count() > 0) {
    s->changes_->follow(options.follow_interval);
  }
  return s;
}

}  // namespace tianbao::service
