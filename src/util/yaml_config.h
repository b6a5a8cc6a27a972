// Strict reading of the YAML config file's sections (ai:, server:): unknown keys and values of
// the wrong type are usage errors naming the file, the key and the line.
#pragma once

#include <set>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "util/status.h"

namespace vcfagent {

inline Status UnknownYamlKeys(const YAML::Node& map, const std::set<std::string>& known,
                              const std::string& where, const std::string& file) {
  for (const auto& item : map) {
    const auto key = item.first.as<std::string>();
    if (!known.contains(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return Status::Usage(fmt::format("{}: unknown key '{}' in {} (expected one of: {})", file, key,
                                       where, list));
    }
  }
  return Status::Ok();
}

// Reads map[key] into `out` when present.
template <typename T>
Status ReadYamlScalar(const YAML::Node& map, const char* key, T& out, const std::string& where,
                      const std::string& file) {
  const YAML::Node node = map[key];
  if (!node) return Status::Ok();
  try {
    out = node.as<T>();
  } catch (const YAML::Exception&) {
    return Status::Usage(fmt::format("{}: {}.{} has the wrong type (line {})", file, where, key,
                                     node.Mark().line + 1));
  }
  return Status::Ok();
}

}  // namespace vcfagent
