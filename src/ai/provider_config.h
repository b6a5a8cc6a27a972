// AI configuration: which providers to use, in which fallback order, with which models, keys,
// endpoints, time limits and prices.
//
// Sources, highest precedence first: command-line flags, environment, the config file, defaults.
// - Environment: each provider's standard variables (OPENAI_API_KEY, OPENAI_BASE_URL,
//   ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OLLAMA_HOST) and the container-secrets convention
//   (OPENAI_API_KEY_FILE, ANTHROPIC_API_KEY_FILE: the key is the file's content, trimmed), plus
//   VCF_AGENT_PROVIDER (the chain, e.g. "ollama,openai") and VCF_AGENT_CONFIG (the file).
// - Config file (YAML): --config FILE, else $VCF_AGENT_CONFIG, else ~/.config/vcf-agent/config.yaml
//   when it exists. docs/agent.md describes its keys. A key is never read from the file itself,
//   only from a file it names (api_key_file), so the config can be shared.
// - A key given both directly and as a file is a usage error naming both sources.
//
// Keys are held as Secret: they print as "[redacted]", and RedactSecrets() removes every
// configured key from any text (error bodies from providers may echo part of one).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace vcfagent::ai {

// A credential that cannot be printed by accident.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  // The only way to the value: for building request headers.
  const std::string& reveal() const { return value_; }
  std::string ToString() const { return value_.empty() ? "" : "[redacted]"; }

 private:
  std::string value_;
};

enum class ProviderKind { kOpenAi, kAnthropic, kOllama };
std::string_view ToString(ProviderKind kind);  // "openai", "anthropic", "ollama"
Result<ProviderKind> ParseProviderKind(const std::string& text);

struct ProviderSettings {
  ProviderKind kind = ProviderKind::kOpenAi;
  // Endpoint root: https://api.openai.com/v1 (any OpenAI-compatible server's .../v1),
  // https://api.anthropic.com, http://localhost:11434 (Ollama).
  std::string base_url;
  Secret api_key;  // not needed by Ollama
  std::string model;
  std::string embedding_model;
  double timeout_seconds = 120;        // whole request, streaming included
  double connect_timeout_seconds = 10;
  int max_retries = 3;                 // after the first attempt, on transient failures only
  double backoff_initial_seconds = 1;  // doubled each retry, with jitter, capped by backoff_max
  double backoff_max_seconds = 30;     // also caps a server's Retry-After
  int breaker_failures = 5;            // consecutive failed calls that open the circuit
  double breaker_cooldown_seconds = 30;  // open time before one trial call is let through
  std::string anthropic_version = "2023-06-01";
};

// Bounds of one agent run.
struct AgentLimits {
  int max_steps = 12;                   // model calls
  double max_seconds = 300;             // wall time
  int64_t max_tokens = 200000;          // input + output over the run
  size_t tool_result_bytes = 16000;     // a tool result longer than this is cut, with a note
};

// US dollars per million tokens.
struct ModelPrice {
  double input_per_mtok = 0;
  double output_per_mtok = 0;
};

struct AiConfig {
  // The providers to try, in order (the first that answers wins).
  std::vector<ProviderSettings> chain;
  AgentLimits limits;
  // Prices by model name; models not listed cost 0 (e.g. local Ollama models) and are reported
  // as unpriced.
  std::map<std::string, ModelPrice> prices;
  std::string config_file;  // the file that was read ("" if none)
};

struct AiFlags {
  std::string provider;    // --provider: one name or a comma-separated chain
  std::string model;       // --model: for the first provider of the chain
  std::string base_url;    // --base-url: for the first provider of the chain
  std::string config_file; // --config
};

// Looks up an environment variable (std::getenv in the product; a map in tests).
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvironmentLookup ProcessEnvironment();

// Builds the configuration. With no provider named anywhere, the chain is empty (no AI): callers
// decide whether that is an error (ask, chat) or a plain statement (analyze without --ai).
Result<AiConfig> LoadAiConfig(const AiFlags& flags, const EnvironmentLookup& env = ProcessEnvironment());

// Replaces every configured key (and any "sk-..."/"sk-ant-..." token) in `text` by "[redacted]".
std::string RedactSecrets(const AiConfig& config, std::string text);

}  // namespace vcfagent::ai
