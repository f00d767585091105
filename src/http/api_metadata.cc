#include <cmath>

#include <fmt/format.h>

#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

json indicator_json(const model::Indicator& i) {
  json out = {{"code", i.code},
              {"name", i.name},
              {"unit", i.unit},
              {"valueType", model::value_type_name(i.value_type)},
              {"aggregation", model::aggregation_name(i.aggregation)},
              {"kind", model::indicator_kind_name(i.kind())},
              {"periodAggregation", model::period_aggregation_name(i.period_aggregation)},
              {"derived", i.derived()},
              {"definition", i.definition},
              {"guidance", i.guidance}};
  out["formula"] = i.derived() ? json(i.formula) : json(nullptr);
  out["min"] = i.min ? json(*i.min) : json(nullptr);
  out["max"] = i.max ? json(*i.max) : json(nullptr);
  return out;
}

StatusOr<std::optional<double>> optional_number(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number() || !std::isfinite(it->get<double>())) {
    return InvalidArgument(fmt::format("字段 {} 须为数字", name), name, "invalid_type");
  }
  return std::optional<double>(it->get<double>());
}

StatusOr<model::Indicator> indicator_from(const json& body, const std::string& code) {
  model::Indicator i;
  i.code = code;
  ASSIGN_OR_RETURN(i.name, required_string(body, "name"));
  ASSIGN_OR_RETURN(auto unit, optional_string(body, "unit"));
  i.unit = unit.value_or("");
  ASSIGN_OR_RETURN(auto value_type, optional_string(body, "valueType"));
  if (value_type) {
    ASSIGN_OR_RETURN(i.value_type, model::parse_value_type(*value_type));
  }
  ASSIGN_OR_RETURN(auto aggregation, optional_string(body, "aggregation"));
  if (aggregation) {
    ASSIGN_OR_RETURN(i.aggregation, model::parse_aggregation(*aggregation));
  }
  // periodAggregation says how months combine; the older `kind` implies it
  // (stock → last, flow → sum) when a client sends only that, and follows
  // it otherwise (last → stock, the rest → flow).
  ASSIGN_OR_RETURN(auto kind, optional_string(body, "kind"));
  if (kind) {
    ASSIGN_OR_RETURN(model::IndicatorKind k, model::parse_indicator_kind(*kind));
    i.period_aggregation = model::period_aggregation_of(k);
  }
  ASSIGN_OR_RETURN(auto period_aggregation, optional_string(body, "periodAggregation"));
  if (period_aggregation) {
    ASSIGN_OR_RETURN(i.period_aggregation, model::parse_period_aggregation(*period_aggregation));
  }
  ASSIGN_OR_RETURN(auto formula, optional_string(body, "formula"));
  i.formula = formula.value_or("");
  ASSIGN_OR_RETURN(i.min, optional_number(body, "min"));
  ASSIGN_OR_RETURN(i.max, optional_number(body, "max"));
  ASSIGN_OR_RETURN(auto definition, optional_string(body, "definition"));
  i.definition = definition.value_or("");
  ASSIGN_OR_RETURN(auto guidance, optional_string(body, "guidance"));
  i.guidance = guidance.value_or("");
  if (value_type && *value_type == "text" && !aggregation)
    i.aggregation = model::Aggregation::kNone;
  return i;
}

json form_json(const model::Form& f) {
  json sections = json::array();
  for (const model::FormSection& s : f.sections) {
    sections.push_back({{"title", s.title}, {"indicators", s.indicators}});
  }
  return {{"code", f.code},
          {"name", f.name},
          {"periodType", model::form_period_type_name(f.period_type)},
          {"levels", f.levels},
          {"sections", sections}};
}

StatusOr<model::Form> form_from(const json& body, const std::string& code) {
  model::Form f;
  f.code = code;
  ASSIGN_OR_RETURN(f.name, required_string(body, "name"));
  ASSIGN_OR_RETURN(std::string period_type, required_string(body, "periodType"));
  ASSIGN_OR_RETURN(f.period_type, model::parse_form_period_type(period_type));
  auto levels = body.find("levels");
  if (levels == body.end() || !levels->is_array()) {
    return InvalidArgument("字段 levels 须为层级数组，如 [4, 5]", "levels", "invalid_type");
  }
  for (const json& l : *levels) {
    if (!l.is_number_integer()) {
      return InvalidArgument("字段 levels 须为层级数组，如 [4, 5]", "levels", "invalid_type");
    }
    f.levels.push_back(l.get<int>());
  }
  auto sections = body.find("sections");
  if (sections == body.end() || !sections->is_array()) {
    return InvalidArgument("字段 sections 须为栏目数组", "sections", "invalid_type");
  }
  for (const json& s : *sections) {
    if (!s.is_object()) return InvalidArgument("每个栏目须为对象", "sections", "invalid_type");
    model::FormSection section;
    ASSIGN_OR_RETURN(section.title, required_string(s, "title"));
    ASSIGN_OR_RETURN(auto indicators, optional_strings(s, "indicators"));
    section.indicators = indicators.value_or(std::vector<std::string>{});
    f.sections.push_back(std::move(section));
  }
  return f;
}

json rule_json(const model::ValidationRule& r) {
  return {{"code", r.code},      {"name", r.name},
          {"left", r.left},      {"operator", model::rule_operator_text(r.op)},
          {"right", r.right},    {"severity", model::severity_name(r.severity)},
          {"message", r.message}};
}

StatusOr<model::ValidationRule> rule_from(const json& body, const std::string& code) {
  model::ValidationRule r;
  r.code = code;
  ASSIGN_OR_RETURN(r.name, required_string(body, "name"));
  ASSIGN_OR_RETURN(r.left, required_string(body, "left"));
  ASSIGN_OR_RETURN(std::string op, required_string(body, "operator"));
  ASSIGN_OR_RETURN(r.op, model::parse_rule_operator(op));
  ASSIGN_OR_RETURN(r.right, required_string(body, "right"));
  ASSIGN_OR_RETURN(std::string severity, required_string(body, "severity"));
  if (severity != "error" && severity != "warning") {
    return InvalidArgument("severity 须为 error（阻止提交）或 warning（需填写说明）", "severity",
                           "invalid_value");
  }
  r.severity = severity == "error" ? model::Severity::kError : model::Severity::kWarning;
  ASSIGN_OR_RETURN(r.message, required_string(body, "message"));
  return r;
}

StatusOr<std::string> code_of(const json& body) {
  return required_string(body, "code");
}

}  // namespace

void register_metadata_routes(Router& router, service::Services& services) {
  service::Metadata& meta = services.metadata();

  router.add(
      Method::kGet, "/api/indicators",
      authed(services, [&meta](const Request&, const service::Principal&) -> StatusOr<Response> {
        json list = json::array();
        for (const auto& [code, i] : meta.catalogue()->indicators)
          list.push_back(indicator_json(i));
        return json_response({{"indicators", list}});
      }));
  router.add(Method::kPost, "/api/indicators",
             authed(services,
                    [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      ASSIGN_OR_RETURN(std::string code, code_of(body));
                      ASSIGN_OR_RETURN(model::Indicator i, indicator_from(body, code));
                      ASSIGN_OR_RETURN(model::Indicator created,
                                       meta.create_indicator(who, std::move(i)));
                      return json_response(indicator_json(created), 201);
                    }));
  router.add(
      Method::kPost, "/api/indicators/check-formula",
      authed(services, [&meta](const Request& r, const service::Principal&) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(json body, parse_json_object(r));
        ASSIGN_OR_RETURN(auto code, optional_string(body, "code"));
        ASSIGN_OR_RETURN(std::string formula, required_string(body, "formula"));
        RETURN_IF_ERROR(meta.check_formula(code.value_or("NEW_INDICATOR"), formula));
        return json_response({{"ok", true}});
      }));
  router.add(
      Method::kGet, "/api/indicators/{code}",
      authed(services, [&meta](const Request& r, const service::Principal&) -> StatusOr<Response> {
        const model::Indicator* i = meta.catalogue()->indicator(r.params.at("code"));
        if (!i) return NotFound("指标不存在", "code", "unknown_indicator");
        return json_response(indicator_json(*i));
      }));
  router.add(
      Method::kPut, "/api/indicators/{code}",
      authed(services,
             [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(json body, parse_json_object(r));
               ASSIGN_OR_RETURN(model::Indicator i, indicator_from(body, r.params.at("code")));
               ASSIGN_OR_RETURN(model::Indicator updated, meta.update_indicator(who, std::move(i)));
               return json_response(indicator_json(updated));
             }));
  router.add(Method::kDelete, "/api/indicators/{code}",
             authed(services,
                    [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      RETURN_IF_ERROR(meta.delete_indicator(who, r.params.at("code")));
                      return json_response({{"ok", true}});
                    }));

  router.add(
      Method::kGet, "/api/forms",
      authed(services, [&meta](const Request&, const service::Principal&) -> StatusOr<Response> {
        json list = json::array();
        for (const auto& [code, f] : meta.catalogue()->forms) list.push_back(form_json(f));
        return json_response({{"forms", list}});
      }));
  router.add(Method::kPost, "/api/forms",
             authed(services,
                    [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      ASSIGN_OR_RETURN(std::string code, code_of(body));
                      ASSIGN_OR_RETURN(model::Form f, form_from(body, code));
                      ASSIGN_OR_RETURN(model::Form created, meta.create_form(who, std::move(f)));
                      return json_response(form_json(created), 201);
                    }));
  router.add(
      Method::kGet, "/api/forms/{code}",
      authed(services, [&meta](const Request& r, const service::Principal&) -> StatusOr<Response> {
        auto catalogue = meta.catalogue();
        const model::Form* f = catalogue->form(r.params.at("code"));
        if (!f) return NotFound("报表不存在", "code", "unknown_form");
        json out = form_json(*f);
        json indicators = json::object();
        for (const std::string& c : f->indicator_codes()) {
          if (const model::Indicator* i = catalogue->indicator(c))
            indicators[c] = indicator_json(*i);
        }
        out["indicatorDetails"] = indicators;
        json rules = json::array();
        for (const model::ValidationRule* rule : catalogue->rules_for(*f))
          rules.push_back(rule_json(*rule));
        out["rules"] = rules;
        return json_response(out);
      }));
  router.add(Method::kPut, "/api/forms/{code}",
             authed(services,
                    [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      ASSIGN_OR_RETURN(model::Form f, form_from(body, r.params.at("code")));
                      ASSIGN_OR_RETURN(model::Form updated, meta.update_form(who, std::move(f)));
                      return json_response(form_json(updated));
                    }));

  router.add(
      Method::kGet, "/api/validation-rules",
      authed(services, [&meta](const Request&, const service::Principal&) -> StatusOr<Response> {
        json list = json::array();
        for (const auto& [code, rule] : meta.catalogue()->rules) list.push_back(rule_json(rule));
        return json_response({{"validationRules", list}});
      }));
  router.add(Method::kPost, "/api/validation-rules",
             authed(services,
                    [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      ASSIGN_OR_RETURN(std::string code, code_of(body));
                      ASSIGN_OR_RETURN(model::ValidationRule rule, rule_from(body, code));
                      ASSIGN_OR_RETURN(model::ValidationRule created,
                                       meta.create_rule(who, std::move(rule)));
                      return json_response(rule_json(created), 201);
                    }));
  router.add(
      Method::kGet, "/api/validation-rules/{code}",
      authed(services, [&meta](const Request& r, const service::Principal&) -> StatusOr<Response> {
        auto catalogue = meta.catalogue();
        auto it = catalogue->rules.find(r.params.at("code"));
        if (it == catalogue->rules.end()) return NotFound("校验规则不存在", "code", "unknown_rule");
        return json_response(rule_json(it->second));
      }));
  router.add(
      Method::kPut, "/api/validation-rules/{code}",
      authed(
          services, [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
            ASSIGN_OR_RETURN(json body, parse_json_object(r));
            ASSIGN_OR_RETURN(model::ValidationRule rule, rule_from(body, r.params.at("code")));
            ASSIGN_OR_RETURN(model::ValidationRule updated, meta.update_rule(who, std::move(rule)));
            return json_response(rule_json(updated));
          }));
  router.add(Method::kDelete, "/api/validation-rules/{code}",
             authed(services,
                    [&meta](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      RETURN_IF_ERROR(meta.delete_rule(who, r.params.at("code")));
                      return json_response({{"ok", true}});
                    }));
}

}  // namespace tianbao::http
