#include "ai/provider_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "util/progress.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

// Sleeps `seconds` in short slices so Ctrl-C is noticed; false when cancelled.
bool WaitUnlessCancelled(double seconds) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < until) {
    if (CancelRequested()) return false;
    Clock::duration left = until - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return !CancelRequested();
}

std::string Printable(std::string_view text, size_t limit) {
  std::string out;
  for (char c : text.substr(0, limit)) {
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  if (text.size() > limit) out += "...";
  return out;
}

std::string FormatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", seconds);
  return text;
}

std::string JsonText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return DumpJson(value);
}

// Counting failures: the provider is unwell (not: our request was refused).
bool CountsAgainstBreaker(FailureClass failure) {
  return IsTransient(failure) || failure == FailureClass::kBadResponse;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '*' || c == '.';
}

}  // namespace

// ---- CircuitBreaker ----

CircuitBreaker::CircuitBreaker(int failure_threshold, double cooldown_seconds)
    : failure_threshold_(failure_threshold), cooldown_seconds_(cooldown_seconds) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mutex_);
  if (failure_threshold_ <= 0) return true;
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kHalfOpen:
      return false;  // the one trial is in flight
    case State::kOpen:
      if (Clock::now() - opened_at_ >= std::chrono::duration<double>(cooldown_seconds_)) {
        state_ = State::kHalfOpen;
        return true;
      }
      return false;
  }
  return true;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mutex_);
  state_ = State::kClosed;
  consecutive_failures_ = 0;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (failure_threshold_ <= 0) return;
  if (state_ == State::kHalfOpen || consecutive_failures_ >= failure_threshold_) {
    state_ = State::kOpen;
    opened_at_ = Clock::now();
  }
}

void CircuitBreaker::Release() {
  std::lock_guard lock(mutex_);
  if (state_ == State::kHalfOpen) state_ = State::kOpen;  // the next call may try again at once
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

double CircuitBreaker::SecondsUntilTrial() const {
  std::lock_guard lock(mutex_);
  if (state_ != State::kOpen) return 0;
  double passed = std::chrono::duration<double>(Clock::now() - opened_at_).count();
  return std::max(0.0, cooldown_seconds_ - passed);
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mutex_);
  return consecutive_failures_;
}

// ---- helpers ----

std::string ExtractErrorMessage(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error")) {
    const json& error = parsed["error"];
    if (error.is_string()) return error.get<std::string>();  // Ollama
    if (error.is_object()) {
      // OpenAI names a code (rate_limit_exceeded) and a type; Anthropic only a type.
      std::string label = JsonText(error.value("code", json()));
      if (label.empty()) label = JsonText(error.value("type", json()));
      std::string message = JsonText(error.value("message", json()));
      if (label.empty()) return message;
      return message.empty() ? label : label + ": " + message;
    }
  }
  std::string_view trimmed = body;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
  return trimmed.empty() ? "(empty body)" : Printable(trimmed, 200);
}

FailureClass ClassifyHttpStatus(int status) {
  if (status >= 200 && status < 300) return FailureClass::kNone;
  if (status == 429) return FailureClass::kRateLimited;
  if (status == 401 || status == 403) return FailureClass::kAuth;
  if (status == 408) return FailureClass::kTimeout;
  if (status >= 500) return FailureClass::kServer;  // 529: Anthropic overloaded
  return FailureClass::kBadRequest;
}

double ParseRetryAfter(std::string_view value) {
  std::string text(value);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) return -1;
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0') return seconds >= 0 ? seconds : -1;
  time_t when = curl_getdate(text.c_str(), nullptr);  // RFC 7231 HTTP-date
  if (when < 0) return -1;
  return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

std::string RedactKey(std::string text, const std::string& key) {
  const std::string kMark = "[redacted]";
  if (!key.empty()) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + kMark.size())) {
      text.replace(at, key.size(), kMark);
    }
    // Servers echo parts of a key ("sk-abc***wxyz"): any token sharing 8 characters with it goes.
    constexpr size_t kWindow = 8;
    if (key.size() >= kWindow) {
      for (size_t i = 0; i + kWindow <= key.size(); ++i) {
        std::string window = key.substr(i, kWindow);
        for (size_t at = text.find(window); at != std::string::npos; at = text.find(window, at)) {
          size_t begin = at, end = at + kWindow;
          while (begin > 0 && IsTokenChar(text[begin - 1])) --begin;
          while (end < text.size() && IsTokenChar(text[end])) ++end;
          if (begin > 0 && text.compare(begin - 1, kMark.size(), kMark) == 0) {
            at = begin - 1 + kMark.size();  // an earlier mark, not a key
            continue;
          }
          text.replace(begin, end - begin, kMark);
          at = begin + kMark.size();
        }
      }
    }
  }
  // Tokens shaped like OpenAI/Anthropic keys, whoever's they are.
  for (size_t at = text.find("sk-"); at != std::string::npos; at = text.find("sk-", at + 1)) {
    if (at > 0 && IsTokenChar(text[at - 1])) continue;
    size_t end = at + 3;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    if (end - at >= 8) text.replace(at, end - at, kMark);
  }
  return text;
}

// ---- streams ----

bool LineSplitter::Feed(std::string_view chunk, const std::function<bool(std::string_view)>& on_line) {
  pending_.append(chunk);
  size_t begin = 0;
  bool go_on = true;
  for (size_t newline; go_on && (newline = pending_.find('\n', begin)) != std::string::npos; begin = newline + 1) {
    std::string_view line(pending_.data() + begin, newline - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    go_on = on_line(line);
  }
  pending_.erase(0, begin);
  return go_on;
}

bool SseDecoder::Feed(std::string_view chunk, const EventHandler& on_event) {
  return lines_.Feed(chunk, [&](std::string_view line) { return Line(line, on_event); });
}

bool SseDecoder::Flush(const EventHandler& on_event) {
  if (!lines_.rest().empty()) {
    std::string last = lines_.rest();
    if (!Line(last, on_event)) return false;
  }
  return Line("", on_event);
}

bool SseDecoder::Line(std::string_view line, const EventHandler& on_event) {
  if (line.empty()) {
    if (!has_data_) {
      event_.clear();
      return true;
    }
    ++events_;
    bool go_on = on_event(event_, data_);
    event_.clear();
    data_.clear();
    has_data_ = false;
    return go_on;
  }
  if (line.front() == ':') return true;  // a comment (keep-alive)
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    event_ = std::string(value);
  } else if (field == "data") {
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  }
  return true;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string StringOr(const nlohmann::json& object, const char* key, const std::string& fallback) {
  auto it = object.find(key);
  return (it != object.end() && it->is_string()) ? it->get<std::string>() : fallback;
}

ResponseReader::Outcome BadResponse(std::string message) {
  return {FailureClass::kBadResponse, std::move(message)};
}

ToolCall MakeToolCall(std::string id, std::string name, std::string raw_arguments) {
  ToolCall call;
  call.id = std::move(id);
  call.name = std::move(name);
  // Models call argument-less tools with "" as often as with "{}".
  std::string_view text = raw_arguments;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  json parsed = text.empty() ? json::object() : json::parse(text, nullptr, false);
  call.arguments = (!parsed.is_discarded() && parsed.is_object()) ? parsed : json();
  call.raw_arguments = std::move(raw_arguments);
  return call;
}

Result<EmbeddingResult> EmbedInBatches(const std::string& provider, const std::vector<std::string>& inputs,
                                       size_t batch_size, std::string model, const EmbedBatch& embed_batch,
                                       CallReport* report) {
  EmbeddingResult result;
  result.model = std::move(model);
  CallReport total;
  for (size_t begin = 0; begin < inputs.size(); begin += batch_size) {
    size_t end = std::min(inputs.size(), begin + batch_size);
    CallReport batch_report;
    auto batch = embed_batch(std::vector<std::string>(inputs.begin() + begin, inputs.begin() + end), &batch_report);
    total.attempts += batch_report.attempts;
    total.http_status = batch_report.http_status;
    total.failure = batch_report.failure;
    total.seconds += batch_report.seconds;
    if (report) *report = total;
    if (!batch.ok()) return batch.status();
    for (std::vector<float>& vector : batch->vectors) {
      if (!result.vectors.empty() && vector.size() != result.vectors.front().size()) {
        return Status::IoError(provider + ": embeddings of different dimensions (" +
                               std::to_string(result.vectors.front().size()) + " and " +
                               std::to_string(vector.size()) + ")");
      }
      result.vectors.push_back(std::move(vector));
    }
    if (!batch->model.empty()) result.model = batch->model;
    result.usage += batch->usage;
  }
  return result;
}

// ---- telemetry of one provider call ----

namespace {

// The metric label of a failure class (service_metrics.h lists them).
std::string_view FailureLabel(FailureClass failure) {
  switch (failure) {
    case FailureClass::kNone: return "none";
    case FailureClass::kRateLimited: return "rate_limited";
    case FailureClass::kServer: return "server";
    case FailureClass::kTimeout: return "timeout";
    case FailureClass::kConnection: return "connection";
    case FailureClass::kAuth: return "auth";
    case FailureClass::kBadRequest: return "bad_request";
    case FailureClass::kBadResponse: return "invalid_response";
    case FailureClass::kCircuitOpen: return "circuit_open";
    case FailureClass::kNotConfigured: return "not_configured";
  }
  return "unknown";
}

bool IsTraceparentHeader(std::string_view name) {
  return name.size() == 11 && std::equal(name.begin(), name.end(), "traceparent", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// The "traceparent" header of `request`, if any.
std::optional<obs::SpanContext> RequestParent(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (IsTraceparentHeader(name)) return obs::ParseTraceparent(value);
  }
  return std::nullopt;
}

// What a request body says about the call: the model asked for, and whether it embeds.
struct CallShape {
  std::string model;
  bool embeddings = false;
};

CallShape ShapeOf(const HttpRequest& request) {
  CallShape shape;
  json body = json::parse(request.body, nullptr, false);
  if (body.is_object()) {
    if (auto it = body.find("model"); it != body.end() && it->is_string()) shape.model = it->get<std::string>();
    shape.embeddings = body.contains("input") && !body.contains("messages");
  }
  if (shape.model.empty()) shape.model = "unknown";
  return shape;
}

// The span and metrics of one logical provider call (retries included).
class AiCallTelemetry {
 public:
  AiCallTelemetry(const std::string& provider, HttpRequest& request)
      : provider_(provider),
        shape_(ShapeOf(request)),
        parent_(RequestParent(request)),
        span_(shape_.embeddings ? "ai.embeddings" : "ai.chat", obs::SpanKind::kClient,
              parent_ ? &*parent_ : nullptr) {
    // The provider sees this span as the caller (W3C: the client span's id is the parent-id),
    // unless the caller chose the traceparent to send (ChatRequest::traceparent): that is sent as is.
    const bool has_header = std::any_of(request.headers.begin(), request.headers.end(),
                                        [](const auto& header) { return IsTraceparentHeader(header.first); });
    if (span_.context().valid() && !has_header) request.headers.emplace_back("traceparent", span_.traceparent());
    span_.SetAttribute("gen_ai.system", provider_);
    span_.SetAttribute("gen_ai.operation.name", std::string(shape_.embeddings ? "embeddings" : "chat"));
    span_.SetAttribute("gen_ai.request.model", shape_.model);
  }

  void Finish(const Status& status, const CallReport& report, const TokenUsage& usage) {
    obs::ServiceMetrics& metrics = obs::Metrics();
    const std::string& model = shape_.model;
    metrics.ai_request_duration.With({provider_, model}).Observe(report.seconds);
    span_.SetAttribute("vcfagent.ai.attempts", static_cast<int64_t>(report.attempts));
    if (report.http_status != 0) span_.SetAttribute("http.response.status_code", static_cast<int64_t>(report.http_status));
    if (status.ok()) {
      metrics.ai_requests.With({provider_, model, "ok"}).Inc();
      span_.SetAttribute("gen_ai.usage.input_tokens", usage.input_tokens);
      span_.SetAttribute("gen_ai.usage.output_tokens", usage.output_tokens);
      if (usage.input_tokens > 0) {
        metrics.ai_tokens.With({provider_, model, "input"}).Inc(static_cast<double>(usage.input_tokens));
      }
      if (usage.output_tokens > 0) {
        metrics.ai_tokens.With({provider_, model, "output"}).Inc(static_cast<double>(usage.output_tokens));
      }
      return;
    }
    const std::string_view failure = status.kind() == ErrorKind::kCancelled ? "cancelled" : FailureLabel(report.failure);
    metrics.ai_requests.With({provider_, model, "error"}).Inc();
    metrics.ai_errors.With({provider_, model, failure}).Inc();
    span_.SetAttribute("error.type", std::string(failure));
    span_.SetError(status.message());
  }

 private:
  const std::string& provider_;
  const CallShape shape_;
  const std::optional<obs::SpanContext> parent_;
  obs::Span span_;
};

}  // namespace

// ---- ProviderExchange ----

ProviderExchange::ProviderExchange(std::string provider, ProviderSettings settings)
    : provider_(std::move(provider)),
      settings_(std::move(settings)),
      breaker_(settings_.breaker_failures, settings_.breaker_cooldown_seconds) {}

double ProviderExchange::BackoffSeconds(int retry) const {
  double base = settings_.backoff_initial_seconds * std::pow(2.0, retry - 1);
  base = std::min(base, settings_.backoff_max_seconds);
  // Jitter in [base/2, base]: clients retrying together spread out.
  thread_local std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::max(0.0, base * jitter(random));
}

Status ProviderExchange::Run(HttpRequest request, const std::function<ResponseReader*()>& next_reader,
                             CallReport* report) {
  CallReport local;
  CallReport& out = report ? *report : local;
  AiCallTelemetry telemetry(provider_, request);
  ResponseReader* last_reader = nullptr;
  Status status = RunAttempts(std::move(request), [&] { return last_reader = next_reader(); }, out);
  telemetry.Finish(status, out, status.ok() && last_reader ? last_reader->reported_usage() : TokenUsage{});
  return status;
}

Status ProviderExchange::RunAttempts(HttpRequest request, const std::function<ResponseReader*()>& next_reader,
                                     CallReport& out) {
  out = CallReport{};
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](FailureClass failure) {
    out.failure = failure;
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const std::string& key = settings_.api_key.reveal();

  if (!breaker_.Allow()) {
    finish(FailureClass::kCircuitOpen);
    return Status::IoError(provider_ + ": circuit breaker open after " +
                           std::to_string(breaker_.consecutive_failures()) +
                           " consecutive failed calls; not called (next trial in " +
                           FormatSeconds(breaker_.SecondsUntilTrial()) + " s)");
  }
  request.connect_timeout_seconds = settings_.connect_timeout_seconds;
  request.timeout_seconds = settings_.timeout_seconds;

  const int max_attempts = std::max(0, settings_.max_retries) + 1;
  ResponseReader::Outcome last;
  bool streamed_text = false;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (CancelRequested()) {
      breaker_.Release();
      finish(FailureClass::kNone);
      return Status::Cancelled(provider_ + ": cancelled");
    }
    ResponseReader* reader = next_reader();
    ChunkHandler on_chunk;
    if (reader->streaming()) on_chunk = [reader](std::string_view chunk) { return reader->OnChunk(chunk); };
    HttpResponse response = SendHttpRequest(request, on_chunk);
    out.attempts = attempt;
    out.http_status = response.status;
    if (response.cancelled) {
      breaker_.Release();
      finish(FailureClass::kNone);
      return Status::Cancelled(provider_ + ": cancelled");
    }

    double retry_after = -1;
    FailureClass status_class = ClassifyHttpStatus(response.status);
    if (response.status != 0 && status_class != FailureClass::kNone) {
      // An error answer (collected whole): its status and the provider's own words.
      last = {status_class, "HTTP " + std::to_string(response.status) + " " + ExtractErrorMessage(response.body)};
      std::string after_ms = response.Header("retry-after-ms");  // OpenAI's finer-grained hint
      retry_after = after_ms.empty() ? -1 : ParseRetryAfter(after_ms) / 1000.0;
      if (retry_after < 0) retry_after = ParseRetryAfter(response.Header("retry-after"));
    } else if (response.failure != FailureClass::kNone && !response.handler_aborted) {
      // No complete answer: refused, timed out, or a stream that broke off.
      std::string what = response.failure == FailureClass::kTimeout
                             ? "no complete answer within " + FormatSeconds(settings_.timeout_seconds) + " s"
                             : "connection failed";
      if (response.status != 0) what += " (after HTTP " + std::to_string(response.status) + ")";
      last = {response.failure, what + ": " + response.error};
    } else {
      // A 2xx answer, or a stream the reader stopped: the reader judges it.
      last = reader->Finish(response);
    }
    if (last.failure == FailureClass::kNone) {
      breaker_.RecordSuccess();
      finish(FailureClass::kNone);
      return Status::Ok();
    }
    streamed_text = reader->delivered_text();
    if (!IsTransient(last.failure) || attempt == max_attempts || streamed_text) break;
    double wait = retry_after >= 0 ? std::min(retry_after, settings_.backoff_max_seconds) : BackoffSeconds(attempt);
    if (!WaitUnlessCancelled(wait)) {
      breaker_.Release();
      finish(last.failure);
      return Status::Cancelled(provider_ + ": cancelled");
    }
  }

  if (CountsAgainstBreaker(last.failure)) {
    breaker_.RecordFailure();
  } else {
    breaker_.RecordSuccess();  // the server answered: it is alive
  }
  finish(last.failure);
  std::string message = provider_ + ": " + last.message;
  if (out.attempts > 1) message += " (after " + std::to_string(out.attempts) + " attempts)";
  if (streamed_text) message += " (not retried: part of the answer was already shown)";
  message = RedactKey(std::move(message), key);
  if (last.failure == FailureClass::kAuth) {
    return Status::Usage(message + "; check the provider's API key");
  }
  return Status::IoError(message);
}

HttpRequest ProviderExchange::BearerJsonPost(const std::string& url, std::string body,
                                             const std::string& traceparent) const {
  HttpRequest http;
  http.url = url;
  http.body = std::move(body);
  http.headers.emplace_back("Content-Type", "application/json");
  if (!settings_.api_key.empty()) http.headers.emplace_back("Authorization", "Bearer " + settings_.api_key.reveal());
  if (!traceparent.empty()) http.headers.emplace_back("traceparent", traceparent);
  return http;
}

}  // namespace vcfagent::ai
