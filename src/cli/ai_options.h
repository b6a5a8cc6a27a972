// Command-line options shared by the commands that talk to AI providers (ask, chat, analyze --ai,
// ingest/index --embeddings): --provider, --model, --base-url, --config, and the provider objects
// built from them (src/ai/provider_config.h has the precedence rules).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "CLI/CLI.hpp"
#include "ai/chat.h"
#include "ai/provider_config.h"
#include "ai/variant_embeddings.h"
#include "util/status.h"

namespace vcfagent::cli {

// Adds --provider, --model, --base-url and --config to `app`.
void AddAiOptions(CLI::App& app, ai::AiFlags& flags);

struct EmbeddingFlags {
  std::string provider;  // --embeddings openai|ollama
  std::string model;     // --embedding-model
  std::string config_file;
};
// Adds --embeddings, --embedding-model and --config (unless the command has it already).
void AddEmbeddingOptions(CLI::App& app, EmbeddingFlags& flags, bool add_config = true);

// The embedding provider --embeddings names, configured from the environment and config file.
Result<std::shared_ptr<ai::EmbeddingProvider>> MakeEmbeddingProviderFromFlags(const EmbeddingFlags& flags);

// The outcome of an embedding update as JSON, and as the text line ingest and index print.
nlohmann::json EmbeddingUpdateToJson(const ai::EmbeddingUpdate& update);
void PrintEmbeddingUpdate(const nlohmann::json& update);

}  // namespace vcfagent::cli
