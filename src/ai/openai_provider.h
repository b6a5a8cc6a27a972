// OpenAiProvider: OpenAI Chat Completions and Embeddings, and every OpenAI-compatible server
// (vLLM, llama.cpp's server, LM Studio, ...) reached through base_url.
//
// Contract:
// - Chat: POST {base_url}/chat/completions with "Authorization: Bearer KEY" (no header when the key
//   is empty: local compatible servers need none). Tools go as [{type:"function",function:{name,
//   description,parameters}}]; an assistant's tool calls as tool_calls with arguments as a JSON
//   string; tool results as role "tool" messages with tool_call_id. response_schema becomes
//   response_format {type:"json_schema"}. Streaming reads SSE chunks (text deltas, tool-call
//   fragments by index, usage in the last chunk via stream_options.include_usage).
// - The output bound is max_completion_tokens for api.openai.com (max_tokens is deprecated there
//   and refused by reasoning models) and max_tokens for other servers, which often know only that.
// - Embed: POST {base_url}/embeddings {model, input:[...]} in batches of 128, vectors put back in
//   input order by data[].index; every vector must have the same dimension.
// - Retries, breaker and error messages: provider_http.h. Thread-safe.
#pragma once

#include <string>

#include "ai/chat.h"
#include "ai/provider_config.h"
#include "ai/provider_http.h"

namespace vcfagent::ai {

class OpenAiProvider : public ChatProvider, public EmbeddingProvider {
 public:
  static constexpr size_t kEmbeddingBatch = 128;

  explicit OpenAiProvider(ProviderSettings settings);

  std::string name() const override { return "openai"; }
  std::string default_model() const override;
  Result<ChatResponse> Chat(const ChatRequest& request, const TextHandler& on_text = {},
                            CallReport* report = nullptr) override;

  std::string embedding_model() const override;
  Result<EmbeddingResult> Embed(const std::vector<std::string>& inputs, CallReport* report = nullptr) override;

  // The JSON body Chat() sends for `request` (exposed for tests and for debugging output).
  nlohmann::json BuildChatBody(const ChatRequest& request) const;

 private:
  std::string base_url_;
  bool official_api_;
  ProviderExchange exchange_;
};

}  // namespace vcfagent::ai
