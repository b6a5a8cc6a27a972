// JobManager (service.h): long work (ingest, analyze) on its own thread, with progress and
// cancellation through the job's JobControl.
//
// Why a thread per job rather than a pool: at most max_jobs run at once (a handful), each runs
// for seconds to hours, and a dedicated thread lets the job's JobScope and span live exactly as
// long as the work. Threads of finished jobs are joined when the next job is submitted and in the
// destructor, so none is ever detached.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <random>
#include <unordered_map>

#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "server/router.h"
#include "server/service.h"

namespace vcfagent::server {

namespace {

constexpr size_t kKeptFinishedJobs = 1000;

std::string NewJobId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("job-{:016x}", rng());
}

std::string_view StateName(JobManager::State state) {
  switch (state) {
    case JobManager::State::kQueued: return "queued";
    case JobManager::State::kRunning: return "running";
    case JobManager::State::kSucceeded: return "succeeded";
    case JobManager::State::kFailed: return "failed";
    case JobManager::State::kCancelled: return "cancelled";
  }
  return "unknown";
}

bool Finished(JobManager::State state) {
  return state == JobManager::State::kSucceeded || state == JobManager::State::kFailed ||
         state == JobManager::State::kCancelled;
}

// RFC 3339 UTC with milliseconds; null for a time not reached yet.
nlohmann::json Timestamp(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return nullptr;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

nlohmann::json ProblemJson(const Problem& problem) {
  nlohmann::json json = {{"type", "https://vcf-agent.dev/problems/" + problem.slug},
                         {"title", problem.title},
                         {"status", problem.status},
                         {"detail", problem.detail}};
  if (problem.extra.is_object()) {
    for (const auto& [key, value] : problem.extra.items()) json[key] = value;
  }
  return json;
}

}  // namespace

struct JobManager::Impl {
  int max_jobs;
  mutable std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<Job>> jobs;
  std::deque<std::string> order;  // submission order, oldest first
  std::unordered_map<std::string, std::thread> threads;
  std::vector<std::string> exited;  // jobs whose thread has returned (joinable without waiting)

  // Joins the threads that have returned and forgets the oldest finished jobs beyond the limit.
  // Called with `mutex` held.
  void Reap() {
    for (const std::string& id : exited) {
      auto it = threads.find(id);
      if (it == threads.end()) continue;
      it->second.join();
      threads.erase(it);
    }
    exited.clear();
    size_t finished = 0;
    for (const auto& id : order) finished += Finished(jobs.at(id)->state.load()) ? 1 : 0;
    for (auto it = order.begin(); finished > kKeptFinishedJobs && it != order.end();) {
      if (Finished(jobs.at(*it)->state.load()) && !threads.count(*it)) {
        jobs.erase(*it);
        it = order.erase(it);
        --finished;
      } else {
        ++it;
      }
    }
  }

  int Running() const {
    int n = 0;
    for (const auto& [id, job] : jobs) n += Finished(job->state.load()) ? 0 : 1;
    return n;
  }

  void Run(const std::shared_ptr<Job>& job, const obs::SpanContext& parent, const Work& work) {
    auto& metrics = obs::Metrics();
    obs::Span span("job " + job->kind, obs::SpanKind::kInternal, parent.valid() ? &parent : nullptr);
    span.SetAttribute("job.id", job->id);
    span.SetAttribute("job.kind", job->kind);
    JobScope scope(&job->control);
    {
      std::lock_guard<std::mutex> lock(job->mutex);
      job->started = std::chrono::system_clock::now();
    }
    job->state = State::kRunning;
    metrics.jobs_running.With({job->kind}).Add(1);
    const auto start = std::chrono::steady_clock::now();

    Result<nlohmann::json> result = Status::Internal("the job did not run");
    try {
      if (job->control.cancel.load()) {
        result = Status::Cancelled("cancelled before it started");
      } else {
        result = work();
      }
    } catch (const ProblemException& e) {
      result = Status::Internal(e.problem.detail.empty() ? e.problem.title : e.problem.detail);
    } catch (const std::exception& e) {
      result = Status::Internal(std::string("unexpected error: ") + e.what());
    }

    State final_state;
    {
      std::lock_guard<std::mutex> lock(job->mutex);
      if (result.ok()) {
        job->result = std::move(result).value();
        final_state = State::kSucceeded;
      } else {
        job->error = ProblemJson(ProblemFromStatus(result.status()));
        final_state = result.status().kind() == ErrorKind::kCancelled ? State::kCancelled : State::kFailed;
        span.SetError(result.status().message());
      }
      job->finished = std::chrono::system_clock::now();
    }
    const std::string outcome(StateName(final_state));
    span.SetAttribute("job.outcome", outcome);
    metrics.jobs_running.With({job->kind}).Add(-1);
    metrics.jobs_finished.With({job->kind, outcome}).Inc();
    metrics.job_duration.With({job->kind})
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    job->state = final_state;  // last: a client that sees the final state also sees the result
    std::lock_guard<std::mutex> lock(mutex);
    exited.push_back(job->id);
  }
};

JobManager::JobManager(int max_jobs) : impl_(std::make_unique<Impl>()) { impl_->max_jobs = max_jobs; }

JobManager::~JobManager() {
  std::unordered_map<std::string, std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto& [id, job] : impl_->jobs) job->control.cancel = true;
    threads.swap(impl_->threads);
  }
  for (auto& [id, thread] : threads) thread.join();
}

std::optional<std::shared_ptr<JobManager::Job>> JobManager::Submit(std::string kind, std::string owner,
                                                                    nlohmann::json request,
                                                                    const obs::SpanContext& parent, Work work) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->Reap();
  if (impl_->Running() >= impl_->max_jobs) return std::nullopt;
  auto job = std::make_shared<Job>();
  do {
    job->id = NewJobId();
  } while (impl_->jobs.count(job->id));
  job->kind = std::move(kind);
  job->owner = std::move(owner);
  job->request = std::move(request);
  job->created = std::chrono::system_clock::now();
  job->control.SetStep("queued");
  obs::Metrics().jobs_started.With({job->kind}).Inc();
  impl_->jobs.emplace(job->id, job);
  impl_->order.push_back(job->id);
  Impl* impl = impl_.get();
  impl_->threads.emplace(job->id, std::thread([impl, job, parent, work = std::move(work)] { impl->Run(job, parent, work); }));
  return job;
}

std::shared_ptr<JobManager::Job> JobManager::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->jobs.find(id);
  return it == impl_->jobs.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<JobManager::Job>> JobManager::List() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<std::shared_ptr<Job>> list;
  list.reserve(impl_->order.size());
  for (auto it = impl_->order.rbegin(); it != impl_->order.rend(); ++it) list.push_back(impl_->jobs.at(*it));
  return list;  // newest first
}

bool JobManager::Cancel(const std::string& id) {
  auto job = Find(id);
  if (!job) return false;
  if (!Finished(job->state.load())) job->control.cancel = true;
  return true;
}

int JobManager::running() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->Running();
}

nlohmann::json JobManager::ToJson(const Job& job) const {
  const State state = job.state.load();
  const double fraction = job.control.fraction.load();
  nlohmann::json json = {
      {"id", job.id},
      {"kind", job.kind},
      {"owner", job.owner},
      {"state", StateName(state)},
      {"cancel_requested", job.control.cancel.load()},
      {"request", job.request},
      {"progress",
       {{"step", job.control.step()},
        {"done", job.control.done.load()},
        {"total", job.control.total.load() == 0 ? nlohmann::json(nullptr) : nlohmann::json(job.control.total.load())},
        {"fraction", fraction < 0 ? nlohmann::json(nullptr) : nlohmann::json(fraction)}}},
  };
  std::lock_guard<std::mutex> lock(const_cast<Job&>(job).mutex);
  json["created"] = Timestamp(job.created);
  json["started"] = Timestamp(job.started);
  json["finished"] = Timestamp(job.finished);
  if (state == State::kSucceeded) json["result"] = job.result;
  if (state == State::kFailed || state == State::kCancelled) json["error"] = job.error;
  return json;
}

}  // namespace vcfagent::server
