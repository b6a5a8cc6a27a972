#include "ai/anthropic_provider.h"
#include "util/json_text.h"

#include <map>

namespace vcfagent::ai {
namespace {

using nlohmann::json;

constexpr const char* kAnthropicBaseUrl = "https://api.anthropic.com";

StopReason ParseStopReason(const std::string& reason) {
  if (reason == "end_turn" || reason == "stop_sequence") return StopReason::kEndTurn;
  if (reason == "tool_use") return StopReason::kToolUse;
  if (reason == "max_tokens") return StopReason::kMaxTokens;
  return StopReason::kOther;
}

// Prompt caching splits input into three counts; all of them are input the request consumed.
int64_t InputTokens(const json& usage) {
  int64_t total = 0;
  for (const char* key : {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"}) {
    auto it = usage.find(key);
    if (it != usage.end() && it->is_number_integer()) total += it->get<int64_t>();
  }
  return total;
}

FailureClass ClassifyErrorType(const std::string& type) {
  if (type == "overloaded_error" || type == "api_error") return FailureClass::kServer;
  if (type == "rate_limit_error") return FailureClass::kRateLimited;
  if (type == "authentication_error" || type == "permission_error") return FailureClass::kAuth;
  if (type == "timeout_error") return FailureClass::kTimeout;
  return FailureClass::kBadRequest;
}

class MessageReader : public ResponseReader {
 public:
  explicit MessageReader(std::string model) {
    response_.provider = "anthropic";
    response_.model = std::move(model);
    response_.message.role = Role::kAssistant;
  }
  bool streaming() const override { return false; }
  Outcome Finish(const HttpResponse& http) override {
    json body = json::parse(http.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return BadResponse("the answer is not JSON: " + ExtractErrorMessage(http.body));
    }
    if (StringOr(body, "type") == "error") {
      std::string type = body.contains("error") && body["error"].is_object() ? StringOr(body["error"], "type") : "";
      return {ClassifyErrorType(type), "error in a 200 answer: " + ExtractErrorMessage(http.body)};
    }
    auto content = body.find("content");
    if (content == body.end() || !content->is_array()) return BadResponse("the answer has no content array");
    for (const json& block : *content) {
      if (!block.is_object()) return BadResponse("a content block is not an object");
      std::string type = StringOr(block, "type");
      if (type == "text") {
        response_.message.text += StringOr(block, "text");
      } else if (type == "tool_use") {
        std::string name = StringOr(block, "name");
        if (name.empty()) return BadResponse("a tool_use block has no name");
        const json input = block.contains("input") ? block["input"] : json::object();
        response_.message.tool_calls.push_back(MakeToolCall(StringOr(block, "id"), name, DumpJson(input)));
      }
      // Other blocks (thinking, ...) carry nothing the agent uses.
    }
    response_.stop_reason = ParseStopReason(StringOr(body, "stop_reason"));
    response_.model = StringOr(body, "model", response_.model);
    if (auto usage = body.find("usage"); usage != body.end() && usage->is_object()) {
      response_.usage.input_tokens = InputTokens(*usage);
      response_.usage.output_tokens = usage->value("output_tokens", int64_t{0});
    }
    return {};
  }
  ChatResponse& response() { return response_; }
  TokenUsage reported_usage() const override { return response_.usage; }

 private:
  ChatResponse response_;
};

class AnthropicStreamReader : public ResponseReader {
 public:
  AnthropicStreamReader(std::string model, const TextHandler& on_text) : on_text_(on_text) {
    response_.provider = "anthropic";
    response_.model = std::move(model);
    response_.message.role = Role::kAssistant;
  }
  bool streaming() const override { return true; }
  bool delivered_text() const override { return delivered_; }

  bool OnChunk(std::string_view chunk) override {
    if (raw_.size() < kRawLimit) raw_.append(chunk.substr(0, kRawLimit - raw_.size()));
    return sse_.Feed(chunk, [this](std::string_view event, std::string_view data) { return Event(event, data); });
  }

  Outcome Finish(const HttpResponse&) override {
    if (failure_.failure == FailureClass::kNone && !stopped_) {
      sse_.Flush([this](std::string_view event, std::string_view data) { return Event(event, data); });
    }
    if (failure_.failure != FailureClass::kNone) return failure_;
    if (sse_.events() == 0) {
      return BadResponse("the answer is not an event stream: " + ExtractErrorMessage(raw_));
    }
    if (!stopped_) return BadResponse("the event stream ended before message_stop");
    for (auto& [index, block] : blocks_) {
      if (!block.tool) continue;
      response_.message.tool_calls.push_back(MakeToolCall(block.id, block.name, block.input));
    }
    return {};
  }

  ChatResponse& response() { return response_; }
  TokenUsage reported_usage() const override { return response_.usage; }

 private:
  static constexpr size_t kRawLimit = 1 << 16;
  struct Block {
    bool tool = false;
    std::string id, name, input;
  };

  bool Fail(Outcome outcome) {
    failure_ = std::move(outcome);
    return false;
  }

  bool Event(std::string_view, std::string_view data) {
    json event = json::parse(data, nullptr, false);
    if (event.is_discarded() || !event.is_object()) {
      return Fail(BadResponse("a stream event is not JSON: " + ExtractErrorMessage(data)));
    }
    // The type inside the data is authoritative; the `event:` line repeats it.
    std::string type = StringOr(event, "type");
    if (type == "message_start") {
      const json message = event.value("message", json::object());
      response_.model = StringOr(message, "model", response_.model);
      if (auto usage = message.find("usage"); usage != message.end() && usage->is_object()) {
        response_.usage.input_tokens = InputTokens(*usage);
        response_.usage.output_tokens = usage->value("output_tokens", int64_t{0});
      }
    } else if (type == "content_block_start") {
      const json start = event.value("content_block", json::object());
      Block& block = blocks_[event.value("index", 0)];
      if (StringOr(start, "type") == "tool_use") {
        block.tool = true;
        block.id = StringOr(start, "id");
        block.name = StringOr(start, "name");
        if (block.name.empty()) return Fail(BadResponse("a streamed tool_use block has no name"));
      } else if (StringOr(start, "type") == "text") {
        Text(StringOr(start, "text"));
      }
    } else if (type == "content_block_delta") {
      const json delta = event.value("delta", json::object());
      std::string kind = StringOr(delta, "type");
      if (kind == "text_delta") {
        Text(StringOr(delta, "text"));
      } else if (kind == "input_json_delta") {
        blocks_[event.value("index", 0)].input += StringOr(delta, "partial_json");
      }
    } else if (type == "message_delta") {
      const json delta = event.value("delta", json::object());
      if (std::string reason = StringOr(delta, "stop_reason"); !reason.empty()) {
        response_.stop_reason = ParseStopReason(reason);
      }
      if (auto usage = event.find("usage"); usage != event.end() && usage->is_object()) {
        // Cumulative for the message.
        response_.usage.output_tokens = usage->value("output_tokens", response_.usage.output_tokens);
        if (int64_t input = InputTokens(*usage); input > 0) response_.usage.input_tokens = input;
      }
    } else if (type == "message_stop") {
      stopped_ = true;
    } else if (type == "error") {
      const json error = event.value("error", json::object());
      return Fail({ClassifyErrorType(StringOr(error, "type")), "error in the stream: " + ExtractErrorMessage(data)});
    }
    // ping, content_block_stop and event types added later need nothing.
    return true;
  }

  void Text(const std::string& text) {
    if (text.empty()) return;
    response_.message.text += text;
    if (on_text_) {
      on_text_(text);
      delivered_ = true;
    }
  }

  const TextHandler& on_text_;
  ChatResponse response_;
  SseDecoder sse_;
  std::string raw_;
  std::map<int, Block> blocks_;
  Outcome failure_;
  bool stopped_ = false;
  bool delivered_ = false;
};

// Appends `blocks` as a message of `role`, merged into the previous message when it has the same
// role (the API wants user and assistant turns to alternate).
void AppendMessage(json& messages, const std::string& role, json blocks) {
  if (blocks.empty()) return;
  if (!messages.empty() && messages.back()["role"] == role) {
    for (json& block : blocks) messages.back()["content"].push_back(std::move(block));
    return;
  }
  messages.push_back({{"role", role}, {"content", std::move(blocks)}});
}

}  // namespace

AnthropicProvider::AnthropicProvider(ProviderSettings settings)
    : base_url_(TrimSlash(settings.base_url.empty() ? kAnthropicBaseUrl : settings.base_url)),
      exchange_("anthropic", std::move(settings)) {}

std::string AnthropicProvider::default_model() const {
  return exchange_.settings().model.empty() ? "claude-sonnet-4-5" : exchange_.settings().model;
}

json AnthropicProvider::BuildChatBody(const ChatRequest& request) const {
  std::string system;
  json messages = json::array();
  for (const ChatMessage& message : request.messages) {
    switch (message.role) {
      case Role::kSystem:
        system += (system.empty() ? "" : "\n\n") + message.text;
        break;
      case Role::kUser:
        if (!message.text.empty()) AppendMessage(messages, "user", json::array({{{"type", "text"}, {"text", message.text}}}));
        break;
      case Role::kAssistant: {
        json blocks = json::array();
        if (!message.text.empty()) blocks.push_back({{"type", "text"}, {"text", message.text}});
        for (const ToolCall& call : message.tool_calls) {
          // input must be an object; arguments that were not JSON cannot be replayed verbatim.
          blocks.push_back({{"type", "tool_use"},
                            {"id", call.id},
                            {"name", call.name},
                            {"input", call.arguments.is_object() ? call.arguments : json::object()}});
        }
        AppendMessage(messages, "assistant", std::move(blocks));
        break;
      }
      case Role::kTool:
        AppendMessage(messages, "user",
                      json::array({{{"type", "tool_result"},
                                    {"tool_use_id", message.tool_call_id},
                                    {"content", message.text},
                                    {"is_error", message.tool_error}}}));
        break;
    }
  }
  if (request.response_schema) {
    system += (system.empty() ? "" : "\n\n") + std::string(
        "Answer with one JSON object only: no prose before or after it and no code fences. The object "
        "must conform to this JSON Schema:\n") + DumpJson(*request.response_schema);
  }
  json body = {{"model", request.model.empty() ? default_model() : request.model},
               {"max_tokens", request.max_tokens},
               {"messages", std::move(messages)},
               {"temperature", request.temperature}};
  if (!system.empty()) body["system"] = system;
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const ToolDefinition& tool : request.tools) {
      tools.push_back({{"name", tool.name}, {"description", tool.description}, {"input_schema", tool.parameters}});
    }
    body["tools"] = std::move(tools);
  }
  if (request.stream) body["stream"] = true;
  return body;
}

Result<ChatResponse> AnthropicProvider::Chat(const ChatRequest& request, const TextHandler& on_text,
                                             CallReport* report) {
  json body = BuildChatBody(request);
  std::string model = body["model"].get<std::string>();
  HttpRequest http;
  http.url = base_url_ + "/v1/messages";
  http.body = DumpJson(body);
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("x-api-key", exchange_.settings().api_key.reveal());
  http.headers.emplace_back("anthropic-version", exchange_.settings().anthropic_version);
  if (!request.traceparent.empty()) http.headers.emplace_back("traceparent", request.traceparent);
  if (request.stream) {
    return exchange_.RunWith<AnthropicStreamReader>(std::move(http), report, model, on_text);
  }
  return exchange_.RunWith<MessageReader>(std::move(http), report, model);
}

}  // namespace vcfagent::ai
