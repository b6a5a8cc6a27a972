// The provider factory: from complete ProviderSettings to a ChatProvider or EmbeddingProvider.
//
// Contract:
// - OpenAI needs a key when it talks to api.openai.com; an OpenAI-compatible server elsewhere
//   (vLLM, llama.cpp, LM Studio) may run without one. Anthropic always needs a key. Ollama needs
//   none. A missing key is a usage error naming the variables that provide it.
// - base_url must be an http:// or https:// URL (Ollama also takes OLLAMA_HOST's "host:port").
// - Anthropic has no embeddings API: asking it for embeddings is a usage error.
// - Each call makes a new provider object with its own circuit breaker; callers keep the object
//   for the run so the breaker sees every call.
#pragma once

#include <memory>

#include "ai/chat.h"
#include "ai/provider_config.h"

namespace vcfagent::ai {

Result<std::shared_ptr<ChatProvider>> MakeChatProvider(const ProviderSettings& settings);
Result<std::shared_ptr<EmbeddingProvider>> MakeEmbeddingProvider(const ProviderSettings& settings);

}  // namespace vcfagent::ai
