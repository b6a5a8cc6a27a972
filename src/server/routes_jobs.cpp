// Jobs (list, state and progress, cancel, an analyze job's rendered report) and uploads.
//
// A job is visible to the key that submitted it and to admins; to anyone else it does not exist
// (404), so job ids reveal nothing about other users' work.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "server/openapi_schemas.h"
#include "server/route_support.h"
#include "server/service.h"

namespace vcfagent::server {

namespace {

using nlohmann::json;
namespace oa = openapi;

bool Visible(const RequestContext& ctx, const JobManager::Job& job) {
  return ctx.principal.role == Role::kAdmin || job.owner == ctx.principal.name;
}

std::shared_ptr<JobManager::Job> FindVisibleJob(const RequestContext& ctx) {
  const std::string id = ctx.PathParam("id");
  auto job = ctx.service.jobs().Find(id);
  if (!job || !Visible(ctx, *job)) {
    ThrowProblem(MakeProblem(404, "not-found", fmt::format("job {}: no such job", id)));
  }
  return job;
}

void ListJobs(RequestContext& ctx) {
  RejectUnknownQueryParams(ctx.req, {"state", "kind", "limit"});
  const auto state = QueryParam(ctx.req, "state");
  const auto kind = QueryParam(ctx.req, "kind");
  const int64_t limit = QueryInt(ctx.req, "limit", 100, 1, 1000);
  json jobs = json::array();
  for (const auto& job : ctx.service.jobs().List()) {
    if (!Visible(ctx, *job)) continue;
    json document = ctx.service.jobs().ToJson(*job);
    if (state && document["state"] != *state) continue;
    if (kind && job->kind != *kind) continue;
    document.erase("result");  // the list stays small; GET /jobs/{id} has it
    jobs.push_back(std::move(document));
    if (static_cast<int64_t>(jobs.size()) == limit) break;
  }
  ctx.SendJson({{"jobs", jobs}, {"returned", jobs.size()}, {"running", ctx.service.jobs().running()}});
}

void GetJob(RequestContext& ctx) {
  auto job = FindVisibleJob(ctx);
  ctx.SendJson(ctx.service.jobs().ToJson(*job));
}

void CancelJob(RequestContext& ctx) {
  auto job = FindVisibleJob(ctx);
  const auto state = job->state.load();
  const bool active = state == JobManager::State::kQueued || state == JobManager::State::kRunning;
  ctx.service.jobs().Cancel(job->id);
  // 202: cancellation requested (the job stops at its next check); 200: it had already finished.
  ctx.SendJson(ctx.service.jobs().ToJson(*job), active ? 202 : 200);
}

void GetReport(RequestContext& ctx) {
  auto job = FindVisibleJob(ctx);
  std::string format;
  if (job->kind == "analyze" && job->state.load() == JobManager::State::kSucceeded) {
    std::lock_guard<std::mutex> lock(job->mutex);
    if (job->result.contains("report")) format = job->result["report"].value("format", "");
  }
  if (format.empty()) {
    ThrowProblem(MakeProblem(
        404, "not-found",
        fmt::format("job {}: no rendered report (only a succeeded analyze job with \"format\" has one)", job->id)));
  }
  std::ifstream in(ReportPath(ctx.service.config().upload_dir + "/reports", job->id, format), std::ios::binary);
  if (!in) ThrowStatus(Status::IoError(fmt::format("job {}: the report file is gone", job->id)));
  std::ostringstream text;
  text << in.rdbuf();
  ctx.res.set_content(text.str(), format == "html" ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8");
  ctx.res.status = 200;
}

void Upload(RequestContext& ctx) {
  if (ctx.reader == nullptr) ThrowBadRequest("the upload has no body");
  auto stored = ctx.service.StoreUpload(ctx.req, *ctx.reader);
  if (!stored.ok()) ThrowStatus(stored.status());
  ctx.res.set_header("Location", "/api/v1/uploads/" + (*stored)["upload"].get<std::string>());
  ctx.SendJson(*stored, 201);
}

}  // namespace

void AddJobRoutes(Router& router) {
  {
    json op = oa::Operation("listJobs", "Jobs of this key (all jobs for admins), newest first", "jobs");
    oa::AddQueryParameter(op, "state", {{"type", "string"}, {"enum", {"queued", "running", "succeeded", "failed", "cancelled"}}},
                          "only jobs in this state");
    oa::AddQueryParameter(op, "kind", {{"type", "string"}, {"enum", {"ingest", "analyze"}}}, "only jobs of this kind");
    oa::AddQueryParameter(op, "limit", oa::Integer(1, 1000, 100), "jobs listed at most");
    oa::AddResponse(op, 200, "The jobs (without their results)",
                    oa::Answer({{"jobs", oa::ArrayOf(oa::Job(), "newest first, without results")},
                                {"returned", oa::Int()},
                                {"running", oa::Int("jobs of every key running now")}}));
    router.Add({"GET", "/api/v1/jobs", Role::kRead, false, false, op}, ListJobs);
  }
  {
    json op = oa::Operation("getJob", "A job's state, progress and result", "jobs");
    oa::AddPathParameter(op, "id", "job id");
    oa::AddResponse(op, 200, "The job", oa::Job());
    router.Add({"GET", "/api/v1/jobs/{id}", Role::kRead, false, false, op}, GetJob);
  }
  {
    json op = oa::Operation("cancelJob", "Cancel a job (its owner or an admin)", "jobs",
                            "The job stops at its next check and ends in state cancelled; an ingest leaves a consistent "
                            "store that a new ingest completes. A finished job is left as it was (200).");
    oa::AddPathParameter(op, "id", "job id");
    oa::AddResponse(op, 202, "Cancellation requested", oa::Job());
    oa::AddResponse(op, 200, "The job had already finished", oa::Job());
    router.Add({"DELETE", "/api/v1/jobs/{id}", Role::kRead, false, false, op}, CancelJob);
  }
  {
    json op = oa::Operation("getJobReport", "The rendered report of an analyze job", "jobs",
                            "Only for a succeeded analyze job started with \"format\": html or md.");
    oa::AddPathParameter(op, "id", "job id");
    op["responses"]["200"] = {{"description", "The report"},
                              {"content",
                               {{"text/html", {{"schema", {{"type", "string"}}}}},
                                {"text/markdown", {{"schema", {{"type", "string"}}}}}}}};
    router.Add({"GET", "/api/v1/jobs/{id}/report", Role::kRead, false, false, op}, GetReport);
  }
  {
    json op = oa::Operation("upload", "Upload a VCF/BCF file (streamed to disk, size-limited)", "files",
                            "The raw file is the request body (application/octet-stream); ?filename= keeps its extension "
                            "(.vcf, .vcf.gz, .bcf). Refer to it later as {\"upload\": id}. Bodies over "
                            "server.max_upload_bytes are refused with 413 and nothing is kept.");
    oa::AddQueryParameter(op, "filename", {{"type", "string"}}, "the file's name (for its extension)");
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
    oa::AddResponse(op, 201, "The upload was stored",
                    oa::Answer({{"upload", {{"type", "string"}, {"pattern", "^upl-[0-9a-f]{16}$"}}},
                                {"bytes", oa::Int()},
                                {"filename", oa::Nullable(oa::String("the filename parameter; null without it"))}}));
    router.Add({"POST", "/api/v1/uploads", Role::kWrite, false, true, op}, Upload);
  }
}

}  // namespace vcfagent::server
