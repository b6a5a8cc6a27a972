// The configured providers as one: a fallback chain, and the ledger of what they cost.
//
// ProviderChain tries its providers in order. A provider that fails (after its own retries, or at
// once when its circuit breaker is open) hands the request to the next; the first answer wins.
// The exception: once a provider has streamed text to the terminal, its failure is final, since
// another provider's answer would be printed after half of the first one. When every provider
// fails, the error names each one's reason. ChatRequest::model is meant for the first provider
// only: model names are provider-specific, so the others always use their configured model.
//
// UsageLedger counts calls, failures, tokens and cost per provider and model (prices per million
// tokens from AiConfig::prices, matched by the longest prefix so "gpt-4o-mini-2024-07-18" is
// priced as "gpt-4o-mini"). It is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/chat.h"
#include "ai/provider_config.h"

namespace vcfagent::ai {

class UsageLedger {
 public:
  explicit UsageLedger(std::map<std::string, ModelPrice> prices = {});

  void RecordSuccess(const std::string& provider, const std::string& model, const TokenUsage& usage);
  void RecordFailure(const std::string& provider, FailureClass failure);

  struct Entry {
    std::string provider;
    std::string model;
    int64_t calls = 0;
    TokenUsage usage;
    bool priced = false;  // a price is known for the model
    double cost_usd = 0;
  };
  std::vector<Entry> Entries() const;  // by provider, then model
  std::map<std::string, std::map<std::string, int64_t>> Failures() const;  // provider -> class -> n
  TokenUsage Total() const;
  double TotalCostUsd() const;

  nlohmann::json ToJson() const;
  // One line per provider and model, e.g.
  // "openai gpt-4o-mini: 3 calls, 1520 input + 212 output tokens, $0.000355".
  std::string Summary() const;

 private:
  std::optional<ModelPrice> PriceOf(const std::string& model) const;

  std::map<std::string, ModelPrice> prices_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  std::map<std::string, std::map<std::string, int64_t>> failures_;
};

class ProviderChain : public ChatProvider {
 public:
  ProviderChain(std::vector<std::shared_ptr<ChatProvider>> providers, UsageLedger* ledger);

  std::string name() const override;
  std::string default_model() const override;
  Result<ChatResponse> Chat(const ChatRequest& request, const TextHandler& on_text = {},
                            CallReport* report = nullptr) override;

 private:
  std::vector<std::shared_ptr<ChatProvider>> providers_;
  UsageLedger* ledger_;  // may be null
};

// Builds every provider of config.chain (providers.h) and chains them. Usage error when the chain
// is empty: the message says how to configure a provider.
Result<std::shared_ptr<ChatProvider>> MakeProviderChain(const AiConfig& config, UsageLedger* ledger);

// The message for "no provider is configured", naming the flags and variables that configure one.
std::string NoProviderMessage();

}  // namespace vcfagent::ai
