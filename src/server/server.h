// The HTTP server of `vcf-agent serve`: mounts the Router's routes on cpp-httplib (TLS when a
// certificate is configured) and applies, in this order, before a handler runs or a body is read:
//   request id (X-Request-Id: the client's if well-formed, else a new one; always echoed),
//   server span (traceparent in: continues the caller's trace; the response carries traceparent),
//   route match (404 no route, 405 with Allow), CORS (preflight answered; only configured
//   origins), authentication (Authorization: Bearer KEY or X-API-Key; 401), role (403), rate
//   limit per key (429 + Retry-After), body limits (411 for chunked bodies on JSON routes, 413
//   over max_body_bytes / max_upload_bytes).
// Then the handler runs under a JobScope whose cancel flag a watchdog sets at the request
// deadline (504 timeout). Every response is counted in vcfagent_http_* by route template, method
// and status, and logged as one JSON line. /health, /ready, /metrics and /openapi.json are public
// and cheap, and served even when every worker is busy (the overflow threads of
// http_connection.h, where other routes answer 503 busy). Under all of it, http_connection.h
// bounds slow clients and connections per address and closes a connection whose request body
// was not read; ambiguous request framing is refused (400) before anything else; every response
// carries the security headers (nosniff, no-store, CSP, no framing, no referrer).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "server/router.h"
#include "server/service.h"
#include "util/status.h"

namespace vcfagent::server {

class Server {
 public:
  // Adds /health, /ready, /metrics and /openapi.json to `router`, which must outlive the server.
  Server(Service& service, Router& router);
  ~Server();
  // Binds host:port (port 0: any free port); returns the port.
  Result<int> Bind();
  // Serves until Stop() (from another thread or a signal watcher).
  Status Run();
  void Stop();
  bool tls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Builds the router with every route group.
Router MakeRouter();

}  // namespace vcfagent::server
