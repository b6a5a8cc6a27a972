// util/number_text: floating-point values are written as the shortest decimal that reads back as
// the value at the precision it is stored in (a float as a float, a double as a double).
#include "util/number_text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "util/json_text.h"

namespace vcfagent {
namespace {

using nlohmann::json;

std::string Json(float value) {
  std::string out;
  AppendJsonNumber(value, &out);
  return out;
}
std::string Json(double value) {
  std::string out;
  AppendJsonNumber(value, &out);
  return out;
}

// The significant digits of a decimal ("0.00123" -> 3, "4143.13" -> 6, "1.5e-07" -> 2, "50.0" and
// "50" -> 1).
int SignificantDigits(const std::string& text) {
  std::string mantissa = text.substr(0, text.find('e'));
  if (mantissa.find('.') != std::string::npos) {
    while (mantissa.back() == '0') mantissa.pop_back();
    if (mantissa.back() == '.') mantissa.pop_back();
  }
  if (mantissa.find('.') == std::string::npos) {
    while (mantissa.size() > 1 && mantissa.back() == '0') mantissa.pop_back();
  }
  int digits = 0;
  bool leading = true;
  for (char c : mantissa) {
    if (c < '0' || c > '9') continue;
    if (c == '0' && leading) continue;
    leading = false;
    ++digits;
  }
  return digits;
}

// The fewest significant digits with which %.Ng reads back as `value` (the definition of shortest).
template <typename T>
int FewestDigits(T value) {
  for (int precision = 1; precision <= 17; ++precision) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", precision, static_cast<double>(value));
    if constexpr (std::is_same_v<T, float>) {
      if (std::strtof(text, nullptr) == value) return precision;
    } else {
      if (std::strtod(text, nullptr) == value) return precision;
    }
  }
  return 17;
}

TEST(NumberTextTest, FloatsPrintAsTheFileWroteThem) {
  EXPECT_EQ(FloatText(0.167f), "0.167");
  EXPECT_EQ(FloatText(4143.13f), "4143.13");
  EXPECT_EQ(FloatText(123456.78f), "123456.78");       // %.6g gave 123457
  EXPECT_EQ(FloatText(0.0012345678f), "0.0012345678");  // %.4g gave 0.001235
  EXPECT_EQ(FloatText(1e-05f), "1e-05");
  EXPECT_EQ(FloatText(50.0f), "50");
  EXPECT_EQ(FloatText(-2.5f), "-2.5");
  EXPECT_EQ(FloatText(0.0f), "0");
  EXPECT_EQ(FloatText(std::optional<float>()), ".");
  EXPECT_EQ(FloatText(std::optional<float>(29.7f)), "29.7");
  // The bug: the float widened to double and printed as a double.
  EXPECT_EQ(DoubleText(static_cast<double>(0.167f)), "0.16699999570846558");
  EXPECT_EQ(DoubleText(static_cast<double>(4143.13f)), "4143.1298828125");
}

TEST(NumberTextTest, DoublesPrintTheirOwnShortestDecimal) {
  EXPECT_EQ(DoubleText(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(DoubleText(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(DoubleText(0.25), "0.25");
  EXPECT_EQ(DoubleText(1e300), "1e+300");
  EXPECT_EQ(DoubleText(std::optional<double>()), ".");
  EXPECT_EQ(DoubleText(std::nan("")), "nan");
  EXPECT_EQ(DoubleText(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(NumberTextTest, JsonLayoutIsNlohmanns) {
  // The same text nlohmann::json writes wherever its digits are shortest.
  for (double value : {0.0, -0.0, 0.5, 50.0, 1e-05, 0.0001, 123.456, 1e15, 1e16, 1e+300, -2.5e-300, 1e14,
                       123456789012345.0, 0.1, 2.0 / 3}) {
    EXPECT_EQ(Json(value), json(value).dump()) << value;
  }
  EXPECT_EQ(Json(0.167f), "0.167");
  EXPECT_EQ(Json(4143.13f), "4143.13");
  EXPECT_EQ(Json(50.0f), "50.0");
  EXPECT_EQ(Json(std::nanf("")), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()), "null");
}

TEST(NumberTextTest, JsonFloatPrintsTheFloatsShortestDecimal) {
  EXPECT_EQ(DumpJson(json(JsonFloat(0.167f))), "0.167");
  EXPECT_EQ(DumpJson(json(JsonFloat(4143.13f))), "4143.13");
  EXPECT_EQ(DumpJson(json{{"af", JsonFloat(0.0012345678f)}, {"qual", JsonFloat(123456.78f)}}),
            "{\"af\":0.0012345678,\"qual\":123456.78}");
  EXPECT_EQ(static_cast<float>(JsonFloat(0.167f)), 0.167f);  // still the same float
  EXPECT_TRUE(std::isnan(JsonFloat(std::nanf(""))));
  EXPECT_EQ(DumpJson(json(JsonFloat(std::nanf("")))), "null");
  // What assigning the float did: the widened double.
  EXPECT_EQ(json(0.167f).dump(), "0.16699999570846558");
}

// Over floats spread across the whole range (every 16411th bit pattern, ~260k values) and random
// doubles: the text reads back as the value, has the fewest digits that do, and JSON (through
// JsonFloat and DumpJson) carries the same digits.
TEST(NumberTextTest, ShortestRoundTripAcrossTheRange) {
  int checked = 0;
  for (uint64_t bits = 1; bits < 0x7f800000ull; bits += 16411) {
    for (uint32_t sign : {0u, 0x80000000u}) {
      const uint32_t pattern = static_cast<uint32_t>(bits) | sign;
      float f;
      std::memcpy(&f, &pattern, sizeof f);
      const std::string text = FloatText(f);
      ASSERT_EQ(std::strtof(text.c_str(), nullptr), f) << text;
      ASSERT_EQ(SignificantDigits(text), FewestDigits(f)) << text;
      const std::string in_json = DumpJson(json(JsonFloat(f)));
      ASSERT_EQ(std::strtof(in_json.c_str(), nullptr), f) << in_json;
      ASSERT_EQ(SignificantDigits(in_json), SignificantDigits(text)) << in_json << " vs " << text;
      ++checked;
    }
  }
  std::mt19937_64 random(13);
  for (int i = 0; i < 50000; ++i) {
    uint64_t pattern = random();
    double d;
    std::memcpy(&d, &pattern, sizeof d);
    if (!std::isfinite(d)) continue;
    const std::string text = DoubleText(d);
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
    ASSERT_EQ(SignificantDigits(text), FewestDigits(d)) << text;
    const std::string in_json = DumpJson(json(d));
    ASSERT_EQ(std::strtod(in_json.c_str(), nullptr), d) << in_json;
    ASSERT_EQ(SignificantDigits(in_json), SignificantDigits(text)) << in_json << " vs " << text;
    ++checked;
  }
  EXPECT_GT(checked, 250000);
}

}  // namespace
}  // namespace vcfagent
