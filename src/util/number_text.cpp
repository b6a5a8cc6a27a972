#include "util/number_text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace vcfagent {
namespace {

// The shortest round-trip digits of a finite value and the position of its decimal point:
// value = 0.DIGITS x 10^point (so 4143.13 is "414313", point 4; 0.00123 is "123", point -2).
struct Decimal {
  bool negative = false;
  char digits[24];
  int length = 0;
  int point = 0;
};

template <typename T>
Decimal Decompose(T value) {
  Decimal d;
  char text[48];
  // Scientific form of the shortest representation: "-4.14313e+03", "5e+01", "0e+00".
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::scientific);
  const char* p = text;
  if (*p == '-') {
    d.negative = true;
    ++p;
  }
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') d.digits[d.length++] = *p;
  }
  int exponent = 0;
  if (p < end) std::from_chars(p + (p[1] == '+' ? 2 : 1), end, exponent);
  d.point = exponent + 1;
  return d;
}

// nlohmann::json's layout (its dtoa_impl::format_buffer with min_exp -4 and max_exp 15), so that
// the JSON the project writes keeps its familiar form: whole numbers "50.0" (or "50" with
// `json` false, for text), fixed notation from 1e-4 up to below 1e15, otherwise "1e-05",
// "1.5e+20".
void Layout(const Decimal& d, bool json, std::string* out) {
  constexpr int kMinExp = -4, kMaxExp = 15;
  if (d.negative) out->push_back('-');
  const int k = d.length, n = d.point;
  if (k == 1 && d.digits[0] == '0') {  // zero: to_chars writes "0e+00"
    out->append(json ? "0.0" : "0");
    return;
  }
  if (k <= n && n <= kMaxExp) {  // digits[000]
    out->append(d.digits, k);
    out->append(static_cast<size_t>(n - k), '0');
    if (json) out->append(".0");
    return;
  }
  if (0 < n && n <= kMaxExp) {  // dig.its
    out->append(d.digits, n);
    out->push_back('.');
    out->append(d.digits + n, k - n);
    return;
  }
  if (kMinExp < n && n <= 0) {  // 0.[000]digits
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(d.digits, k);
    return;
  }
  out->push_back(d.digits[0]);  // d[.igits]e+XX
  if (k > 1) {
    out->push_back('.');
    out->append(d.digits + 1, k - 1);
  }
  int e = n - 1;
  out->push_back('e');
  out->push_back(e < 0 ? '-' : '+');
  if (e < 0) e = -e;
  if (e < 10) out->push_back('0');
  char exponent[8];
  const auto [end, ec] = std::to_chars(exponent, exponent + sizeof exponent, e);
  out->append(exponent, end);
}

template <typename T>
std::string Text(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  std::string out;
  Layout(Decompose(value), /*json=*/false, &out);
  return out;
}

template <typename T>
void AppendJson(T value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");  // as nlohmann::json writes NaN and infinities
    return;
  }
  Layout(Decompose(value), /*json=*/true, out);
}

}  // namespace

std::string FloatText(float value) { return Text(value); }
std::string DoubleText(double value) { return Text(value); }
std::string FloatText(const std::optional<float>& value) { return value ? Text(*value) : "."; }
std::string DoubleText(const std::optional<double>& value) { return value ? Text(*value) : "."; }

void AppendJsonNumber(float value, std::string* out) { AppendJson(value, out); }
void AppendJsonNumber(double value, std::string* out) { AppendJson(value, out); }

double JsonFloat(float value) {
  if (!std::isfinite(value)) return value;
  char text[48];
  // Scientific, as Decompose: the plain form would give a large whole float's exact digits
  // (33600888) where the shortest is 33600890.
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::scientific);
  double nearest = 0;
  std::from_chars(text, end, nearest);
  return nearest;
}

}  // namespace vcfagent
