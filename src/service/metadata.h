// Metadata: indicators (指标), forms (报表) and validation rules (校验规则) —
// defined once, used by every task. Kept in memory (a few thousand items at
// most) and written through to the store; every change is audited.
//
// Derived indicators carry formulas over other indicators; a change that
// would reference an unknown code or create a cycle is refused naming the
// culprit. Forms may contain derived indicators (shown computed, not
// filled); rules apply to an entry when every indicator they mention is on
// its form.
//
// Reading is open to every signed-in user (the catalogue is shared across
// the province); writing needs the 管理员 role (kManageForms).
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/expression.h"
#include "model/reporting.h"
#include "service/access.h"
#include "service/audit_log.h"
#include "store/catalogue_store.h"

namespace tianbao::service {

// A consistent view of all metadata at one moment.
struct Catalogue {
  std::map<std::string, model::Indicator> indicators;
  std::map<std::string, model::Expression> formulas;  // derived indicators only
  std::map<std::string, model::Form> forms;
  std::map<std::string, model::ValidationRule> rules;
  std::map<std::string, std::pair<model::Expression, model::Expression>> rule_expressions;

  const model::Indicator* indicator(std::string_view code) const;
  const model::Form* form(std::string_view code) const;
  // Rules whose indicators all appear on `form`.
  std::vector<const model::ValidationRule*> rules_for(const model::Form& form) const;
};

class Metadata {
 public:
  Metadata(store::CatalogueStore& store, const Access& access, AuditLog& audit)
      : store_(store), access_(access), audit_(audit) {}

  Status load();
  std::shared_ptr<const Catalogue> catalogue() const;

  StatusOr<model::Indicator> create_indicator(const Principal& who, model::Indicator indicator);
  StatusOr<model::Indicator> update_indicator(const Principal& who, model::Indicator indicator);
  Status delete_indicator(const Principal& who, const std::string& code);

  StatusOr<model::Form> create_form(const Principal& who, model::Form form);
  StatusOr<model::Form> update_form(const Principal& who, model::Form form);

  StatusOr<model::ValidationRule> create_rule(const Principal& who, model::ValidationRule rule);
  StatusOr<model::ValidationRule> update_rule(const Principal& who, model::ValidationRule rule);
  Status delete_rule(const Principal& who, const std::string& code);

  // Parses and checks a formula against the current catalogue without
  // saving (for the formula editor); `code` is the indicator being edited.
  Status check_formula(const std::string& code, const std::string& formula) const;

 private:
  // Builds a catalogue from parts, checking formulas and rules.
  static StatusOr<std::shared_ptr<const Catalogue>> build(std::vector<model::Indicator> indicators,
                                                          std::vector<model::Form> forms,
                                                          std::vector<model::ValidationRule> rules);
  Status check_form_against(const Catalogue& catalogue, const model::Form& form) const;
  void publish(std::shared_ptr<const Catalogue> catalogue);

  struct Parts {
    std::vector<model::Indicator> indicators;
    std::vector<model::Form> forms;
    std::vector<model::ValidationRule> rules;
  };
  // One metadata change under the write lock: `edit` changes a copy of the
  // current parts (or refuses), the result is rebuilt and checked (formulas,
  // cycles, rule references), `persist` writes it, then it is audited and
  // published. Nothing is written if any step refuses.
  Status apply_change(const Principal& who, const AuditEntry& entry,
                      const std::function<Status(const Catalogue&, Parts&)>& edit,
                      const std::function<Status()>& persist);

  store::CatalogueStore& store_;
  const Access& access_;
  AuditLog& audit_;
  std::mutex write_mu_;
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Catalogue> catalogue_ = std::make_shared<const Catalogue>();
};

}  // namespace tianbao::service
