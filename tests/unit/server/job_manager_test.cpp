// JobManager: jobs run on their own thread under their JobControl, report progress, obey
// cancellation through CancelRequested(), are limited to max_jobs at once, and the destructor
// cancels and joins whatever still runs.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "server/service.h"

namespace vcfagent::server {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Waits until `done()` is true (or 10 s pass).
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

// Work that counts records until cancelled, as a library loop does.
JobManager::Work CountUntilCancelled(std::atomic<bool>* started) {
  return [started]() -> Result<json> {
    ProgressMeter progress("counting", 0);
    uint64_t n = 0;
    started->store(true);
    while (!CancelRequested()) {
      progress.Update(++n);
      std::this_thread::sleep_for(100us);
    }
    return Status::Cancelled("counting: interrupted");
  };
}

TEST(JobManagerTest, ASucceedingJobKeepsItsResult) {
  JobManager jobs(2);
  auto job = jobs.Submit("analyze", "alice", {{"file", "a.vcf"}}, obs::SpanContext{},
                         []() -> Result<json> { return json{{"answer", 42}}; });
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ((*job)->id.size(), 20u);
  EXPECT_EQ((*job)->id.rfind("job-", 0), 0u);
  ASSERT_TRUE(Eventually([&] { return (*job)->state.load() == JobManager::State::kSucceeded; }));
  const json doc = jobs.ToJson(**job);
  EXPECT_EQ(doc["state"], "succeeded");
  EXPECT_EQ(doc["kind"], "analyze");
  EXPECT_EQ(doc["owner"], "alice");
  EXPECT_EQ(doc["result"]["answer"], 42);
  EXPECT_EQ(doc["request"]["file"], "a.vcf");
  EXPECT_FALSE(doc["finished"].is_null());
  EXPECT_EQ(jobs.Find((*job)->id), *job);
  EXPECT_EQ(jobs.Find("job-0000000000000000"), nullptr);
}

TEST(JobManagerTest, AFailureIsAProblem) {
  JobManager jobs(2);
  auto job = jobs.Submit("ingest", "bob", json::object(), obs::SpanContext{},
                         []() -> Result<json> { return Status::InvalidInput("in.vcf:12: POS is not a number"); });
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(Eventually([&] { return (*job)->state.load() == JobManager::State::kFailed; }));
  const json doc = jobs.ToJson(**job);
  EXPECT_EQ(doc["error"]["status"], 422);
  EXPECT_EQ(doc["error"]["detail"], "in.vcf:12: POS is not a number");
  EXPECT_FALSE(doc.contains("result"));
}

TEST(JobManagerTest, ProgressIsVisibleAndCancellationStopsTheWork) {
  JobManager jobs(1);
  std::atomic<bool> started{false};
  auto job = jobs.Submit("ingest", "alice", json::object(), obs::SpanContext{}, CountUntilCancelled(&started));
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(Eventually([&] { return (*job)->control.done.load() > 10; }));
  json doc = jobs.ToJson(**job);
  EXPECT_EQ(doc["state"], "running");
  EXPECT_EQ(doc["progress"]["step"], "counting");
  EXPECT_GT(doc["progress"]["done"].get<int64_t>(), 10);
  EXPECT_EQ(jobs.running(), 1);
  // max_jobs = 1: no second job while this one runs.
  EXPECT_FALSE(jobs.Submit("ingest", "alice", json::object(), obs::SpanContext{},
                           []() -> Result<json> { return json::object(); })
                   .has_value());
  EXPECT_TRUE(jobs.Cancel((*job)->id));
  ASSERT_TRUE(Eventually([&] { return (*job)->state.load() == JobManager::State::kCancelled; }));
  doc = jobs.ToJson(**job);
  EXPECT_EQ(doc["state"], "cancelled");
  EXPECT_EQ(doc["error"]["status"], 409);
  EXPECT_EQ(jobs.running(), 0);
  EXPECT_FALSE(jobs.Cancel("job-ffffffffffffffff"));
  // Room again.
  EXPECT_TRUE(jobs.Submit("ingest", "alice", json::object(), obs::SpanContext{},
                          []() -> Result<json> { return json::object(); })
                  .has_value());
  // The newest first.
  ASSERT_EQ(jobs.List().size(), 2u);
  EXPECT_EQ(jobs.List()[1]->id, (*job)->id);
}

TEST(JobManagerTest, TheDestructorCancelsAndJoinsRunningJobs) {
  std::atomic<bool> started{false};
  std::shared_ptr<JobManager::Job> job;
  {
    JobManager jobs(2);
    job = *jobs.Submit("ingest", "alice", json::object(), obs::SpanContext{}, CountUntilCancelled(&started));
    ASSERT_TRUE(Eventually([&] { return started.load(); }));
  }
  EXPECT_EQ(job->state.load(), JobManager::State::kCancelled);
}

TEST(JobManagerTest, AJobDoesNotCancelOtherThreads) {
  JobManager jobs(1);
  std::atomic<bool> started{false};
  auto job = jobs.Submit("ingest", "alice", json::object(), obs::SpanContext{}, CountUntilCancelled(&started));
  ASSERT_TRUE(Eventually([&] { return started.load(); }));
  jobs.Cancel((*job)->id);
  ASSERT_TRUE(Eventually([&] { return (*job)->state.load() == JobManager::State::kCancelled; }));
  EXPECT_FALSE(CancelRequested());  // this thread has no job; the flag was the job's own
}

}  // namespace
}  // namespace vcfagent::server
