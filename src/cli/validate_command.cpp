#include "cli/command.h"

namespace vcfagent::cli {

Command AddValidateCommand(CLI::App& root) {
  CLI::App* app = root.add_subcommand("validate", "(under construction)");
  return {app, [] { return ReportError("validate", Status::Internal("not implemented yet")); }};
}

}  // namespace vcfagent::cli
