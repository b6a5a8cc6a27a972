// Builders of each AI provider's REAL wire bodies, for tests that script ScriptedHttpServer.
//
// Every body here follows the provider's documented format (OpenAI Chat Completions and
// Embeddings, Anthropic Messages, Ollama /api/chat and /api/embed): the field names, nesting,
// stop reasons, streaming framing (OpenAI and Anthropic SSE, Ollama NDJSON) and error bodies a real
// server sends. Tests drive the product's real HTTP and protocol code through them, so a builder
// that drifted from the real format would let a broken provider pass: keep them faithful.
//
// Routes the providers call (relative to the server's url()):
//   OpenAI     POST /v1/chat/completions, POST /v1/embeddings   (base_url = url() + "/v1")
//   Anthropic  POST /v1/messages                               (base_url = url())
//   Ollama     POST /api/chat, POST /api/embed                 (base_url = url())
//
// This API is shared with other branches: add to it, do not change what is here.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/provider_config.h"
#include "support/scripted_http_server.h"

namespace vcfagent::testing {

inline constexpr const char* kOpenAiChatPath = "/v1/chat/completions";
inline constexpr const char* kOpenAiEmbeddingsPath = "/v1/embeddings";
inline constexpr const char* kAnthropicMessagesPath = "/v1/messages";
inline constexpr const char* kOllamaChatPath = "/api/chat";
inline constexpr const char* kOllamaEmbedPath = "/api/embed";

// Tokens a scripted answer reports.
struct WireUsage {
  int input_tokens = 11;
  int output_tokens = 7;
};

// A tool call as the model sends it. `raw_arguments`, when not empty, is sent verbatim instead of
// arguments.dump() (OpenAI and Anthropic streaming carry arguments as text, so a test can send
// arguments that are not JSON). Ollama's wire carries an object: it always sends `arguments`.
// An empty `id` gets "call_N" (OpenAI) or "toolu_N" (Anthropic); Ollama sends no ids.
struct WireToolCall {
  std::string id;
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
  std::string raw_arguments;
};

// A whole body streamed as server-sent events (text/event-stream) or NDJSON lines.
ScriptedResponse SseResponse(std::vector<std::string> events, double chunk_delay_seconds = 0);
ScriptedResponse NdjsonResponse(std::vector<std::string> lines, double chunk_delay_seconds = 0);

// Splits `text` into `pieces` consecutive fragments of about equal size (at least one byte each).
std::vector<std::string> SplitIntoPieces(const std::string& text, int pieces);

// ---- OpenAI Chat Completions -------------------------------------------------------------------
// A chat.completion object whose message is `text` (finish_reason "stop", or as given).
std::string OpenAiCompletionBody(const std::string& text, WireUsage usage = {},
                                 const std::string& finish_reason = "stop",
                                 const std::string& model = "gpt-4o-mini-2024-07-18");
// A chat.completion whose message carries tool_calls (content null, finish_reason "tool_calls").
std::string OpenAiToolCallBody(const std::vector<WireToolCall>& calls, WireUsage usage = {},
                               const std::string& model = "gpt-4o-mini-2024-07-18");
ScriptedResponse OpenAiTextResponse(const std::string& text, WireUsage usage = {});
ScriptedResponse OpenAiToolCallResponse(const std::vector<WireToolCall>& calls, WireUsage usage = {});
// SSE events ("data: {...}\n\n") of a streamed answer: a role chunk, one chunk per piece, a chunk
// with finish_reason, the usage chunk (stream_options.include_usage: choices []) and "data: [DONE]".
std::vector<std::string> OpenAiTextStreamEvents(const std::vector<std::string>& pieces,
                                                WireUsage usage = {},
                                                const std::string& finish_reason = "stop");
// SSE events of streamed tool calls: per call, a first delta with index, id, type and name and
// empty arguments, then the arguments text split into `fragments_per_call` deltas by index.
std::vector<std::string> OpenAiToolCallStreamEvents(const std::vector<WireToolCall>& calls,
                                                    int fragments_per_call = 3, WireUsage usage = {});
// {"error":{"message","type","param":null,"code"}} with `status` (code may be empty: null).
ScriptedResponse OpenAiErrorResponse(int status, const std::string& type, const std::string& code,
                                     const std::string& message);

// ---- OpenAI Embeddings -------------------------------------------------------------------------
// {"object":"list","data":[{"object":"embedding","index":i,"embedding":[...]}],"model","usage"}.
// With `reverse_order` the data items are listed last index first (clients must order by index).
ScriptedResponse OpenAiEmbeddingsResponse(const std::vector<std::vector<float>>& vectors,
                                          int prompt_tokens = 8, bool reverse_order = false,
                                          const std::string& model = "text-embedding-3-small");

// ---- Anthropic Messages ------------------------------------------------------------------------
std::string AnthropicMessageBody(const std::string& text, WireUsage usage = {},
                                 const std::string& stop_reason = "end_turn",
                                 const std::string& model = "claude-sonnet-4-5-20250929");
// A message with an optional leading text block and tool_use blocks (stop_reason "tool_use").
std::string AnthropicToolUseBody(const std::string& text, const std::vector<WireToolCall>& calls,
                                 WireUsage usage = {},
                                 const std::string& model = "claude-sonnet-4-5-20250929");
ScriptedResponse AnthropicTextResponse(const std::string& text, WireUsage usage = {});
ScriptedResponse AnthropicToolUseResponse(const std::vector<WireToolCall>& calls, WireUsage usage = {},
                                          const std::string& text = "");
// SSE events ("event: NAME\ndata: {...}\n\n"): message_start (input tokens), content_block_start
// (text), a ping, one text_delta per piece, content_block_stop, message_delta (stop_reason,
// output tokens), message_stop.
std::vector<std::string> AnthropicTextStreamEvents(const std::vector<std::string>& pieces,
                                                   WireUsage usage = {},
                                                   const std::string& stop_reason = "end_turn");
// SSE events of an answer with optional leading text pieces, then per call a tool_use block whose
// input arrives as input_json_delta partial_json fragments; stop_reason "tool_use".
std::vector<std::string> AnthropicToolUseStreamEvents(const std::vector<std::string>& text_pieces,
                                                      const std::vector<WireToolCall>& calls,
                                                      int fragments_per_call = 3,
                                                      WireUsage usage = {});
// One SSE `event: error` (e.g. "overloaded_error", "Overloaded") as sent mid-stream.
std::string AnthropicErrorEvent(const std::string& type, const std::string& message);
// {"type":"error","error":{"type","message"}} with `status` (e.g. 529 overloaded_error).
ScriptedResponse AnthropicErrorResponse(int status, const std::string& type, const std::string& message);

// ---- Ollama /api/chat and /api/embed -----------------------------------------------------------
std::string OllamaChatBody(const std::string& text, WireUsage usage = {},
                           const std::string& done_reason = "stop",
                           const std::string& model = "llama3.2");
// message.tool_calls [{function:{name, arguments: OBJECT}}] (no ids), done_reason "stop".
std::string OllamaToolCallBody(const std::vector<WireToolCall>& calls, WireUsage usage = {},
                               const std::string& model = "llama3.2");
ScriptedResponse OllamaTextResponse(const std::string& text, WireUsage usage = {});
ScriptedResponse OllamaToolCallResponse(const std::vector<WireToolCall>& calls, WireUsage usage = {});
// NDJSON lines ("{...}\n"): one done:false object per piece, then the done:true object with
// done_reason, prompt_eval_count and eval_count.
std::vector<std::string> OllamaTextStreamLines(const std::vector<std::string>& pieces,
                                               WireUsage usage = {},
                                               const std::string& done_reason = "stop");
// Ollama streams tool calls whole: a done:false object whose message carries tool_calls, then the
// final done:true object.
std::vector<std::string> OllamaToolCallStreamLines(const std::vector<WireToolCall>& calls,
                                                   WireUsage usage = {});
// {"error":"..."} with `status`.
ScriptedResponse OllamaErrorResponse(int status, const std::string& message);
// {"model","embeddings":[[...]],"total_duration","load_duration","prompt_eval_count"}.
ScriptedResponse OllamaEmbedResponse(const std::vector<std::vector<float>>& vectors,
                                     int prompt_eval_count = 8,
                                     const std::string& model = "nomic-embed-text");

// ---- Embedding servers -------------------------------------------------------------------------
// A deterministic unit vector of `dimension` derived from `text` (same text, same vector), so a
// test can check which vector came back for which input.
std::vector<float> DeterministicEmbedding(const std::string& text, int dimension);
// Handlers that answer an embeddings request with DeterministicEmbedding of every input, in that
// provider's wire format (OpenAI: data in reverse index order, to exercise ordering). The request
// body's "input" may be a string or an array of strings.
ScriptedHttpServer::Handler OpenAiEmbeddingsHandler(int dimension);
ScriptedHttpServer::Handler OllamaEmbedHandler(int dimension);

// ---- Any provider -----------------------------------------------------------------------------
// Fake keys the scripted settings carry (tests check they never leak).
inline constexpr const char* kTestOpenAiKey = "sk-test-OPENAIKEY0123456789abcdefXYZ";
inline constexpr const char* kTestAnthropicKey = "sk-ant-test-ANTHROPICKEY0123456789xyz";
// Settings that point `kind` at `server`, with a fake key (none for Ollama), test-sized timeouts
// (2 s total, 1 s connect), 2 retries with 0.05 s backoff (capped at 2 s) and a breaker that opens
// after 5 failed calls for 0.5 s. Adjust fields as a test needs.
ai::ProviderSettings ScriptedProviderSettings(ai::ProviderKind kind, const ScriptedHttpServer& server);
// The chat route `kind` posts to on the scripted server.
std::string ChatPath(ai::ProviderKind kind);
// A final text answer, a tool-call answer and an error answer in `kind`'s wire format.
ScriptedResponse TextAnswer(ai::ProviderKind kind, const std::string& text, WireUsage usage = {});
ScriptedResponse ToolCallAnswer(ai::ProviderKind kind, const std::vector<WireToolCall>& calls,
                                WireUsage usage = {});
ScriptedResponse ErrorAnswer(ai::ProviderKind kind, int status, const std::string& message);
// A streamed text answer in `kind`'s wire format (SSE or NDJSON), one piece per chunk.
ScriptedResponse StreamedTextAnswer(ai::ProviderKind kind, const std::vector<std::string>& pieces,
                                    WireUsage usage = {}, double chunk_delay_seconds = 0);

}  // namespace vcfagent::testing
