// The provider-neutral vocabulary of a conversation with a language model, and the ChatProvider
// interface every provider (OpenAI, Anthropic, Ollama) implements.
//
// Contract:
// - Messages, tool definitions and tool calls are neutral: each provider translates them to and
//   from its own wire format, so the agent, the tools and the report never see a provider's JSON.
// - Tool definitions carry a JSON Schema (draft 7 subset, an "object") for their arguments; the
//   same definition serves all providers.
// - Chat() returns the assistant's message (text and/or tool calls), why it stopped and the tokens
//   it used. With `stream` set, text is handed to `on_text` as it arrives and the full message is
//   still returned at the end. Tool-call arguments a model sends that are not valid JSON are kept
//   verbatim in `raw_arguments` with `arguments` null, so the agent can answer with an error.
// - Failures are a Status whose message never contains an API key; `CallReport` says what
//   happened (attempts, HTTP status, failure class) for retries, fallback and metrics.
// - A provider object may be used from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace vcfagent::ai {

enum class Role { kSystem, kUser, kAssistant, kTool };
std::string_view ToString(Role role);

struct ToolCall {
  std::string id;           // the provider's id (generated when a provider has none, e.g. Ollama)
  std::string name;
  nlohmann::json arguments;  // an object, or null when raw_arguments did not parse
  std::string raw_arguments;
};

struct ChatMessage {
  Role role = Role::kUser;
  std::string text;
  std::vector<ToolCall> tool_calls;  // kAssistant: the calls the model asked for
  // kTool: which call this message answers, and whether it reports an error.
  std::string tool_call_id;
  std::string tool_name;
  bool tool_error = false;
};

struct ToolDefinition {
  std::string name;
  std::string description;
  nlohmann::json parameters;  // JSON Schema of the arguments object
};

struct ChatRequest {
  std::string model;  // empty: the provider's configured model
  std::vector<ChatMessage> messages;
  std::vector<ToolDefinition> tools;
  int max_tokens = 4096;
  double temperature = 0;
  bool stream = false;
  // When set, asks for a JSON object answer conforming to this schema (OpenAI response_format
  // json_schema, Ollama format, Anthropic via the instructions); the caller still validates it.
  std::optional<nlohmann::json> response_schema;
  // W3C traceparent to send along (empty: none).
  std::string traceparent;
};

struct TokenUsage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  TokenUsage& operator+=(const TokenUsage& other) {
    input_tokens += other.input_tokens;
    output_tokens += other.output_tokens;
    return *this;
  }
};

enum class StopReason { kEndTurn, kToolUse, kMaxTokens, kOther };
std::string_view ToString(StopReason reason);

struct ChatResponse {
  ChatMessage message;  // role kAssistant
  StopReason stop_reason = StopReason::kEndTurn;
  TokenUsage usage;
  std::string provider;  // "openai", "anthropic", "ollama"
  std::string model;     // the model that answered, as the provider reports it
};

// Why a call failed: decides whether to retry, fall back, or stop.
enum class FailureClass {
  kNone,
  kRateLimited,   // HTTP 429
  kServer,        // HTTP 5xx (and 529 overloaded)
  kTimeout,       // no complete answer in time
  kConnection,    // could not connect / connection dropped
  kAuth,          // HTTP 401/403: a wrong or missing key
  kBadRequest,    // other HTTP 4xx: our request was refused
  kBadResponse,   // the body was not the protocol's JSON
  kCircuitOpen,   // the provider's circuit breaker is open: not called
  kNotConfigured, // no key / no endpoint
};
std::string_view ToString(FailureClass failure);
// 429, 5xx, timeouts and dropped connections may succeed on another try.
bool IsTransient(FailureClass failure);

struct CallReport {
  int attempts = 0;
  int http_status = 0;  // of the last attempt (0: none)
  FailureClass failure = FailureClass::kNone;
  double seconds = 0;   // wall time including retries
};

// Receives streamed answer text as it arrives.
using TextHandler = std::function<void(std::string_view text)>;

class ChatProvider {
 public:
  virtual ~ChatProvider() = default;
  // "openai", "anthropic", "ollama", or "a -> b" for a fallback chain.
  virtual std::string name() const = 0;
  // The model used when a request names none.
  virtual std::string default_model() const = 0;
  virtual Result<ChatResponse> Chat(const ChatRequest& request, const TextHandler& on_text = {},
                                    CallReport* report = nullptr) = 0;
};

// Providers that also compute embeddings (OpenAI /v1/embeddings, Ollama /api/embed).
struct EmbeddingResult {
  std::vector<std::vector<float>> vectors;  // one per input, in input order
  std::string model;
  TokenUsage usage;
};

class EmbeddingProvider {
 public:
  virtual ~EmbeddingProvider() = default;
  virtual std::string name() const = 0;
  virtual std::string embedding_model() const = 0;
  virtual Result<EmbeddingResult> Embed(const std::vector<std::string>& inputs,
                                        CallReport* report = nullptr) = 0;
};

}  // namespace vcfagent::ai
