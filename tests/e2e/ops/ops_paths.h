// Where the deploy/ files are, for the ops tests (header-only: each *_test.cpp is its own binary).
#pragma once

#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace vcfagent::testing {

// <checkout>/deploy/<relative>, found beside the bundled examples/ folder.
inline std::string DeployPath(const std::string& relative) {
  std::filesystem::path examples = std::filesystem::path(ExamplePath("")).parent_path();
  if (examples.filename().empty()) examples = examples.parent_path();
  return (examples.parent_path() / "deploy" / relative).string();
}

}  // namespace vcfagent::testing
