// `vcf-agent ask`: one question answered by the agent over the named files and the store
// (docs/agent.md).
#include <fmt/format.h>

#include "cli/agent_session.h"
#include "util/json_text.h"

namespace vcfagent::cli {
namespace {

struct AskArgs {
  std::string question;
  AgentCommandArgs agent;
};

int RunAsk(const AskArgs& args) {
  auto session = OpenAgentSession(args.agent);
  if (!session.ok()) return ReportError("ask", session.status());
  bool streamed = false;
  const OutputFormat format = args.agent.format;
  const ai::AgentAnswer answer = ai::RunAgent(*session->provider, *session->tools, {}, args.question,
                                              session->options, TerminalObserver(*session, format, &streamed));
  if (format == OutputFormat::kJson) {
    fmt::print("{}\n", DumpJson(AnswerToJson(*session, answer), 2));
  } else {
    if (!answer.status.ok() && streamed) fmt::print("\n");
    PrintAnswerText(answer, streamed);
    const std::string usage = session->ledger->Summary();
    if (!usage.empty()) fmt::print(stderr, "{}{}", usage, usage.back() == '\n' ? "" : "\n");
  }
  return ReportError("ask", Redacted(session->config, answer.status));
}

}  // namespace

Command AddAskCommand(CLI::App& root) {
  auto args = std::make_shared<AskArgs>();
  CLI::App* app = root.add_subcommand("ask", "Ask the AI agent a question about VCF files and the variant store");
  app->add_option("question", args->question, "The question")->required();
  AddAgentOptions(*app, args->agent);
  return {app, [args] { return RunAsk(*args); }};
}

}  // namespace vcfagent::cli
