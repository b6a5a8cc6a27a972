// Jobs over the API: an ingest's progress is visible while it runs, a cancelled ingest leaves a
// consistent store that a new job completes to exactly what an uninterrupted CLI ingest builds,
// jobs beyond max_jobs are refused with 429, and keys see and cancel only their own jobs.
#include <algorithm>
#include <filesystem>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../../bench/gen/synthetic_vcf.h"
#include "e2e/server/api_client.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Sha256Hex(const std::string& text) {
  auto r = RunProgram("sha256sum", {}, text);
  EXPECT_EQ(r.exit_code, 0);
  return r.out.substr(0, 64);
}

TEST(ApiJobsTest, IngestProgressCancellationAndResume) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  bench::SyntheticVcfOptions synthetic;
  synthetic.sites = 60000;
  synthetic.samples = 24;
  synthetic.seed = 11;
  WriteFile(dir.File("data/big.vcf"), bench::SyntheticVcfText(synthetic));
  auto reference = RunVcfAgent({"ingest", dir.File("data/big.vcf"), "--db", dir.File("reference"), "--no-index"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;

  testing::ServiceProcess::Options options;
  options.extra_args = {"--data-dir", dir.File("data"), "--max-jobs", "1"};
  auto service = testing::ServiceProcess::Start(options);
  ApiClient api(service->url(), service->admin_key());

  auto accepted = api.Post("/api/v1/ingest", {{"files", {"big.vcf"}}, {"batch_records", 100}, {"index", false}});
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  const std::string id = accepted.Json()["id"];

  // max_jobs is 1: a second job is refused while this one is queued or running.
  auto refused = api.Post("/api/v1/ingest", {{"files", {"big.vcf"}}});
  EXPECT_EQ(refused.status, 429) << refused.Describe();
  EXPECT_FALSE(refused.Header("Retry-After").empty());

  // Progress shows while it runs: records done grow and the step names the file. Reads keep
  // working meanwhile.
  json running;
  int reads = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    running = api.Get("/api/v1/jobs/" + id).Json();
    if (running["state"] == "running" && running["progress"]["done"].get<int64_t>() > 0) break;
    ASSERT_NE(running["state"], "succeeded") << "the ingest finished before it could be observed";
    if (std::filesystem::exists(service->store_dir() + "/store.sqlite") && reads == 0) {
      reads += api.Get("/api/v1/store").status == 200 ? 1 : 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(running["state"], "running") << running.dump();
  EXPECT_THAT(running["progress"]["step"].get<std::string>(), ::testing::HasSubstr("big.vcf"));
  EXPECT_GT(running["progress"]["done"].get<int64_t>(), 0);

  auto cancel = api.Delete("/api/v1/jobs/" + id);
  EXPECT_EQ(cancel.status, 202) << cancel.Describe();
  const json cancelled = api.WaitForJob(id, 60);
  ASSERT_EQ(cancelled["state"], "cancelled") << cancelled.dump();
  EXPECT_THAT(cancelled["error"]["type"].get<std::string>(), ::testing::EndsWith("/conflict"));
  // A finished job stays as it was.
  auto again = api.Delete("/api/v1/jobs/" + id);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.Json()["state"], "cancelled");

  // The store is consistent and answers; fewer variants than the whole file.
  auto partial = api.Get("/api/v1/store");
  ASSERT_EQ(partial.status, 200) << partial.Describe();
  // The message says how many records are committed: exactly what the store holds (it used to
  // count what the reader thread had read ahead).
  auto committed = api.Post("/api/v1/sql", {{"query", "SELECT records_done FROM files"}});
  ASSERT_EQ(committed.status, 200) << committed.Describe();
  const int64_t records_done = committed.Json()["rows"][0]["records_done"].get<int64_t>();
  EXPECT_THAT(cancelled["error"]["detail"].get<std::string>(),
              ::testing::HasSubstr("the first " + std::to_string(records_done) + " records are committed"));

  // A new job completes it: the same store an uninterrupted ingest builds.
  auto resumed = api.Post("/api/v1/ingest", {{"files", {"big.vcf"}}, {"index", false}});
  ASSERT_EQ(resumed.status, 202) << resumed.Describe();
  const json done = api.WaitForJob(resumed.Json()["id"], 300);
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["result"]["files"][0]["outcome"], "resumed");
  EXPECT_EQ(IngestedContents(service->store_dir()), IngestedContents(dir.File("reference")));

  // The list has both, newest first, without results.
  const json list = api.Get("/api/v1/jobs").Json();
  ASSERT_EQ(list["jobs"].size(), 2u);
  EXPECT_EQ(list["jobs"][0]["id"], resumed.Json()["id"]);
  EXPECT_EQ(list["jobs"][1]["id"], id);
  EXPECT_FALSE(list["jobs"][0].contains("result"));
}

// Two ingest jobs accepted together (within max_jobs) both complete: the second waits for the
// first to finish writing, saying so in its progress, instead of failing on the store's lock.
TEST(ApiJobsTest, ConcurrentIngestJobsWaitTheirTurn) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  bench::SyntheticVcfOptions synthetic;
  synthetic.sites = 60000;  // with 100-record batches, seconds of work: the second job must wait
  synthetic.samples = 24;
  synthetic.seed = 5;
  WriteFile(dir.File("data/a.vcf"), bench::SyntheticVcfText(synthetic));
  fs::copy_file(ExamplePath("1kg-chr22-slice.vcf.gz"), dir.File("data/b.vcf.gz"));
  testing::ServiceProcess::Options options;
  options.extra_args = {"--data-dir", dir.File("data"), "--max-jobs", "2"};
  auto service = testing::ServiceProcess::Start(options);
  ApiClient api(service->url(), service->admin_key());

  auto first = api.Post("/api/v1/ingest", {{"files", {"a.vcf"}}, {"batch_records", 100}, {"index", false}});
  ASSERT_EQ(first.status, 202) << first.Describe();
  auto second = api.Post("/api/v1/ingest", {{"files", {"b.vcf.gz"}}, {"index", false}});
  ASSERT_EQ(second.status, 202) << second.Describe();
  const std::string second_id = second.Json()["id"];
  bool saw_waiting = false;
  for (int i = 0; i < 200 && !saw_waiting; ++i) {
    const json state = api.Get("/api/v1/jobs/" + second_id).Json();
    if (state["state"] != "running" && state["state"] != "queued") break;
    saw_waiting = state["progress"].value("step", "").find("waiting for the running ingest") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const json a = api.WaitForJob(first.Json()["id"], 120);
  const json b = api.WaitForJob(second_id, 120);
  EXPECT_EQ(a["state"], "succeeded") << a.dump();
  EXPECT_EQ(b["state"], "succeeded") << b.dump();
  EXPECT_TRUE(saw_waiting) << "the second job never said it was waiting for the first";
  const json store = api.Get("/api/v1/store").Json();
  EXPECT_EQ(store["files"], 2) << store.dump();
}

TEST(ApiJobsTest, RolesAndOwnership) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  fs::copy_file(ExamplePath("giab-ashk-trio-slice.vcf.gz"), dir.File("data/trio.vcf.gz"));
  const std::string admin = "vca_admin-key-for-tests-0000000000000000000000000";
  const std::string reader = "vca_reader-key-for-tests-000000000000000000000000";
  const std::string writer = "vca_writer-key-for-tests-000000000000000000000000";
  WriteFile(dir.File("keys"), "admin admin sha256:" + Sha256Hex(admin) + "\nlab read sha256:" + Sha256Hex(reader) +
                                  "\npipeline write sha256:" + Sha256Hex(writer) + "\n");
  testing::ServiceProcess::Options options;
  options.extra_args = {"--data-dir", dir.File("data"), "--api-keys", dir.File("keys")};
  auto service = testing::ServiceProcess::Start(options);
  ApiClient as_admin(service->url(), admin), as_reader(service->url(), reader), as_writer(service->url(), writer);

  // Ingest and uploads need the write role.
  EXPECT_EQ(as_reader.Post("/api/v1/ingest", {{"files", {"trio.vcf.gz"}}}).status, 403);
  EXPECT_EQ(as_reader.PostRaw("/api/v1/uploads?filename=a.vcf", "x", "application/octet-stream").status, 403);
  auto accepted = as_writer.Post("/api/v1/ingest", {{"files", {"trio.vcf.gz"}}, {"index", false}});
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  const std::string id = accepted.Json()["id"];
  EXPECT_EQ(accepted.Json()["owner"], "pipeline");
  // Another key does not see it; the owner and an admin do.
  EXPECT_EQ(as_reader.Get("/api/v1/jobs/" + id).status, 404);
  EXPECT_EQ(as_reader.Delete("/api/v1/jobs/" + id).status, 404);
  EXPECT_EQ(as_reader.Get("/api/v1/jobs").Json()["jobs"].size(), 0u);
  EXPECT_EQ(as_admin.Get("/api/v1/jobs/" + id).status, 200);
  const json done = as_writer.WaitForJob(id, 240);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(as_admin.Get("/api/v1/jobs").Json()["jobs"].size(), 1u);
  // Readers read the store.
  EXPECT_EQ(as_reader.Get("/api/v1/variants?limit=1").status, 200);
}

TEST(ApiJobsTest, AFailedIngestIsAFailedJobWithAProblem) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  // Valid header, broken record: the ingest fails on its line and adds nothing.
  WriteFile(dir.File("data/broken.vcf"),
            "##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
            "1\t100\t.\tA\tG\t50\tPASS\t.\n1\tnotanumber\t.\tA\tG\t50\tPASS\t.\n");
  testing::ServiceProcess::Options options;
  options.extra_args = {"--data-dir", dir.File("data")};
  auto service = testing::ServiceProcess::Start(options);
  ApiClient api(service->url(), service->admin_key());
  auto accepted = api.Post("/api/v1/ingest", {{"files", {"broken.vcf"}}, {"index", false}});
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  const json job = api.WaitForJob(accepted.Json()["id"], 60);
  EXPECT_EQ(job["state"], "failed") << job.dump();
  EXPECT_EQ(job["error"]["status"], 422) << job.dump();
  EXPECT_THAT(job["error"]["detail"].get<std::string>(), ::testing::HasSubstr("broken.vcf"));
}


// chrom:pos:ref:alt of the first biallelic record of a VCF text that a sample carries.
std::string FirstBiallelicVariant(const std::string& vcf_text) {
  for (const std::string& line : Lines(vcf_text)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
    if (fields.size() < 10 || fields[4].find(',') != std::string::npos) continue;
    const bool carried = std::any_of(fields.begin() + 9, fields.end(), [](const std::string& call) {
      const std::string gt = call.substr(0, call.find(':'));
      return gt.find('1') != std::string::npos;
    });
    if (carried) return fields[0] + ":" + fields[1] + ":" + fields[3] + ":" + fields[4];
  }
  return "";
}

// Reads during an ingest: the cohort graph and the similarity index are rebuilt in the background
// while the job commits batches, so queries answer from the generation held; a query naming a
// variant committed after that generation is answered from a current one (not "not in the
// store"), and its answer is the one the finished store gives.
TEST(ApiJobsTest, GraphAndSimilarAnswerForVariantsCommittedDuringAnIngest) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  bench::SyntheticVcfOptions first;
  first.sites = 2000;
  first.samples = 24;
  first.seed = 5;
  WriteFile(dir.File("data/first.vcf"), bench::SyntheticVcfText(first));
  bench::SyntheticVcfOptions second = first;
  second.sites = 60000;
  second.seed = 12;
  const std::string second_text = bench::SyntheticVcfText(second);
  WriteFile(dir.File("data/second.vcf"), second_text);
  const std::string spec = FirstBiallelicVariant(second_text);
  const std::string first_variant = FirstBiallelicVariant(bench::SyntheticVcfText(first));
  ASSERT_FALSE(spec.empty());
  ASSERT_FALSE(first_variant.empty());

  testing::ServiceProcess::Options options;
  options.extra_args = {"--data-dir", dir.File("data")};
  auto service = testing::ServiceProcess::Start(options);
  ApiClient api(service->url(), service->admin_key());
  const json loaded = api.WaitForJob(api.Post("/api/v1/ingest", {{"files", {"first.vcf"}}}).Json()["id"], 120);
  ASSERT_EQ(loaded["state"], "succeeded") << loaded.dump();
  // The graph and the index of the first generation are loaded.
  ASSERT_EQ(api.Get("/api/v1/graph/carriers?variant=" + first_variant).status, 200);
  ASSERT_EQ(api.Post("/api/v1/similar", {{"variant", first_variant}, {"k", 5}}).status, 200);

  auto accepted = api.Post("/api/v1/ingest", {{"files", {"second.vcf"}}, {"batch_records", 100}, {"index", false}});
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  const std::string id = accepted.Json()["id"];
  // Wait until the variant is committed, then ask the graph and the index about it at once.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && api.Get("/api/v1/variants/" + spec).status != 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto carriers = api.Get("/api/v1/graph/carriers?variant=" + spec);
  auto similar = api.Post("/api/v1/similar", {{"variant", spec}, {"k", 5}});
  auto old_carriers = api.Get("/api/v1/graph/carriers?variant=" + first_variant);
  const json during = api.Get("/api/v1/jobs/" + id).Json();
  ASSERT_EQ(during["state"], "running") << "the ingest finished before the reads: " << during.dump();
  ASSERT_EQ(carriers.status, 200) << carriers.Describe();
  EXPECT_EQ(similar.status, 200) << similar.Describe();
  EXPECT_EQ(old_carriers.status, 200) << old_carriers.Describe();

  const json done = api.WaitForJob(id, 300);
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  auto after = api.Get("/api/v1/graph/carriers?variant=" + spec);
  ASSERT_EQ(after.status, 200) << after.Describe();
  EXPECT_EQ(carriers.Json()["carriers"], after.Json()["carriers"]);
  EXPECT_FALSE(after.Json()["carriers"].empty());
}

}  // namespace
}  // namespace vcfagent::testing
