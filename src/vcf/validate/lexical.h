// Character classes and number recognisers for the validator, in the exact sense EBI
// vcf-validator uses (ASCII "print"/"punct", std::stoi/std::stof acceptance), without allocation.
#pragma once

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <string_view>

namespace vcfagent::vcf::validate {

inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
inline bool IsPrint(char c) { return c >= 0x20 && c <= 0x7e; }
inline bool IsPunct(char c) { return IsPrint(c) && c != ' ' && !IsAlnum(c); }
inline bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsBase(char c) {
  switch (c) {
    case 'A': case 'C': case 'G': case 'T': case 'N':
    case 'a': case 'c': case 'g': case 't': case 'n':
      return true;
    default:
      return false;
  }
}

// The length of the well-formed UTF-8 sequence of two to four bytes starting at s[i] (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  const unsigned b0 = byte(i), b1 = byte(i + 1);
  const auto cont = [&](size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogates
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// Contig name characters: SAM's reference-name characters without <>[]*=, from VCF 4.3 on; before,
// only white space, commas and angle brackets are excluded (as vcf-validator's grammars do).
inline bool IsContigChar(char c, int minor) {
  if (IsAlnum(c)) return true;
  if (!IsPunct(c)) return false;
  if (minor >= 3) return c != '<' && c != '>' && c != '[' && c != ']' && c != '*' && c != '=' && c != ',';
  return c != '<' && c != '>' && c != ',';
}

inline bool AllBases(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsBase(c)) return false;
  }
  return true;
}

inline bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// True if s has at least one alphanumeric character (the "- (punct)+" exclusion of the grammar).
inline bool HasAlnum(std::string_view s) {
  for (char c : s) {
    if (IsAlnum(c)) return true;
  }
  return false;
}

// What std::stoi accepts as a whole string: optional leading white space, sign, digits, no
// trailing characters, within int range. Sets *value.
inline bool ParseStoiWhole(std::string_view s, long long* value = nullptr) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) i++;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i >= s.size() || !IsDigit(s[i])) return false;
  long long v = 0;
  for (; i < s.size(); i++) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
    if (v > static_cast<long long>(INT_MAX) + 1) return false;
  }
  if (negative) v = -v;
  if (v > INT_MAX || v < INT_MIN) return false;
  if (value != nullptr) *value = v;
  return true;
}

// What std::stof/std::stold accept: a number at the start of the string (trailing text ignored).
inline bool ParseStofPrefix(std::string_view s, long double* value = nullptr) {
  char buffer[64];
  std::string heap;
  const char* text;
  if (s.size() < sizeof(buffer)) {
    s.copy(buffer, s.size());
    buffer[s.size()] = '\0';
    text = buffer;
  } else {
    heap.assign(s);
    text = heap.c_str();
  }
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(text, &end);
  if (end == text) return false;
  if (value != nullptr) *value = v;
  return true;
}

// A plain decimal ([+-]digits[.digits][e[+-]digits]) without strtold; other spellings (inf, nan,
// hex, leading space) fall back to ParseStofPrefix.
inline bool ParseNumberFast(std::string_view s, long double* value) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  double v = 0;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) v = v * 10 + (s[i++] - '0'), digits++;
  if (i < s.size() && s[i] == '.') {
    i++;
    double scale = 0.1;
    while (i < s.size() && IsDigit(s[i])) v += (s[i++] - '0') * scale, scale /= 10, digits++;
  }
  if (digits == 0 || digits > 15 || i != s.size()) return ParseStofPrefix(s, value);
  *value = negative ? -v : v;
  return true;
}

// Calls fn(piece) for each piece of s split at `sep` (an empty s gives one empty piece).
template <typename Fn>
inline void ForEachPiece(std::string_view s, char sep, Fn&& fn) {
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      fn(s.substr(start));
      return;
    }
    fn(s.substr(start, end - start));
    start = end + 1;
  }
}

inline size_t CountChar(std::string_view s, char c) {
  size_t n = 0;
  for (char x : s) n += x == c;
  return n;
}

}  // namespace vcfagent::vcf::validate
