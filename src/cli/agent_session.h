// What `vcf-agent ask` and `vcf-agent chat` share: their options, the provider chain and tool
// registry they build from them, and how a turn's tool runs, sources and usage are shown.
//
// Output convention: the answer (streamed as it arrives) and its sources go to stdout; tool runs
// ("tool variants {genes: [BRCA2]} -> 12 rows, 3 ms"), usage and errors go to stderr. Every message
// that could carry provider text passes through RedactSecrets first.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/agent.h"
#include "ai/provider_chain.h"
#include "ai/provider_config.h"
#include "ai/tools.h"
#include "cli/command.h"

namespace vcfagent::cli {

struct AgentCommandArgs {
  std::string db;
  ai::AiFlags flags;
  std::string tools;  // comma-separated allowlist ("" = all)
  int max_steps = 0;  // 0 = the configuration's limit
  OutputFormat format = OutputFormat::kText;
  std::vector<std::string> files;
  std::vector<std::string> allowed_dirs;
};

// Adds the options both commands take (not the question).
void AddAgentOptions(CLI::App& app, AgentCommandArgs& args);

// A ready session: configuration, provider chain, usage ledger and tools.
struct AgentSession {
  ai::AiConfig config;
  std::unique_ptr<ai::UsageLedger> ledger;
  std::shared_ptr<ai::ChatProvider> provider;
  std::unique_ptr<ai::ToolRegistry> tools;
  ai::AgentOptions options;
};

// Builds the session; a Usage error when no provider is configured (the message says how), the
// store is missing, or --tools names an unknown tool.
Result<AgentSession> OpenAgentSession(const AgentCommandArgs& args);

// The same from an already loaded configuration (the REST service builds one per question).
struct AgentSessionInputs {
  std::optional<std::string> store_dir;  // nullopt: no store tools
  std::vector<std::string> files;        // files the tools may read (named in the prompt)
  std::vector<std::string> allowed_dirs; // directories whose VCF/BCF files the tools may read
  std::vector<std::string> tools;        // allowlist ("" entries ignored; empty: all)
  int max_steps = 0;                     // 0: the configuration's limit
  bool stream = false;                   // ask the provider to stream text deltas
};
Result<AgentSession> OpenAgentSession(ai::AiConfig config, const AgentSessionInputs& inputs);

// Observer printing tool runs to stderr and (text format) streaming the answer to stdout.
// `streamed` is set when any text was printed.
ai::AgentObserver TerminalObserver(const AgentSession& session, OutputFormat format, bool* streamed);

// Text: finishes the streamed answer (or prints it) and lists sources and unverified ids.
void PrintAnswerText(const ai::AgentAnswer& answer, bool streamed);
// The JSON document of one answer: answer, stop_reason, steps, tool_runs, sources, unverified,
// usage (the session's ledger so far), prompt_version, error.
nlohmann::json AnswerToJson(const AgentSession& session, const ai::AgentAnswer& answer);

// `status` with every configured key removed from its message.
Status Redacted(const ai::AiConfig& config, const Status& status);

// "tool variants {genes: [BRCA2]} -> 12 rows, 3 ms"
std::string DescribeToolRun(const ai::ToolRun& run);

}  // namespace vcfagent::cli
