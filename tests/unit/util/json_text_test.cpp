// util/json_text: the one rule for text that is not UTF-8 in JSON output (each invalid byte
// sequence becomes U+FFFD), for whole documents and for strings written by hand.
#include "util/json_text.h"

#include <cmath>

#include <gtest/gtest.h>

namespace vcfagent {
namespace {

using nlohmann::json;

constexpr const char* kReplacement = "\xEF\xBF\xBD";

TEST(JsonTextTest, InvalidUtf8BecomesTheReplacementCharacter) {
  const json value = {{"sample", "Jos\xE9"}, {"info", "caf\xE9 au lait"}};
  EXPECT_THROW((void)value.dump(), json::type_error);  // what every output did before
  const std::string text = DumpJson(value);
  const json back = json::parse(text);  // valid JSON, valid UTF-8
  EXPECT_EQ(back["sample"], std::string("Jos") + kReplacement);
  EXPECT_EQ(back["info"], std::string("caf") + kReplacement + " au lait");
}

TEST(JsonTextTest, ValidUtf8IsWrittenAsIs) {
  const json value = {{"name", "Jos\xC3\xA9 \xE2\x82\xAC"}};
  EXPECT_EQ(DumpJson(value), "{\"name\":\"Jos\xC3\xA9 \xE2\x82\xAC\"}");
  EXPECT_EQ(DumpJson(value, 2), "{\n  \"name\": \"Jos\xC3\xA9 \xE2\x82\xAC\"\n}");
}

TEST(JsonTextTest, HandWrittenStringsFollowTheSameRule) {
  for (const std::string& text : {std::string("plain"), std::string("a\"b\\c\n\t\x01"), std::string("Jos\xE9"),
                                 std::string("\xC3\xA9\xC3"), std::string("\xF0\x9F\x98\x80 ok"),
                                 std::string("\xED\xA0\x80"), std::string(""), std::string("\xFF\xFE")}) {
    std::string out = "x";
    AppendJsonString(text, &out);
    EXPECT_EQ(out, "x" + DumpJson(json(text))) << text;
    EXPECT_EQ(json::parse(out.substr(1)).get<std::string>(), ValidUtf8(text)) << text;
  }
  EXPECT_EQ(ValidUtf8("Jos\xE9"), std::string("Jos") + kReplacement);
  EXPECT_EQ(ValidUtf8("a\"b\\c\n"), "a\"b\\c\n");
}

// DumpJson lays documents out as nlohmann::json does (compact and pretty), so that only numbers
// differ: and only where nlohmann's Grisu2 printer is not shortest.
TEST(JsonTextTest, LayoutIsNlohmanns) {
  const json value = {{"a", json::array()}, {"b", json::object()}, {"c", {1, -2, 3u, true, false, nullptr}},
                      {"d", {{"e", "text"}, {"f", {{"g", 0.5}, {"h", 50.0}, {"i", 1e-05}, {"j", 1e+16}}}}},
                      {"k", {json::array({1, 2}), json::object({{"x", "y"}})}}, {"l", 18446744073709551615u},
                      {"m", -9223372036854775807LL - 1}, {"n", 0.1}, {"o", -0.0}, {"p", std::nan("")}};
  for (int indent : {-1, 0, 2, 4}) EXPECT_EQ(DumpJson(value, indent), value.dump(indent)) << indent;
  EXPECT_EQ(DumpJson(json("Jos\xE9")), json("Jos\xE9").dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST(JsonTextTest, NumbersAreTheShortestRoundTrip) {
  // nlohmann writes 0.0010013317999999999 and 1.0044352999999999e-30 for these doubles.
  EXPECT_EQ(DumpJson(json(0.0010013318)), "0.0010013318");
  EXPECT_EQ(DumpJson(json(1.0044353e-30)), "1.0044353e-30");
  EXPECT_EQ(DumpJson(json{{"v", {0.0010013318}}}, 2), "{\n  \"v\": [\n    0.0010013318\n  ]\n}");
}

}  // namespace
}  // namespace vcfagent
