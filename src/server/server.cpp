#include "server/server.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "obs/log.h"
#include "obs/metrics.h"
#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "server/http_connection.h"
#include "server/openapi_schemas.h"
#include "store/similarity_update.h"
#include "store/store.h"
#include "util/progress.h"

namespace vcfagent::server {
namespace {

using Clock = std::chrono::steady_clock;

// ---- route matching ---------------------------------------------------------------------

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// A compiled route template: literal segments compared, {name} segments captured.
struct Pattern {
  std::vector<std::string> segments;
  bool Match(const std::vector<std::string>& path, std::vector<std::string>* params) const {
    if (path.size() != segments.size()) return false;
    std::vector<std::string> values;
    for (size_t i = 0; i < path.size(); ++i) {
      if (IsParam(segments[i])) {
        if (path[i].empty()) return false;
        values.push_back(path[i]);
      } else if (segments[i] != path[i]) {
        return false;
      }
    }
    if (params != nullptr) *params = std::move(values);
    return true;
  }
};

// The httplib pattern for a template: {name} -> ([^/]+), everything else literal.
std::string HttplibPattern(const std::string& path) {
  std::string out;
  for (const auto& segment : Segments(path)) {
    out += '/';
    if (IsParam(segment)) {
      out += "([^/]+)";
    } else {
      for (char c : segment) {
        if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
        out += c;
      }
    }
  }
  return out;
}

// ---- per-request state (pre-routing, handler and logger run on the same worker thread) ----

struct RequestState {
  bool active = false;
  // PreRoute already ran for this request (from the Expect: 100-continue handler).
  const httplib::Request* routed_early = nullptr;
  Clock::time_point start;
  std::string request_id;
  int route_index = -1;
  std::vector<std::string> path_params;
  Principal principal;
  std::optional<obs::Span> span;
  // The request's body was read to its end (by httplib before a non-streaming handler, or by a
  // streaming handler through its reader). A response to a request whose body was not read
  // closes the connection: the unread bytes must never be parsed as further requests.
  bool body_read = false;
};
thread_local RequestState t_request;

void ResetRequestState() {
  t_request.span.reset();  // ends the span (Span is not movable)
  t_request.active = false;
  t_request.routed_early = nullptr;
  t_request.request_id.clear();
  t_request.route_index = -1;
  t_request.path_params.clear();
  t_request.principal = Principal{};
  t_request.body_read = false;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("req-{:016x}", rng());
}

bool WellFormedRequestId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

bool HasBody(const httplib::Request& req) {
  return req.has_header("Content-Length") ? req.get_header_value("Content-Length") != "0"
                                          : req.has_header("Transfer-Encoding");
}

// Requests whose framing two HTTP parsers could read differently (a proxy in front and this
// server), the root of request smuggling: refused, and the connection closed after the answer.
std::optional<std::string> AmbiguousFraming(const httplib::Request& req) {
  const size_t lengths = req.get_header_value_count("Content-Length");
  const size_t encodings = req.get_header_value_count("Transfer-Encoding");
  if (lengths > 1) return "more than one Content-Length header";
  if (encodings > 1) return "more than one Transfer-Encoding header";
  if (encodings == 1 && lengths == 1) return "both Content-Length and Transfer-Encoding";
  if (encodings == 1 && req.get_header_value("Transfer-Encoding") != "chunked") {
    return fmt::format("Transfer-Encoding '{}' is not supported (only chunked)", req.get_header_value("Transfer-Encoding"));
  }
  if (lengths == 1) {
    const std::string text = req.get_header_value("Content-Length");
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      return fmt::format("invalid Content-Length '{}'", text);
    }
  }
  // httplib never reads the body of these methods.
  if ((req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") && HasBody(req)) {
    return fmt::format("a {} request must not have a body", req.method);
  }
  return std::nullopt;
}

// Headers every response carries: no MIME sniffing, no caching of API answers, no framing, no
// referrer, and a content security policy that lets a response load nothing (the HTML reports:
// their inline style only).
void SecurityHeaders(httplib::Response& res, bool tls) {
  const auto set_default = [&](const char* name, const std::string& value) {
    if (!res.has_header(name)) res.set_header(name, value);
  };
  set_default("X-Content-Type-Options", "nosniff");
  set_default("Cache-Control", "no-store");
  set_default("Referrer-Policy", "no-referrer");
  set_default("X-Frame-Options", "DENY");
  const bool html = res.get_header_value("Content-Type").rfind("text/html", 0) == 0;
  set_default("Content-Security-Policy",
              html ? "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
                     "base-uri 'none'; form-action 'none'"
                   : "default-src 'none'; frame-ancestors 'none'");
  if (tls) set_default("Strict-Transport-Security", "max-age=31536000");
}

// ---- request deadlines ----------------------------------------------------------------------

// Sets the cancel flag of requests that pass their deadline; library loops poll it through
// CancelRequested() (the handler's JobScope), so a slow query stops instead of holding a worker.
class Watchdog {
 public:
  Watchdog() : thread_([this] { Loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  uint64_t Watch(JobControl* control, Clock::time_point deadline, std::atomic<bool>* fired) {
    std::lock_guard lock(mutex_);
    const uint64_t id = ++next_;
    entries_[id] = {control, deadline, fired};
    return id;
  }
  void Forget(uint64_t id) {
    std::lock_guard lock(mutex_);
    entries_.erase(id);
  }

 private:
  struct Entry {
    JobControl* control;
    Clock::time_point deadline;
    std::atomic<bool>* fired;
  };
  void Loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(50));
      const auto now = Clock::now();
      for (auto& [id, e] : entries_) {
        if (now >= e.deadline && !e.fired->exchange(true)) e.control->cancel.store(true);
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  uint64_t next_ = 0;
  std::map<uint64_t, Entry> entries_;
  std::thread thread_;
};

// ---- readiness ----------------------------------------------------------------------------

int64_t FileSize(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

nlohmann::json CheckReadiness(const Service& service, bool* ready) {
  nlohmann::json checks = nlohmann::json::object();
  *ready = true;
  auto store = store::Store::Open(service.config().store_dir, store::Store::Access::kRead);
  if (!store.ok()) {
    *ready = false;
    checks["store"] = {{"status", "error"}, {"detail", store.status().message()}};
  } else {
    auto generation = (*store)->Generation();
    checks["store"] = {{"status", generation.ok() ? "ok" : "error"}};
    if (!generation.ok()) {
      *ready = false;
      checks["store"]["detail"] = generation.status().message();
    }
    nlohmann::json spaces = nlohmann::json::array();
    if (auto listed = store::ListSpaces(**store); listed.ok() && generation.ok()) {
      for (const auto& info : *listed) {
        spaces.push_back({{"space", info.space},
                          {"vectors", info.count},
                          {"status", info.generation == static_cast<uint64_t>(*generation) ? "current" : "stale"}});
      }
    }
    // A missing or stale index still answers (built in memory on first use), so it is reported,
    // not fatal.
    checks["similarity_index"] = {{"status", spaces.empty() ? "missing" : "ok"}, {"spaces", spaces}};
  }
  nlohmann::json providers = nlohmann::json::array();
  for (const auto& p : service.ai().chain) {
    providers.push_back({{"provider", std::string(ai::ToString(p.kind))}, {"model", p.model}});
  }
  checks["providers"] = {{"status", providers.empty() ? "not_configured" : "configured"}, {"chain", providers}};
  return checks;
}

}  // namespace

struct Server::Impl {
  Service& service;
  Router& router;
  std::unique_ptr<httplib::Server> http;
  std::vector<Pattern> patterns;
  Watchdog watchdog;
  obs::ServiceMetrics& metrics = obs::Metrics();
  std::string host;
  int port = 0;
  int listen_socket = -1;  // the bound socket (set by the socket options callback)

  // /ready is cached for a second so probes stay cheap under load.
  std::mutex ready_mutex;
  Clock::time_point ready_at;
  nlohmann::json ready_body;
  bool ready_ok = false;

  Impl(Service& s, Router& r) : service(s), router(r) {}

  void Reply(const Problem& problem, const httplib::Request& req, httplib::Response& res) {
    RenderProblem(problem, req, res, t_request.request_id);
  }

  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  void Dispatch(size_t index, const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader);
  void Finish(const httplib::Request& req, const httplib::Response& res);
  void Cors(const httplib::Request& req, httplib::Response& res);
  void AddOperationalRoutes();
  void Mount();
};

void Server::Impl::Cors(const httplib::Request& req, httplib::Response& res) {
  const std::string origin = req.get_header_value("Origin");
  if (origin.empty()) return;
  const auto& allowed = service.config().cors_origins;
  if (std::find(allowed.begin(), allowed.end(), origin) == allowed.end()) return;
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Vary", "Origin");
  res.set_header("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, traceparent");
}

httplib::Server::HandlerResponse Server::Impl::PreRoute(const httplib::Request& req, httplib::Response& res) {
  using R = httplib::Server::HandlerResponse;
  if (t_request.routed_early == &req) {
    t_request.routed_early = nullptr;
    return R::Unhandled;
  }
  ResetRequestState();
  t_request.active = true;
  metrics.http_in_flight.With({}).Add(1);
  t_request.start = Clock::now();
  const std::string given_id = req.get_header_value("X-Request-Id");
  t_request.request_id = WellFormedRequestId(given_id) ? given_id : NewRequestId();
  res.set_header("X-Request-Id", t_request.request_id);
  Cors(req, res);

  // Match the route (HEAD is GET without the body).
  const auto path = Segments(req.path);
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  std::vector<std::string> allow;
  for (size_t i = 0; i < patterns.size(); ++i) {
    std::vector<std::string> params;
    if (!patterns[i].Match(path, &params)) continue;
    if (router.routes()[i].spec.method == method) {
      t_request.route_index = static_cast<int>(i);
      t_request.path_params = std::move(params);
      break;
    }
    allow.push_back(router.routes()[i].spec.method);
  }
  const RouteSpec* spec = t_request.route_index >= 0 ? &router.routes()[t_request.route_index].spec : nullptr;
  HeadersRouted(spec != nullptr && spec->streaming);

  // The server span continues the caller's trace when it sent a valid traceparent.
  const auto parent = obs::ParseTraceparent(req.get_header_value("traceparent"));
  t_request.span.emplace(fmt::format("{} {}", method, spec != nullptr ? spec->path : "unmatched"),
                         obs::SpanKind::kServer, parent ? &*parent : nullptr);
  t_request.span->SetAttribute("http.request.method", req.method);
  t_request.span->SetAttribute("url.path", req.path);
  if (spec != nullptr) t_request.span->SetAttribute("http.route", spec->path);
  t_request.span->SetAttribute("vcfagent.request_id", t_request.request_id);
  if (t_request.span->context().valid()) res.set_header("traceparent", t_request.span->traceparent());

  if (auto framing = AmbiguousFraming(req)) {
    Reply(MakeProblem(400, "bad-request", *framing), req, res);
    RequestClose(true);  // where this request ends is exactly what is in doubt
    return R::Handled;
  }

  if (req.method == "OPTIONS") {
    // CORS preflight (or a plain OPTIONS): the methods of the path.
    std::vector<std::string> methods = allow;
    if (spec != nullptr) methods.push_back(spec->method);
    for (size_t i = 0; i < patterns.size(); ++i) {
      if (patterns[i].Match(path, nullptr)) methods.push_back(router.routes()[i].spec.method);
    }
    std::sort(methods.begin(), methods.end());
    methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
    if (methods.empty()) {
      Reply(MakeProblem(404, "not-found", fmt::format("no route for {}", req.path)), req, res);
      return R::Handled;
    }
    const std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && !res.has_header("Access-Control-Allow-Origin")) {
      Reply(MakeProblem(403, "forbidden", fmt::format("the origin {} is not allowed (server.cors_origins)", origin)),
            req, res);
      return R::Handled;
    }
    std::string list;
    for (const auto& m : methods) list += (list.empty() ? "" : ", ") + m;
    res.set_header("Allow", list + ", OPTIONS");
    if (!origin.empty()) {
      res.set_header("Access-Control-Allow-Methods", list);
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-API-Key, X-Request-Id, traceparent");
      res.set_header("Access-Control-Max-Age", "600");
    }
    res.status = 204;
    return R::Handled;
  }
  if (spec == nullptr) {
    if (!allow.empty()) {
      std::sort(allow.begin(), allow.end());
      allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
      std::string list;
      for (const auto& m : allow) list += (list.empty() ? "" : ", ") + m;
      res.set_header("Allow", list);
      Reply(MakeProblem(405, "method-not-allowed", fmt::format("{} {} is not allowed; use {}", req.method, req.path, list)),
            req, res);
    } else {
      Reply(MakeProblem(404, "not-found", fmt::format("no route for {} {}", req.method, req.path)), req, res);
    }
    return R::Handled;
  }

  // Every regular worker is busy: this connection went to an overflow thread, which serves only
  // the cheap operational routes so that probes and scrapes still get through.
  if (OnOverflowThread() && !spec->public_route) {
    Problem p = MakeProblem(503, "busy",
                            fmt::format("every HTTP worker is busy (server.threads = {}); retry shortly",
                                        service.config().threads));
    p.retry_after_seconds = 1;
    Reply(p, req, res);
    RequestClose();  // the retry comes on a new connection, which a free worker may take
    return R::Handled;
  }

  // Authentication, role and rate limit (public routes need none of them).
  if (!spec->public_route) {
    if (!service.config().auth) {
      t_request.principal = {"anonymous", Role::kAdmin};
    } else {
      std::string key = req.get_header_value("X-API-Key");
      const std::string authorization = req.get_header_value("Authorization");
      if (key.empty() && authorization.size() > 7 && strncasecmp(authorization.c_str(), "Bearer ", 7) == 0) {
        key = authorization.substr(7);
      }
      if (key.empty()) {
        res.set_header("WWW-Authenticate", "Bearer realm=\"vcf-agent\"");
        Reply(MakeProblem(401, "unauthorized", "an API key is required (Authorization: Bearer KEY or X-API-Key: KEY)"),
              req, res);
        return R::Handled;
      }
      auto principal = service.keys().Authenticate(key);
      if (!principal) {
        res.set_header("WWW-Authenticate", "Bearer realm=\"vcf-agent\", error=\"invalid_token\"");
        Reply(MakeProblem(401, "unauthorized", "the API key is not valid"), req, res);
        return R::Handled;
      }
      t_request.principal = *principal;
      if (static_cast<int>(principal->role) < static_cast<int>(spec->role)) {
        Reply(MakeProblem(403, "forbidden",
                          fmt::format("this route needs the {} role; the key '{}' has {}", RoleName(spec->role),
                                      principal->name, RoleName(principal->role))),
              req, res);
        return R::Handled;
      }
    }
    t_request.span->SetAttribute("enduser.id", t_request.principal.name);
    int retry_after = 0;
    if (!service.rate_limiter().Allow(t_request.principal.name, &retry_after)) {
      metrics.http_rate_limited.With({t_request.principal.name}).Inc();
      Problem p = MakeProblem(429, "rate-limited",
                              fmt::format("more than {} requests per second for the key '{}'",
                                          service.config().rate_limit_per_second, t_request.principal.name));
      p.retry_after_seconds = retry_after;
      Reply(p, req, res);
      return R::Handled;
    }
  }

  // Body limits, checked before the body is read.
  if (HasBody(req)) {
    const int64_t limit = spec->streaming ? service.config().max_upload_bytes : service.config().max_body_bytes;
    if (!spec->streaming && !req.has_header("Content-Length")) {
      Reply(MakeProblem(411, "length-required", "send the body with a Content-Length (no chunked encoding)"), req, res);
      return R::Handled;
    }
    if (req.has_header("Content-Length")) {
      const std::string text = req.get_header_value("Content-Length");
      const int64_t length = std::stoll(text);  // digits only (AmbiguousFraming)
      if (length > limit) {
        Reply(MakeProblem(413, "payload-too-large",
                          fmt::format("the body has {} bytes; the limit is {}", length, limit)),
              req, res);
        return R::Handled;
      }
    }
  }
  return R::Unhandled;
}

void Server::Impl::Dispatch(size_t index, const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader* reader) {
  const Route& route = router.routes()[index];
  // httplib read a non-streaming route's body before calling it; a streaming handler reads it
  // through `reader`, which records whether it reached the end.
  std::optional<httplib::ContentReader> tracked;
  if (reader == nullptr) {
    t_request.body_read = true;
  } else {
    const auto reached_end = [](bool complete) {
      if (complete) t_request.body_read = true;
      return complete;
    };
    tracked.emplace(
        [reader, reached_end](httplib::ContentReceiver receiver) { return reached_end((*reader)(std::move(receiver))); },
        [reader, reached_end](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
          return reached_end((*reader)(std::move(header), std::move(receiver)));
        });
    reader = &*tracked;
  }
  RequestContext ctx{req,    res, service, t_request.principal, t_request.request_id,
                     t_request.span ? t_request.span->context() : obs::SpanContext{}, reader, {}, nullptr};
  ctx.route = &route.spec;
  ctx.path_params = t_request.path_params;
  JobControl control;
  std::atomic<bool> timed_out{false};
  std::optional<uint64_t> watch;
  if (!route.spec.streaming && service.config().request_timeout_seconds > 0) {
    watch = watchdog.Watch(&control, Clock::now() + std::chrono::seconds(service.config().request_timeout_seconds),
                           &timed_out);
  }
  bool failed = false;
  {
    JobScope scope(&control);
    try {
      route.handler(ctx);
    } catch (const ProblemException& e) {
      failed = true;
      Reply(e.problem, req, res);
    } catch (const std::exception& e) {
      failed = true;
      obs::Log(obs::LogLevel::kError, "unhandled exception in a handler",
               {{"route", route.spec.path}, {"error", e.what()}, {"request_id", t_request.request_id}});
      Reply(MakeProblem(500, "internal", fmt::format("internal error (request {})", t_request.request_id)), req, res);
    }
  }
  if (watch) watchdog.Forget(*watch);
  if (timed_out.load() && (failed || res.status >= 400)) {
    Reply(MakeProblem(504, "timeout",
                      fmt::format("the request took longer than {} s (server.request_timeout_seconds); "
                                  "use a job for long work",
                                  service.config().request_timeout_seconds)),
          req, res);
  }
}

void Server::Impl::Finish(const httplib::Request& req, const httplib::Response& res) {
  const bool active = t_request.active;
  const std::string route = active && t_request.route_index >= 0 ? router.routes()[t_request.route_index].spec.path
                                                                 : "unmatched";
  const std::string status = std::to_string(res.status);
  metrics.http_requests.With({route, req.method, status}).Inc();
  double seconds = 0;
  if (active) {
    metrics.http_in_flight.With({}).Add(-1);
    seconds = std::chrono::duration<double>(Clock::now() - t_request.start).count();
    metrics.http_request_duration.With({route, req.method}).Observe(seconds);
  }
  if (t_request.span) {
    t_request.span->SetAttribute("http.response.status_code", static_cast<int64_t>(res.status));
    if (res.status >= 500) t_request.span->SetError(fmt::format("HTTP {}", res.status));
  }
  // Probes and scrapes are logged at debug level: they would drown everything else.
  const bool quiet = route == "/health" || route == "/ready" || route == "/metrics";
  const obs::LogLevel level = res.status >= 500 ? obs::LogLevel::kError
                              : quiet           ? obs::LogLevel::kDebug
                                                : obs::LogLevel::kInfo;
  if (obs::LogEnabled(level)) {
    nlohmann::json fields = {{"method", req.method}, {"path", req.path}, {"route", route},
                             {"status", res.status}, {"duration_ms", seconds * 1000.0},
                             {"bytes", res.body.size()}, {"remote", req.remote_addr}};
    if (active) {
      fields["request_id"] = t_request.request_id;
      if (!t_request.principal.name.empty()) fields["key"] = t_request.principal.name;
    }
    obs::Log(level, "request", fields);
  }
  ResetRequestState();
}

void Server::Impl::AddOperationalRoutes() {
  namespace oa = openapi;
  nlohmann::json health = oa::Operation("health", "Liveness: the process answers", "operations");
  oa::AddResponse(health, 200, "Alive", oa::Answer({{"status", oa::Enum({"ok"})}}));
  router.Add({"GET", "/health", Role::kRead, true, false, health},
             [](RequestContext& ctx) { ctx.SendJson({{"status", "ok"}}); });
  nlohmann::json ready = oa::Operation(
      "ready", "Readiness: the store opens; the similarity index and AI providers are reported", "operations");
  const nlohmann::json readiness = oa::Answer(
      {{"status", oa::Enum({"ready", "not_ready"})},
       {"checks",
        oa::Answer({{"store", oa::Answer({{"status", oa::Enum({"ok", "error"})}, {"detail", oa::String("why it failed")}},
                                         {"detail"})},
                    {"similarity_index",
                     oa::Answer({{"status", oa::Enum({"ok", "missing"}, "missing: built in memory on first use")},
                                 {"spaces", oa::ArrayOf(oa::Answer({{"space", oa::String()},
                                                                    {"vectors", oa::Int()},
                                                                    {"status", oa::Enum({"current", "stale"})}}))}})},
                    {"providers",
                     oa::Answer({{"status", oa::Enum({"configured", "not_configured"})},
                                 {"chain", oa::ArrayOf(oa::Answer({{"provider", oa::String()}, {"model", oa::String()}}),
                                                       "the AI providers in the order they are tried")}})}},
                   {"similarity_index"})}});
  oa::AddResponse(ready, 200, "Ready", readiness);
  oa::AddResponse(ready, 503, "Not ready: the store does not open (checks.store.detail says why)", readiness);
  router.Add({"GET", "/ready", Role::kRead, true, false, ready},
             [this](RequestContext& ctx) {
               std::lock_guard lock(ready_mutex);
               if (ready_body.is_null() || Clock::now() - ready_at > std::chrono::seconds(1)) {
                 ready_body = CheckReadiness(service, &ready_ok);
                 ready_at = Clock::now();
               }
               ctx.SendJson({{"status", ready_ok ? "ready" : "not_ready"}, {"checks", ready_body}},
                            ready_ok ? 200 : 503);
             });
  nlohmann::json metrics_op = oa::Operation("metrics", "Prometheus metrics (text format 0.0.4)", "operations");
  oa::AddResponse(metrics_op, 200, "Metrics", oa::String("the Prometheus text exposition format 0.0.4"), "text/plain");
  router.Add({"GET", "/metrics", Role::kRead, true, false, metrics_op},
             [](RequestContext& ctx) {
               ctx.res.set_content(obs::Registry::Global().Exposition(), "text/plain; version=0.0.4; charset=utf-8");
             });
  nlohmann::json document = oa::Operation("openapi", "This API's OpenAPI 3 document", "operations");
  nlohmann::json document_schema = {{"type", "object"},
                                    {"description", "An OpenAPI 3.0.3 document (https://spec.openapis.org/oas/v3.0.3)"},
                                    {"required", {"openapi", "info", "paths"}},
                                    {"properties",
                                     {{"openapi", oa::Enum({"3.0.3"})},
                                      {"info", {{"type", "object"}}},
                                      {"paths", {{"type", "object"}}}}}};
  oa::AddResponse(document, 200, "The document", document_schema);
  router.Add({"GET", "/openapi.json", Role::kRead, true, false, document},
             [this](RequestContext& ctx) { ctx.SendJson(router.OpenApi(VCFAGENT_VERSION)); });
}

void Server::Impl::Mount() {
  const auto& config = service.config();
  ConnectionLimits limits;
  limits.workers = static_cast<size_t>(std::max(4, config.threads));
  limits.header_timeout_seconds = config.header_timeout_seconds;
  limits.body_timeout_seconds = config.body_timeout_seconds;
  limits.max_connections_per_client = config.max_connections_per_client;
  http = MakeHttpServer(limits, config.tls_cert_file, config.tls_key_file);
  http->set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // instance share the port silently instead of failing to start.
  http->set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket = sock;  // the last one offered is the one that binds (see Server::Bind)
  });
  http->set_payload_max_length(static_cast<size_t>(std::max(config.max_body_bytes, config.max_upload_bytes)));
  http->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  // A client that asks before sending its body (Expect: 100-continue, as curl does for large
  // bodies) hears the refusal (401, 413, ...) without sending it.
  http->set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (PreRoute(req, res) == httplib::Server::HandlerResponse::Handled) return res.status;
    t_request.routed_early = &req;
    return 100;
  });
  http->set_logger([this](const httplib::Request& req, const httplib::Response& res) { Finish(req, res); });
  // Runs for every response just before it is written (after the error handler).
  http->set_post_routing_handler([tls = !config.tls_cert_file.empty()](const httplib::Request& req,
                                                                       httplib::Response& res) {
    // A response to a request whose body was not read ends the connection (a request that never
    // reached PreRoute ends it in the connection layer); the client is told so.
    if (t_request.active && HasBody(req) && !t_request.body_read) RequestClose(true);
    if (ClosingConnection()) res.set_header("Connection", "close");
    SecurityHeaders(res, tls);
  });
  const httplib::Server::HandlerWithResponse on_error = [this](const httplib::Request& req,
                                                               httplib::Response& res) {
    // Our own problems already have a body; httplib's (bad request line, too large, no handler) do not.
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const int status = res.status;
    const std::string slug = status == 404 ? "not-found" : status == 413 ? "payload-too-large"
                           : status >= 500 ? "internal" : "bad-request";
    Reply(MakeProblem(status, slug, ""), req, res);
    return httplib::Server::HandlerResponse::Handled;
  };
  http->set_error_handler(on_error);
  http->set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    Reply(MakeProblem(500, "internal", fmt::format("internal error (request {})", t_request.request_id)), req, res);
  });
  for (size_t i = 0; i < router.routes().size(); ++i) {
    const RouteSpec& spec = router.routes()[i].spec;
    patterns.push_back({Segments(spec.path)});
    const std::string pattern = HttplibPattern(spec.path);
    auto plain = [this, i](const httplib::Request& req, httplib::Response& res) { Dispatch(i, req, res, nullptr); };
    auto reading = [this, i](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
      Dispatch(i, req, res, &reader);
    };
    if (spec.method == "GET") {
      http->Get(pattern, plain);
    } else if (spec.method == "POST") {
      if (spec.streaming) {
        http->Post(pattern, reading);
      } else {
        http->Post(pattern, plain);
      }
    } else if (spec.method == "PUT") {
      http->Put(pattern, plain);
    } else if (spec.method == "DELETE") {
      http->Delete(pattern, plain);
    } else if (spec.method == "PATCH") {
      http->Patch(pattern, plain);
    }
  }
}

Server::Server(Service& service, Router& router) : impl_(std::make_unique<Impl>(service, router)) {
  impl_->AddOperationalRoutes();
  // Store gauges, refreshed at scrape time only when the store changed.
  auto& metrics = impl_->metrics;
  const std::string store_dir = service.config().store_dir;
  obs::Registry::Global().AddCollector([&metrics, store_dir, last = int64_t{-1}]() mutable {
    auto store = store::Store::Open(store_dir, store::Store::Access::kRead);
    if (!store.ok()) return;
    auto generation = (*store)->Generation();
    if (generation.ok() && *generation != last) {
      if (auto counts = (*store)->Counts(); counts.ok()) {
        metrics.store_variants.With({}).Set(static_cast<double>(counts->variants));
        metrics.store_samples.With({}).Set(static_cast<double>(counts->samples));
        last = *generation;
      }
    }
    const std::string db = (*store)->DatabasePath();
    metrics.store_size.With({}).Set(static_cast<double>(FileSize(db) + FileSize(db + "-wal")));
  });
  impl_->Mount();
}

Server::~Server() = default;

bool Server::tls() const { return !impl_->service.config().tls_cert_file.empty(); }

Result<int> Server::Bind() {
  const auto& config = impl_->service.config();
  if (!impl_->http->is_valid()) {
    return Status::Usage(fmt::format("cannot use the TLS certificate {} with the key {}", config.tls_cert_file,
                                     config.tls_key_file));
  }
  int port = config.port;
  if (port == 0) {
    port = impl_->http->bind_to_any_port(config.host);
    if (port < 0) return Status::IoError(fmt::format("cannot listen on {}: no free port", config.host));
  } else if (!impl_->http->bind_to_port(config.host, port)) {
    return Status::IoError(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)",
                                       config.host, port));
  }
  // httplib listens with a backlog of 5 (compiled into Debian's library): 64 clients connecting
  // at once overflow it, and a dropped handshake costs the client a 1 s SYN retransmission (seen
  // as multi-second tails in bench/service.sh). Linux lets a second listen() raise the backlog.
  if (impl_->listen_socket >= 0) ::listen(impl_->listen_socket, SOMAXCONN);
  impl_->port = port;
  return port;
}

Status Server::Run() {
  if (!impl_->http->listen_after_bind()) return Status::IoError("the server stopped unexpectedly");
  return Status::Ok();
}

void Server::Stop() { impl_->http->stop(); }

Router MakeRouter() {
  Router router;
  AddEngineRoutes(router);
  AddStoreRoutes(router);
  AddAiRoutes(router);
  AddJobRoutes(router);
  return router;
}

}  // namespace vcfagent::server
