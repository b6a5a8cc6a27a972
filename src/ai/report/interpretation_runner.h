// The analyze command's AI set-up: from --provider/--model/--base-url/--config, the environment
// and the config file (ai::LoadAiConfig) to the provider that writes the interpretation.
//
// Contract:
// - A configuration error (a bad provider name, a key given twice, an unreadable config file) is
//   a Status, reported before the file is read.
// - No provider configured anywhere is not an error for analyze: the report says plainly that no
//   AI interpretation was made and why.
// - The configured chain answers (ai::MakeProviderChain: each provider with its own retries and
//   circuit breaker, then the next on failure); tokens and cost per model go in the report. Keys never appear in the report: provider errors are redacted
//   by the providers and once more here with ai::RedactSecrets.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ai/chat.h"
#include "ai/provider_chain.h"
#include "ai/provider_config.h"
#include "util/status.h"

namespace vcfagent::ai::report {

struct InterpretationSetup {
  AiConfig config;
  std::shared_ptr<ChatProvider> provider;  // null when no provider is configured
  std::shared_ptr<UsageLedger> ledger;
};

Result<InterpretationSetup> SetUpInterpretation(const AiFlags& flags,
                                                const EnvironmentLookup& env = ProcessEnvironment());

// The report's "interpretation" object (interpretation.h).
nlohmann::json RunInterpretation(const InterpretationSetup& setup, const nlohmann::json& facts);

}  // namespace vcfagent::ai::report
