#include "ai/openai_provider.h"
#include "util/json_text.h"

#include <map>

namespace vcfagent::ai {
namespace {

using nlohmann::json;

constexpr const char* kOpenAiBaseUrl = "https://api.openai.com/v1";

StopReason ParseFinishReason(const std::string& reason) {
  if (reason == "stop") return StopReason::kEndTurn;
  if (reason == "tool_calls" || reason == "function_call") return StopReason::kToolUse;
  if (reason == "length") return StopReason::kMaxTokens;
  return StopReason::kOther;
}

void ReadUsage(const json& body, TokenUsage& usage) {
  auto it = body.find("usage");
  if (it == body.end() || !it->is_object()) return;
  usage.input_tokens = it->value("prompt_tokens", int64_t{0});
  usage.output_tokens = it->value("completion_tokens", int64_t{0});
}

// A whole chat.completion object into `out`.
ResponseReader::Outcome ParseCompletion(const json& body, ChatResponse& out) {
  if (!body.is_object()) return BadResponse("the answer is not a JSON object");
  if (body.contains("error") && body["error"].is_object()) {
    return {FailureClass::kServer, "error in a 200 answer: " + body["error"].value("message", std::string())};
  }
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object() ||
      !(*choices)[0].contains("message") || !(*choices)[0]["message"].is_object()) {
    return BadResponse("the answer has no choices[0].message");
  }
  const json& choice = (*choices)[0];
  const json& message = choice["message"];
  out.message.role = Role::kAssistant;
  out.message.text = StringOr(message, "content");
  if (auto calls = message.find("tool_calls"); calls != message.end() && calls->is_array()) {
    for (const json& call : *calls) {
      if (!call.is_object() || !call.contains("function") || !call["function"].is_object()) {
        return BadResponse("a tool call has no function object");
      }
      const json& function = call["function"];
      std::string name = StringOr(function, "name");
      if (name.empty()) return BadResponse("a tool call has no function name");
      out.message.tool_calls.push_back(
          MakeToolCall(StringOr(call, "id"), std::move(name), StringOr(function, "arguments")));
    }
  }
  out.stop_reason = ParseFinishReason(StringOr(choice, "finish_reason"));
  if (!out.message.tool_calls.empty() && out.stop_reason == StopReason::kEndTurn) out.stop_reason = StopReason::kToolUse;
  out.model = StringOr(body, "model", out.model);
  ReadUsage(body, out.usage);
  return {};
}

class CompletionReader : public ResponseReader {
 public:
  explicit CompletionReader(std::string model) { response_.provider = "openai"; response_.model = std::move(model); }
  bool streaming() const override { return false; }
  Outcome Finish(const HttpResponse& http) override {
    json body = json::parse(http.body, nullptr, false);
    if (body.is_discarded()) return BadResponse("the answer is not JSON: " + ExtractErrorMessage(http.body));
    return ParseCompletion(body, response_);
  }
  ChatResponse& response() { return response_; }
  TokenUsage reported_usage() const override { return response_.usage; }

 private:
  ChatResponse response_;
};

// chat.completion.chunk events: text deltas go to the handler as they come; tool calls are
// assembled from fragments by index.
class OpenAiStreamReader : public ResponseReader {
 public:
  OpenAiStreamReader(std::string model, const TextHandler& on_text) : on_text_(on_text) {
    response_.provider = "openai";
    response_.model = std::move(model);
  }
  bool streaming() const override { return true; }
  bool delivered_text() const override { return delivered_; }

  bool OnChunk(std::string_view chunk) override {
    if (raw_.size() < kRawLimit) raw_.append(chunk.substr(0, kRawLimit - raw_.size()));
    return sse_.Feed(chunk, [this](std::string_view, std::string_view data) { return Event(data); });
  }

  Outcome Finish(const HttpResponse& http) override {
    if (failure_.failure == FailureClass::kNone && !done_) {
      sse_.Flush([this](std::string_view, std::string_view data) { return Event(data); });
    }
    if (failure_.failure != FailureClass::kNone) return failure_;
    if (sse_.events() == 0) {
      // A server that ignored "stream": true and answered with one JSON object.
      json body = json::parse(raw_, nullptr, false);
      if (body.is_discarded()) return BadResponse("the answer is neither an event stream nor JSON: " +
                                                  ExtractErrorMessage(raw_));
      Outcome outcome = ParseCompletion(body, response_);
      if (outcome.failure == FailureClass::kNone && on_text_ && !response_.message.text.empty()) {
        on_text_(response_.message.text);
      }
      return outcome;
    }
    if (!done_ && !finished_) return BadResponse("the event stream ended before the answer was complete");
    for (auto& [index, call] : calls_) {
      if (call.name.empty()) return BadResponse("a streamed tool call has no function name");
      response_.message.tool_calls.push_back(MakeToolCall(call.id, call.name, call.arguments));
    }
    response_.message.role = Role::kAssistant;
    if (!response_.message.tool_calls.empty() && response_.stop_reason == StopReason::kEndTurn) {
      response_.stop_reason = StopReason::kToolUse;
    }
    return {};
  }

  ChatResponse& response() { return response_; }
  TokenUsage reported_usage() const override { return response_.usage; }

 private:
  static constexpr size_t kRawLimit = 1 << 20;
  struct PartialCall {
    std::string id, name, arguments;
  };

  bool Event(std::string_view data) {
    if (data == "[DONE]") {
      done_ = true;
      return true;
    }
    json chunk = json::parse(data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object()) {
      failure_ = BadResponse("a stream event is not JSON: " + ExtractErrorMessage(data));
      return false;
    }
    if (chunk.contains("error")) {
      failure_ = {FailureClass::kServer, "error in the stream: " + ExtractErrorMessage(data)};
      return false;
    }
    if (chunk.contains("model") && chunk["model"].is_string()) response_.model = chunk["model"].get<std::string>();
    if (chunk.contains("usage") && chunk["usage"].is_object()) ReadUsage(chunk, response_.usage);
    auto choices = chunk.find("choices");
    if (choices == chunk.end() || !choices->is_array() || choices->empty()) return true;
    const json& choice = (*choices)[0];
    if (!choice.is_object()) return true;
    if (auto reason = choice.find("finish_reason"); reason != choice.end() && reason->is_string()) {
      response_.stop_reason = ParseFinishReason(reason->get<std::string>());
      finished_ = true;
    }
    auto delta = choice.find("delta");
    if (delta == choice.end() || !delta->is_object()) return true;
    std::string text = StringOr(*delta, "content");
    if (!text.empty()) {
      response_.message.text += text;
      if (on_text_) {
        on_text_(text);
        delivered_ = true;
      }
    }
    if (auto calls = delta->find("tool_calls"); calls != delta->end() && calls->is_array()) {
      for (const json& fragment : *calls) {
        if (!fragment.is_object()) continue;
        int index = fragment.value("index", 0);
        PartialCall& call = calls_[index];
        if (std::string id = StringOr(fragment, "id"); !id.empty()) call.id = id;
        if (auto function = fragment.find("function"); function != fragment.end() && function->is_object()) {
          if (std::string name = StringOr(*function, "name"); !name.empty()) call.name = name;
          call.arguments += StringOr(*function, "arguments");
        }
      }
    }
    return true;
  }

  const TextHandler& on_text_;
  ChatResponse response_;
  SseDecoder sse_;
  std::string raw_;
  std::map<int, PartialCall> calls_;
  Outcome failure_;
  bool done_ = false;
  bool finished_ = false;
  bool delivered_ = false;
};

class EmbeddingsReader : public ResponseReader {
 public:
  explicit EmbeddingsReader(size_t expected) : expected_(expected) {}
  bool streaming() const override { return false; }
  Outcome Finish(const HttpResponse& http) override {
    json body = json::parse(http.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return BadResponse("the embeddings answer is not JSON: " + ExtractErrorMessage(http.body));
    }
    auto data = body.find("data");
    if (data == body.end() || !data->is_array()) return BadResponse("the embeddings answer has no data array");
    if (data->size() != expected_) {
      return BadResponse("asked for " + std::to_string(expected_) + " embeddings, got " +
                         std::to_string(data->size()));
    }
    vectors_.assign(expected_, {});
    for (const json& item : *data) {
      if (!item.is_object() || !item.contains("embedding") || !item["embedding"].is_array()) {
        return BadResponse("an embeddings item has no embedding array (base64 is not requested)");
      }
      size_t index = item.value("index", size_t{0});
      if (index >= expected_ || !vectors_[index].empty()) {
        return BadResponse("embeddings item index " + std::to_string(index) + " is out of range or repeated");
      }
      std::vector<float>& vector = vectors_[index];
      for (const json& value : item["embedding"]) {
        if (!value.is_number()) return BadResponse("an embedding holds a value that is not a number");
        vector.push_back(value.get<float>());
      }
      if (vector.empty()) return BadResponse("an embedding is empty");
    }
    model_ = StringOr(body, "model");
    ReadUsage(body, usage_);
    return {};
  }
  std::vector<std::vector<float>>& vectors() { return vectors_; }
  const std::string& model() const { return model_; }
  const TokenUsage& usage() const { return usage_; }
  TokenUsage reported_usage() const override { return usage_; }

 private:
  size_t expected_;
  std::vector<std::vector<float>> vectors_;
  std::string model_;
  TokenUsage usage_;
};

json ToolCallJson(const ToolCall& call) {
  std::string arguments = call.arguments.is_object() ? DumpJson(call.arguments)
                          : call.raw_arguments.empty() ? "{}"
                                                       : call.raw_arguments;
  return {{"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", arguments}}}};
}

json OpenAiMessageJson(const ChatMessage& message) {
  switch (message.role) {
    case Role::kSystem:
      return {{"role", "system"}, {"content", message.text}};
    case Role::kUser:
      return {{"role", "user"}, {"content", message.text}};
    case Role::kAssistant: {
      json out = {{"role", "assistant"}, {"content", message.text.empty() ? json() : json(message.text)}};
      if (!message.tool_calls.empty()) {
        out["tool_calls"] = json::array();
        for (const ToolCall& call : message.tool_calls) out["tool_calls"].push_back(ToolCallJson(call));
      }
      return out;
    }
    case Role::kTool:
      // Chat Completions has no error flag for tool results: the text says it.
      return {{"role", "tool"},
              {"tool_call_id", message.tool_call_id},
              {"content", message.tool_error ? "ERROR: " + message.text : message.text}};
  }
  return json::object();
}

}  // namespace

OpenAiProvider::OpenAiProvider(ProviderSettings settings)
    : base_url_(TrimSlash(settings.base_url.empty() ? kOpenAiBaseUrl : settings.base_url)),
      official_api_(base_url_.find("://api.openai.com") != std::string::npos),
      exchange_("openai", std::move(settings)) {}

std::string OpenAiProvider::default_model() const {
  return exchange_.settings().model.empty() ? "gpt-4o-mini" : exchange_.settings().model;
}

std::string OpenAiProvider::embedding_model() const {
  const std::string& model = exchange_.settings().embedding_model;
  return model.empty() ? "text-embedding-3-small" : model;
}

json OpenAiProvider::BuildChatBody(const ChatRequest& request) const {
  json body = {{"model", request.model.empty() ? default_model() : request.model},
               {"messages", json::array()},
               {"temperature", request.temperature}};
  for (const ChatMessage& message : request.messages) body["messages"].push_back(OpenAiMessageJson(message));
  body[official_api_ ? "max_completion_tokens" : "max_tokens"] = request.max_tokens;
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const ToolDefinition& tool : request.tools) {
      tools.push_back({{"type", "function"},
                       {"function", {{"name", tool.name}, {"description", tool.description},
                                     {"parameters", tool.parameters}}}});
    }
    body["tools"] = std::move(tools);
  }
  if (request.response_schema) {
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema", {{"name", "response"}, {"schema", *request.response_schema}}}};
  }
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

Result<ChatResponse> OpenAiProvider::Chat(const ChatRequest& request, const TextHandler& on_text,
                                          CallReport* report) {
  json body = BuildChatBody(request);
  std::string model = body["model"].get<std::string>();
  HttpRequest http = exchange_.BearerJsonPost(base_url_ + "/chat/completions", DumpJson(body), request.traceparent);
  if (request.stream) {
    return exchange_.RunWith<OpenAiStreamReader>(std::move(http), report, model, on_text);
  }
  return exchange_.RunWith<CompletionReader>(std::move(http), report, model);
}

Result<EmbeddingResult> OpenAiProvider::Embed(const std::vector<std::string>& inputs, CallReport* report) {
  auto embed_batch = [&](const std::vector<std::string>& batch, CallReport* batch_report) -> Result<EmbeddingResult> {
    json body = {{"model", embedding_model()}, {"input", batch}, {"encoding_format", "float"}};
    std::unique_ptr<EmbeddingsReader> reader;
    Status status = exchange_.Run(exchange_.BearerJsonPost(base_url_ + "/embeddings", DumpJson(body), ""), [&] {
      reader = std::make_unique<EmbeddingsReader>(batch.size());
      return reader.get();
    }, batch_report);
    if (!status.ok()) return status;
    return EmbeddingResult{std::move(reader->vectors()), reader->model(), reader->usage()};
  };
  return EmbedInBatches(name(), inputs, kEmbeddingBatch, embedding_model(), embed_batch, report);
}

}  // namespace vcfagent::ai
