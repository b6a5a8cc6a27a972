// What every AI provider shares on the way to its server: retries with backoff, Retry-After, a
// circuit breaker, the CallReport, provider error messages and key redaction.
//
// Contract:
// - ProviderExchange::Run sends one logical call. It retries only transient failures (HTTP 429, 5xx,
//   529, timeouts, dropped connections), at most max_retries times, waiting backoff_initial *
//   2^(n-1) with jitter (capped by backoff_max) or the server's Retry-After (seconds or HTTP-date,
//   also capped by backoff_max). It never retries once streamed text has reached the caller's
//   TextHandler: the terminal already shows it.
// - The circuit breaker (one per provider object) opens after breaker_failures consecutive failed
//   calls; while open, calls fail at once with kCircuitOpen and send nothing; after
//   breaker_cooldown_seconds one trial call goes through (half-open), whose outcome closes or
//   reopens it. Only failures that say the provider is unwell count (transient ones and answers
//   that are not the protocol); a refused request (4xx) shows the server is alive.
// - Failure messages read "openai: HTTP 429 rate_limit_exceeded: Rate limit reached ... (after 4
//   attempts)" and never contain the API key, even when the server echoes it.
// - Ctrl-C (CancelRequested()) aborts a transfer and the waits between retries.
// - Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <mutex>
#include <string>
#include <string_view>

#include "ai/chat.h"
#include "ai/http_client.h"
#include "ai/provider_config.h"

namespace vcfagent::ai {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  using Clock = std::chrono::steady_clock;

  // failure_threshold <= 0 disables the breaker.
  CircuitBreaker(int failure_threshold, double cooldown_seconds);

  // Whether a call may go out now. When the cooldown has passed, lets exactly one trial through.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  // A call let through that ended without a verdict (cancelled): a half-open trial is given back.
  void Release();
  State state() const;
  // Seconds until an open breaker lets a trial through (0 when not open).
  double SecondsUntilTrial() const;
  int consecutive_failures() const;

 private:
  const int failure_threshold_;
  const double cooldown_seconds_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  Clock::time_point opened_at_;
};

// The protocol side of one attempt: made fresh for every attempt by the provider, it reads a 2xx
// answer (whole, or streamed chunk by chunk) and says whether it was the protocol.
class ResponseReader {
 public:
  struct Outcome {
    FailureClass failure = FailureClass::kNone;
    std::string message;  // what was wrong, when failure is not kNone
  };
  virtual ~ResponseReader() = default;
  // Whether the 2xx body is streamed to OnChunk (else it arrives whole in Finish).
  virtual bool streaming() const = 0;
  // A piece of a streamed 2xx body. Returns false to stop the transfer (Finish then reports why).
  virtual bool OnChunk(std::string_view chunk) { return true; }
  // The end of a 2xx answer (also after OnChunk returned false, or the stream broke).
  virtual Outcome Finish(const HttpResponse& response) = 0;
  // Whether any text reached the caller's TextHandler (then the call is never retried).
  virtual bool delivered_text() const { return false; }
  // The tokens the answer reported (for metrics and the call's span; zero when unknown).
  virtual TokenUsage reported_usage() const { return {}; }
};

// `url` without its trailing slashes.
std::string TrimSlash(std::string url);

// object[key] when it is a string, otherwise `fallback`.
std::string StringOr(const nlohmann::json& object, const char* key, const std::string& fallback = "");

// A reader's outcome for an answer that breaks the provider's protocol (FailureClass::kBadResponse).
ResponseReader::Outcome BadResponse(std::string message);

// The provider's error message from an error body: OpenAI {"error":{"message","type","code"}},
// Anthropic {"type":"error","error":{"type","message"}}, Ollama {"error":"..."}; otherwise the
// start of the body. Returns e.g. "rate_limit_exceeded: Rate limit reached".
std::string ExtractErrorMessage(std::string_view body);

// The failure class of an HTTP status (200-299: kNone).
FailureClass ClassifyHttpStatus(int status);

// Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); negative when unusable.
double ParseRetryAfter(std::string_view value);

// Removes `key` (and any fragment of it, and sk-... tokens) from `text`.
std::string RedactKey(std::string text, const std::string& key);

// Splits a streamed body into lines (LF or CRLF), across chunk boundaries.
class LineSplitter {
 public:
  // Calls `on_line` for every complete line in `chunk`; stops early when it returns false.
  bool Feed(std::string_view chunk, const std::function<bool(std::string_view line)>& on_line);
  // What is left after the last newline (a last line without one).
  const std::string& rest() const { return pending_; }

 private:
  std::string pending_;
};

// Server-sent events (text/event-stream): collects `event:` and `data:` lines and hands over each
// event at its blank line.
class SseDecoder {
 public:
  using EventHandler = std::function<bool(std::string_view event, std::string_view data)>;
  bool Feed(std::string_view chunk, const EventHandler& on_event);
  // Dispatches an event the stream ended without a blank line after.
  bool Flush(const EventHandler& on_event);
  int events() const { return events_; }

 private:
  bool Line(std::string_view line, const EventHandler& on_event);
  LineSplitter lines_;
  std::string event_;
  std::string data_;
  bool has_data_ = false;
  int events_ = 0;
};

// Tool-call arguments as the model sent them: the object, or null when the text is not a JSON
// object (the text is kept in ToolCall::raw_arguments for the agent to answer with an error).
ToolCall MakeToolCall(std::string id, std::string name, std::string raw_arguments);

// Embeds `inputs` in batches of `batch_size` with `embed_batch` (one request each), keeps the
// vectors in input order, refuses vectors of different dimensions, and sums usage and `report`.
using EmbedBatch = std::function<Result<EmbeddingResult>(const std::vector<std::string>& batch,
                                                         CallReport* report)>;
Result<EmbeddingResult> EmbedInBatches(const std::string& provider, const std::vector<std::string>& inputs,
                                       size_t batch_size, std::string model, const EmbedBatch& embed_batch,
                                       CallReport* report);

class ProviderExchange {
 public:
  // `provider` names the messages ("openai"); settings give timeouts, retries and the breaker.
  ProviderExchange(std::string provider, ProviderSettings settings);

  const std::string& provider() const { return provider_; }
  const ProviderSettings& settings() const { return settings_; }
  CircuitBreaker& breaker() { return breaker_; }

  // Sends `request` (timeouts from settings are applied) until it succeeds or fails for good.
  // `next_reader` is called before every attempt and returns that attempt's reader (owned by the
  // caller); on success the last one holds the answer. Fills `report` when not null.
  // The call is one client span ("ai.chat" or "ai.embeddings", a child of the request's
  // traceparent or else of the thread's current span), counted in the vcfagent_ai_* metrics; a
  // request without a traceparent header is sent with the span's.
  Status Run(HttpRequest request, const std::function<ResponseReader*()>& next_reader,
             CallReport* report);

  // Run() with a fresh Reader(args...) per attempt; the answer is the last reader's response().
  template <typename Reader, typename... Args>
  auto RunWith(HttpRequest request, CallReport* report, Args&&... args)
      -> Result<std::decay_t<decltype(std::declval<Reader&>().response())>> {
    std::unique_ptr<Reader> reader;
    Status status = Run(std::move(request), [&] {
      reader = std::make_unique<Reader>(args...);
      return reader.get();
    }, report);
    if (!status.ok()) return status;
    return std::move(reader->response());
  }

  // A JSON POST to `url`, with the configured key (when there is one) as a bearer token
  // and the W3C traceparent when given.
  HttpRequest BearerJsonPost(const std::string& url, std::string body, const std::string& traceparent) const;

 private:
  double BackoffSeconds(int retry) const;
  Status RunAttempts(HttpRequest request, const std::function<ResponseReader*()>& next_reader,
                     CallReport& out);

  const std::string provider_;
  const ProviderSettings settings_;
  CircuitBreaker breaker_;
};

}  // namespace vcfagent::ai
