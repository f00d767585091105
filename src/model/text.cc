#include "model/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace tianbao::model {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  auto continuation = [&](std::size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  std::uint8_t b = byte(i);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!continuation(i + 1) || !continuation(i + 2)) return 0;
    std::uint8_t b1 = byte(i + 1);
    if (b == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b == 0xED && b1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return 0;
    std::uint8_t b1 = byte(i + 1);
    if (b == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<std::uint8_t>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    if (is_space(s.front())) {
      s.remove_prefix(1);
      changed = true;
    } else if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size());
      changed = true;
    }
    if (s.empty()) break;
    if (is_space(s.back())) {
      s.remove_suffix(1);
      changed = true;
    } else if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
      changed = true;
    }
  }
  return s;
}

bool has_control_chars(std::string_view s) {
  for (char c : s) {
    auto b = static_cast<std::uint8_t>(c);
    if (b < 0x20 || b == 0x7F) return true;
  }
  return false;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string sanitize_for_message(std::string_view s) {
  constexpr std::size_t kMaxChars = 40;
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  std::size_t chars = 0;
  std::size_t i = 0;
  for (; i < s.size() && chars < kMaxChars; ++chars) {
    std::size_t n = utf8_sequence_length(s, i);
    auto b = static_cast<std::uint8_t>(s[i]);
    if (n == 0 || (n == 1 && (b < 0x20 || b == 0x7F))) {
      out += kReplacement;
      i += 1;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (i < s.size()) out += "…";
  return out;
}

// Written as a scaled integer: exact up to 15 significant digits, where the
// shortest double form has the same digits; only larger figures go through
// the general float formatter. A county table has tens of thousands of
// cells, and formatting was the largest part of writing it.
char* write_figure(char* out, double value) {
  constexpr double kScale = 10000.0;
  constexpr double kExactLimit = 1e15;
  double scaled = std::round(value * kScale);
  char* end = out;
  if (std::abs(scaled) < kExactLimit) {
    auto n = static_cast<std::int64_t>(scaled);
    if (n < 0) {
      *end++ = '-';
      n = -n;
    }
    end = std::to_chars(end, out + kMaxFigureChars, n / 10000).ptr;
    if (auto fraction = static_cast<int>(n % 10000); fraction != 0) {
      char four[4] = {
          static_cast<char>('0' + fraction / 1000), static_cast<char>('0' + fraction / 100 % 10),
          static_cast<char>('0' + fraction / 10 % 10), static_cast<char>('0' + fraction % 10)};
      int used = 4;
      while (four[used - 1] == '0') --used;
      *end++ = '.';
      end = std::copy(four, four + used, end);
    }
  } else {
    end = fmt::format_to_n(out, kMaxFigureChars, "{}", scaled / kScale).out;
  }
  return end;
}

void append_figure(std::string& out, double value) {
  char digits[kMaxFigureChars];
  out.append(digits, write_figure(digits, value));
}

std::string format_figure(double value) {
  std::string out;
  append_figure(out, value);
  return out;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace tianbao::model
