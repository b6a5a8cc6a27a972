// The agent loop: a language model answering a question by calling the library's tools.
//
// Contract:
// - Each step sends the system prompt (prompts.h), the conversation so far and the definitions of
//   the tools allowed in this run, then runs every tool call the model asks for and sends the
//   results back as tool-result messages (never as system or user text: content from files is
//   data, not instructions). The loop ends when the model answers without calling a tool.
// - Every call is checked before anything runs: an unknown tool gets an error result naming the
//   available tools; a tool outside the run's allowed set is refused (not run); arguments that do
//   not parse or break the tool's schema get an error result with the violations. The model can
//   then correct itself.
// - Bounds: model calls (max_steps), wall time (max_seconds) and tokens (max_tokens, input plus
//   output). When one runs out the run stops with that reason and an error Status; the answer text
//   is then empty, never made up. Provider failures and Ctrl-C stop the run the same way.
// - Grounding: after the answer, the variant ids (chrom:pos:ref:alt, rsIDs) and sample names that
//   occur in the tool results are matched against the answer: those it cites are its `sources`,
//   and variant-like ids in the answer that no tool result contained are `unverified`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/chat.h"
#include "ai/provider_config.h"
#include "ai/tools.h"
#include "util/status.h"

namespace vcfagent::ai {

struct ToolRun {
  std::string call_id;
  std::string name;
  nlohmann::json arguments;  // null when the model's arguments did not parse
  bool ok = false;
  bool refused = false;  // outside the allowed set, or unknown: not run
  std::string error;
  std::string summary;
  double seconds = 0;
  size_t bytes = 0;
  bool truncated = false;
};

enum class AgentStop {
  kAnswered,
  kMaxSteps,
  kMaxSeconds,
  kMaxTokens,
  kModelMaxTokens,  // the model's answer was cut by its output limit
  kProviderError,
  kCancelled,
};
std::string_view ToString(AgentStop stop);  // "answered", "max_steps", ...

struct Grounding {
  // Variant ids (chrom:pos:ref:alt or rsIDs) and sample names from tool results that the answer cites.
  std::vector<std::string> source_variants;
  std::vector<std::string> source_samples;
  // Variant-like ids in the answer that no tool result contained: the user should check them.
  std::vector<std::string> unverified;
};

struct AgentAnswer {
  std::string text;  // the final answer ("" unless stop == kAnswered or kModelMaxTokens)
  std::vector<ToolRun> tool_runs;
  TokenUsage usage;
  int steps = 0;  // model calls made
  AgentStop stop = AgentStop::kAnswered;
  Status status;  // ok when answered; otherwise why the run stopped
  Grounding grounding;
  std::string provider, model;  // of the last answer
  std::string prompt_version;
  // The messages this turn added (the question, tool calls and results, the answer): append them to
  // the history to continue the conversation.
  std::vector<ChatMessage> messages;
};

struct AgentObserver {
  std::function<void(std::string_view text)> on_text;  // streamed answer text
  std::function<void(const ToolCall& call)> on_tool_start;
  std::function<void(const ToolRun& run)> on_tool_end;
};

struct AgentOptions {
  AgentLimits limits;
  // Tools the model may use in this run (empty: every registered tool).
  std::vector<std::string> allowed_tools;
  std::string model;  // empty: the provider's default
  bool stream = true;
  std::vector<std::string> files;  // named in the system prompt
};

// `history` holds earlier turns (no system message: the prompt is added here).
AgentAnswer RunAgent(ChatProvider& provider, ToolRegistry& tools, const std::vector<ChatMessage>& history,
                     const std::string& question, const AgentOptions& options,
                     const AgentObserver& observer = {});

// The grounding of `answer` in the tool-result messages of `messages`.
Grounding GroundAnswer(const std::string& answer, const std::vector<ChatMessage>& messages);

}  // namespace vcfagent::ai
