// The REST API's routes, declared once: the server mounts them and /openapi.json is generated
// from the same table, so the document cannot drift from what is served.
//
// A route names its method, its path template in OpenAPI syntax ("/api/v1/jobs/{id}"), the role a
// key needs, and its OpenAPI operation (summary, parameters, requestBody, responses). Handlers
// run after authentication, rate limiting and body-size checks; they fill the response or throw
// Problem. Unexpected exceptions become a 500 problem without internals.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "obs/tracing.h"
#include "server/auth.h"
#include "util/status.h"

namespace vcfagent::server {

class Service;
struct RouteSpec;

// An RFC 9457 problem: rendered as application/problem+json with
//   {"type": "https://vcf-agent.dev/problems/<slug>", "title", "status", "detail", "instance"
//    (the request path), "request_id", ...extra}.
// `slug` is stable API (documented in docs/api.md): bad-request, invalid-json, unauthorized,
// forbidden, not-found, method-not-allowed, payload-too-large, unsupported-media-type,
// invalid-input, path-outside-data-dirs, rate-limited, too-many-jobs, timeout, conflict,
// unavailable, internal.
struct Problem {
  int status = 500;
  std::string slug = "internal";
  std::string title;
  std::string detail;
  nlohmann::json extra = nlohmann::json::object();
  int retry_after_seconds = 0;  // > 0: a Retry-After header
};

// Maps a library Status: Usage -> 400 bad-request, InvalidInput and Io -> 422 invalid-input (a
// file the client named is malformed or unreadable), Cancelled -> 409 conflict, Internal -> 500
// (detail kept: library messages name files and lines, never secrets).
Problem ProblemFromStatus(const Status& status);
struct ProblemException : std::exception {
  explicit ProblemException(Problem p) : problem(std::move(p)) {}
  const char* what() const noexcept override { return problem.title.c_str(); }
  Problem problem;
};
[[noreturn]] void ThrowProblem(Problem problem);
// The reason phrase of an HTTP status ("Not Found").
std::string StatusTitle(int status);
// A problem with the standard title for `status` (e.g. 404 "Not Found").
Problem MakeProblem(int status, std::string slug, std::string detail);
[[noreturn]] void ThrowStatus(const Status& status);  // ThrowProblem(ProblemFromStatus(status))

struct RequestContext {
  const httplib::Request& req;
  httplib::Response& res;
  Service& service;
  Principal principal;           // {"anonymous", kAdmin} when auth is off
  std::string request_id;
  obs::SpanContext span;         // the request's server span (parent for work on other threads)
  // Streaming POST routes (uploads) only: reads the body in pieces; the body is not pre-read.
  const httplib::ContentReader* reader = nullptr;

  // The body parsed as a JSON object (Content-Type application/json required: 415 otherwise;
  // malformed JSON: 400 invalid-json naming the position). On streaming routes it is read here
  // through `reader`, up to server.max_body_bytes (413 beyond).
  nlohmann::json JsonBody() const;
  // Sends `value` as application/json with `status`.
  void SendJson(const nlohmann::json& value, int status = 200) const;
  // Query parameter `name`, or `fallback` when absent.
  std::string Param(const std::string& name, const std::string& fallback = "") const;
  // Path parameter {name} of the route template.
  std::string PathParam(const std::string& name) const;
  std::vector<std::string> path_params;  // values of the template's {name} segments, in order
  const RouteSpec* route = nullptr;
};

using Handler = std::function<void(RequestContext&)>;

struct RouteSpec {
  std::string method;        // GET, POST, DELETE
  std::string path;          // OpenAPI template; {name} segments match [^/]+
  Role role = Role::kRead;
  bool public_route = false; // no key needed (health, ready, metrics, openapi)
  bool streaming = false;    // the handler streams (SSE, uploads): no request timeout
  // The OpenAPI Operation Object (summary, operationId, tags, parameters, requestBody,
  // responses); the server adds security and the common error responses.
  nlohmann::json operation;
};

struct Route {
  RouteSpec spec;
  Handler handler;
};

class Router {
 public:
  void Add(RouteSpec spec, Handler handler);
  const std::vector<Route>& routes() const { return routes_; }
  // The OpenAPI 3.0.3 document for these routes.
  nlohmann::json OpenApi(const std::string& version) const;

 private:
  std::vector<Route> routes_;
};

// The problem as application/problem+json on `res` (with Retry-After when set).
void RenderProblem(const Problem& problem, const httplib::Request& req, httplib::Response& res,
                   const std::string& request_id);

// Route groups, one per file (src/server/routes_*.cpp).
void AddEngineRoutes(Router& router);  // validate, stats, view, compare, analyze (job)
void AddStoreRoutes(Router& router);   // ingest (job), variants, similar, graph/*, sql, store summary
void AddAiRoutes(Router& router);      // ask (JSON or SSE)
void AddJobRoutes(Router& router);     // jobs list/get/cancel, uploads

}  // namespace vcfagent::server
