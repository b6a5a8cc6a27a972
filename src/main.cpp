// vcf-agent: the command-line entry point. Every command lives in src/cli/; this file only
// dispatches to it.
#include <htslib/hts.h>

#include <string>
#include <vector>

#include "cli/command.h"
#include "fmt/format.h"
#include "util/progress.h"

int main(int argc, char** argv) {
  using namespace vcfagent;
  // htslib's own log lines do not follow our "vcf-agent COMMAND: file:line: ..." convention; the
  // library reports every condition itself.
  hts_set_log_level(HTS_LOG_OFF);
  InstallCancelHandler();

  CLI::App app{"vcf-agent: validation, statistics, queries and comparison of VCF/BCF files"};
  app.name("vcf-agent");
  app.set_version_flag("--version", std::string("vcf-agent ") + VCFAGENT_VERSION);
  app.require_subcommand(1);
  const std::vector<cli::Command> commands = {
      cli::AddValidateCommand(app),
      cli::AddStatsCommand(app),
      cli::AddViewCommand(app),
      cli::AddCompareCommand(app),
      cli::AddIngestCommand(app),
      cli::AddVariantsCommand(app),
      cli::AddSqlCommand(app),
      cli::AddSimilarCommand(app),
      cli::AddIndexCommand(app),
      cli::AddGraphCommand(app),
      cli::AddBackupCommand(app),
      cli::AddRestoreCommand(app),
      cli::AddAnalyzeCommand(app),
      cli::AddAskCommand(app),
      cli::AddChatCommand(app),
      cli::AddServeCommand(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is a usage error (exit 2).
    if (e.get_exit_code() == 0) return app.exit(e);
    if (app.get_subcommands().empty()) {
      // No command was recognised: name what was given and list what exists (CLI11 would only
      // say "A subcommand is required").
      std::vector<std::string> names;
      for (const auto& command : commands) names.push_back(command.app->get_name());
      std::string given;
      for (int i = 1; i < argc && given.empty(); ++i) {
        if (argv[i][0] != '-') given = argv[i];
      }
      const std::string list = fmt::format("{}", fmt::join(names, ", "));
      if (given.empty()) {
        fmt::print(stderr, "vcf-agent: a command is required: {}\nRun 'vcf-agent --help' for usage.\n", list);
      } else {
        fmt::print(stderr, "vcf-agent: unknown command '{}'; the commands are: {}\nRun 'vcf-agent --help' for usage.\n",
                   given, list);
      }
      return kExitUsage;
    }
    std::string where = "vcf-agent";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    fmt::print(stderr, "{}: {}\nRun '{} --help' for usage.\n", where, e.what(), where);
    return kExitUsage;
  }
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return kExitUsage;
}
