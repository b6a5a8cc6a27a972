#include "ai/ollama_provider.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

constexpr const char* kDefaultPort = "11434";

// Reads one /api/chat object (a whole answer, or one line of a stream) into `out`.
class ChatAccumulator {
 public:
  ChatAccumulator(std::string model, const TextHandler* on_text, std::atomic<int64_t>& next_id)
      : on_text_(on_text), next_id_(next_id) {
    response_.provider = "ollama";
    response_.model = std::move(model);
    response_.message.role = Role::kAssistant;
  }

  ResponseReader::Outcome Add(const json& object) {
    if (!object.is_object()) return BadResponse("an answer line is not a JSON object");
    if (object.contains("error")) {
      return {FailureClass::kServer, "error in the answer: " + ExtractErrorMessage(DumpJson(object))};
    }
    response_.model = StringOr(object, "model", response_.model);
    if (auto message = object.find("message"); message != object.end() && message->is_object()) {
      std::string text = StringOr(*message, "content");
      if (!text.empty()) {
        response_.message.text += text;
        if (on_text_ && *on_text_) {
          (*on_text_)(text);
          delivered_ = true;
        }
      }
      if (auto calls = message->find("tool_calls"); calls != message->end() && calls->is_array()) {
        for (const json& call : *calls) {
          if (!call.is_object() || !call.contains("function") || !call["function"].is_object()) {
            return BadResponse("a tool call has no function object");
          }
          const json& function = call["function"];
          std::string name = StringOr(function, "name");
          if (name.empty()) return BadResponse("a tool call has no function name");
          // Arguments are an object on this wire; some models' servers send a JSON string.
          json arguments = function.contains("arguments") ? function["arguments"] : json::object();
          std::string raw = arguments.is_string() ? arguments.get<std::string>() : DumpJson(arguments);
          response_.message.tool_calls.push_back(
              MakeToolCall("call_" + std::to_string(next_id_.fetch_add(1)), std::move(name), std::move(raw)));
        }
      }
    }
    if (object.value("done", false)) {
      done_ = true;
      std::string reason = StringOr(object, "done_reason", "stop");
      if (reason == "length") {
        response_.stop_reason = StopReason::kMaxTokens;
      } else if (reason == "stop") {
        response_.stop_reason = response_.message.tool_calls.empty() ? StopReason::kEndTurn : StopReason::kToolUse;
      } else {
        response_.stop_reason = StopReason::kOther;
      }
      response_.usage.input_tokens = object.value("prompt_eval_count", int64_t{0});
      response_.usage.output_tokens = object.value("eval_count", int64_t{0});
    }
    return {};
  }

  bool done() const { return done_; }
  bool delivered() const { return delivered_; }
  ChatResponse& response() { return response_; }
  const TokenUsage& usage() const { return response_.usage; }

 private:
  const TextHandler* on_text_;
  std::atomic<int64_t>& next_id_;
  ChatResponse response_;
  bool done_ = false;
  bool delivered_ = false;
};

class ChatReader : public ResponseReader {
 public:
  ChatReader(std::string model, bool stream, const TextHandler& on_text, std::atomic<int64_t>& next_id)
      : stream_(stream), chat_(std::move(model), stream ? &on_text : nullptr, next_id) {}
  bool streaming() const override { return stream_; }
  bool delivered_text() const override { return chat_.delivered(); }

  bool OnChunk(std::string_view chunk) override {
    return lines_.Feed(chunk, [this](std::string_view line) { return Line(line); });
  }

  Outcome Finish(const HttpResponse& http) override {
    if (!stream_) {
      json body = json::parse(http.body, nullptr, false);
      if (body.is_discarded()) return BadResponse("the answer is not JSON: " + ExtractErrorMessage(http.body));
      Outcome outcome = chat_.Add(body);
      if (outcome.failure == FailureClass::kNone && !chat_.done()) return BadResponse("the answer is not done");
      return outcome;
    }
    if (failure_.failure == FailureClass::kNone && !lines_.rest().empty()) Line(std::string(lines_.rest()));
    if (failure_.failure != FailureClass::kNone) return failure_;
    if (!chat_.done()) return BadResponse("the stream ended before its done:true line");
    return {};
  }

  ChatResponse& response() { return chat_.response(); }
  TokenUsage reported_usage() const override { return chat_.usage(); }

 private:
  bool Line(std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
    json object = json::parse(line, nullptr, false);
    if (object.is_discarded()) {
      failure_ = BadResponse("a stream line is not JSON: " + ExtractErrorMessage(line));
      return false;
    }
    failure_ = chat_.Add(object);
    return failure_.failure == FailureClass::kNone;
  }

  bool stream_;
  ChatAccumulator chat_;
  LineSplitter lines_;
  Outcome failure_;
};

class EmbedReader : public ResponseReader {
 public:
  explicit EmbedReader(size_t expected) : expected_(expected) {}
  bool streaming() const override { return false; }
  Outcome Finish(const HttpResponse& http) override {
    json body = json::parse(http.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return BadResponse("the embed answer is not JSON: " + ExtractErrorMessage(http.body));
    }
    auto embeddings = body.find("embeddings");
    if (embeddings == body.end() || !embeddings->is_array()) return BadResponse("the embed answer has no embeddings array");
    if (embeddings->size() != expected_) {
      return BadResponse("asked for " + std::to_string(expected_) + " embeddings, got " +
                         std::to_string(embeddings->size()));
    }
    for (const json& item : *embeddings) {
      if (!item.is_array() || item.empty()) return BadResponse("an embedding is not a non-empty array");
      std::vector<float>& vector = vectors_.emplace_back();
      for (const json& value : item) {
        if (!value.is_number()) return BadResponse("an embedding holds a value that is not a number");
        vector.push_back(value.get<float>());
      }
    }
    model_ = StringOr(body, "model");
    usage_.input_tokens = body.value("prompt_eval_count", int64_t{0});
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

json OllamaMessageJson(const ChatMessage& message) {
  json out = {{"role", std::string(ToString(message.role))}, {"content", message.text}};
  if (message.role == Role::kAssistant && !message.tool_calls.empty()) {
    out["tool_calls"] = json::array();
    for (const ToolCall& call : message.tool_calls) {
      out["tool_calls"].push_back(
          {{"function", {{"name", call.name}, {"arguments", call.arguments.is_object() ? call.arguments : json::object()}}}});
    }
  }
  if (message.role == Role::kTool) {
    out["tool_name"] = message.tool_name;
    if (message.tool_error) out["content"] = "ERROR: " + message.text;
  }
  return out;
}

}  // namespace

std::string NormalizeOllamaUrl(const std::string& host) {
  std::string url = TrimSlash(host);
  if (url.empty()) return std::string("http://localhost:") + kDefaultPort;
  if (url.find("://") != std::string::npos) return url;
  // OLLAMA_HOST style: host[:port][/path]
  size_t path = url.find('/');
  std::string authority = url.substr(0, path);
  bool has_port = authority.rfind(':') != std::string::npos && authority.back() != ']';
  if (!has_port) authority += std::string(":") + kDefaultPort;
  return "http://" + authority + (path == std::string::npos ? "" : url.substr(path));
}

OllamaProvider::OllamaProvider(ProviderSettings settings)
    : base_url_(NormalizeOllamaUrl(settings.base_url)), exchange_("ollama", std::move(settings)) {}

std::string OllamaProvider::default_model() const {
  return exchange_.settings().model.empty() ? "llama3.2" : exchange_.settings().model;
}

std::string OllamaProvider::embedding_model() const {
  const std::string& model = exchange_.settings().embedding_model;
  return model.empty() ? "nomic-embed-text" : model;
}

json OllamaProvider::BuildChatBody(const ChatRequest& request) const {
  json body = {{"model", request.model.empty() ? default_model() : request.model},
               {"messages", json::array()},
               {"stream", request.stream},
               {"options", {{"temperature", request.temperature}, {"num_predict", request.max_tokens}}}};
  for (const ChatMessage& message : request.messages) body["messages"].push_back(OllamaMessageJson(message));
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const ToolDefinition& tool : request.tools) {
      tools.push_back({{"type", "function"},
                       {"function", {{"name", tool.name}, {"description", tool.description},
                                     {"parameters", tool.parameters}}}});
    }
    body["tools"] = std::move(tools);
  }
  if (request.response_schema) body["format"] = *request.response_schema;
  return body;
}

Result<ChatResponse> OllamaProvider::Chat(const ChatRequest& request, const TextHandler& on_text,
                                          CallReport* report) {
  json body = BuildChatBody(request);
  std::string model = body["model"].get<std::string>();
  return exchange_.RunWith<ChatReader>(
      exchange_.BearerJsonPost(base_url_ + "/api/chat", DumpJson(body), request.traceparent), report, model,
      request.stream, on_text, next_call_id_);
}

Result<EmbeddingResult> OllamaProvider::Embed(const std::vector<std::string>& inputs, CallReport* report) {
  auto embed_batch = [&](const std::vector<std::string>& batch, CallReport* batch_report) -> Result<EmbeddingResult> {
    json body = {{"model", embedding_model()}, {"input", batch}};
    std::unique_ptr<EmbedReader> reader;
    Status status = exchange_.Run(exchange_.BearerJsonPost(base_url_ + "/api/embed", DumpJson(body), ""), [&] {
      reader = std::make_unique<EmbedReader>(batch.size());
      return reader.get();
    }, batch_report);
    if (!status.ok()) return status;
    return EmbeddingResult{std::move(reader->vectors()), reader->model(), reader->usage()};
  };
  return EmbedInBatches(name(), inputs, kEmbeddingBatch, embedding_model(), embed_batch, report);
}

}  // namespace vcfagent::ai
