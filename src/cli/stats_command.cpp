#include "cli/command.h"

namespace vcfagent::cli {

Command AddStatsCommand(CLI::App& root) {
  CLI::App* app = root.add_subcommand("stats", "(under construction)");
  return {app, [] { return ReportError("stats", Status::Internal("not implemented yet")); }};
}

}  // namespace vcfagent::cli
