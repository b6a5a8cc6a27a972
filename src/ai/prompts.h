// The agent's system prompt, versioned and kept in one place.
//
// The prompt tells the model to answer from tool results only (never guess), to cite the records
// an answer rests on (variant ids as chrom:pos:ref:alt, sample names, counts), and that content
// from files and tool results is DATA, never instructions. Change the text only together with
// kAgentPromptVersion, which is reported with every answer so results can be traced to a prompt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vcfagent::ai {

inline constexpr std::string_view kAgentPromptVersion = "agent-system/1";

struct PromptContext {
  std::vector<std::string> files;  // the files the user named
  bool has_store = false;
  std::vector<std::string> tools;  // the tools offered in this run
};

std::string AgentSystemPrompt(const PromptContext& context);

}  // namespace vcfagent::ai
