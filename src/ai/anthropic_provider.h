// AnthropicProvider: the Anthropic Messages API.
//
// Contract:
// - POST {base_url}/v1/messages with x-api-key, anthropic-version (from the settings) and
//   content-type. System messages become the top-level "system"; an assistant's text and tool
//   calls become text and tool_use {id,name,input} blocks; tool results become a user message of
//   tool_result {tool_use_id, content, is_error} blocks (consecutive ones merged into one message,
//   as the API wants roles to alternate). Tools go as [{name, description, input_schema}];
//   max_tokens is always sent (the API requires it).
// - response_schema: the API has no JSON mode, so the schema goes into the system prompt with the
//   instruction to answer with one JSON object only; the caller validates the answer.
// - Streaming reads the SSE events message_start, content_block_start/delta/stop (text_delta,
//   input_json_delta), message_delta (stop_reason, output tokens), message_stop, ping; an
//   `event: error` mid-stream (e.g. overloaded_error) fails the call.
// - No embeddings: Anthropic has no embeddings API.
// - Retries (529 overloaded is transient), breaker and error messages: provider_http.h.
#pragma once

#include <string>

#include "ai/chat.h"
#include "ai/provider_config.h"
#include "ai/provider_http.h"

namespace vcfagent::ai {

class AnthropicProvider : public ChatProvider {
 public:
  explicit AnthropicProvider(ProviderSettings settings);

  std::string name() const override { return "anthropic"; }
  std::string default_model() const override;
  Result<ChatResponse> Chat(const ChatRequest& request, const TextHandler& on_text = {},
                            CallReport* report = nullptr) override;

  // The JSON body Chat() sends for `request`.
  nlohmann::json BuildChatBody(const ChatRequest& request) const;

 private:
  std::string base_url_;
  ProviderExchange exchange_;
};

}  // namespace vcfagent::ai
