#include "model/security.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

namespace tianbao::model {

namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

std::string digest_hex(const char* algorithm, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD* md_type = EVP_MD_fetch(nullptr, algorithm, nullptr);
  bool ok = md_type != nullptr &&
            EVP_Digest(data.data(), data.size(), md, &len, md_type, nullptr) == 1;
  EVP_MD_free(md_type);
  // Both algorithms ship in OpenSSL 3's default provider; failing here means
  // a broken installation, which no caller can handle meaningfully.
  if (!ok) throw std::runtime_error(fmt::format("OpenSSL digest {} unavailable", algorithm));
  return to_hex(md, len);
}

}  // namespace

std::string_view role_code(Role role) {
  switch (role) {
    case Role::kSysadmin: return "sysadmin";
    case Role::kAdmin: return "admin";
    case Role::kApprover: return "approver";
    case Role::kFiller: return "filler";
    case Role::kViewer: return "viewer";
  }
  return "viewer";
}

std::string_view role_title(Role role) {
  switch (role) {
    case Role::kSysadmin: return "系统管理员";
    case Role::kAdmin: return "管理员";
    case Role::kApprover: return "审核员";
    case Role::kFiller: return "填表员";
    case Role::kViewer: return "查看者";
  }
  return "";
}

StatusOr<Role> parse_role(std::string_view code) {
  for (Role r : kAllRoles) {
    if (role_code(r) == code) return r;
  }
  return InvalidArgument(
      "角色须为 sysadmin（系统管理员）、admin（管理员）、approver（审核员）、filler（填表员）或 "
      "viewer（查看者）",
      "roles", "invalid_role");
}

Status check_password_policy(std::string_view password, std::string_view username) {
  constexpr std::size_t kMinLength = 8;
  constexpr std::size_t kMaxLength = 128;
  constexpr int kMinClasses = 3;
  if (password.size() < kMinLength) {
    return InvalidArgument("密码至少 8 位", "password", "weak_password");
  }
  if (password.size() > kMaxLength) {
    return InvalidArgument("密码不能超过 128 位", "password", "weak_password");
  }
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : password) {
    auto u = static_cast<unsigned char>(c);
    if (std::islower(u)) lower = true;
    else if (std::isupper(u)) upper = true;
    else if (std::isdigit(u)) digit = true;
    else other = true;
  }
  if (lower + upper + digit + other < kMinClasses) {
    return InvalidArgument("密码须包含小写字母、大写字母、数字、符号中的至少三类", "password",
                           "weak_password");
  }
  auto lowered = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  if (lowered(password) == lowered(username)) {
    return InvalidArgument("密码不能与用户名相同", "password", "weak_password");
  }
  return Status::Ok();
}

Status check_username(std::string_view username) {
  constexpr std::size_t kMin = 2, kMax = 64;
  bool valid = username.size() >= kMin && username.size() <= kMax;
  for (char c : username) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@' ||
          c == '-')) {
      valid = false;
    }
  }
  if (!valid) {
    return InvalidArgument("用户名须为 2–64 位字母、数字或 _ . @ -", "username", "invalid_username");
  }
  return Status::Ok();
}

std::string sm3_hex(std::string_view data) { return digest_hex("SM3", data); }
std::string sha256_hex(std::string_view data) { return digest_hex("SHA256", data); }

std::string random_hex(std::size_t bytes) {
  std::string buf(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return to_hex(reinterpret_cast<const unsigned char*>(buf.data()), bytes);
}

namespace {
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 0x1F];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 0x1F];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == ' ') continue;
    char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::size_t v = kBase32.find(upper);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string new_totp_secret() {
  std::array<unsigned char, 20> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return base32_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::string totp_code(std::string_view secret_base32, std::int64_t unix_seconds) {
  constexpr std::int64_t kStep = 30;
  std::optional<std::string> key = base32_decode(secret_base32);
  if (!key) return {};
  std::uint64_t counter = static_cast<std::uint64_t>(unix_seconds / kStep);
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key->data(), static_cast<int>(key->size()), msg, sizeof msg, mac, &len);
  int offset = mac[len - 1] & 0x0F;
  std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                         (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                         (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                         static_cast<std::uint32_t>(mac[offset + 3]);
  return fmt::format("{:06d}", binary % 1000000);
}

bool totp_verify(std::string_view secret_base32, std::string_view code, std::int64_t unix_seconds) {
  constexpr std::int64_t kStep = 30;
  if (code.size() != 6) return false;
  for (std::int64_t drift : {-kStep, std::int64_t{0}, kStep}) {
    if (totp_code(secret_base32, unix_seconds + drift) == code) return true;
  }
  return false;
}

}  // namespace tianbao::model
