#include "server/router.h"

#include <regex>

#include <fmt/format.h>

#include "server/openapi_schemas.h"
#include "server/service.h"
#include "util/json_text.h"

namespace vcfagent::server {
namespace {

const char* kProblemBase = "https://vcf-agent.dev/problems/";

std::vector<std::string> TemplateNames(const std::string& path) {
  static const std::regex param(R"(\{([A-Za-z_][A-Za-z0-9_]*)\})");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(path.begin(), path.end(), param); it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1]);
  }
  return names;
}

nlohmann::json ProblemResponse(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

}  // namespace

std::string StatusTitle(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 500 ? "Client Error" : "Server Error";
  }
}

Problem MakeProblem(int status, std::string slug, std::string detail) {
  Problem p;
  p.status = status;
  p.slug = std::move(slug);
  p.title = StatusTitle(status);
  p.detail = std::move(detail);
  return p;
}

Problem ProblemFromStatus(const Status& status) {
  switch (status.kind()) {
    case ErrorKind::kUsage:
      return MakeProblem(400, "bad-request", status.message());
    case ErrorKind::kInvalidInput:
    case ErrorKind::kIo:
      return MakeProblem(422, "invalid-input", status.message());
    case ErrorKind::kCancelled:
      return MakeProblem(409, "conflict", status.message());
    default:
      return MakeProblem(500, "internal", status.message());
  }
}

void ThrowProblem(Problem problem) { throw ProblemException(std::move(problem)); }
void ThrowStatus(const Status& status) { ThrowProblem(ProblemFromStatus(status)); }

void RenderProblem(const Problem& problem, const httplib::Request& req, httplib::Response& res,
                   const std::string& request_id) {
  nlohmann::json body = problem.extra.is_object() ? problem.extra : nlohmann::json::object();
  body["type"] = kProblemBase + problem.slug;
  body["title"] = problem.title.empty() ? StatusTitle(problem.status) : problem.title;
  body["status"] = problem.status;
  if (!problem.detail.empty()) body["detail"] = problem.detail;
  body["instance"] = req.path;
  if (!request_id.empty()) body["request_id"] = request_id;
  res.status = problem.status;
  if (problem.retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(problem.retry_after_seconds));
  res.set_content(DumpJson(body), "application/problem+json");
}

nlohmann::json RequestContext::JsonBody() const {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    ThrowProblem(MakeProblem(415, "unsupported-media-type",
                             fmt::format("the body must be application/json, not '{}'", type.empty() ? "(none)" : type)));
  }
  // Streaming routes get the body unread: read it here, bounded as the server bounds the others.
  std::string streamed;
  if (reader != nullptr) {
    bool too_large = false;
    const int64_t limit = service.config().max_body_bytes;
    (*reader)([&](const char* data, size_t length) {
      too_large = static_cast<int64_t>(streamed.size() + length) > limit;
      if (!too_large) streamed.append(data, length);
      return !too_large;
    });
    if (too_large) {
      ThrowProblem(MakeProblem(413, "payload-too-large",
                               fmt::format("the body exceeds {} bytes (server.max_body_bytes)", limit)));
    }
  }
  // nlohmann parses deep nesting without recursion, but printing or walking such a value recurses
  // once per level (200,000 levels overflow the stack): no request needs more than a few levels.
  static constexpr int kMaxDepth = 64;
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(reader != nullptr ? streamed : req.body,
                                  [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
                                    if (depth > kMaxDepth && (event == nlohmann::json::parse_event_t::object_start ||
                                                              event == nlohmann::json::parse_event_t::array_start)) {
                                      ThrowProblem(MakeProblem(
                                          400, "invalid-json",
                                          fmt::format("the body nests deeper than {} levels", kMaxDepth)));
                                    }
                                    return true;
                                  });
  } catch (const nlohmann::json::parse_error& e) {
    ThrowProblem(MakeProblem(400, "invalid-json", fmt::format("the body is not valid JSON (at byte {})", e.byte)));
  }
  if (!value.is_object()) ThrowProblem(MakeProblem(400, "invalid-json", "the body must be a JSON object"));
  return value;
}

void RequestContext::SendJson(const nlohmann::json& value, int status) const {
  res.status = status;
  res.set_content(DumpJson(value), "application/json");
}

std::string RequestContext::Param(const std::string& name, const std::string& fallback) const {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

std::string RequestContext::PathParam(const std::string& name) const {
  if (route == nullptr) return "";
  const auto names = TemplateNames(route->path);
  for (size_t i = 0; i < names.size() && i < path_params.size(); ++i) {
    if (names[i] == name) return path_params[i];
  }
  return "";
}

void Router::Add(RouteSpec spec, Handler handler) {
  // Path parameters are declared from the template when the operation does not list them.
  auto& params = spec.operation["parameters"];
  if (!params.is_array()) params = nlohmann::json::array();
  for (const auto& name : TemplateNames(spec.path)) {
    bool listed = false;
    for (const auto& p : params) listed |= p.value("in", "") == "path" && p.value("name", "") == name;
    if (!listed) {
      params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
  }
  if (params.empty()) spec.operation.erase("parameters");
  routes_.push_back({std::move(spec), std::move(handler)});
}

nlohmann::json Router::OpenApi(const std::string& version) const {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& route : routes_) {
    nlohmann::json op = route.spec.operation;
    auto& responses = op["responses"];
    if (!responses.is_object()) responses = nlohmann::json::object();
    if (responses.empty()) responses["200"] = {{"description", "OK"}};
    // Every route: ambiguous framing (e.g. two Content-Length headers) is refused before routing.
    if (!responses.contains("400")) {
      responses["400"] = ProblemResponse(route.spec.public_route
                                             ? "A malformed request (e.g. ambiguous framing, a GET with a body)"
                                             : "A malformed request, or invalid parameters or body");
    }
    responses["default"] = ProblemResponse("An error (application/problem+json)");
    if (route.spec.public_route) {
      op["security"] = nlohmann::json::array();
    } else {
      responses["401"] = ProblemResponse("No API key, or an unknown one");
      // Read is the lowest role: only routes that need more can refuse a key's role.
      if (route.spec.role != Role::kRead) {
        const std::string role = fmt::format("The key's role is below {}", RoleName(route.spec.role));
        responses["403"] = ProblemResponse(responses.contains("403")
                                               ? responses["403"].value("description", "") + "; or: " + role
                                               : role);
      }
      responses["429"] = ProblemResponse("Too many requests for this key (see Retry-After)");
      op["x-required-role"] = std::string(RoleName(route.spec.role));
    }
    std::string method = route.spec.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route.spec.path][method] = std::move(op);
  }
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "vcf-agent"},
        {"version", version},
        {"description",
         "VCF/BCF validation, statistics, queries and comparison; a variant store with similarity and "
         "graph queries; an AI agent grounded in the data. Errors are RFC 9457 problems."}}},
      // Relative: the document is served by the service it describes, whatever its address.
      {"servers", {{{"url", "/"}, {"description", "the service serving this document"}}}},
      {"tags",
       {{{"name", "operations"}, {"description", "Liveness, readiness, metrics and this document (no key needed)"}},
        {{"name", "engine"}, {"description", "Validate, summarise, view and compare VCF/BCF files"}},
        {{"name", "jobs"}, {"description", "Long work (ingest, analyze) as jobs with progress and cancellation"}},
        {{"name", "store"}, {"description", "The variant store: variants, similarity, SQL"}},
        {{"name", "graph"}, {"description", "Relationship queries over the cohort graph"}},
        {{"name", "ai"}, {"description", "The AI agent"}},
        {{"name", "files"}, {"description", "Uploads"}}}},
      {"paths", paths},
      {"security", {{{"bearerAuth", nlohmann::json::array()}}, {{"apiKeyHeader", nlohmann::json::array()}}}},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}},
          {"apiKeyHeader", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}}},
        {"schemas", openapi::ComponentSchemas()}}},
  };
}

}  // namespace vcfagent::server
