// Strict reading of the YAML config file's sections (ai:, server:): unknown keys and values of
// the wrong type are usage errors naming the file, the key and the line. LoadYamlConfigFile() is
// the one way a config file is parsed: it bounds what yaml-cpp is given and what it built.
#pragma once

#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "util/status.h"
#include "util/text_limits.h"

namespace vcfagent {

// Parses the YAML file `file` within the limits of util/text_limits.h: at most
// kMaxConfigFileBytes, mappings and sequences nested at most kMaxConfigDepth deep, at most
// kMaxConfigNodes values (an alias counts at each use, so an alias bomb is refused). yaml-cpp
// parses recursively and stops itself near a few hundred levels with the message "bad file";
// that is reported as the nesting limit. An unreadable file is an I/O error, the rest Usage errors.
inline Result<YAML::Node> LoadYamlConfigFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("cannot read the config file {}", file));
  std::string text(kMaxConfigFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::IoError(fmt::format("cannot read the config file {}", file));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigFileBytes) {
    return Status::Usage(fmt::format("{}: the config file is more than {} bytes long; the limit is {} bytes",
                                     file, kMaxConfigFileBytes, kMaxConfigFileBytes));
  }
  const auto too_deep = [&](int line) {
    return Status::Usage(fmt::format("{}: line {}: mappings and sequences nest more than {} deep",
                                     file, line, kMaxConfigDepth));
  };
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    return too_deep(e.mark.line + 1);
  } catch (const YAML::Exception& e) {
    return Status::Usage(fmt::format("{}: line {}: {}", file, e.mark.line + 1, e.msg));
  }
  // Iterative, bounded walk: aliases may make the graph cyclic or exponentially wide.
  std::vector<std::pair<YAML::Node, int>> pending{{root, 1}};
  size_t visited = 0;
  while (!pending.empty()) {
    auto [node, depth] = std::move(pending.back());
    pending.pop_back();
    if (++visited > kMaxConfigNodes) {
      return Status::Usage(fmt::format("{}: more than {} values (aliases count at each use)", file,
                                       kMaxConfigNodes));
    }
    if (!node.IsMap() && !node.IsSequence()) continue;
    if (depth > kMaxConfigDepth) return too_deep(node.Mark().line + 1);
    for (const auto& item : node) {
      if (node.IsMap()) {
        pending.emplace_back(item.first, depth + 1);
        pending.emplace_back(item.second, depth + 1);
      } else {
        pending.emplace_back(item, depth + 1);
      }
    }
  }
  return root;
}

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
