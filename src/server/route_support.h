// What the route handlers (routes_*.cpp) share: reading typed fields from JSON bodies and query
// strings, resolving the files a client names, and opening the store for reading, each turning
// a bad value into the matching Problem (thrown, so a handler reads as its happy path).
//
// Contract: every helper either returns a valid value or throws Problem with a detail naming the
// field ("limit: expected an integer from 1 to 10000, got \"x\""); nothing here writes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/router.h"
#include "server/service.h"
#include "store/store.h"

namespace vcfagent::server {

// 400 bad-request naming the field.
[[noreturn]] void ThrowBadRequest(std::string detail);

// Body fields. Absent (or null) optional fields give the default; a wrong type is a 400.
std::string RequiredString(const nlohmann::json& body, std::string_view field);
std::string OptionalString(const nlohmann::json& body, std::string_view field, std::string fallback = "");
bool OptionalBool(const nlohmann::json& body, std::string_view field, bool fallback);
int64_t OptionalInt(const nlohmann::json& body, std::string_view field, int64_t fallback, int64_t min, int64_t max);
double OptionalNumber(const nlohmann::json& body, std::string_view field, double fallback, double min, double max);
// A string or an array of strings (both accepted: "genes": "BRCA2" or ["BRCA2", "TP53"]).
std::vector<std::string> OptionalStrings(const nlohmann::json& body, std::string_view field);
// Refuses fields the route does not know (a typo must not be silently ignored).
void RejectUnknownFields(const nlohmann::json& body, const std::vector<std::string_view>& known);

// Query-string parameters (all may repeat; the single-value readers take the last).
std::optional<std::string> QueryParam(const httplib::Request& req, const std::string& name);
std::vector<std::string> QueryParams(const httplib::Request& req, const std::string& name);
int64_t QueryInt(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t min, int64_t max);
bool QueryBool(const httplib::Request& req, const std::string& name, bool fallback);
void RejectUnknownQueryParams(const httplib::Request& req, const std::vector<std::string_view>& known);

// A file reference from a request ({"path": ...} inside a data directory, {"upload": id}, or a
// plain string taken as a path), as a local path; throws 403 path-outside-data-dirs, 404
// not-found or 400 bad-request. `field` names the reference in messages.
std::string InputFileOrThrow(const RequestContext& ctx, const nlohmann::json& ref, std::string_view field);

// The store opened read-only for this request; 503 unavailable when no store exists yet.
std::unique_ptr<store::Store> OpenStoreForReading(const RequestContext& ctx);

// Jobs: 429 too-many-jobs (with Retry-After) when max_jobs are running; 202 with the job
// document and a Location header.
[[noreturn]] void ThrowTooManyJobs(const RequestContext& ctx);
void SendJobAccepted(const RequestContext& ctx, const JobManager::Job& job);
// Where an analyze job's rendered report lives: <dir>/<job id>.<html|md>.
std::string ReportPath(const std::string& reports_dir, const std::string& job_id, const std::string& format);

}  // namespace vcfagent::server
