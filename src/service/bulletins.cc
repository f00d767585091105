// Bulletin templates kept: listed, read and written (each checked and
// audited). Their JSON form is bulletins_template.cc's, rendering a month's
// document bulletins_render.cc's.
#include "service/bulletins.h"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/text.h"

namespace tianbao::service {

using nlohmann::json;

namespace {

// A template as the store keeps it.
store::BulletinRecord record_of(const BulletinTemplate& t) {
  return {t.code, t.title, t.kind, bulletin_template_json(t).dump(), t.updated_at, t.updated_by};
}

}  // namespace

Status Bulletins::check(const Principal& who, const BulletinTemplate& t) const {
  auto catalogue = metadata_.catalogue();
  auto indicator = [&](const std::string& code, const std::string& field) -> Status {
    if (catalogue->indicator(code)) return Status::Ok();
    return InvalidArgument(
        fmt::format("{}：指标 {} 不存在", field, model::sanitize_for_message(code)), field,
        "unknown_indicator");
  };
  // A unit must exist and lie in the writer's scope (reported alike, as
  // Access does, so that a template does not reveal units).
  auto unit = [&](const std::string& code, const std::string& field) -> Status {
    if (code.empty() || access_.in_scope(who, code)) return Status::Ok();
    return InvalidArgument(
        fmt::format("{}：单位 {} 不存在", field, model::sanitize_for_message(code)), field,
        "unknown_org_unit");
  };
  RETURN_IF_ERROR(unit(t.org_unit, "orgUnit"));
  for (std::size_t b = 0; b < t.blocks.size(); ++b) {
    const BulletinBlock& block = t.blocks[b];
    std::string path = fmt::format("blocks[{}]", b);
    RETURN_IF_ERROR(unit(block.org_unit, path + ".orgUnit"));
    for (std::size_t p = 0; p < block.paragraphs.size(); ++p) {
      for (const model::TextRun& run : block.paragraphs[p].runs) {
        if (!run.placeholder) continue;
        RETURN_IF_ERROR(indicator(run.placeholder->indicator, path + ".html"));
        RETURN_IF_ERROR(unit(run.placeholder->org_unit, path + ".html"));
      }
    }
    for (std::size_t g = 0; g < block.groups.size(); ++g) {
      for (std::size_t i = 0; i < block.groups[g].items.size(); ++i) {
        RETURN_IF_ERROR(indicator(block.groups[g].items[i].indicator,
                                  fmt::format("{}.groups[{}].items[{}].indicator", path, g, i)));
      }
    }
    for (std::size_t u = 0; u < block.org_units.size(); ++u) {
      RETURN_IF_ERROR(unit(block.org_units[u], fmt::format("{}.orgUnits[{}]", path, u)));
    }
    RETURN_IF_ERROR(unit(block.total_unit, path + ".total.orgUnit"));
    for (std::size_t s = 0; s < block.stages.size(); ++s) {
      RETURN_IF_ERROR(
          indicator(block.stages[s].count, fmt::format("{}.stages[{}].count", path, s)));
      if (!block.stages[s].amount.empty()) {
        RETURN_IF_ERROR(
            indicator(block.stages[s].amount, fmt::format("{}.stages[{}].amount", path, s)));
      }
    }
  }
  return Status::Ok();
}

StatusOr<BulletinTemplate> Bulletins::load(const std::string& code) {
  ASSIGN_OR_RETURN(std::optional<store::BulletinRecord> record, store_.find_bulletin(code));
  if (!record) {
    return NotFound(fmt::format("模板 {} 不存在", model::sanitize_for_message(code)), "code",
                    "unknown_bulletin");
  }
  json body = json::parse(record->definition, nullptr, false);
  if (body.is_discarded()) return Internal(fmt::format("模板 {} 的存储内容已损坏", code));
  ASSIGN_OR_RETURN(BulletinTemplate t, parse_bulletin_template(body));
  t.updated_at = record->updated_at;
  t.updated_by = record->updated_by;
  return t;
}

StatusOr<std::vector<BulletinTemplate>> Bulletins::list(const Principal& who) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "bulletins"));
  ASSIGN_OR_RETURN(std::vector<store::BulletinRecord> records, store_.list_bulletins());
  std::vector<BulletinTemplate> out;
  for (const store::BulletinRecord& r : records) {
    ASSIGN_OR_RETURN(BulletinTemplate t, load(r.code));
    out.push_back(std::move(t));
  }
  return out;
}

StatusOr<BulletinTemplate> Bulletins::get(const Principal& who, const std::string& code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "bulletin:" + code));
  return load(code);
}

StatusOr<BulletinTemplate> Bulletins::create(const Principal& who, BulletinTemplate t) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "bulletin:" + t.code));
  RETURN_IF_ERROR(check(who, t));
  t.updated_at = clock_.now_ms();
  t.updated_by = who.username;
  RETURN_IF_ERROR(store_.insert_bulletin(record_of(t)));
  RETURN_IF_ERROR(audit_.record(who, {"bulletin.create", "bulletin:" + t.code, "ok", t.title}));
  return t;
}

StatusOr<BulletinTemplate> Bulletins::update(const Principal& who, BulletinTemplate t) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "bulletin:" + t.code));
  RETURN_IF_ERROR(check(who, t));
  t.updated_at = clock_.now_ms();
  t.updated_by = who.username;
  RETURN_IF_ERROR(store_.update_bulletin(record_of(t)));
  RETURN_IF_ERROR(audit_.record(who, {"bulletin.update", "bulletin:" + t.code, "ok", t.title}));
  return t;
}

Status Bulletins::remove(const Principal& who, const std::string& code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "bulletin:" + code));
  RETURN_IF_ERROR(store_.delete_bulletin(code));
  return audit_.record(who, {"bulletin.delete", "bulletin:" + code, "ok", ""});
}

}  // namespace tianbao::service
