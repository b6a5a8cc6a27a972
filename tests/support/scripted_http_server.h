// ScriptedHttpServer: a real HTTP/1.1 server on 127.0.0.1 (cpp-httplib) for tests that need a
// remote service, chiefly the AI providers. Tests script what it answers, byte for byte in each
// provider's documented wire format, and inspect every request it received (headers and bodies),
// so the product's real HTTP client and protocol code run end to end without any network.
//
// - Answers come from a per-route handler or a per-route queue of scripted responses. A request
//   with nothing scripted gets 599 and is recorded, so a test sees the surprise instead of hanging.
// - `chunks` streams the body in pieces with chunked transfer encoding (SSE, NDJSON), with an
//   optional pause between pieces; `delay_seconds` holds the answer back (timeouts). Pauses end
//   early when the server stops, so a test never waits for them.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}

namespace vcfagent::testing {

struct ScriptedResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::string> chunks;  // when non-empty: the body, streamed in these pieces
  double delay_seconds = 0;
  double chunk_delay_seconds = 0;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& name) const;  // "" when absent
};

class ScriptedHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const RecordedRequest&)>;

  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"
  int port() const { return port_; }

  // Answers METHOD PATH with `handler` from now on.
  void Handle(const std::string& method, const std::string& path, Handler handler);
  // Queues responses for METHOD PATH, answered one per request in order.
  void Enqueue(const std::string& method, const std::string& path, ScriptedResponse response);

  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;

 private:
  ScriptedResponse Respond(const RecordedRequest& request);
  void Pause(double seconds);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  std::map<std::string, Handler> handlers_;
  std::map<std::string, std::deque<ScriptedResponse>> queues_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace vcfagent::testing
