// HttpClient: one HTTP request over libcurl, for the AI providers.
//
// Contract:
// - Send() performs one request (no retries: provider_http.h decides those) with a connect and a
//   total timeout, and returns the status, the headers (case-insensitive lookup) and the body.
// - With a chunk handler, the body of a 2xx answer is handed over piece by piece as it arrives
//   (SSE, NDJSON streaming) instead of being collected; error bodies are always collected whole so
//   their message can be read. The handler returns false to abort the transfer.
// - Transport failures are classified (timeout, connection) into ai::FailureClass; a transfer is
//   aborted when the user presses Ctrl-C (util/progress.h CancelRequested()).
// - Thread-safe: every Send() uses its own curl handle; curl_global_init runs once. Never logs,
//   never puts header values (API keys) into messages.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ai/chat.h"

namespace vcfagent::ai {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";  // "POST" or "GET"
  std::string url;
  HttpHeaders headers;
  std::string body;
  double connect_timeout_seconds = 10;
  double timeout_seconds = 120;  // the whole exchange, streaming included
};

struct HttpResponse {
  int status = 0;  // 0: no HTTP answer (see failure)
  HttpHeaders headers;
  std::string body;  // empty when a chunk handler took a 2xx body
  // kNone when the exchange completed; kTimeout / kConnection / kNotConfigured (bad URL) otherwise.
  FailureClass failure = FailureClass::kNone;
  std::string error;          // what went wrong in transport terms ("" when nothing did)
  bool cancelled = false;     // aborted because the user asked to stop
  bool handler_aborted = false;  // the chunk handler returned false
  double seconds = 0;

  // The value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
};

// Receives pieces of a 2xx body; returns false to abort the transfer.
using ChunkHandler = std::function<bool(std::string_view chunk)>;

HttpResponse SendHttpRequest(const HttpRequest& request, const ChunkHandler& on_chunk = {});

}  // namespace vcfagent::ai
