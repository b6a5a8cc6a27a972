#include "server/route_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "server/service.h"
#include "util/json_text.h"

namespace vcfagent::server {

void ThrowBadRequest(std::string detail) { ThrowProblem(MakeProblem(400, "bad-request", std::move(detail))); }

namespace {

const nlohmann::json* Field(const nlohmann::json& body, std::string_view field) {
  if (!body.is_object()) return nullptr;
  auto it = body.find(std::string(field));
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

std::string RequiredString(const nlohmann::json& body, std::string_view field) {
  const nlohmann::json* value = Field(body, field);
  if (value == nullptr) ThrowBadRequest(fmt::format("{}: required", field));
  if (!value->is_string() || value->get<std::string>().empty()) {
    ThrowBadRequest(fmt::format("{}: expected a non-empty string", field));
  }
  return value->get<std::string>();
}

std::string OptionalString(const nlohmann::json& body, std::string_view field, std::string fallback) {
  const nlohmann::json* value = Field(body, field);
  if (value == nullptr) return fallback;
  if (!value->is_string()) ThrowBadRequest(fmt::format("{}: expected a string", field));
  return value->get<std::string>();
}

bool OptionalBool(const nlohmann::json& body, std::string_view field, bool fallback) {
  const nlohmann::json* value = Field(body, field);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) ThrowBadRequest(fmt::format("{}: expected true or false", field));
  return value->get<bool>();
}

int64_t OptionalInt(const nlohmann::json& body, std::string_view field, int64_t fallback, int64_t min, int64_t max) {
  const nlohmann::json* value = Field(body, field);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer() || value->get<int64_t>() < min || value->get<int64_t>() > max) {
    ThrowBadRequest(fmt::format("{}: expected an integer from {} to {}, got {}", field, min, max, DumpJson(*value)));
  }
  return value->get<int64_t>();
}

double OptionalNumber(const nlohmann::json& body, std::string_view field, double fallback, double min, double max) {
  const nlohmann::json* value = Field(body, field);
  if (value == nullptr) return fallback;
  if (!value->is_number() || value->get<double>() < min || value->get<double>() > max) {
    ThrowBadRequest(fmt::format("{}: expected a number from {} to {}, got {}", field, min, max, DumpJson(*value)));
  }
  return value->get<double>();
}

std::vector<std::string> OptionalStrings(const nlohmann::json& body, std::string_view field) {
  const nlohmann::json* value = Field(body, field);
  if (value == nullptr) return {};
  if (value->is_string()) return {value->get<std::string>()};
  if (!value->is_array()) ThrowBadRequest(fmt::format("{}: expected a string or an array of strings", field));
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.is_string()) ThrowBadRequest(fmt::format("{}: expected an array of strings", field));
    out.push_back(item.get<std::string>());
  }
  return out;
}

void RejectUnknownFields(const nlohmann::json& body, const std::vector<std::string_view>& known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      ThrowBadRequest(fmt::format("unknown field \"{}\"; this route takes: {}", key, fmt::join(known, ", ")));
    }
  }
}

std::optional<std::string> QueryParam(const httplib::Request& req, const std::string& name) {
  const size_t n = req.get_param_value_count(name);
  if (n == 0) return std::nullopt;
  return req.get_param_value(name, n - 1);
}

std::vector<std::string> QueryParams(const httplib::Request& req, const std::string& name) {
  std::vector<std::string> out;
  const size_t n = req.get_param_value_count(name);
  for (size_t i = 0; i < n; ++i) out.push_back(req.get_param_value(name, i));
  return out;
}

int64_t QueryInt(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t min, int64_t max) {
  auto text = QueryParam(req, name);
  if (!text) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0 || value < min || value > max) {
    ThrowBadRequest(fmt::format("{}: expected an integer from {} to {}, got \"{}\"", name, min, max, *text));
  }
  return value;
}

bool QueryBool(const httplib::Request& req, const std::string& name, bool fallback) {
  auto text = QueryParam(req, name);
  if (!text) return fallback;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  ThrowBadRequest(fmt::format("{}: expected true or false, got \"{}\"", name, *text));
}

void RejectUnknownQueryParams(const httplib::Request& req, const std::vector<std::string_view>& known) {
  for (const auto& [key, value] : req.params) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      ThrowBadRequest(fmt::format("unknown query parameter \"{}\"; this route takes: {}", key, fmt::join(known, ", ")));
    }
  }
}

std::unique_ptr<store::Store> OpenStoreForReading(const RequestContext& ctx) {
  const std::string& dir = ctx.service.config().store_dir;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "store.sqlite", ec)) {
    ThrowProblem(MakeProblem(503, "unavailable", "the variant store is empty: load files with POST /api/v1/ingest first"));
  }
  auto store = store::Store::Open(dir, store::Store::Access::kRead);
  if (!store.ok()) ThrowStatus(store.status());
  return std::move(store).value();
}

void ThrowTooManyJobs(const RequestContext& ctx) {
  Problem p = MakeProblem(429, "too-many-jobs", fmt::format("{} jobs are running (server.max_jobs); retry when one finishes",
                         ctx.service.config().max_jobs));
  p.retry_after_seconds = 5;
  ThrowProblem(std::move(p));
}

void SendJobAccepted(const RequestContext& ctx, const JobManager::Job& job) {
  ctx.res.set_header("Location", "/api/v1/jobs/" + job.id);
  ctx.SendJson(ctx.service.jobs().ToJson(job), 202);
}

std::string ReportPath(const std::string& reports_dir, const std::string& job_id, const std::string& format) {
  return reports_dir + "/" + job_id + (format == "html" ? ".html" : ".md");
}

}  // namespace vcfagent::server
