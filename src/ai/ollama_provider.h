// OllamaProvider: a local or remote Ollama server's /api/chat and /api/embed.
//
// Contract:
// - Chat: POST {base_url}/api/chat {model, messages, tools [{type:"function",function:{...}}],
//   stream, options:{temperature, num_predict}, format: SCHEMA when response_schema is set}. No key.
//   Ollama's tool calls carry arguments as an object and no ids: ids "call_N" are generated, unique
//   per provider object. Tool results are role "tool" messages with tool_name.
// - Streaming is NDJSON: one object per line with message.content pieces (tool calls arrive whole
//   in one line), ending with done:true, done_reason, prompt_eval_count and eval_count; a line
//   {"error":"..."} fails the call.
// - Embed: POST {base_url}/api/embed {model, input:[...]} in batches of 128 -> embeddings[[...]].
// - base_url comes from OLLAMA_HOST in the configuration and may lack a scheme ("host:port" or
//   "host": http:// and Ollama's port 11434 are assumed), see NormalizeOllamaUrl.
#pragma once

#include <atomic>
#include <string>

#include "ai/chat.h"
#include "ai/provider_config.h"
#include "ai/provider_http.h"

namespace vcfagent::ai {

// "localhost:11434" -> "http://localhost:11434"; "gpu-box" -> "http://gpu-box:11434";
// "" -> "http://localhost:11434"; a URL with a scheme is kept (trailing '/' removed).
std::string NormalizeOllamaUrl(const std::string& host);

class OllamaProvider : public ChatProvider, public EmbeddingProvider {
 public:
  static constexpr size_t kEmbeddingBatch = 128;

  explicit OllamaProvider(ProviderSettings settings);

  std::string name() const override { return "ollama"; }
  std::string default_model() const override;
  Result<ChatResponse> Chat(const ChatRequest& request, const TextHandler& on_text = {},
                            CallReport* report = nullptr) override;

  std::string embedding_model() const override;
  Result<EmbeddingResult> Embed(const std::vector<std::string>& inputs, CallReport* report = nullptr) override;

  // The JSON body Chat() sends for `request`.
  nlohmann::json BuildChatBody(const ChatRequest& request) const;
  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  ProviderExchange exchange_;
  std::atomic<int64_t> next_call_id_{1};
};

}  // namespace vcfagent::ai
