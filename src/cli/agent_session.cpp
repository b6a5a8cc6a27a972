#include "cli/agent_session.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <sstream>

#include "cli/ai_options.h"
#include "store/store.h"
#include "util/json_text.h"

namespace vcfagent::cli {
namespace {

using nlohmann::json;

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// The store: --db, else $VCF_AGENT_DB, else the default directory when a store exists there.
Result<std::optional<std::string>> ChooseStore(const std::string& flag) {
  namespace fs = std::filesystem;
  const bool named = !flag.empty() || std::getenv("VCF_AGENT_DB");
  const std::string dir = StoreDirectory(flag);
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "store.sqlite", ec)) return std::optional<std::string>(dir);
  if (named) {
    return Status::Usage(fmt::format("no variant store at {} (create one with `vcf-agent ingest FILE --db {}`)", dir, dir));
  }
  return std::optional<std::string>();
}

// {genes: [BRCA2], limit: 5}: the arguments as a person reads them.
std::string CompactArguments(const json& args) {
  if (args.is_null()) return "(unparsable arguments)";
  std::function<std::string(const json&)> render = [&](const json& v) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      std::vector<std::string> items;
      for (const auto& item : v) items.push_back(render(item));
      return fmt::format("[{}]", fmt::join(items, ", "));
    }
    if (v.is_object()) {
      std::vector<std::string> items;
      for (const auto& [key, value] : v.items()) items.push_back(key + ": " + render(value));
      return fmt::format("{{{}}}", fmt::join(items, ", "));
    }
    return DumpJson(v);
  };
  std::string text = render(args);
  if (text.size() > 160) text = text.substr(0, 157) + "...";
  return text;
}

std::string Duration(double seconds) {
  return seconds < 1 ? fmt::format("{} ms", static_cast<int64_t>(seconds * 1000 + 0.5)) : fmt::format("{:.1f} s", seconds);
}

}  // namespace

void AddAgentOptions(CLI::App& app, AgentCommandArgs& args) {
  app.add_option("files", args.files, "VCF/BCF files the agent may read")->check(CLI::ExistingFile);
  AddStoreOption(app, args.db);
  AddAiOptions(app, args.flags);
  app.add_option("--tools", args.tools, "Only these tools (comma-separated; default: all)")->option_text("LIST");
  app.add_option("--max-steps", args.max_steps, "Model calls per question (default 12)")->check(CLI::Range(1, 100));
  app.add_option("--allow-dir", args.allowed_dirs, "Also let the agent read VCF/BCF files under DIR")
      ->check(CLI::ExistingDirectory);
  AddFormatOption(app, args.format);
}

Result<AgentSession> OpenAgentSession(const AgentCommandArgs& args) {
  auto config = ai::LoadAiConfig(args.flags);
  if (!config.ok()) return config.status();
  if (config->chain.empty()) return Status::Usage(ai::NoProviderMessage());
  auto store = ChooseStore(args.db);
  if (!store.ok()) return store.status();
  AgentSessionInputs inputs;
  inputs.store_dir = *store;
  inputs.files = args.files;
  inputs.allowed_dirs = args.allowed_dirs;
  inputs.tools = SplitList(args.tools);
  inputs.max_steps = args.max_steps;
  inputs.stream = args.format == OutputFormat::kText;
  return OpenAgentSession(std::move(config).value(), inputs);
}

Result<AgentSession> OpenAgentSession(ai::AiConfig config, const AgentSessionInputs& inputs) {
  AgentSession session;
  session.config = std::move(config);
  if (session.config.chain.empty()) return Status::Usage(ai::NoProviderMessage());
  session.ledger = std::make_unique<ai::UsageLedger>(session.config.prices);
  auto provider = ai::MakeProviderChain(session.config, session.ledger.get());
  if (!provider.ok()) return provider.status();
  session.provider = std::move(provider).value();

  session.tools = std::make_unique<ai::ToolRegistry>(ai::ToolContext(inputs.store_dir, inputs.files, inputs.allowed_dirs));
  VCFAGENT_RETURN_IF_ERROR(ai::RegisterLibraryTools(*session.tools));

  session.options.limits = session.config.limits;
  if (inputs.max_steps > 0) session.options.limits.max_steps = inputs.max_steps;
  session.options.files = inputs.files;
  session.options.stream = inputs.stream;
  for (const auto& name : inputs.tools) {
    if (name.empty()) continue;
    if (!session.tools->Find(name)) {
      const bool store_tool = !inputs.store_dir.has_value() &&
                              (name.rfind("graph_", 0) == 0 || name == "variants" || name == "similar" ||
                               name == "sql" || name == "list_samples" || name == "store_summary");
      return Status::Usage(fmt::format("--tools: unknown tool \"{}\"{}; available: {}", name,
                                       store_tool ? " (store tools need --db)" : "",
                                       fmt::join(session.tools->Names(), ", ")));
    }
    session.options.allowed_tools.push_back(name);
  }
  return session;
}

Status Redacted(const ai::AiConfig& config, const Status& status) {
  std::string message = ai::RedactSecrets(config, status.message());
  switch (status.kind()) {
    case ErrorKind::kOk: return Status::Ok();
    case ErrorKind::kInvalidInput: return Status::InvalidInput(std::move(message));
    case ErrorKind::kUsage: return Status::Usage(std::move(message));
    case ErrorKind::kIo: return Status::IoError(std::move(message));
    case ErrorKind::kCancelled: return Status::Cancelled(std::move(message));
    case ErrorKind::kInternal: return Status::Internal(std::move(message));
  }
  return status;
}

std::string DescribeToolRun(const ai::ToolRun& run) {
  std::string outcome = run.refused ? "refused: " + run.error : run.ok ? run.summary : "error: " + run.error;
  outcome = outcome.substr(0, outcome.find('\n'));
  return fmt::format("tool {} {} -> {}, {}", run.name, CompactArguments(run.arguments), outcome, Duration(run.seconds));
}

ai::AgentObserver TerminalObserver(const AgentSession& session, OutputFormat format, bool* streamed) {
  ai::AgentObserver observer;
  const ai::AiConfig* config = &session.config;
  if (format == OutputFormat::kText) {
    observer.on_text = [streamed](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      *streamed = *streamed || !text.empty();
    };
  }
  observer.on_tool_end = [config, streamed, format](const ai::ToolRun& run) {
    if (format == OutputFormat::kText && *streamed) {
      std::fputc('\n', stdout);  // text streamed before the call ends its line
      std::fflush(stdout);
      *streamed = false;
    }
    fmt::print(stderr, "{}\n", ai::RedactSecrets(*config, DescribeToolRun(run)));
  };
  return observer;
}

void PrintAnswerText(const ai::AgentAnswer& answer, bool streamed) {
  if (!answer.text.empty()) {
    // Streamed text is only the final answer when nothing else was printed after a tool call.
    if (!streamed) fmt::print("{}", answer.text);
    if (answer.text.back() != '\n') fmt::print("\n");
  }
  const auto& g = answer.grounding;
  if (!g.source_variants.empty() || !g.source_samples.empty()) {
    fmt::print("\nSources (from tool results):");
    if (!g.source_variants.empty()) fmt::print(" variants {}", fmt::join(g.source_variants, ", "));
    if (!g.source_variants.empty() && !g.source_samples.empty()) fmt::print(";");
    if (!g.source_samples.empty()) fmt::print(" samples {}", fmt::join(g.source_samples, ", "));
    fmt::print("\n");
  }
  if (!g.unverified.empty()) {
    fmt::print("Unverified (in no tool result, check before use): {}\n", fmt::join(g.unverified, ", "));
  }
  std::fflush(stdout);
}

json AnswerToJson(const AgentSession& session, const ai::AgentAnswer& answer) {
  json runs = json::array();
  for (const auto& run : answer.tool_runs) {
    runs.push_back({{"name", run.name},
                    {"arguments", run.arguments},
                    {"ok", run.ok},
                    {"refused", run.refused},
                    {"error", run.error.empty() ? json(nullptr) : json(ai::RedactSecrets(session.config, run.error))},
                    {"summary", run.summary},
                    {"seconds", run.seconds},
                    {"bytes", run.bytes},
                    {"truncated", run.truncated}});
  }
  const bool answered = answer.status.ok() || answer.stop == ai::AgentStop::kModelMaxTokens;
  return {{"answer", answered ? json(answer.text) : json(nullptr)},
          {"stop_reason", ai::ToString(answer.stop)},
          {"error", answer.status.ok() ? json(nullptr) : json(ai::RedactSecrets(session.config, answer.status.message()))},
          {"steps", answer.steps},
          {"tool_runs", runs},
          {"sources", {{"variants", answer.grounding.source_variants}, {"samples", answer.grounding.source_samples}}},
          {"unverified", answer.grounding.unverified},
          {"tokens", {{"input", answer.usage.input_tokens}, {"output", answer.usage.output_tokens}}},
          {"usage", session.ledger->ToJson()},
          {"provider", answer.provider},
          {"model", answer.model},
          {"prompt_version", answer.prompt_version}};
}

}  // namespace vcfagent::cli
