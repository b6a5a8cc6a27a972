#include "support/provider_wire.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>

namespace vcfagent::testing {
namespace {

using nlohmann::json;

constexpr int64_t kCreated = 1732800000;

std::string ArgumentsText(const WireToolCall& call) {
  return call.raw_arguments.empty() ? call.arguments.dump() : call.raw_arguments;
}

std::string CallId(const WireToolCall& call, const std::string& prefix, size_t index) {
  return call.id.empty() ? prefix + std::to_string(index + 1) : call.id;
}

std::string SseData(const json& object) { return "data: " + object.dump() + "\n\n"; }

std::string SseEvent(const std::string& name, const json& object) {
  return "event: " + name + "\ndata: " + object.dump() + "\n\n";
}

json OpenAiUsage(WireUsage usage) {
  return {{"prompt_tokens", usage.input_tokens},
          {"completion_tokens", usage.output_tokens},
          {"total_tokens", usage.input_tokens + usage.output_tokens}};
}

json OpenAiCompletion(json message, const std::string& finish_reason, WireUsage usage,
                      const std::string& model) {
  return {{"id", "chatcmpl-AbC123xYz"},
          {"object", "chat.completion"},
          {"created", kCreated},
          {"model", model},
          {"choices",
           json::array({{{"index", 0},
                         {"message", std::move(message)},
                         {"logprobs", nullptr},
                         {"finish_reason", finish_reason}}})},
          {"usage", OpenAiUsage(usage)},
          {"system_fingerprint", "fp_0ba0d124f1"}};
}

json OpenAiChunk(json delta, const json& finish_reason) {
  return {{"id", "chatcmpl-AbC123xYz"},
          {"object", "chat.completion.chunk"},
          {"created", kCreated},
          {"model", "gpt-4o-mini-2024-07-18"},
          {"system_fingerprint", "fp_0ba0d124f1"},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", finish_reason}}})},
          {"usage", nullptr}};
}

void AppendOpenAiEnd(std::vector<std::string>& events, const std::string& finish_reason,
                     WireUsage usage) {
  events.push_back(SseData(OpenAiChunk(json::object(), finish_reason)));
  json usage_chunk = OpenAiChunk(json::object(), nullptr);
  usage_chunk["choices"] = json::array();
  usage_chunk["usage"] = OpenAiUsage(usage);
  events.push_back(SseData(usage_chunk));
  events.push_back("data: [DONE]\n\n");
}

json AnthropicUsage(int input_tokens, int output_tokens) {
  return {{"input_tokens", input_tokens},
          {"cache_creation_input_tokens", 0},
          {"cache_read_input_tokens", 0},
          {"output_tokens", output_tokens}};
}

json AnthropicMessage(json content, const json& stop_reason, WireUsage usage, const std::string& model) {
  return {{"id", "msg_01XFDUDYJgAACzvnptvVoYEL"},
          {"type", "message"},
          {"role", "assistant"},
          {"model", model},
          {"content", std::move(content)},
          {"stop_reason", stop_reason},
          {"stop_sequence", nullptr},
          {"usage", AnthropicUsage(usage.input_tokens, usage.output_tokens)}};
}

std::vector<std::string> AnthropicStreamStart(WireUsage usage) {
  json start = AnthropicMessage(json::array(), nullptr, usage, "claude-sonnet-4-5-20250929");
  start["usage"] = AnthropicUsage(usage.input_tokens, 1);
  return {SseEvent("message_start", {{"type", "message_start"}, {"message", start}}),
          SseEvent("ping", {{"type", "ping"}})};
}

void AppendAnthropicText(std::vector<std::string>& events, int index,
                         const std::vector<std::string>& pieces) {
  events.push_back(SseEvent("content_block_start", {{"type", "content_block_start"},
                                                    {"index", index},
                                                    {"content_block", {{"type", "text"}, {"text", ""}}}}));
  for (const std::string& piece : pieces) {
    events.push_back(SseEvent("content_block_delta", {{"type", "content_block_delta"},
                                                      {"index", index},
                                                      {"delta", {{"type", "text_delta"}, {"text", piece}}}}));
  }
  events.push_back(SseEvent("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
}

void AppendAnthropicEnd(std::vector<std::string>& events, const std::string& stop_reason, WireUsage usage) {
  events.push_back(SseEvent("message_delta",
                            {{"type", "message_delta"},
                             {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
                             {"usage", {{"output_tokens", usage.output_tokens}}}}));
  events.push_back(SseEvent("message_stop", {{"type", "message_stop"}}));
}

json OllamaFinal(json message, const std::string& done_reason, WireUsage usage, const std::string& model) {
  return {{"model", model},
          {"created_at", "2026-11-28T20:00:00.000000Z"},
          {"message", std::move(message)},
          {"done_reason", done_reason},
          {"done", true},
          {"total_duration", 4883583458},
          {"load_duration", 1334875},
          {"prompt_eval_count", usage.input_tokens},
          {"prompt_eval_duration", 342546000},
          {"eval_count", usage.output_tokens},
          {"eval_duration", 4535599000}};
}

json OllamaToolCalls(const std::vector<WireToolCall>& calls) {
  json list = json::array();
  for (const WireToolCall& call : calls) {
    list.push_back({{"function", {{"name", call.name}, {"arguments", call.arguments}}}});
  }
  return list;
}

json OllamaPartial(json message) {
  return {{"model", "llama3.2"},
          {"created_at", "2026-11-28T20:00:00.000000Z"},
          {"message", std::move(message)},
          {"done", false}};
}

ScriptedResponse JsonResponse(int status, std::string body) {
  ScriptedResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::vector<std::string> EmbeddingInputs(const json& input) {
  std::vector<std::string> inputs;
  if (input.is_string()) inputs.push_back(input.get<std::string>());
  if (input.is_array()) {
    for (const json& item : input) inputs.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  }
  return inputs;
}

}  // namespace

ScriptedResponse SseResponse(std::vector<std::string> events, double chunk_delay_seconds) {
  ScriptedResponse response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.chunks = std::move(events);
  response.chunk_delay_seconds = chunk_delay_seconds;
  return response;
}

ScriptedResponse NdjsonResponse(std::vector<std::string> lines, double chunk_delay_seconds) {
  ScriptedResponse response;
  response.content_type = "application/x-ndjson";
  response.chunks = std::move(lines);
  response.chunk_delay_seconds = chunk_delay_seconds;
  return response;
}

std::vector<std::string> SplitIntoPieces(const std::string& text, int pieces) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t count = static_cast<size_t>(std::max(1, pieces));
  if (count > text.size()) count = text.size();
  size_t begin = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t end = text.size() * (i + 1) / count;
    out.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return out;
}

// ---- OpenAI ----

std::string OpenAiCompletionBody(const std::string& text, WireUsage usage, const std::string& finish_reason,
                                 const std::string& model) {
  json message = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
  return OpenAiCompletion(std::move(message), finish_reason, usage, model).dump();
}

std::string OpenAiToolCallBody(const std::vector<WireToolCall>& calls, WireUsage usage, const std::string& model) {
  json tool_calls = json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    tool_calls.push_back({{"id", CallId(calls[i], "call_", i)},
                          {"type", "function"},
                          {"function", {{"name", calls[i].name}, {"arguments", ArgumentsText(calls[i])}}}});
  }
  json message = {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", tool_calls}, {"refusal", nullptr}};
  return OpenAiCompletion(std::move(message), "tool_calls", usage, model).dump();
}

ScriptedResponse OpenAiTextResponse(const std::string& text, WireUsage usage) {
  return JsonResponse(200, OpenAiCompletionBody(text, usage));
}

ScriptedResponse OpenAiToolCallResponse(const std::vector<WireToolCall>& calls, WireUsage usage) {
  return JsonResponse(200, OpenAiToolCallBody(calls, usage));
}

std::vector<std::string> OpenAiTextStreamEvents(const std::vector<std::string>& pieces, WireUsage usage,
                                                const std::string& finish_reason) {
  std::vector<std::string> events;
  events.push_back(SseData(OpenAiChunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr)));
  for (const std::string& piece : pieces) events.push_back(SseData(OpenAiChunk({{"content", piece}}, nullptr)));
  AppendOpenAiEnd(events, finish_reason, usage);
  return events;
}

std::vector<std::string> OpenAiToolCallStreamEvents(const std::vector<WireToolCall>& calls,
                                                    int fragments_per_call, WireUsage usage) {
  std::vector<std::string> events;
  events.push_back(SseData(OpenAiChunk({{"role", "assistant"}, {"content", nullptr}}, nullptr)));
  for (size_t i = 0; i < calls.size(); ++i) {
    json first = {{"index", i},
                  {"id", CallId(calls[i], "call_", i)},
                  {"type", "function"},
                  {"function", {{"name", calls[i].name}, {"arguments", ""}}}};
    events.push_back(SseData(OpenAiChunk({{"tool_calls", json::array({first})}}, nullptr)));
    for (const std::string& fragment : SplitIntoPieces(ArgumentsText(calls[i]), fragments_per_call)) {
      json delta = {{"index", i}, {"function", {{"arguments", fragment}}}};
      events.push_back(SseData(OpenAiChunk({{"tool_calls", json::array({delta})}}, nullptr)));
    }
  }
  AppendOpenAiEnd(events, "tool_calls", usage);
  return events;
}

ScriptedResponse OpenAiErrorResponse(int status, const std::string& type, const std::string& code,
                                     const std::string& message) {
  json error = {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}};
  if (!code.empty()) error["code"] = code;
  return JsonResponse(status, json{{"error", error}}.dump());
}

ScriptedResponse OpenAiEmbeddingsResponse(const std::vector<std::vector<float>>& vectors, int prompt_tokens,
                                          bool reverse_order, const std::string& model) {
  json data = json::array();
  for (size_t k = 0; k < vectors.size(); ++k) {
    size_t i = reverse_order ? vectors.size() - 1 - k : k;
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vectors[i]}});
  }
  json body = {{"object", "list"},
               {"data", data},
               {"model", model},
               {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}};
  return JsonResponse(200, body.dump());
}

// ---- Anthropic ----

std::string AnthropicMessageBody(const std::string& text, WireUsage usage, const std::string& stop_reason,
                                 const std::string& model) {
  json content = json::array({{{"type", "text"}, {"text", text}}});
  return AnthropicMessage(std::move(content), stop_reason, usage, model).dump();
}

std::string AnthropicToolUseBody(const std::string& text, const std::vector<WireToolCall>& calls,
                                 WireUsage usage, const std::string& model) {
  json content = json::array();
  if (!text.empty()) content.push_back({{"type", "text"}, {"text", text}});
  for (size_t i = 0; i < calls.size(); ++i) {
    content.push_back({{"type", "tool_use"},
                       {"id", CallId(calls[i], "toolu_", i)},
                       {"name", calls[i].name},
                       {"input", calls[i].arguments}});
  }
  return AnthropicMessage(std::move(content), "tool_use", usage, model).dump();
}

ScriptedResponse AnthropicTextResponse(const std::string& text, WireUsage usage) {
  return JsonResponse(200, AnthropicMessageBody(text, usage));
}

ScriptedResponse AnthropicToolUseResponse(const std::vector<WireToolCall>& calls, WireUsage usage,
                                          const std::string& text) {
  return JsonResponse(200, AnthropicToolUseBody(text, calls, usage));
}

std::vector<std::string> AnthropicTextStreamEvents(const std::vector<std::string>& pieces, WireUsage usage,
                                                   const std::string& stop_reason) {
  std::vector<std::string> events = AnthropicStreamStart(usage);
  AppendAnthropicText(events, 0, pieces);
  AppendAnthropicEnd(events, stop_reason, usage);
  return events;
}

std::vector<std::string> AnthropicToolUseStreamEvents(const std::vector<std::string>& text_pieces,
                                                      const std::vector<WireToolCall>& calls,
                                                      int fragments_per_call, WireUsage usage) {
  std::vector<std::string> events = AnthropicStreamStart(usage);
  int index = 0;
  if (!text_pieces.empty()) AppendAnthropicText(events, index++, text_pieces);
  for (size_t i = 0; i < calls.size(); ++i, ++index) {
    events.push_back(SseEvent("content_block_start",
                              {{"type", "content_block_start"},
                               {"index", index},
                               {"content_block", {{"type", "tool_use"},
                                                  {"id", CallId(calls[i], "toolu_", i)},
                                                  {"name", calls[i].name},
                                                  {"input", json::object()}}}}));
    for (const std::string& fragment : SplitIntoPieces(ArgumentsText(calls[i]), fragments_per_call)) {
      events.push_back(SseEvent("content_block_delta",
                                {{"type", "content_block_delta"},
                                 {"index", index},
                                 {"delta", {{"type", "input_json_delta"}, {"partial_json", fragment}}}}));
    }
    events.push_back(SseEvent("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
  }
  AppendAnthropicEnd(events, "tool_use", usage);
  return events;
}

std::string AnthropicErrorEvent(const std::string& type, const std::string& message) {
  return SseEvent("error", {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}});
}

ScriptedResponse AnthropicErrorResponse(int status, const std::string& type, const std::string& message) {
  json body = {{"type", "error"},
               {"error", {{"type", type}, {"message", message}}},
               {"request_id", "req_011CSHoEeqs5C35K2UUqR7Fy"}};
  return JsonResponse(status, body.dump());
}

// ---- Ollama ----

std::string OllamaChatBody(const std::string& text, WireUsage usage, const std::string& done_reason,
                           const std::string& model) {
  return OllamaFinal({{"role", "assistant"}, {"content", text}}, done_reason, usage, model).dump();
}

std::string OllamaToolCallBody(const std::vector<WireToolCall>& calls, WireUsage usage, const std::string& model) {
  json message = {{"role", "assistant"}, {"content", ""}, {"tool_calls", OllamaToolCalls(calls)}};
  return OllamaFinal(std::move(message), "stop", usage, model).dump();
}

ScriptedResponse OllamaTextResponse(const std::string& text, WireUsage usage) {
  return JsonResponse(200, OllamaChatBody(text, usage));
}

ScriptedResponse OllamaToolCallResponse(const std::vector<WireToolCall>& calls, WireUsage usage) {
  return JsonResponse(200, OllamaToolCallBody(calls, usage));
}

std::vector<std::string> OllamaTextStreamLines(const std::vector<std::string>& pieces, WireUsage usage,
                                               const std::string& done_reason) {
  std::vector<std::string> lines;
  for (const std::string& piece : pieces) {
    lines.push_back(OllamaPartial({{"role", "assistant"}, {"content", piece}}).dump() + "\n");
  }
  lines.push_back(OllamaFinal({{"role", "assistant"}, {"content", ""}}, done_reason, usage, "llama3.2").dump() + "\n");
  return lines;
}

std::vector<std::string> OllamaToolCallStreamLines(const std::vector<WireToolCall>& calls, WireUsage usage) {
  std::vector<std::string> lines;
  lines.push_back(
      OllamaPartial({{"role", "assistant"}, {"content", ""}, {"tool_calls", OllamaToolCalls(calls)}}).dump() + "\n");
  lines.push_back(OllamaFinal({{"role", "assistant"}, {"content", ""}}, "stop", usage, "llama3.2").dump() + "\n");
  return lines;
}

ScriptedResponse OllamaErrorResponse(int status, const std::string& message) {
  return JsonResponse(status, json{{"error", message}}.dump());
}

ScriptedResponse OllamaEmbedResponse(const std::vector<std::vector<float>>& vectors, int prompt_eval_count,
                                     const std::string& model) {
  json body = {{"model", model},
               {"embeddings", vectors},
               {"total_duration", 14143917},
               {"load_duration", 1019500},
               {"prompt_eval_count", prompt_eval_count}};
  return JsonResponse(200, body.dump());
}

// ---- Embedding servers ----

std::vector<float> DeterministicEmbedding(const std::string& text, int dimension) {
  std::vector<float> vector(static_cast<size_t>(std::max(1, dimension)));
  uint64_t state = std::hash<std::string>{}(text) | 1;
  double norm = 0;
  for (float& value : vector) {
    state ^= state << 13;  // xorshift64: the same text always gives the same sequence
    state ^= state >> 7;
    state ^= state << 17;
    value = static_cast<float>(static_cast<double>(state % 2001) / 1000.0 - 1.0);
    norm += static_cast<double>(value) * value;
  }
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& value : vector) value = static_cast<float>(value / norm);
  }
  return vector;
}

ScriptedHttpServer::Handler OpenAiEmbeddingsHandler(int dimension) {
  return [dimension](const RecordedRequest& request) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.contains("input")) {
      return OpenAiErrorResponse(400, "invalid_request_error", "", "'input' is a required property");
    }
    std::vector<std::vector<float>> vectors;
    int tokens = 0;
    for (const std::string& input : EmbeddingInputs(body["input"])) {
      vectors.push_back(DeterministicEmbedding(input, dimension));
      tokens += static_cast<int>(input.size() / 4 + 1);
    }
    return OpenAiEmbeddingsResponse(vectors, tokens, /*reverse_order=*/true,
                                    body.value("model", "text-embedding-3-small"));
  };
}

ScriptedHttpServer::Handler OllamaEmbedHandler(int dimension) {
  return [dimension](const RecordedRequest& request) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.contains("input")) return OllamaErrorResponse(400, "missing input");
    std::vector<std::vector<float>> vectors;
    int tokens = 0;
    for (const std::string& input : EmbeddingInputs(body["input"])) {
      vectors.push_back(DeterministicEmbedding(input, dimension));
      tokens += static_cast<int>(input.size() / 4 + 1);
    }
    return OllamaEmbedResponse(vectors, tokens, body.value("model", "nomic-embed-text"));
  };
}

// ---- Any provider ----

ai::ProviderSettings ScriptedProviderSettings(ai::ProviderKind kind, const ScriptedHttpServer& server) {
  ai::ProviderSettings settings;
  settings.kind = kind;
  switch (kind) {
    case ai::ProviderKind::kOpenAi:
      settings.base_url = server.url() + "/v1";
      settings.api_key = ai::Secret(kTestOpenAiKey);
      settings.model = "gpt-4o-mini";
      settings.embedding_model = "text-embedding-3-small";
      break;
    case ai::ProviderKind::kAnthropic:
      settings.base_url = server.url();
      settings.api_key = ai::Secret(kTestAnthropicKey);
      settings.model = "claude-sonnet-4-5";
      break;
    case ai::ProviderKind::kOllama:
      settings.base_url = server.url();
      settings.model = "llama3.2";
      settings.embedding_model = "nomic-embed-text";
      break;
  }
  settings.timeout_seconds = 2;
  settings.connect_timeout_seconds = 1;
  settings.max_retries = 2;
  settings.backoff_initial_seconds = 0.05;
  settings.backoff_max_seconds = 2;
  settings.breaker_failures = 5;
  settings.breaker_cooldown_seconds = 0.5;
  return settings;
}

std::string ChatPath(ai::ProviderKind kind) {
  switch (kind) {
    case ai::ProviderKind::kOpenAi: return kOpenAiChatPath;
    case ai::ProviderKind::kAnthropic: return kAnthropicMessagesPath;
    case ai::ProviderKind::kOllama: return kOllamaChatPath;
  }
  return "";
}

ScriptedResponse TextAnswer(ai::ProviderKind kind, const std::string& text, WireUsage usage) {
  switch (kind) {
    case ai::ProviderKind::kOpenAi: return OpenAiTextResponse(text, usage);
    case ai::ProviderKind::kAnthropic: return AnthropicTextResponse(text, usage);
    case ai::ProviderKind::kOllama: return OllamaTextResponse(text, usage);
  }
  return {};
}

ScriptedResponse ToolCallAnswer(ai::ProviderKind kind, const std::vector<WireToolCall>& calls, WireUsage usage) {
  switch (kind) {
    case ai::ProviderKind::kOpenAi: return OpenAiToolCallResponse(calls, usage);
    case ai::ProviderKind::kAnthropic: return AnthropicToolUseResponse(calls, usage);
    case ai::ProviderKind::kOllama: return OllamaToolCallResponse(calls, usage);
  }
  return {};
}

ScriptedResponse ErrorAnswer(ai::ProviderKind kind, int status, const std::string& message) {
  switch (kind) {
    case ai::ProviderKind::kOpenAi: {
      std::string type = status == 429 ? "requests" : status == 401 ? "invalid_request_error" : "server_error";
      std::string code = status == 429 ? "rate_limit_exceeded" : status == 401 ? "invalid_api_key" : "";
      return OpenAiErrorResponse(status, type, code, message);
    }
    case ai::ProviderKind::kAnthropic: {
      std::string type = status == 429   ? "rate_limit_error"
                         : status == 401 ? "authentication_error"
                         : status == 529 ? "overloaded_error"
                         : status >= 500 ? "api_error"
                                         : "invalid_request_error";
      return AnthropicErrorResponse(status, type, message);
    }
    case ai::ProviderKind::kOllama:
      return OllamaErrorResponse(status, message);
  }
  return {};
}

ScriptedResponse StreamedTextAnswer(ai::ProviderKind kind, const std::vector<std::string>& pieces, WireUsage usage,
                                    double chunk_delay_seconds) {
  switch (kind) {
    case ai::ProviderKind::kOpenAi:
      return SseResponse(OpenAiTextStreamEvents(pieces, usage), chunk_delay_seconds);
    case ai::ProviderKind::kAnthropic:
      return SseResponse(AnthropicTextStreamEvents(pieces, usage), chunk_delay_seconds);
    case ai::ProviderKind::kOllama:
      return NdjsonResponse(OllamaTextStreamLines(pieces, usage), chunk_delay_seconds);
  }
  return {};
}

}  // namespace vcfagent::testing
