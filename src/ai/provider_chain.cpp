#include "ai/provider_chain.h"

#include <fmt/format.h>

#include "ai/providers.h"

namespace vcfagent::ai {

UsageLedger::UsageLedger(std::map<std::string, ModelPrice> prices) : prices_(std::move(prices)) {}

std::optional<ModelPrice> UsageLedger::PriceOf(const std::string& model) const {
  std::optional<ModelPrice> best;
  size_t best_length = 0;
  for (const auto& [name, price] : prices_) {
    if (model.starts_with(name) && name.size() > best_length) {
      best = price;
      best_length = name.size();
    }
  }
  return best;
}

void UsageLedger::RecordSuccess(const std::string& provider, const std::string& model,
                                const TokenUsage& usage) {
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[{provider, model}];
  entry.provider = provider;
  entry.model = model;
  entry.calls += 1;
  entry.usage += usage;
  if (auto price = PriceOf(model)) {
    entry.priced = true;
    entry.cost_usd = (static_cast<double>(entry.usage.input_tokens) * price->input_per_mtok +
                      static_cast<double>(entry.usage.output_tokens) * price->output_per_mtok) /
                     1e6;
  }
}

void UsageLedger::RecordFailure(const std::string& provider, FailureClass failure) {
  std::lock_guard lock(mutex_);
  failures_[provider][std::string(ToString(failure))] += 1;
}

std::vector<UsageLedger::Entry> UsageLedger::Entries() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> entries;
  for (const auto& [key, entry] : entries_) entries.push_back(entry);
  return entries;
}

std::map<std::string, std::map<std::string, int64_t>> UsageLedger::Failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

TokenUsage UsageLedger::Total() const {
  TokenUsage total;
  for (const Entry& entry : Entries()) total += entry.usage;
  return total;
}

double UsageLedger::TotalCostUsd() const {
  double total = 0;
  for (const Entry& entry : Entries()) total += entry.cost_usd;
  return total;
}

nlohmann::json UsageLedger::ToJson() const {
  nlohmann::json models = nlohmann::json::array();
  for (const Entry& e : Entries()) {
    models.push_back({{"provider", e.provider},
                      {"model", e.model},
                      {"calls", e.calls},
                      {"input_tokens", e.usage.input_tokens},
                      {"output_tokens", e.usage.output_tokens},
                      {"cost_usd", e.priced ? nlohmann::json(e.cost_usd) : nlohmann::json(nullptr)}});
  }
  const TokenUsage total = Total();
  return {{"models", models},
          {"failures", Failures()},
          {"input_tokens", total.input_tokens},
          {"output_tokens", total.output_tokens},
          {"cost_usd", TotalCostUsd()}};
}

std::string UsageLedger::Summary() const {
  std::string text;
  for (const Entry& e : Entries()) {
    text += fmt::format("{} {}: {} call{}, {} input + {} output tokens, {}\n", e.provider, e.model,
                        e.calls, e.calls == 1 ? "" : "s", e.usage.input_tokens, e.usage.output_tokens,
                        e.priced ? fmt::format("${:.6f}", e.cost_usd) : std::string("no price configured"));
  }
  for (const auto& [provider, classes] : Failures()) {
    for (const auto& [failure, count] : classes) {
      text += fmt::format("{}: {} failed call{} ({})\n", provider, count, count == 1 ? "" : "s", failure);
    }
  }
  return text;
}

ProviderChain::ProviderChain(std::vector<std::shared_ptr<ChatProvider>> providers, UsageLedger* ledger)
    : providers_(std::move(providers)), ledger_(ledger) {}

std::string ProviderChain::name() const {
  std::string name;
  for (const auto& provider : providers_) name += (name.empty() ? "" : " -> ") + provider->name();
  return name;
}

std::string ProviderChain::default_model() const {
  return providers_.empty() ? "" : providers_.front()->default_model();
}

Result<ChatResponse> ProviderChain::Chat(const ChatRequest& request, const TextHandler& on_text,
                                         CallReport* report) {
  CallReport total;
  std::vector<std::string> reasons;
  for (size_t i = 0; i < providers_.size(); ++i) {
    ChatProvider& provider = *providers_[i];
    ChatRequest attempt = request;
    if (i > 0) attempt.model.clear();
    bool streamed = false;
    TextHandler relay;
    if (on_text) {
      relay = [&](std::string_view text) {
        streamed = true;
        on_text(text);
      };
    }
    CallReport one;
    auto response = provider.Chat(attempt, relay, &one);
    total.attempts += one.attempts;
    total.http_status = one.http_status;
    total.failure = one.failure;
    total.seconds += one.seconds;
    if (response.ok()) {
      if (ledger_ != nullptr) ledger_->RecordSuccess(response->provider, response->model, response->usage);
      if (report != nullptr) *report = total;
      return response;
    }
    if (ledger_ != nullptr) ledger_->RecordFailure(provider.name(), one.failure);
    reasons.push_back(response.status().message());
    if (response.status().kind() == ErrorKind::kCancelled || streamed) {
      if (report != nullptr) *report = total;
      return response;
    }
  }
  if (report != nullptr) *report = total;
  if (reasons.size() == 1) return Status::IoError(reasons.front());
  std::string message = "every AI provider failed:";
  for (const std::string& reason : reasons) message += " [" + reason + "]";
  return Status::IoError(message);
}

std::string NoProviderMessage() {
  return "no AI provider is configured: give --provider openai|anthropic|ollama (a comma-separated "
         "list is a fallback chain), or set OPENAI_API_KEY (or OPENAI_API_KEY_FILE), "
         "ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE) or OLLAMA_HOST, or list providers under "
         "ai.providers in the config file (see docs/configuration.md)";
}

Result<std::shared_ptr<ChatProvider>> MakeProviderChain(const AiConfig& config, UsageLedger* ledger) {
  if (config.chain.empty()) return Status::Usage(NoProviderMessage());
  std::vector<std::shared_ptr<ChatProvider>> providers;
  for (const ProviderSettings& settings : config.chain) {
    auto provider = MakeChatProvider(settings);
    if (!provider.ok()) return provider.status();
    providers.push_back(std::move(provider.value()));
  }
  if (providers.size() == 1 && ledger == nullptr) return providers.front();
  return std::shared_ptr<ChatProvider>(std::make_shared<ProviderChain>(std::move(providers), ledger));
}

}  // namespace vcfagent::ai
