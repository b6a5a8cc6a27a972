#include "cli/ai_options.h"

#include <fmt/format.h>

#include "ai/providers.h"

namespace vcfagent::cli {

void AddAiOptions(CLI::App& app, ai::AiFlags& flags) {
  app.add_option("--provider", flags.provider,
                 "AI provider: openai, anthropic or ollama; a comma-separated list is a fallback chain "
                 "(default: $VCF_AGENT_PROVIDER, the config file, else those with keys set)");
  app.add_option("--model", flags.model, "Model of the first provider (default: the configured one)");
  app.add_option("--base-url", flags.base_url,
                 "Endpoint of the first provider (an OpenAI-compatible server: http://host:8000/v1)");
  app.add_option("--config", flags.config_file,
                 "Config file (default: $VCF_AGENT_CONFIG, else ~/.config/vcf-agent/config.yaml)");
}

void AddEmbeddingOptions(CLI::App& app, EmbeddingFlags& flags, bool add_config) {
  app.add_option("--embeddings", flags.provider,
                 "Also embed every variant with a provider's embedding model (openai or ollama): a "
                 "second similarity space, `similar --space PROVIDER`")
      ->check(CLI::IsMember({"openai", "ollama"}));
  app.add_option("--embedding-model", flags.model,
                 "Embedding model (default: text-embedding-3-small for openai, nomic-embed-text for ollama)");
  if (add_config) {
    app.add_option("--config", flags.config_file,
                   "Config file (default: $VCF_AGENT_CONFIG, else ~/.config/vcf-agent/config.yaml)");
  }
}

Result<std::shared_ptr<ai::EmbeddingProvider>> MakeEmbeddingProviderFromFlags(const EmbeddingFlags& flags) {
  ai::AiFlags ai_flags;
  ai_flags.provider = flags.provider;
  ai_flags.config_file = flags.config_file;
  auto config = ai::LoadAiConfig(ai_flags);
  if (!config.ok()) return config.status();
  ai::ProviderSettings settings = config->chain.front();
  if (!flags.model.empty()) settings.embedding_model = flags.model;
  return ai::MakeEmbeddingProvider(settings);
}

nlohmann::json EmbeddingUpdateToJson(const ai::EmbeddingUpdate& update) {
  return {{"space", update.space},       {"dimension", update.dimension},
          {"variants", update.indexed},  {"added", update.added},
          {"requests", update.requests}, {"input_tokens", update.usage.input_tokens},
          {"seconds", update.seconds}};
}

void PrintEmbeddingUpdate(const nlohmann::json& update) {
  fmt::print("embeddings {}: {} variants ({} added, dimension {}, {} requests, {} tokens) in {:.1f} s\n",
             update["space"].get<std::string>(), update["variants"].get<int64_t>(),
             update["added"].get<int64_t>(), update["dimension"].get<size_t>(),
             update["requests"].get<int64_t>(), update["input_tokens"].get<int64_t>(),
             update["seconds"].get<double>());
}

}  // namespace vcfagent::cli
