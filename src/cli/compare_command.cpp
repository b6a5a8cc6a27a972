#include "cli/command.h"

namespace vcfagent::cli {

Command AddCompareCommand(CLI::App& root) {
  CLI::App* app = root.add_subcommand("compare", "(under construction)");
  return {app, [] { return ReportError("compare", Status::Internal("not implemented yet")); }};
}

}  // namespace vcfagent::cli
