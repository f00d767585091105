// CatalogueStore: the metadata every form is built from — indicators,
// forms and validation rules, each keyed by its code. The records are the
// model's own types (model/reporting.h); the store keeps them as rows.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <string_view>
#include <vector>

#include "model/reporting.h"
#include "model/status.h"

namespace tianbao::store {

class CatalogueStore {
 public:
  virtual ~CatalogueStore() = default;

  virtual StatusOr<std::vector<model::Indicator>> list_indicators() = 0;
  virtual Status insert_indicator(const model::Indicator& indicator) = 0;  // AlreadyExists
  virtual Status update_indicator(const model::Indicator& indicator) = 0;  // NotFound
  // FailedPrecondition (indicator_in_use) while the indicator has values.
  virtual Status delete_indicator(std::string_view code) = 0;
  virtual StatusOr<std::vector<model::Form>> list_forms() = 0;
  virtual Status insert_form(const model::Form& form) = 0;  // AlreadyExists
  virtual Status update_form(const model::Form& form) = 0;  // NotFound
  virtual StatusOr<std::vector<model::ValidationRule>> list_rules() = 0;
  virtual Status insert_rule(const model::ValidationRule& rule) = 0;  // AlreadyExists
  virtual Status update_rule(const model::ValidationRule& rule) = 0;  // NotFound
  virtual Status delete_rule(std::string_view code) = 0;              // NotFound
};

}  // namespace tianbao::store
