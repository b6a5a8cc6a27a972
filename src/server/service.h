// The running service's shared state: configuration, keys, the AI configuration, jobs and the
// file resolution rules. One instance per `serve`; handlers reach it through RequestContext.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ai/provider_config.h"
#include "obs/tracing.h"
#include "server/auth.h"
#include "server/server_config.h"
#include "util/progress.h"
#include "util/status.h"

namespace vcfagent::server {

// Long work (ingest, analyze) as jobs: an id, a state, progress (JobControl: step, records,
// fraction), a result or a problem, cancellation. At most config.max_jobs run at once; Submit
// beyond that fails (429 too-many-jobs). Finished jobs are kept (the newest 1,000) for GET.
// Each job runs on its own thread under a JobScope and a span parented to the submitting request.
class JobManager {
 public:
  enum class State { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
  struct Job {
    std::string id;         // "job-" + 16 hex
    std::string kind;       // "ingest", "analyze"
    std::string owner;      // principal name
    nlohmann::json request; // the request as accepted (for GET)
    std::atomic<State> state{State::kQueued};
    JobControl control;
    std::chrono::system_clock::time_point created, started, finished;
    std::mutex mutex;       // guards result and error
    nlohmann::json result;  // on success
    nlohmann::json error;   // the problem, on failure
  };
  using Work = std::function<Result<nlohmann::json>()>;

  explicit JobManager(int max_jobs);
  ~JobManager();  // cancels running jobs and joins their threads

  // Starts `work` on a new thread; nullopt when max_jobs are running.
  std::optional<std::shared_ptr<Job>> Submit(std::string kind, std::string owner, nlohmann::json request,
                                             const obs::SpanContext& parent, Work work);
  std::shared_ptr<Job> Find(const std::string& id) const;
  std::vector<std::shared_ptr<Job>> List() const;
  bool Cancel(const std::string& id);  // false if unknown; a finished job stays as it was
  int running() const;
  nlohmann::json ToJson(const Job& job) const;  // id, kind, state, progress{step,done,total,fraction}, times, result|error

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Service {
 public:
  Service(ServerConfig config, ai::AiConfig ai, KeyStore keys);

  const ServerConfig& config() const { return config_; }
  const ai::AiConfig& ai() const { return ai_; }
  const KeyStore& keys() const { return keys_; }
  JobManager& jobs() { return jobs_; }
  RateLimiter& rate_limiter() { return rate_limiter_; }
  std::chrono::system_clock::time_point started() const { return started_; }

  // A file the client names: either {"path": "..."} inside a data directory (canonicalised; a
  // path resolving outside every data dir, through .. or symlinks, is refused with 403
  // path-outside-data-dirs) or {"upload": "<id>"} from POST /api/v1/uploads. Returns the local
  // path. Implemented in files.cpp.
  Result<std::string> ResolveInputFile(const nlohmann::json& ref) const;
  // Streams an upload body to upload_dir (size-limited, atomically renamed when complete);
  // returns its id and size. Implemented in files.cpp.
  Result<nlohmann::json> StoreUpload(const httplib::Request& req, const httplib::ContentReader& reader);

 private:
  ServerConfig config_;
  ai::AiConfig ai_;
  KeyStore keys_;
  JobManager jobs_;
  RateLimiter rate_limiter_;
  std::chrono::system_clock::time_point started_;
};

}  // namespace vcfagent::server
