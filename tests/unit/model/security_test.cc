#include "model/security.h"

#include <gtest/gtest.h>

#include "model/password.h"

namespace tianbao::model {
namespace {

TEST(SecurityTest, RolesRoundTrip) {
  for (Role r : kAllRoles) {
    auto parsed = parse_role(role_code(r));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, r);
    EXPECT_FALSE(role_title(r).empty());
  }
  EXPECT_EQ(parse_role("boss").status().field(), "roles");
}

TEST(SecurityTest, PasswordPolicy) {
  struct Case {
    const char* password;
    const char* username;
    bool ok;
  };
  const Case cases[] = {
      {"Demo@2022", "zj_filler", true},
      {"abcDEF12", "u1", true},       // three classes, 8 characters
      {"abc#ef12", "u1", true},       // lower, symbol, digit
      {"Ab1#", "u1", false},          // too short
      {"abcdefgh", "u1", false},      // one class
      {"abcdef12", "u1", false},      // two classes
      {"ABCDEF12", "u1", false},
      {"Zj_Filler1", "zj_filler1", false},  // the username, in another case
      {"密码Abc123", "u1", true},     // non-ASCII counts as "other"
  };
  for (const Case& c : cases) {
    EXPECT_EQ(check_password_policy(c.password, c.username).ok(), c.ok) << c.password;
  }
  EXPECT_EQ(check_password_policy(std::string(129, 'a') + "A1", "u").reason(), "weak_password");
}

TEST(SecurityTest, Usernames) {
  EXPECT_TRUE(check_username("zj_filler").ok());
  EXPECT_TRUE(check_username("li.ming@gd").ok());
  EXPECT_FALSE(check_username("a").ok());
  EXPECT_FALSE(check_username("张三").ok());
  EXPECT_FALSE(check_username("x' OR '1'='1").ok());
  EXPECT_FALSE(check_username(std::string(65, 'a')).ok());
}

TEST(SecurityTest, Sm3KnownAnswer) {
  // GB/T 32905-2016, example 1.
  EXPECT_EQ(sm3_hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SecurityTest, RandomHexIsFreshAndSized) {
  std::string a = random_hex(32), b = random_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
}

TEST(SecurityTest, Base32RoundTrip) {
  EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(*base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "12345678901234567890");
  EXPECT_EQ(*base32_decode("gezdgnbvgy3tqojq"), "1234567890");
  EXPECT_FALSE(base32_decode("not base32!").has_value());
}

// RFC 6238 appendix B (SHA-1), truncated to six digits.
TEST(SecurityTest, TotpRfc6238Vectors) {
  const std::string secret = base32_encode("12345678901234567890");
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
      {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
  };
  for (auto [t, code] : vectors) EXPECT_EQ(totp_code(secret, t), code) << t;
  EXPECT_TRUE(totp_verify(secret, "287082", 59 + 30));   // one step of drift
  EXPECT_FALSE(totp_verify(secret, "287082", 59 + 90));  // three steps
  EXPECT_FALSE(totp_verify(secret, "28708", 59));
  EXPECT_EQ(new_totp_secret().size(), 32u);
}

TEST(PasswordTest, Argon2idHashesVerifyAndSalt) {
  std::string a = hash_password("Demo@2022");
  std::string b = hash_password("Demo@2022");
  EXPECT_TRUE(a.starts_with("$argon2id$"));
  EXPECT_NE(a, b);  // salted
  EXPECT_TRUE(verify_password(a, "Demo@2022"));
  EXPECT_FALSE(verify_password(a, "Demo@2023"));
  EXPECT_FALSE(verify_password("garbage", "Demo@2022"));
}

}  // namespace
}  // namespace tianbao::model
