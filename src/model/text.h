// Text helpers over UTF-8 byte strings: validation, length in characters,
// trimming, and making untrusted input safe to echo in a message.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>
#include <unordered_map>

namespace tianbao::model {

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view s);
// Number of code points; only meaningful for valid UTF-8.
std::size_t utf8_length(std::string_view s);
// Strips ASCII whitespace and U+3000 (ideographic space) at both ends.
std::string_view trim(std::string_view s);
// True if `s` holds C0 control characters or DEL.
bool has_control_chars(std::string_view s);
// Appends the code point `cp` (a scalar value: at most U+10FFFF, not a
// surrogate) to `out` as UTF-8.
void append_utf8(std::uint32_t cp, std::string& out);
// "a,b,c" from {"a", "b", "c"}, and back (empty parts dropped): how the
// stores keep short code lists (roles, approvals) in one column.
std::string join(const std::vector<std::string>& parts, char sep);
std::vector<std::string> split(std::string_view text, char sep);
// Untrusted input shortened to at most 40 characters, with invalid UTF-8 and
// control characters replaced by U+FFFD, for quoting inside error messages.
std::string sanitize_for_message(std::string_view s);

// A hash map keyed by std::string that finds by std::string_view without
// building a string (lookups in hot loops over parsed rows).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

// A figure as tianbao shows it in tables and exports: rounded to four
// decimals, no trailing zeros, no "-0" — 1234.5, 90, 55.1235, -0.5.
std::string format_figure(double value);
void append_figure(std::string& out, double value);
// The same into `out`, which has room for kMaxFigureChars; returns the end.
inline constexpr std::size_t kMaxFigureChars = 48;
char* write_figure(char* out, double value);

}  // namespace tianbao::model
