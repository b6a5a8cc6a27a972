#include "cli/command.h"

namespace vcfagent::cli {

Command AddViewCommand(CLI::App& root) {
  CLI::App* app = root.add_subcommand("view", "(under construction)");
  return {app, [] { return ReportError("view", Status::Internal("not implemented yet")); }};
}

}  // namespace vcfagent::cli
