#include "ai/report/interpretation_runner.h"

#include "ai/provider_chain.h"
#include "ai/report/interpretation.h"

namespace vcfagent::ai::report {

Result<InterpretationSetup> SetUpInterpretation(const AiFlags& flags, const EnvironmentLookup& env) {
  auto config = LoadAiConfig(flags, env);
  if (!config.ok()) return config.status();
  InterpretationSetup setup;
  setup.config = std::move(*config);
  if (setup.config.chain.empty()) return setup;
  setup.ledger = std::make_shared<UsageLedger>(setup.config.prices);
  auto provider = MakeProviderChain(setup.config, setup.ledger.get());
  if (!provider.ok()) return Status(provider.status()).WithContext("--ai");
  setup.provider = std::move(*provider);
  return setup;
}

nlohmann::json RunInterpretation(const InterpretationSetup& setup, const nlohmann::json& facts) {
  if (!setup.provider) {
    return NoInterpretation("no provider configured: use --provider, VCF_AGENT_PROVIDER or the config file");
  }
  nlohmann::json out = Interpret(*setup.provider, facts);
  if (setup.ledger) out["usage_by_model"] = setup.ledger->ToJson();
  // Provider messages are redacted at the source; this is the belt to those braces.
  for (const char* key : {"statement", "error"}) {
    if (out.contains(key) && out[key].is_string()) out[key] = RedactSecrets(setup.config, out[key].get<std::string>());
  }
  return out;
}

}  // namespace vcfagent::ai::report
