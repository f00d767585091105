#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

json task_json(const store::TaskRecord& t) {
  return {{"id", t.id},
          {"title", t.title},
          {"form", t.form_code},
          {"period", t.period},
          {"deadline", t.deadline},
          {"dueDate", t.due_date},
          {"issuer", t.issuer_org},
          {"createdAt", format_time(t.created_at)},
          {"createdBy", t.created_by},
          {"state", model::task_state_name(t.state)},
          {"cancelReason", t.cancel_reason},
          {"cancelledAt", t.cancelled_at ? json(format_time(t.cancelled_at)) : json(nullptr)},
          {"cancelledBy", t.cancelled_by}};
}

json entry_state_json(const store::EntryRecord& e) {
  return {{"orgUnit", e.org_code},
          {"status", model::entry_status_name(e.status)},
          {"statusLabel", model::entry_status_label(e.status)},
          {"version", e.version},
          {"submittedAt", e.submitted_at ? json(format_time(e.submitted_at)) : json(nullptr)},
          {"explanation", e.explanation},
          {"returnReason", e.return_reason},
          {"approvals", e.approvals},
          {"dueDate", e.due_date.empty() ? json(nullptr) : json(e.due_date)},
          {"recallRequestedAt",
           e.recall_requested_at ? json(format_time(e.recall_requested_at)) : json(nullptr)},
          {"recallReason", e.recall_reason}};
}

json cell_holder_json(const store::CellHolder& h) {
  return {{"task", h.task_id},
          {"taskTitle", h.task_title},
          {"status", model::entry_status_name(h.status)},
          {"statusLabel", model::entry_status_label(h.status)}};
}

json value_json(const std::optional<double>& number, const std::optional<std::string>& text) {
  if (number) return *number;
  if (text) return *text;
  return nullptr;
}

double rate(std::size_t part, std::size_t whole) {
  if (whole == 0) return 0;
  return std::round(10000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 100.0;
}

// JSON value → the text a filler would have typed; null clears.
StatusOr<std::optional<std::string>> raw_input(const json& v, const std::string& field) {
  if (v.is_null()) return std::optional<std::string>();
  if (v.is_string()) return std::optional<std::string>(v.get<std::string>());
  if (v.is_number()) return std::optional<std::string>(fmt::format("{}", v.get<double>()));
  if (v.is_boolean()) return std::optional<std::string>(v.get<bool>() ? "true" : "false");
  return InvalidArgument(fmt::format("{} 的值须为数字、文本或 null", field), field, "invalid_type");
}

StatusOr<std::vector<service::FieldInput>> field_inputs(const json& body) {
  auto values = body.find("values");
  if (values == body.end() || !values->is_object()) {
    return InvalidArgument("请求须包含 values 对象，如 {\"values\":{\"YSS_USERS\":12.5}}", "values",
                           "invalid_type");
  }
  std::vector<service::FieldInput> out;
  for (auto it = values->begin(); it != values->end(); ++it) {
    ASSIGN_OR_RETURN(auto raw, raw_input(it.value(), it.key()));
    out.push_back({it.key(), std::move(raw)});
  }
  return out;
}

// The entry version from the body ("version") or an If-Match header.
StatusOr<std::int64_t> expected_version(const Request& r, const json& body) {
  if (auto it = body.find("version"); it != body.end() && it->is_number_integer()) {
    return it->get<std::int64_t>();
  }
  std::string etag = r.header("if-match");
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(etag.data(), etag.data() + etag.size(), v);
  if (!etag.empty() && ec == std::errc() && end == etag.data() + etag.size()) return v;
  return InvalidArgument("请带上打开报表时的版本号（version 或 If-Match），以免覆盖他人的修改",
                         "version", "version_required");
}

json entry_view_json(const service::EntryView& v) {
  json sections = json::array();
  json values = json::object();
  for (const service::EntrySection& s : v.sections) {
    json fields = json::array();
    for (const service::EntryField& f : s.fields) {
      const model::Indicator& i = *f.indicator;
      json value = value_json(f.number, f.text);
      if (!i.derived()) values[i.code] = value;
      fields.push_back({{"code", i.code},
                        {"name", i.name},
                        {"unit", i.unit},
                        {"valueType", model::value_type_name(i.value_type)},
                        {"kind", model::indicator_kind_name(i.kind())},
                        {"derived", i.derived()},
                        {"formula", i.formula},
                        {"definition", i.definition},
                        {"guidance", i.guidance},
                        {"min", i.min ? json(*i.min) : json(nullptr)},
                        {"max", i.max ? json(*i.max) : json(nullptr)},
                        {"value", value},
                        {"previous", f.previous ? json(*f.previous) : json(nullptr)},
                        {"editable", v.can_edit && !i.derived() && !f.held_by},
                        {"heldBy", f.held_by ? cell_holder_json(*f.held_by) : json(nullptr)}});
    }
    sections.push_back({{"title", s.title}, {"fields", fields}});
  }
  json events = json::array();
  for (const store::EntryEvent& e : v.events) {
    events.push_back({{"at", format_time(e.at)},
                      {"username", e.username},
                      {"action", e.action},
                      {"from", e.from_status},
                      {"to", e.to_status},
                      {"reason", e.reason}});
  }
  json out = entry_state_json(v.entry);
  out["task"] = task_json(v.task);
  out["formName"] = v.form->name;
  out["orgUnitName"] = v.org_name;
  out["previousPeriod"] = v.previous_period;
  out["nextApprover"] = v.next_approver.empty() ? json(nullptr) : json(v.next_approver);
  out["unitDueDate"] = v.due_date;
  out["sections"] = sections;
  out["values"] = values;
  out["violations"] = violations_json(v.violations);
  out["events"] = events;
  out["permissions"] = {{"edit", v.can_edit},
                        {"submit", v.can_submit},
                        {"approve", v.can_approve},
                        {"return", v.can_return},
                        {"unapprove", v.can_unapprove},
                        {"recall", v.can_recall},
                        {"decideRecall", v.can_decide_recall},
                        {"withdraw", v.can_withdraw}};
  return out;
}

// A text member of an optional JSON body ("" if the body or the member is absent).
StatusOr<std::string> optional_text_member(const Request& r, const char* name) {
  if (r.body.empty()) return std::string();
  ASSIGN_OR_RETURN(json body, parse_json_object(r));
  ASSIGN_OR_RETURN(std::optional<std::string> v, optional_string(body, name));
  return v.value_or("");
}

// Dispatching tasks, listing them and their status by region.
void add_task_dispatch_routes(Router& router, service::Services& services) {
  service::Reporting& rep = services.reporting();
  router.add(Method::kPost, "/api/tasks",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      service::NewTask t;
                      ASSIGN_OR_RETURN(t.form, required_string(body, "form"));
                      ASSIGN_OR_RETURN(t.period, required_string(body, "period"));
                      ASSIGN_OR_RETURN(t.deadline, required_string(body, "deadline"));
                      ASSIGN_OR_RETURN(auto title, optional_string(body, "title"));
                      t.title = title.value_or("");
                      auto units = body.find("orgUnits");
                      if (units != body.end() && units->is_object()) {
                        ASSIGN_OR_RETURN(t.root, required_string(*units, "root"));
                        auto level = units->find("level");
                        if (level == units->end() || !level->is_number_integer()) {
                          return InvalidArgument("orgUnits.level 须为层级数字（如 4 表示镇）",
                                                 "orgUnits", "invalid_type");
                        }
                        t.level = level->get<int>();
                      } else {
                        ASSIGN_OR_RETURN(auto list, optional_strings(body, "orgUnits"));
                        if (!list || list->empty()) {
                          return InvalidArgument("须给出填报单位 orgUnits", "orgUnits", "required");
                        }
                        t.org_units = std::move(*list);
                      }
                      for (auto [name, target] :
                           {std::pair{"extends", &t.extends}, std::pair{"replaces", &t.replaces}}) {
                        auto it = body.find(name);
                        if (it == body.end() || it->is_null()) continue;
                        if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) {
                          return InvalidArgument(fmt::format("{} 须为任务编号", name), name,
                                                 "invalid_type");
                        }
                        *target = it->get<std::int64_t>();
                      }
                      StatusOr<std::int64_t> created = rep.create_task(who, t);
                      if (!created.ok() && created.status().reason() == "task_overlap") {
                        // Name the tasks in the way, so a client can offer to extend or
                        // replace one of them.
                        Response r = error_response(created.status());
                        json body = json::parse(r.body);
                        json list = json::array();
                        ASSIGN_OR_RETURN(auto others, rep.overlapping_tasks(who, t));
                        for (const store::TaskRecord& o : others) list.push_back(task_json(o));
                        body["tasks"] = list;
                        r.body = body.dump();
                        return r;
                      }
                      ASSIGN_OR_RETURN(std::int64_t id, std::move(created));
                      Response response = json_response({{"id", id}}, 201);
                      response.headers.emplace_back("Location", fmt::format("/api/tasks/{}", id));
                      return response;
                    }));

  router.add(
      Method::kGet, "/api/tasks",
      authed(services, [&rep](const Request&, const service::Principal& who) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(auto tasks, rep.list_tasks(who));
        json list = json::array();
        for (const auto& v : tasks) {
          json t = task_json(v.task);
          t["formName"] = v.form_name;
          t["periodLabel"] = v.period_label;
          t["assigned"] = v.assigned;
          t["submitted"] = v.submitted;
          t["ownEntry"] = v.own_entry ? entry_state_json(*v.own_entry) : json(nullptr);
          list.push_back(t);
        }
        return json_response({{"tasks", list}});
      }));

  router.add(
      Method::kGet, "/api/tasks/{id}/status",
      authed(
          services,
          [&rep, &services](const Request& r, const service::Principal& who) -> StatusOr<Response> {
            ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
            ASSIGN_OR_RETURN(service::TaskStatus s, rep.task_status(who, id));
            auto tree = services.org_units().tree();
            json entries = json::array();
            for (const store::EntryRecord& e : s.entries) {
              json j = entry_state_json(e);
              std::optional<model::Ordinal> o = tree->find(e.org_code);
              j["name"] = o ? tree->unit(*o).name : e.org_code;
              j["onTime"] = s.on_time[e.org_code];
              auto next = s.next_approver.find(e.org_code);
              j["nextApprover"] =
                  next == s.next_approver.end() ? json(nullptr) : json(next->second);
              entries.push_back(j);
            }
            json regions = json::array();
            for (const service::UnitProgress& p : s.regions) {
              regions.push_back({{"orgUnit", p.org_code},
                                 {"name", p.name},
                                 {"level", p.level},
                                 {"assigned", p.assigned},
                                 {"submitted", p.submitted},
                                 {"onTime", p.on_time},
                                 {"approved", p.approved},
                                 {"reportingRate", rate(p.submitted, p.assigned)},
                                 {"timelyRate", rate(p.on_time, p.assigned)}});
            }
            return json_response(
                {{"task", task_json(s.task)}, {"entries", entries}, {"regions", regions}});
          }));
}

// A task's deadline, cancellation, overlaps and 催报.
void add_task_lifecycle_routes(Router& router, service::Services& services) {
  service::Reporting& rep = services.reporting();
  router.add(Method::kPatch, "/api/tasks/{id}",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      ASSIGN_OR_RETURN(std::string deadline, required_string(body, "deadline"));
                      ASSIGN_OR_RETURN(auto units, optional_strings(body, "orgUnits"));
                      RETURN_IF_ERROR(rep.extend_deadline(
                          who, id, deadline, units.value_or(std::vector<std::string>())));
                      ASSIGN_OR_RETURN(service::TaskStatus s, rep.task_status(who, id));
                      return json_response({{"task", task_json(s.task)}});
                    }));

  router.add(Method::kPost, "/api/tasks/{id}/cancel",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(std::string reason, optional_text_member(r, "reason"));
                      RETURN_IF_ERROR(rep.cancel_task(who, id, reason));
                      return json_response({{"id", id}, {"state", "cancelled"}});
                    }));

  router.add(
      Method::kGet, "/api/tasks/overlaps",
      authed(services, [&rep](const Request&, const service::Principal& who) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(auto overlaps, rep.overlaps(who));
        json list = json::array();
        for (const store::TaskOverlap& o : overlaps) {
          list.push_back({{"task", o.task}, {"other", o.other}, {"units", o.units}});
        }
        return json_response({{"overlaps", list}});
      }));

  router.add(Method::kPost, "/api/tasks/{id}/remind",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(std::string message, optional_text_member(r, "message"));
                      ASSIGN_OR_RETURN(std::size_t n, rep.remind(who, id, message));
                      return json_response({{"reminded", n}});
                    }));
}

// One unit's entry: reading, saving, checking and the workflow steps.
void add_entry_routes(Router& router, service::Services& services) {
  service::Reporting& rep = services.reporting();
  router.add(Method::kGet, "/api/tasks/{id}/entries/{org}",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(service::EntryView v,
                                       rep.get_entry(who, id, r.params.at("org")));
                      Response response = json_response(entry_view_json(v));
                      response.headers.emplace_back("ETag", fmt::format("\"{}\"", v.entry.version));
                      return response;
                    }));

  router.add(
      Method::kPut, "/api/tasks/{id}/entries/{org}",
      authed(
          services, [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
            ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
            ASSIGN_OR_RETURN(json body, parse_json_object(r));
            ASSIGN_OR_RETURN(std::int64_t version, expected_version(r, body));
            ASSIGN_OR_RETURN(auto fields, field_inputs(body));
            ASSIGN_OR_RETURN(service::SaveResult saved,
                             rep.save_entry(who, id, r.params.at("org"), version, fields));
            Response response = json_response({{"version", saved.version},
                                               {"status", "draft"},
                                               {"violations", violations_json(saved.violations)}});
            response.headers.emplace_back("ETag", fmt::format("\"{}\"", saved.version));
            return response;
          }));

  router.add(Method::kPost, "/api/tasks/{id}/entries/{org}/check",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      ASSIGN_OR_RETURN(auto fields, field_inputs(body));
                      ASSIGN_OR_RETURN(auto violations,
                                       rep.check_fields(who, id, r.params.at("org"), fields));
                      return json_response({{"violations", violations_json(violations)}});
                    }));

  router.add(Method::kPost, "/api/tasks/{id}/entries/{org}/submit",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(std::string explanation,
                                       optional_text_member(r, "explanation"));
                      ASSIGN_OR_RETURN(service::SaveResult submitted,
                                       rep.submit(who, id, r.params.at("org"), explanation));
                      return json_response({{"version", submitted.version},
                                            {"violations", violations_json(submitted.violations)}});
                    }));

  router.add(Method::kPost, "/api/tasks/{id}/entries/{org}/approve",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(std::int64_t v, rep.approve(who, id, r.params.at("org")));
                      return json_response({{"version", v}});
                    }));

  // Workflow steps that take a reason: return (required) and unapprove.
  using ReasonStep = StatusOr<std::int64_t> (service::Reporting::*)(
      const service::Principal&, std::int64_t, const std::string&, const std::string&);
  auto reason_step = [&](const char* path, ReasonStep step) {
    router.add(
        Method::kPost, path,
        authed(services,
               [&rep, step](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                 ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                 ASSIGN_OR_RETURN(std::string reason, optional_text_member(r, "reason"));
                 ASSIGN_OR_RETURN(std::int64_t v, (rep.*step)(who, id, r.params.at("org"), reason));
                 return json_response({{"version", v}});
               }));
  };
  reason_step("/api/tasks/{id}/entries/{org}/return", &service::Reporting::return_entry);
  reason_step("/api/tasks/{id}/entries/{org}/unapprove", &service::Reporting::unapprove);
  reason_step("/api/tasks/{id}/entries/{org}/withdraw", &service::Reporting::withdraw_unit);
  reason_step("/api/tasks/{id}/entries/{org}/recall", &service::Reporting::request_recall);
  for (bool grant : {true, false}) {
    router.add(
        Method::kPost,
        grant ? "/api/tasks/{id}/entries/{org}/recall/grant"
              : "/api/tasks/{id}/entries/{org}/recall/deny",
        authed(
            services,
            [&rep, grant](const Request& r, const service::Principal& who) -> StatusOr<Response> {
              ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
              ASSIGN_OR_RETURN(std::string reason, optional_text_member(r, "reason"));
              ASSIGN_OR_RETURN(std::int64_t v,
                               rep.decide_recall(who, id, r.params.at("org"), grant, reason));
              return json_response({{"version", v}});
            }));
  }
}

// Notices, single values from other systems and a value's history.
void add_notice_and_value_routes(Router& router, service::Services& services) {
  service::Reporting& rep = services.reporting();
  router.add(
      Method::kGet, "/api/notices",
      authed(services, [&rep](const Request&, const service::Principal& who) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(auto notices, rep.notices(who));
        json list = json::array();
        for (const store::NoticeRecord& n : notices) {
          list.push_back({{"id", n.id},
                          {"orgUnit", n.org_code},
                          {"task", n.task_id},
                          {"kind", n.kind},
                          {"message", n.message},
                          {"at", format_time(n.at)},
                          {"from", n.created_by}});
        }
        return json_response({{"notices", list}});
      }));

  router.add(Method::kPost, "/api/dataValues",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(json body, parse_json_object(r));
                      service::SingleValue v;
                      ASSIGN_OR_RETURN(v.indicator, required_string(body, "dataElement"));
                      ASSIGN_OR_RETURN(v.period, required_string(body, "period"));
                      ASSIGN_OR_RETURN(v.org_code, required_string(body, "orgUnit"));
                      auto value = body.find("value");
                      if (value == body.end())
                        return InvalidArgument("缺少字段 value", "value", "required");
                      ASSIGN_OR_RETURN(v.raw, raw_input(*value, "value"));
                      ASSIGN_OR_RETURN(std::vector<model::Violation> warnings,
                                       rep.post_value(who, v));
                      return json_response(
                          {{"status", "OK"}, {"violations", violations_json(warnings)}}, 201);
                    }));

  router.add(
      Method::kGet, "/api/dataValues/history",
      authed(
          services, [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
            std::string indicator = r.query_value("dataElement").value_or("");
            std::string org = r.query_value("orgUnit").value_or("");
            std::string period = r.query_value("period").value_or("");
            if (indicator.empty() || org.empty() || period.empty()) {
              return InvalidArgument("须给出 dataElement、orgUnit 和 period", "dataElement",
                                     "required");
            }
            ASSIGN_OR_RETURN(auto changes, rep.history(who, indicator, org, period));
            json list = json::array();
            for (const store::ValueChange& c : changes) {
              list.push_back({{"dataElement", c.indicator},
                              {"orgUnit", c.org_code},
                              {"period", c.period},
                              {"previousValue", c.old_value ? json(*c.old_value) : json(nullptr)},
                              {"value", c.new_value ? json(*c.new_value) : json(nullptr)},
                              {"at", format_time(c.at)},
                              {"username", c.username},
                              {"channel", c.channel}});
            }
            return json_response({{"history", list}});
          }));
}

}  // namespace

void register_reporting_routes(Router& router, service::Services& services) {
  add_task_dispatch_routes(router, services);
  add_task_lifecycle_routes(router, services);
  add_entry_routes(router, services);
  add_notice_and_value_routes(router, services);
}

}  // namespace tianbao::http
