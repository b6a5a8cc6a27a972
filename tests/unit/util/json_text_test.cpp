// util/json_text: the one rule for text that is not UTF-8 in JSON output (each invalid byte
// sequence becomes U+FFFD), for whole documents and for strings written by hand.
#include "util/json_text.h"

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

}  // namespace
}  // namespace vcfagent
