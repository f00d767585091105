#include "service/contacts.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::service {

namespace {

constexpr std::size_t kMaxNameChars = 50;
constexpr std::size_t kMaxTitleChars = 30;
constexpr std::size_t kMaxNoteChars = 200;
constexpr std::size_t kMaxPhoneChars = 20;
constexpr std::size_t kMaxEmailChars = 100;

Status check_text(std::string& value, std::size_t max_chars, const char* field, const char* label,
                  bool required) {
  if (!model::is_valid_utf8(value)) {
    return InvalidArgument(fmt::format("{}不是有效的 UTF-8 文本", label), field, "invalid_utf8");
  }
  value = std::string(model::trim(value));
  if (required && value.empty()) {
    return InvalidArgument(fmt::format("{}不能为空", label), field, "required");
  }
  if (model::utf8_length(value) > max_chars || model::has_control_chars(value)) {
    return InvalidArgument(fmt::format("{}须为不超过 {} 个字的文本", label, max_chars), field,
                           "invalid_text");
  }
  return Status::Ok();
}

// Keeps digits and the separators offices write ("0759-1234567", "+86 138…").
Status check_phone(std::string& value, const char* field, const char* label, bool mobile) {
  std::string cleaned;
  for (char c : value) {
    if (c == ' ' || c == '\t') continue;
    cleaned += c;
  }
  value = cleaned;
  if (value.empty()) return Status::Ok();
  bool chars_ok = std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '(' || c == ')';
  });
  if (!chars_ok || value.size() > kMaxPhoneChars) {
    return InvalidArgument(fmt::format("{}只能包含数字和 - + ( )，且不超过 20 位", label), field,
                           "invalid_phone");
  }
  if (mobile) {
    std::string digits = value.starts_with("+86") ? value.substr(3) : value;
    bool eleven = digits.size() == 11 && digits[0] == '1' &&
                  std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!eleven) {
      return InvalidArgument(fmt::format("手机号应为 11 位数字且以 1 开头，收到“{}”", value), field,
                             "invalid_phone");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string Contacts::mask_phone(std::string_view phone) {
  constexpr std::size_t kKeepHead = 3;
  constexpr std::size_t kKeepTail = 4;
  if (phone.size() <= kKeepHead + kKeepTail) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, kKeepHead)) + "****" +
         std::string(phone.substr(phone.size() - kKeepTail));
}

std::string Contacts::mask_email(std::string_view email) {
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return email.empty() ? "" : "***";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

Status Contacts::normalize(store::ContactRecord& c) {
  RETURN_IF_ERROR(check_text(c.name, kMaxNameChars, "name", "姓名", true));
  RETURN_IF_ERROR(check_text(c.title, kMaxTitleChars, "title", "职务", true));
  RETURN_IF_ERROR(check_text(c.note, kMaxNoteChars, "note", "备注", false));
  RETURN_IF_ERROR(check_text(c.email, kMaxEmailChars, "email", "电子邮箱", false));
  if (!c.email.empty()) {
    std::size_t at = c.email.find('@');
    if (at == std::string::npos || at == 0 || c.email.find('.', at) == std::string::npos ||
        c.email.find(' ') != std::string::npos) {
      return InvalidArgument("电子邮箱格式不正确", "email", "invalid_email");
    }
  }
  RETURN_IF_ERROR(check_phone(c.mobile, "mobile", "手机", true));
  RETURN_IF_ERROR(check_phone(c.office_phone, "officePhone", "办公电话", false));
  if (c.mobile.empty() && c.office_phone.empty()) {
    return InvalidArgument("手机和办公电话至少填一个", "mobile", "required");
  }
  return Status::Ok();
}

bool Contacts::visible(const Principal& who, std::string_view org_code) const {
  auto tree = units_.tree();
  std::optional<model::Ordinal> o = tree->find(org_code);
  return o && (access_.in_scope(who, *tree, *o) || access_.is_ancestor(who, *tree, *o));
}

ContactView Contacts::present(const Principal& who, store::ContactRecord c) const {
  ContactView v;
  auto tree = units_.tree();
  if (std::optional<model::Ordinal> o = tree->find(c.org_code)) v.org_name = tree->unit(*o).name;
  bool may_see = std::any_of(who.roles.begin(), who.roles.end(), [](model::Role r) {
    return role_grants(r, Permission::kSeePhoneNumbers);
  });
  if (!may_see) {
    c.mobile = mask_phone(c.mobile);
    c.office_phone = mask_phone(c.office_phone);
    c.email = mask_email(c.email);
    v.masked = true;
  }
  v.contact = std::move(c);
  return v;
}

StatusOr<std::vector<ContactView>> Contacts::list(const Principal& who, const ContactQuery& query) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadContacts, "contacts"));
  if (!model::is_valid_utf8(query.q) || !model::is_valid_utf8(query.title)) {
    return InvalidArgument("查询文字不是有效的 UTF-8", "q", "invalid_utf8");
  }
  auto tree = units_.tree();
  std::optional<model::SubtreeRange> within;
  if (!query.org_code.empty()) {
    std::optional<model::Ordinal> o = tree->find(query.org_code);
    if (!o || !visible(who, query.org_code)) {
      return NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(query.org_code)),
                      "orgUnit", "unknown_org_unit");
    }
    // A superior's unit shows only its own contacts, not its other branches.
    within = access_.in_scope(who, *tree, *o) ? tree->subtree(*o) : model::SubtreeRange{*o, *o + 1};
  }
  std::string q(model::trim(query.q));
  ASSIGN_OR_RETURN(std::vector<store::ContactRecord> all, store_.list_contacts());
  std::vector<ContactView> out;
  for (store::ContactRecord& c : all) {
    std::optional<model::Ordinal> o = tree->find(c.org_code);
    if (!o || !visible(who, c.org_code)) continue;
    if (within && !within->contains(*o)) continue;
    if (!query.title.empty() && c.title != query.title) continue;
    if (!q.empty()) {
      const std::string& unit_name = tree->unit(*o).name;
      bool match = c.name.find(q) != std::string::npos || c.title.find(q) != std::string::npos ||
                   unit_name.find(q) != std::string::npos ||
                   c.mobile.find(q) != std::string::npos;
      if (!match) continue;
    }
    out.push_back(present(who, std::move(c)));
  }
  return out;
}

StatusOr<ContactView> Contacts::get(const Principal& who, std::int64_t id) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadContacts, "contacts"));
  ASSIGN_OR_RETURN(std::optional<store::ContactRecord> c, store_.find_contact(id));
  if (!c || !visible(who, c->org_code)) return NotFound("联系人不存在", "id", "unknown_contact");
  return present(who, std::move(*c));
}

StatusOr<ContactView> Contacts::create(const Principal& who, store::ContactRecord contact) {
  RETURN_IF_ERROR(normalize(contact));
  RETURN_IF_ERROR(access_.check(who, Permission::kManageContacts, contact.org_code,
                                "contact:" + contact.name));
  ASSIGN_OR_RETURN(contact.id, store_.insert_contact(contact));
  RETURN_IF_ERROR(audit_.record(who, {"contact.create", fmt::format("contact:{}", contact.id), "ok",
                                      contact.org_code + " " + contact.name}));
  return present(who, std::move(contact));
}

StatusOr<ContactView> Contacts::update(const Principal& who, store::ContactRecord contact) {
  ASSIGN_OR_RETURN(std::optional<store::ContactRecord> old, store_.find_contact(contact.id));
  if (!old || !access_.in_scope(who, old->org_code)) {
    return NotFound("联系人不存在", "id", "unknown_contact");
  }
  RETURN_IF_ERROR(normalize(contact));
  std::string object = fmt::format("contact:{}", contact.id);
  RETURN_IF_ERROR(access_.check(who, Permission::kManageContacts, old->org_code, object));
  RETURN_IF_ERROR(access_.check(who, Permission::kManageContacts, contact.org_code, object));
  RETURN_IF_ERROR(store_.update_contact(contact));
  RETURN_IF_ERROR(audit_.record(who, {"contact.update", object, "ok", contact.name}));
  return present(who, std::move(contact));
}

Status Contacts::remove(const Principal& who, std::int64_t id) {
  ASSIGN_OR_RETURN(std::optional<store::ContactRecord> old, store_.find_contact(id));
  if (!old || !access_.in_scope(who, old->org_code)) {
    return NotFound("联系人不存在", "id", "unknown_contact");
  }
  std::string object = fmt::format("contact:{}", id);
  RETURN_IF_ERROR(access_.check(who, Permission::kManageContacts, old->org_code, object));
  RETURN_IF_ERROR(store_.delete_contact(id));
  return audit_.record(who, {"contact.delete", object, "ok", old->name});
}

StatusOr<ContactImportSummary> Contacts::import_rows(const Principal& who,
                                                     const std::vector<NumberedContact>& rows) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageContacts, "contacts"));
  ASSIGN_OR_RETURN(std::vector<store::ContactRecord> existing, store_.list_contacts());
  ContactImportSummary summary;
  for (const NumberedContact& numbered : rows) {
    store::ContactRecord c = numbered.contact;
    std::size_t row_number = numbered.row;
    Status s = normalize(c);
    if (s.ok() && !access_.in_scope(who, c.org_code)) {
      s = NotFound(fmt::format("单位 {} 不存在或不在您的管辖范围内",
                               model::sanitize_for_message(c.org_code)),
                   "orgUnit", "unknown_org_unit");
    }
    if (s.ok()) s = access_.check(who, Permission::kManageContacts, c.org_code);
    if (s.ok()) {
      auto same = std::find_if(existing.begin(), existing.end(), [&](const store::ContactRecord& e) {
        return e.org_code == c.org_code && e.name == c.name;
      });
      if (same != existing.end()) {
        c.id = same->id;
        s = store_.update_contact(c);
        if (s.ok()) ++summary.updated;
      } else {
        StatusOr<std::int64_t> id = store_.insert_contact(c);
        s = id.status();
        if (id.ok()) {
          c.id = *id;
          existing.push_back(c);
          ++summary.imported;
        }
      }
    }
    if (!s.ok()) summary.conflicts.push_back({row_number, s.message()});
  }
  RETURN_IF_ERROR(audit_.record(
      who, {"contact.import", "contacts", summary.conflicts.empty() ? "ok" : "partial",
            fmt::format("新增 {}，更新 {}，有误 {}", summary.imported, summary.updated,
                        summary.conflicts.size())}));
  return summary;
}

}  // namespace tianbao::service
