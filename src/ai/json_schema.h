// A JSON Schema (draft 7) validator for the subset vcf-agent's tool and report schemas use.
//
// Supported keywords: type (a name or an array of names; "integer" accepts 1.0), properties,
// required, additionalProperties (boolean or schema), enum, const, minimum, maximum,
// exclusiveMinimum/exclusiveMaximum (draft-7 numeric form), minLength/maxLength (in Unicode code
// points), pattern (std::regex ECMAScript, unanchored search), items (one schema for every item),
// minItems, maxItems, uniqueItems; description, title, default, examples and $comment are
// annotations and ignored. Boolean schemas (true / false) are accepted wherever a schema is.
//
// Contract:
// - CheckSchemaSupported refuses any other keyword (and malformed keyword values) with a message
//   naming the keyword and where it is, so a schema is never silently half-checked.
// - ValidateAgainstSchema assumes a supported schema; it reports every violation it finds, each
//   with the JSON pointer of the offending instance location ("" is the root) and a message a
//   person or a model can act on. Numbers compare by value (1 equals 1.0) in enum, const and
//   uniqueItems, as the specification says.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace vcfagent::ai {

struct SchemaViolation {
  std::string path;  // JSON pointer into the instance ("" for the root, "/region", "/ids/2")
  std::string message;
};

Status CheckSchemaSupported(const nlohmann::json& schema);

std::vector<SchemaViolation> ValidateAgainstSchema(const nlohmann::json& schema,
                                                   const nlohmann::json& instance);

// One violation a line: "/limit: 0 is less than the minimum 1"; "(root)" stands for "".
std::string FormatViolations(const std::vector<SchemaViolation>& violations);

}  // namespace vcfagent::ai
