// The CLI's commands: each adds its subcommand to the root app and returns how to run it.
//
// Commands are thin adapters: they parse flags, call the library, print the result and map the
// library's Status to the exit status (0 success, 1 invalid input or findings, 2 usage or I/O).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "util/status.h"

namespace vcfagent::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command AddValidateCommand(CLI::App& root);
Command AddStatsCommand(CLI::App& root);
Command AddViewCommand(CLI::App& root);
Command AddCompareCommand(CLI::App& root);
Command AddIngestCommand(CLI::App& root);
Command AddVariantsCommand(CLI::App& root);
Command AddSqlCommand(CLI::App& root);
Command AddSimilarCommand(CLI::App& root);
Command AddIndexCommand(CLI::App& root);
Command AddGraphCommand(CLI::App& root);
Command AddBackupCommand(CLI::App& root);
Command AddRestoreCommand(CLI::App& root);
Command AddAnalyzeCommand(CLI::App& root);
Command AddAskCommand(CLI::App& root);   // ask_command.cpp (the AI agent)
Command AddChatCommand(CLI::App& root);  // chat_command.cpp
Command AddServeCommand(CLI::App& root); // serve_command.cpp (the REST service)

enum class OutputFormat { kText, kJson };

// Adds "--format text|json" to a command.
void AddFormatOption(CLI::App& app, OutputFormat& format);

// Adds "--db DIR" (the variant store; default $VCF_AGENT_DB or ~/.local/share/vcf-agent/store).
void AddStoreOption(CLI::App& app, std::string& dir);
// The store directory chosen by --db or the environment.
std::string StoreDirectory(const std::string& flag_value);

// A check for a count option: a whole number from `min` to `max` ("expected a whole number from 0
// to 9223372036854775807, got '-1'"). CLI11's NonNegativeNumber would print its bound as a
// 300-digit double.
CLI::Validator WholeNumberIn(int64_t min, int64_t max);

// Prints "vcf-agent COMMAND: message" on stderr (the bcftools convention) and returns the exit
// status for `status`.
int ReportError(std::string_view command, const Status& status);

// Prints a warning in the same convention, for conditions that do not change the exit status.
void ReportWarning(std::string_view command, std::string_view message);

}  // namespace vcfagent::cli
