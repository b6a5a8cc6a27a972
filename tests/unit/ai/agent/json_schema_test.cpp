#include "ai/json_schema.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

namespace vcfagent::ai {
namespace {

using nlohmann::json;

const char* kSuiteDir = "/usr/share/json-schema-test-suite/tests/draft7/";

// The keywords the validator claims, decided here independently of CheckSchemaSupported so a
// validator that refused everything could not pass by running nothing.
const std::set<std::string> kSupported = {
    "type",      "properties", "required",  "additionalProperties", "enum",     "const",
    "minimum",   "maximum",    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "pattern",   "items",      "minItems",  "maxItems",  "uniqueItems", "description", "title",
    "default",   "examples",   "$comment",  "$schema"};

bool UsesOnlySupported(const json& schema) {
  if (schema.is_boolean()) return true;
  if (!schema.is_object()) return false;
  for (const auto& [key, value] : schema.items()) {
    if (!kSupported.count(key)) return false;
    if (key == "properties") {
      for (const auto& [name, sub] : value.items()) {
        if (!UsesOnlySupported(sub)) return false;
      }
    }
    if ((key == "additionalProperties" || key == "items") && (value.is_array() || !UsesOnlySupported(value))) {
      return false;
    }
  }
  return true;
}

json LoadSuiteFile(const std::string& name) {
  std::ifstream in(std::string(kSuiteDir) + name + ".json");
  EXPECT_TRUE(in) << "missing suite file " << name;
  if (!in) return json::array();
  return json::parse(in);
}

TEST(JsonSchemaSuiteTest, EveryOfficialDraft7CaseOfTheSupportedKeywordsPasses) {
  const std::vector<std::string> files = {
      "type",      "properties", "required", "additionalProperties", "enum", "const",
      "minimum",   "maximum",    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
      "pattern",   "items",      "minItems", "maxItems", "uniqueItems", "default", "boolean_schema"};
  int ran = 0;
  int refused = 0;
  for (const auto& file : files) {
    int ran_in_file = 0;
    for (const auto& group : LoadSuiteFile(file)) {
      const json& schema = group["schema"];
      const std::string group_name = file + ": " + group["description"].get<std::string>();
      if (!UsesOnlySupported(schema)) {
        // The validator must say so rather than half-check the schema.
        EXPECT_FALSE(CheckSchemaSupported(schema).ok()) << group_name;
        ++refused;
        continue;
      }
      const Status supported = CheckSchemaSupported(schema);
      ASSERT_TRUE(supported.ok()) << group_name << ": " << supported.message();
      for (const auto& test : group["tests"]) {
        const auto violations = ValidateAgainstSchema(schema, test["data"]);
        const bool valid = test["valid"].get<bool>();
        EXPECT_EQ(violations.empty(), valid)
            << group_name << " / " << test["description"].get<std::string>() << "\n"
            << FormatViolations(violations);
        ++ran;
        ++ran_in_file;
      }
    }
    EXPECT_GT(ran_in_file, 0) << file << " ran no case";
  }
  // Debian 12's json-schema-test-suite: 184 cases use only the supported keywords; 5 groups use
  // others (patternProperties, tuple-form items) and must be refused.
  EXPECT_EQ(ran, 184);
  EXPECT_EQ(refused, 5);
}

TEST(JsonSchemaTest, RefusesUnknownKeywordsNamingThem) {
  const Status s = CheckSchemaSupported(json::parse(R"({"type":"object","properties":{"a":{"oneOf":[]}}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("\"oneOf\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("#/properties/a"), std::string::npos) << s.message();
  EXPECT_FALSE(CheckSchemaSupported(json::parse(R"({"type":"float"})")).ok());
  EXPECT_FALSE(CheckSchemaSupported(json::parse(R"({"pattern":"("})")).ok());
  EXPECT_FALSE(CheckSchemaSupported(json::parse(R"({"minLength":-1})")).ok());
  EXPECT_FALSE(CheckSchemaSupported(json::parse(R"({"items":[{}]})")).ok());
  EXPECT_FALSE(CheckSchemaSupported(json(3)).ok());
}

TEST(JsonSchemaTest, ViolationsCarryJsonPointersAndActionableMessages) {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "region": {"type": "string", "pattern": "^[^:]+(:[0-9]+(-[0-9]+)?)?$"},
      "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
      "ids": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
      "a/b": {"enum": ["x", "y"]}
    },
    "required": ["region"],
    "additionalProperties": false
  })");
  ASSERT_TRUE(CheckSchemaSupported(schema).ok());
  EXPECT_TRUE(ValidateAgainstSchema(schema, json::parse(R"({"region":"chr1:1-10","limit":5})")).empty());

  const auto v = ValidateAgainstSchema(
      schema, json::parse(R"({"limit":0,"ids":["a",3,"a"],"a/b":"z","extra":1})"));
  std::map<std::string, std::string> by_path;
  for (const auto& x : v) by_path[x.path] += x.message + ";";
  EXPECT_NE(by_path[""].find("missing required property \"region\""), std::string::npos);
  EXPECT_NE(by_path["/limit"].find("less than the minimum 1"), std::string::npos);
  EXPECT_NE(by_path["/ids"].find("must be unique"), std::string::npos);
  EXPECT_NE(by_path["/ids/1"].find("expected string, got integer"), std::string::npos);
  EXPECT_NE(by_path["/a~1b"].find("is not one of"), std::string::npos);
  EXPECT_NE(by_path["/extra"].find("not allowed (allowed: a/b, ids, limit, region)"), std::string::npos);
  EXPECT_EQ(v.size(), 6u);

  const std::string text = FormatViolations(v);
  EXPECT_NE(text.find("(root): missing required property"), std::string::npos) << text;
  EXPECT_NE(text.find("/limit: 0 is less than the minimum 1"), std::string::npos) << text;
}

TEST(JsonSchemaTest, LengthsCountCodePointsNotBytes) {
  const json schema = json::parse(R"({"maxLength": 2, "minLength": 2})");
  EXPECT_TRUE(ValidateAgainstSchema(schema, json("\xC3\xA9\xF0\x9F\x92\xA9")).empty());  // é💩
  EXPECT_FALSE(ValidateAgainstSchema(schema, json("abc")).empty());
}

}  // namespace
}  // namespace vcfagent::ai
