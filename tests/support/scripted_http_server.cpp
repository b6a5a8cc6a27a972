#include "support/scripted_http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace vcfagent::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string RouteKey(const std::string& method, const std::string& path) { return method + " " + path; }

}  // namespace

std::string RecordedRequest::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

ScriptedHttpServer::ScriptedHttpServer() : server_(std::make_unique<httplib::Server>()) {
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest recorded;
    recorded.method = req.method;
    recorded.path = req.path;
    recorded.body = req.body;
    for (const auto& [name, value] : req.headers) recorded.headers.emplace(Lower(name), value);
    ScriptedResponse answer = Respond(recorded);
    Pause(answer.delay_seconds);
    res.status = answer.status;
    for (const auto& [name, value] : answer.headers) res.set_header(name, value);
    if (answer.chunks.empty()) {
      res.set_content(answer.body, answer.content_type);
      return;
    }
    auto chunks = std::make_shared<std::vector<std::string>>(std::move(answer.chunks));
    auto next = std::make_shared<size_t>(0);
    double pause = answer.chunk_delay_seconds;
    res.set_chunked_content_provider(
        answer.content_type, [this, chunks, next, pause](size_t, httplib::DataSink& sink) {
          if (*next > 0) Pause(pause);
          if (*next >= chunks->size()) {
            sink.done();
            return true;
          }
          const std::string& piece = (*chunks)[(*next)++];
          return sink.write(piece.data(), piece.size());
        });
  };
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Delete(".*", dispatch);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("ScriptedHttpServer: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 2000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ScriptedHttpServer::~ScriptedHttpServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string ScriptedHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void ScriptedHttpServer::Handle(const std::string& method, const std::string& path, Handler handler) {
  std::lock_guard lock(mutex_);
  handlers_[RouteKey(method, path)] = std::move(handler);
}

void ScriptedHttpServer::Enqueue(const std::string& method, const std::string& path,
                                 ScriptedResponse response) {
  std::lock_guard lock(mutex_);
  queues_[RouteKey(method, path)].push_back(std::move(response));
}

std::vector<RecordedRequest> ScriptedHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t ScriptedHttpServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

ScriptedResponse ScriptedHttpServer::Respond(const RecordedRequest& request) {
  Handler handler;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    const std::string key = RouteKey(request.method, request.path);
    auto queued = queues_.find(key);
    if (queued != queues_.end() && !queued->second.empty()) {
      ScriptedResponse answer = std::move(queued->second.front());
      queued->second.pop_front();
      return answer;
    }
    auto it = handlers_.find(key);
    if (it != handlers_.end()) handler = it->second;
  }
  if (handler) return handler(request);
  ScriptedResponse unscripted;
  unscripted.status = 599;
  unscripted.body = R"({"error":"ScriptedHttpServer: nothing scripted for )" + request.method + " " +
                    request.path + "\"}";
  return unscripted;
}

void ScriptedHttpServer::Pause(double seconds) {
  if (seconds <= 0) return;
  std::unique_lock lock(mutex_);
  stopping_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
}

}  // namespace vcfagent::testing
