#include "ai/json_schema.h"
#include "util/json_text.h"

#include <fmt/format.h>

#include <cmath>
#include <regex>
#include <set>
#include <string_view>

namespace vcfagent::ai {
namespace {

using nlohmann::json;

constexpr std::string_view kTypeNames[] = {"null",   "boolean", "object", "array",
                                           "number", "string",  "integer"};

// Annotations: carried for people and models, no effect on validation.
const std::set<std::string, std::less<>> kAnnotations = {"description", "title", "default",
                                                          "examples", "$comment", "$schema"};

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string Child(const std::string& path, std::string_view token) {
  return path + "/" + EscapePointerToken(token);
}

std::string Child(const std::string& path, size_t index) { return path + "/" + std::to_string(index); }

std::string SchemaWhere(const std::string& schema_path) {
  return schema_path.empty() ? "the schema root" : "#" + schema_path;
}

// A short rendering of a value for messages: long values are cut so a message stays one line.
std::string Show(const json& value) {
  std::string text = DumpJson(value);
  constexpr size_t kMax = 80;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string_view TypeOf(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    default: return "unknown";
  }
}

bool IsIntegral(const json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

bool HasType(const json& value, std::string_view type) {
  if (type == "integer") return IsIntegral(value);
  if (type == "number") return value.is_number();
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  return false;
}

size_t CodePoints(const std::string& text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// ----- schema checks -----

bool IsNonNegativeInteger(const json& value) { return IsIntegral(value) && value.get<double>() >= 0; }

Status CheckSchema(const json& schema, const std::string& path);

Status CheckKeyword(const std::string& key, const json& value, const std::string& path) {
  const std::string where = SchemaWhere(path);
  auto bad = [&](std::string_view expected) {
    return Status::InvalidInput(
        fmt::format("JSON Schema keyword \"{}\" at {} must be {}", key, where, expected));
  };
  if (kAnnotations.count(key)) return Status::Ok();
  if (key == "type") {
    auto known = [](const json& name) {
      if (!name.is_string()) return false;
      for (auto type : kTypeNames) {
        if (name.get<std::string>() == type) return true;
      }
      return false;
    };
    if (value.is_array()) {
      if (value.empty()) return bad("a type name or a non-empty array of type names");
      for (const auto& name : value) {
        if (!known(name)) return bad("a type name or an array of type names");
      }
      return Status::Ok();
    }
    return known(value) ? Status::Ok() : bad("one of null, boolean, object, array, number, string, integer");
  }
  if (key == "properties") {
    if (!value.is_object()) return bad("an object of schemas");
    for (const auto& [name, sub] : value.items()) {
      VCFAGENT_RETURN_IF_ERROR(CheckSchema(sub, Child(Child(path, key), name)));
    }
    return Status::Ok();
  }
  if (key == "required") {
    if (!value.is_array()) return bad("an array of property names");
    for (const auto& name : value) {
      if (!name.is_string()) return bad("an array of property names");
    }
    return Status::Ok();
  }
  if (key == "additionalProperties" || key == "items") {
    if (key == "items" && value.is_array()) {
      return Status::InvalidInput(fmt::format(
          "JSON Schema keyword \"items\" at {}: an array of schemas (tuple form) is not supported; "
          "use one schema for every item",
          where));
    }
    return CheckSchema(value, Child(path, key));
  }
  if (key == "enum") return value.is_array() ? Status::Ok() : bad("an array");
  if (key == "const") return Status::Ok();
  if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" || key == "exclusiveMaximum") {
    return value.is_number() ? Status::Ok() : bad("a number");
  }
  if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems") {
    return IsNonNegativeInteger(value) ? Status::Ok() : bad("a non-negative integer");
  }
  if (key == "uniqueItems") return value.is_boolean() ? Status::Ok() : bad("true or false");
  if (key == "pattern") {
    if (!value.is_string()) return bad("a regular expression string");
    try {
      std::regex compiled(value.get<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Status::InvalidInput(fmt::format("JSON Schema pattern at {} is not a valid regular expression: {}",
                                              where, e.what()));
    }
    return Status::Ok();
  }
  return Status::InvalidInput(fmt::format("unsupported JSON Schema keyword \"{}\" at {}", key, where));
}

Status CheckSchema(const json& schema, const std::string& path) {
  if (schema.is_boolean()) return Status::Ok();
  if (!schema.is_object()) {
    return Status::InvalidInput(
        fmt::format("a JSON Schema must be an object or a boolean; {} is {}", SchemaWhere(path), TypeOf(schema)));
  }
  for (const auto& [key, value] : schema.items()) {
    VCFAGENT_RETURN_IF_ERROR(CheckKeyword(key, value, path));
  }
  return Status::Ok();
}

// ----- validation -----

class Validator {
 public:
  std::vector<SchemaViolation> violations;

  void Validate(const json& schema, const json& instance, const std::string& path) {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) Add(path, "no value is allowed here");
      return;
    }
    if (!schema.is_object()) return;  // CheckSchemaSupported refuses these
    if (auto it = schema.find("type"); it != schema.end()) CheckType(*it, instance, path);
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
      bool found = false;
      for (const auto& option : *it) found = found || option == instance;
      if (!found) Add(path, fmt::format("{} is not one of {}", Show(instance), Show(*it)));
    }
    if (auto it = schema.find("const"); it != schema.end() && !(*it == instance)) {
      Add(path, fmt::format("{} is not the required value {}", Show(instance), Show(*it)));
    }
    if (instance.is_number()) CheckNumber(schema, instance, path);
    if (instance.is_string()) CheckString(schema, instance.get_ref<const std::string&>(), path);
    if (instance.is_array()) CheckArray(schema, instance, path);
    if (instance.is_object()) CheckObject(schema, instance, path);
  }

 private:
  void Add(const std::string& path, std::string message) {
    violations.push_back({path, std::move(message)});
  }

  void CheckType(const json& type, const json& instance, const std::string& path) {
    if (type.is_string()) {
      if (!HasType(instance, type.get<std::string>())) {
        Add(path, fmt::format("expected {}, got {}", type.get<std::string>(), TypeOf(instance)));
      }
      return;
    }
    if (!type.is_array()) return;
    std::vector<std::string> names;
    for (const auto& name : type) {
      if (!name.is_string()) continue;
      if (HasType(instance, name.get<std::string>())) return;
      names.push_back(name.get<std::string>());
    }
    Add(path, fmt::format("expected one of {}, got {}", fmt::join(names, ", "), TypeOf(instance)));
  }

  void CheckNumber(const json& schema, const json& instance, const std::string& path) {
    const double x = instance.get<double>();
    auto limit = [&](const char* key) -> const json* {
      auto it = schema.find(key);
      return it != schema.end() && it->is_number() ? &*it : nullptr;
    };
    if (const json* m = limit("minimum"); m && x < m->get<double>()) {
      Add(path, fmt::format("{} is less than the minimum {}", Show(instance), Show(*m)));
    }
    if (const json* m = limit("maximum"); m && x > m->get<double>()) {
      Add(path, fmt::format("{} is greater than the maximum {}", Show(instance), Show(*m)));
    }
    if (const json* m = limit("exclusiveMinimum"); m && x <= m->get<double>()) {
      Add(path, fmt::format("{} must be greater than {}", Show(instance), Show(*m)));
    }
    if (const json* m = limit("exclusiveMaximum"); m && x >= m->get<double>()) {
      Add(path, fmt::format("{} must be less than {}", Show(instance), Show(*m)));
    }
  }

  void CheckString(const json& schema, const std::string& text, const std::string& path) {
    const size_t length = CodePoints(text);
    if (auto it = schema.find("minLength"); it != schema.end() && it->is_number() &&
                                            static_cast<double>(length) < it->get<double>()) {
      Add(path, fmt::format("the string has {} characters, fewer than the minimum length {}", length, Show(*it)));
    }
    if (auto it = schema.find("maxLength"); it != schema.end() && it->is_number() &&
                                            static_cast<double>(length) > it->get<double>()) {
      Add(path, fmt::format("the string has {} characters, more than the maximum length {}", length, Show(*it)));
    }
    if (auto it = schema.find("pattern"); it != schema.end() && it->is_string()) {
      const std::string& pattern = it->get_ref<const std::string&>();
      try {
        if (!std::regex_search(text, std::regex(pattern, std::regex::ECMAScript))) {
          Add(path, fmt::format("{} does not match the pattern {}", Show(text), pattern));
        }
      } catch (const std::regex_error& e) {
        Add(path, fmt::format("the pattern {} could not be applied: {}", pattern, e.what()));
      }
    }
  }

  void CheckArray(const json& schema, const json& instance, const std::string& path) {
    const double size = static_cast<double>(instance.size());
    if (auto it = schema.find("minItems"); it != schema.end() && it->is_number() && size < it->get<double>()) {
      Add(path, fmt::format("the array has {} items, fewer than the minimum {}", instance.size(), Show(*it)));
    }
    if (auto it = schema.find("maxItems"); it != schema.end() && it->is_number() && size > it->get<double>()) {
      Add(path, fmt::format("the array has {} items, more than the maximum {}", instance.size(), Show(*it)));
    }
    if (auto it = schema.find("uniqueItems"); it != schema.end() && it->is_boolean() && it->get<bool>()) {
      for (size_t i = 0; i < instance.size(); ++i) {
        for (size_t j = i + 1; j < instance.size(); ++j) {
          if (instance[i] == instance[j]) {
            Add(path, fmt::format("items {} and {} are equal ({}); items must be unique", i, j, Show(instance[i])));
            i = instance.size();  // one report per array is enough
            break;
          }
        }
      }
    }
    if (auto it = schema.find("items"); it != schema.end() && !it->is_array()) {
      for (size_t i = 0; i < instance.size(); ++i) Validate(*it, instance[i], Child(path, i));
    }
  }

  void CheckObject(const json& schema, const json& instance, const std::string& path) {
    if (auto it = schema.find("required"); it != schema.end() && it->is_array()) {
      for (const auto& name : *it) {
        if (name.is_string() && !instance.contains(name.get<std::string>())) {
          Add(path, fmt::format("missing required property \"{}\"", name.get<std::string>()));
        }
      }
    }
    const json* properties = nullptr;
    if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) properties = &*it;
    const json* additional = nullptr;
    if (auto it = schema.find("additionalProperties"); it != schema.end()) additional = &*it;
    for (const auto& [name, value] : instance.items()) {
      const std::string child = Child(path, name);
      if (properties) {
        if (auto p = properties->find(name); p != properties->end()) {
          Validate(*p, value, child);
          continue;
        }
      }
      if (!additional) continue;
      if (additional->is_boolean() && !additional->get<bool>()) {
        Add(child, fmt::format("property \"{}\" is not allowed{}", name, AllowedNames(properties)));
      } else {
        Validate(*additional, value, child);
      }
    }
  }

  static std::string AllowedNames(const json* properties) {
    if (!properties || properties->empty()) return " (no properties are allowed)";
    std::vector<std::string> names;
    for (const auto& [name, unused] : properties->items()) names.push_back(name);
    return fmt::format(" (allowed: {})", fmt::join(names, ", "));
  }
};

}  // namespace

Status CheckSchemaSupported(const nlohmann::json& schema) { return CheckSchema(schema, ""); }

std::vector<SchemaViolation> ValidateAgainstSchema(const nlohmann::json& schema,
                                                   const nlohmann::json& instance) {
  Validator validator;
  validator.Validate(schema, instance, "");
  return std::move(validator.violations);
}

std::string FormatViolations(const std::vector<SchemaViolation>& violations) {
  std::string out;
  for (const auto& v : violations) {
    if (!out.empty()) out += "\n";
    out += fmt::format("{}: {}", v.path.empty() ? "(root)" : v.path, v.message);
  }
  return out;
}

}  // namespace vcfagent::ai
