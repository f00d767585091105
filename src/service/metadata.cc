#include "service/metadata.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::service {

namespace {

template <typename T>
std::vector<T> values_of(const std::map<std::string, T>& m) {
  std::vector<T> out;
  for (const auto& [k, v] : m) out.push_back(v);
  return out;
}

Status unknown(std::string_view what, std::string_view code, const char* reason) {
  return NotFound(fmt::format("{} {} 不存在", what, model::sanitize_for_message(code)), "code",
                  reason);
}

}  // namespace

const model::Indicator* Catalogue::indicator(std::string_view code) const {
  auto it = indicators.find(std::string(code));
  return it == indicators.end() ? nullptr : &it->second;
}

const model::Form* Catalogue::form(std::string_view code) const {
  auto it = forms.find(std::string(code));
  return it == forms.end() ? nullptr : &it->second;
}

std::vector<const model::ValidationRule*> Catalogue::rules_for(const model::Form& form) const {
  std::vector<std::string> on_form = form.indicator_codes();
  auto present = [&](const std::string& code) {
    return std::find(on_form.begin(), on_form.end(), code) != on_form.end();
  };
  std::vector<const model::ValidationRule*> out;
  for (const auto& [code, rule] : rules) {
    const auto& [left, right] = rule_expressions.at(code);
    bool all = std::all_of(left.references().begin(), left.references().end(), present) &&
               std::all_of(right.references().begin(), right.references().end(), present);
    if (all) out.push_back(&rule);
  }
  return out;
}

StatusOr<std::shared_ptr<const Catalogue>> Metadata::build(
    std::vector<model::Indicator> indicators, std::vector<model::Form> forms,
    std::vector<model::ValidationRule> rules) {
  auto c = std::make_shared<Catalogue>();
  for (model::Indicator& ind : indicators) {
    if (ind.derived()) {
      StatusOr<model::Expression> e = model::Expression::parse(ind.formula);
      if (!e.ok()) {
        return InvalidArgument(
            fmt::format("计算指标 {} 的公式有误：{}", ind.code, e.status().message()), "formula",
            "invalid_formula");
      }
      c->formulas.emplace(ind.code, std::move(*e));
    }
    std::string code = ind.code;
    c->indicators.emplace(std::move(code), std::move(ind));
  }
  RETURN_IF_ERROR(model::check_formulas(c->formulas, [&](std::string_view code) {
    return c->indicators.count(std::string(code)) > 0;
  }));
  for (model::Form& f : forms) {
    std::string code = f.code;
    c->forms.emplace(std::move(code), std::move(f));
  }
  for (model::ValidationRule& r : rules) {
    ASSIGN_OR_RETURN(model::Expression left, model::Expression::parse(r.left));
    ASSIGN_OR_RETURN(model::Expression right, model::Expression::parse(r.right));
    for (const model::Expression* e : {&left, &right}) {
      for (const std::string& ref : e->references()) {
        if (!c->indicators.count(ref)) {
          return InvalidArgument(fmt::format("校验规则 {} 引用了不存在的指标 {}", r.code, ref),
                                 "left", "unknown_indicator");
        }
      }
    }
    c->rule_expressions.emplace(r.code, std::make_pair(std::move(left), std::move(right)));
    std::string code = r.code;
    c->rules.emplace(std::move(code), std::move(r));
  }
  return std::shared_ptr<const Catalogue>(std::move(c));
}

Status Metadata::load() {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(auto indicators, store_.list_indicators());
  ASSIGN_OR_RETURN(auto forms, store_.list_forms());
  ASSIGN_OR_RETURN(auto rules, store_.list_rules());
  ASSIGN_OR_RETURN(auto catalogue,
                   build(std::move(indicators), std::move(forms), std::move(rules)));
  publish(std::move(catalogue));
  return Status::Ok();
}

std::shared_ptr<const Catalogue> Metadata::catalogue() const {
  std::lock_guard lock(snapshot_mu_);
  return catalogue_;
}

void Metadata::publish(std::shared_ptr<const Catalogue> catalogue) {
  std::lock_guard lock(snapshot_mu_);
  catalogue_ = std::move(catalogue);
}

Status Metadata::check_formula(const std::string& code, const std::string& formula) const {
  auto current = catalogue();
  std::vector<model::Indicator> indicators = values_of(current->indicators);
  auto it = std::find_if(indicators.begin(), indicators.end(),
                         [&](const model::Indicator& i) { return i.code == code; });
  if (it == indicators.end()) {
    model::Indicator probe;
    probe.code = code;
    probe.name = code;
    indicators.push_back(probe);
    it = indicators.end() - 1;
  }
  it->formula = formula;
  return build(std::move(indicators), {}, {}).status();
}

Status Metadata::apply_change(const Principal& who, const AuditEntry& entry,
                              const std::function<Status(const Catalogue&, Parts&)>& edit,
                              const std::function<Status()>& persist) {
  std::lock_guard lock(write_mu_);
  auto current = catalogue();
  Parts parts{values_of(current->indicators), values_of(current->forms), values_of(current->rules)};
  RETURN_IF_ERROR(edit(*current, parts));
  ASSIGN_OR_RETURN(auto next, build(std::move(parts.indicators), std::move(parts.forms),
                                    std::move(parts.rules)));
  RETURN_IF_ERROR(persist());
  RETURN_IF_ERROR(audit_.record(who, entry));
  publish(std::move(next));
  return Status::Ok();
}

namespace {

// Replaces the item with `item`'s code in `list`.
template <typename T>
void replace_by_code(std::vector<T>& list, const T& item) {
  for (T& existing : list) {
    if (existing.code == item.code) existing = item;
  }
}

template <typename T>
void erase_by_code(std::vector<T>& list, const std::string& code) {
  std::erase_if(list, [&](const T& existing) { return existing.code == code; });
}

}  // namespace

StatusOr<model::Indicator> Metadata::create_indicator(const Principal& who, model::Indicator ind) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "indicator:" + ind.code));
  RETURN_IF_ERROR(model::check_indicator(ind));
  RETURN_IF_ERROR(apply_change(
      who, {"indicator.create", "indicator:" + ind.code, "ok", ind.name},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (c.indicator(ind.code)) {
          return AlreadyExists(fmt::format("指标代码 {} 已存在", ind.code), "code");
        }
        parts.indicators.push_back(ind);
        return Status::Ok();
      },
      [&] { return store_.insert_indicator(ind); }));
  return ind;
}

StatusOr<model::Indicator> Metadata::update_indicator(const Principal& who, model::Indicator ind) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "indicator:" + ind.code));
  RETURN_IF_ERROR(model::check_indicator(ind));
  RETURN_IF_ERROR(apply_change(
      who, {"indicator.update", "indicator:" + ind.code, "ok", ind.name},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (!c.indicator(ind.code)) return unknown("指标", ind.code, "unknown_indicator");
        replace_by_code(parts.indicators, ind);
        return Status::Ok();
      },
      [&] { return store_.update_indicator(ind); }));
  return ind;
}

Status Metadata::delete_indicator(const Principal& who, const std::string& code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "indicator:" + code));
  return apply_change(
      who, {"indicator.delete", "indicator:" + code, "ok", ""},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (!c.indicator(code)) return unknown("指标", code, "unknown_indicator");
        for (const auto& [form_code, form] : c.forms) {
          std::vector<std::string> codes = form.indicator_codes();
          if (std::find(codes.begin(), codes.end(), code) != codes.end()) {
            return Status(StatusCode::kFailedPrecondition,
                          fmt::format("指标 {} 仍在报表 {} 中使用，不能删除", code, form_code),
                          "code", "indicator_in_use");
          }
        }
        auto mentions = [&](const model::Expression& e) {
          return std::find(e.references().begin(), e.references().end(), code) !=
                 e.references().end();
        };
        bool referenced =
            std::any_of(c.formulas.begin(), c.formulas.end(),
                        [&](const auto& f) { return mentions(f.second); }) ||
            std::any_of(c.rule_expressions.begin(), c.rule_expressions.end(), [&](const auto& r) {
              return mentions(r.second.first) || mentions(r.second.second);
            });
        if (referenced) {
          return Status(StatusCode::kFailedPrecondition,
                        fmt::format("指标 {} 仍被其他计算指标或校验规则引用，不能删除", code),
                        "code", "indicator_in_use");
        }
        erase_by_code(parts.indicators, code);
        return Status::Ok();
      },
      [&] { return store_.delete_indicator(code); });
}

Status Metadata::check_form_against(const Catalogue& c, const model::Form& form) const {
  RETURN_IF_ERROR(model::check_form(form));
  for (const std::string& code : form.indicator_codes()) {
    if (!c.indicator(code)) {
      return InvalidArgument(fmt::format("报表引用了不存在的指标 {}", code), "sections",
                             "unknown_indicator");
    }
  }
  return Status::Ok();
}

StatusOr<model::Form> Metadata::create_form(const Principal& who, model::Form form) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "form:" + form.code));
  RETURN_IF_ERROR(apply_change(
      who, {"form.create", "form:" + form.code, "ok", form.name},
      [&](const Catalogue& c, Parts& parts) -> Status {
        RETURN_IF_ERROR(check_form_against(c, form));
        if (c.form(form.code)) {
          return AlreadyExists(fmt::format("报表代码 {} 已存在", form.code), "code");
        }
        parts.forms.push_back(form);
        return Status::Ok();
      },
      [&] { return store_.insert_form(form); }));
  return form;
}

StatusOr<model::Form> Metadata::update_form(const Principal& who, model::Form form) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "form:" + form.code));
  RETURN_IF_ERROR(apply_change(
      who, {"form.update", "form:" + form.code, "ok", form.name},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (!c.form(form.code)) return unknown("报表", form.code, "unknown_form");
        RETURN_IF_ERROR(check_form_against(c, form));
        replace_by_code(parts.forms, form);
        return Status::Ok();
      },
      [&] { return store_.update_form(form); }));
  return form;
}

StatusOr<model::ValidationRule> Metadata::create_rule(const Principal& who,
                                                      model::ValidationRule rule) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "rule:" + rule.code));
  RETURN_IF_ERROR(model::check_rule_shape(rule));
  RETURN_IF_ERROR(apply_change(
      who, {"rule.create", "rule:" + rule.code, "ok", rule.name},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (c.rules.count(rule.code)) {
          return AlreadyExists(fmt::format("校验规则代码 {} 已存在", rule.code), "code");
        }
        parts.rules.push_back(rule);
        return Status::Ok();
      },
      [&] { return store_.insert_rule(rule); }));
  return rule;
}

StatusOr<model::ValidationRule> Metadata::update_rule(const Principal& who,
                                                      model::ValidationRule rule) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "rule:" + rule.code));
  RETURN_IF_ERROR(model::check_rule_shape(rule));
  RETURN_IF_ERROR(apply_change(
      who, {"rule.update", "rule:" + rule.code, "ok", rule.name},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (!c.rules.count(rule.code)) return unknown("校验规则", rule.code, "unknown_rule");
        replace_by_code(parts.rules, rule);
        return Status::Ok();
      },
      [&] { return store_.update_rule(rule); }));
  return rule;
}

Status Metadata::delete_rule(const Principal& who, const std::string& code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "rule:" + code));
  return apply_change(
      who, {"rule.delete", "rule:" + code, "ok", ""},
      [&](const Catalogue& c, Parts& parts) -> Status {
        if (!c.rules.count(code)) return unknown("校验规则", code, "unknown_rule");
        erase_by_code(parts.rules, code);
        return Status::Ok();
      },
      [&] { return store_.delete_rule(code); });
}

}  // namespace tianbao::service
