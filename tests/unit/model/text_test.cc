#include "model/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tianbao::model {
namespace {

struct Utf8Case {
  const char* name;
  std::string bytes;
  bool valid;
};

TEST(TextTest, Utf8Validation) {
  const Utf8Case cases[] = {
      {"empty", "", true},
      {"ascii", "abc 123", true},
      {"chinese", "湛江市赤坎区", true},
      {"full-width digits", "１２３", true},
      {"emoji", "\xF0\x9F\x98\x80", true},
      {"lone continuation", "\x80", false},
      {"truncated 3-byte", "\xE6\xB9", false},
      {"overlong slash", "\xC0\xAF", false},
      {"overlong 3-byte", "\xE0\x80\xAF", false},
      {"surrogate", "\xED\xA0\x80", false},
      {"above U+10FFFF", "\xF4\x90\x80\x80", false},
      {"latin-1 byte", "caf\xE9", false},
      {"gbk bytes", "\xD5\xBF\xBD\xAD", false},
  };
  for (const Utf8Case& c : cases) {
    EXPECT_EQ(is_valid_utf8(c.bytes), c.valid) << c.name;
  }
}

TEST(TextTest, LengthCountsCharacters) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("湛江市"), 3u);
}

TEST(TextTest, AppendUtf8EncodesEachLengthOfSequence) {
  struct Case {
    std::uint32_t cp;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0x41, "A"},
      {0x7F, "\x7F"},
      {0xE9, "\xC3\xA9"},              // é
      {0x6E5B, "湛"},                  // three bytes
      {0xFFFD, "\xEF\xBF\xBD"},        // the replacement character
      {0x1F600, "\xF0\x9F\x98\x80"},   // four bytes
      {0x10FFFF, "\xF4\x8F\xBF\xBF"},  // the last scalar value
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.cp);
    std::string out = "x";
    append_utf8(c.cp, out);
    EXPECT_EQ(out, "x" + c.bytes);
    EXPECT_TRUE(is_valid_utf8(out));
  }
}

TEST(TextTest, TrimRemovesAsciiAndIdeographicSpace) {
  EXPECT_EQ(trim("  赤坎 \t\n"), "赤坎");
  EXPECT_EQ(trim("\xE3\x80\x80赤坎\xE3\x80\x80"), "赤坎");
  EXPECT_EQ(trim(" \xE3\x80\x80 "), "");
  EXPECT_EQ(trim("a b"), "a b");
}

TEST(TextTest, ControlCharacters) {
  EXPECT_FALSE(has_control_chars("湛江 市"));
  EXPECT_TRUE(has_control_chars(std::string("a\0b", 3)));
  EXPECT_TRUE(has_control_chars("a\x1b[31m"));
}

TEST(TextTest, SanitizeForMessage) {
  EXPECT_EQ(sanitize_for_message("湛江"), "湛江");
  EXPECT_EQ(sanitize_for_message("a\xFF"), "a\xEF\xBF\xBD");
  EXPECT_EQ(sanitize_for_message("a\nb"),
            "a\xEF\xBF\xBD"
            "b");
  std::string long_text(100, 'x');
  EXPECT_EQ(sanitize_for_message(long_text), std::string(40, 'x') + "…");
  EXPECT_TRUE(is_valid_utf8(sanitize_for_message("\xE6\xB9\xE6\xB1\x9F")));
}

TEST(TextTest, FormatFigure) {
  struct Case {
    double value;
    const char* text;
  };
  const Case cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {-0.00004, "0"},
      {90, "90"},
      {1234.5, "1234.5"},
      {55.12345, "55.1235"},  // half away from zero, as std::round
      {0.1 + 0.2, "0.3"},
      {93.66, "93.66"},
      {-0.5, "-0.5"},
      {-1234.0001, "-1234.0001"},
      {0.0001, "0.0001"},
      {100000.05, "100000.05"},
      {99999999999.9999, "99999999999.9999"},
      {123456789012345678.0, "1.2345678901234568e+17"},  // beyond exact digits
  };
  for (const Case& c : cases) EXPECT_EQ(format_figure(c.value), c.text) << c.value;
}

}  // namespace
}  // namespace tianbao::model
