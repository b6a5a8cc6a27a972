// `vcf-agent chat`: an interactive conversation with the agent that keeps its history across
// turns. Reads one question per line from standard input (a terminal or a pipe); lines starting
// with '/' are commands: /tools, /usage, /reset, /exit (docs/agent.md).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/agent_session.h"
#include "util/progress.h"
#include "util/json_text.h"

namespace vcfagent::cli {
namespace {

constexpr const char* kHelp = "commands: /tools (the tools the agent may use), /usage (tokens and cost so far), "
                              "/reset (forget the conversation), /exit";

void PrintTools(const AgentSession& session) {
  const auto& allowed = session.options.allowed_tools;
  for (const auto& tool : session.tools->Definitions(allowed.empty() ? nullptr : &allowed)) {
    const std::string first_sentence = tool.description.substr(0, tool.description.find(". ") + 1);
    fmt::print("  {:<22} {}\n", tool.name, first_sentence);
  }
}

int RunChat(const AgentCommandArgs& args) {
  auto session = OpenAgentSession(args);
  if (!session.ok()) return ReportError("chat", session.status());
  const bool interactive = isatty(STDIN_FILENO) && args.format == OutputFormat::kText;
  if (interactive) {
    fmt::print("vcf-agent chat ({}); {}\n", session->provider->name(), kHelp);
  }
  std::vector<ai::ChatMessage> history;
  int exit_code = kExitOk;
  for (;;) {
    if (interactive) {
      fmt::print("> ");
      std::fflush(stdout);
    }
    std::string line;
    if (!std::getline(std::cin, line)) break;
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty()) continue;
    if (line[0] == '/') {
      if (line == "/exit" || line == "/quit") break;
      if (line == "/tools") PrintTools(*session);
      else if (line == "/usage") fmt::print("{}\n", session->ledger->Summary().empty() ? "no model calls yet" : session->ledger->Summary());
      else if (line == "/reset") {
        history.clear();
        fmt::print("conversation reset\n");
      } else {
        fmt::print("unknown command {}; {}\n", line, kHelp);
      }
      std::fflush(stdout);
      continue;
    }
    bool streamed = false;
    const ai::AgentAnswer answer = ai::RunAgent(*session->provider, *session->tools, history, line, session->options,
                                                TerminalObserver(*session, args.format, &streamed));
    if (args.format == OutputFormat::kJson) {
      fmt::print("{}\n", DumpJson(AnswerToJson(*session, answer)));
    } else {
      if (!answer.status.ok() && streamed) fmt::print("\n");
      PrintAnswerText(answer, streamed);
    }
    std::fflush(stdout);
    if (answer.status.ok()) {
      history.insert(history.end(), answer.messages.begin(), answer.messages.end());
    } else {
      // The failed turn is left out of the history: the next question starts from the last answer.
      exit_code = ReportError("chat", Redacted(session->config, answer.status));
      if (answer.stop == ai::AgentStop::kCancelled) break;
    }
  }
  if (interactive) {
    const std::string usage = session->ledger->Summary();
    if (!usage.empty()) fmt::print(stderr, "{}{}", usage, usage.back() == '\n' ? "" : "\n");
  }
  return exit_code;
}

}  // namespace

Command AddChatCommand(CLI::App& root) {
  auto args = std::make_shared<AgentCommandArgs>();
  CLI::App* app = root.add_subcommand("chat", "Talk with the AI agent about VCF files and the variant store");
  AddAgentOptions(*app, *args);
  return {app, [args] { return RunChat(*args); }};
}

}  // namespace vcfagent::cli
