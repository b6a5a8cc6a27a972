// `ingest --embeddings` / `index --embeddings` / `similar --space`: a provider's embeddings as a
// second similarity space, through the real OpenAI and Ollama wire formats (ScriptedHttpServer).
// The neighbours are checked against an exact cosine search the test computes itself from the
// texts the provider was sent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "support/provider_wire.h"
#include "support/scripted_http_server.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

constexpr int kDimension = 32;

std::vector<std::pair<std::string, std::string>> OllamaEnv(const ScriptedHttpServer& server) {
  return {{"OLLAMA_HOST", server.url()}, {"OPENAI_API_KEY", ""}, {"OPENAI_API_KEY_FILE", ""},
          {"VCF_AGENT_PROVIDER", ""}, {"VCF_AGENT_CONFIG", ""}, {"HOME", "/nonexistent"}};
}

// chrom:pos:ref:alt -> the text the provider embedded for it, from the recorded requests.
std::map<std::string, std::string> EmbeddedTexts(const ScriptedHttpServer& server, size_t* max_batch) {
  std::map<std::string, std::string> texts;
  static const std::regex kVariant(R"(^variant (\S+):(\d+) (\S+)>(\S+) )");
  *max_batch = 0;
  for (const RecordedRequest& request : server.requests()) {
    auto body = nlohmann::json::parse(request.body);
    *max_batch = std::max(*max_batch, body["input"].size());
    for (const auto& input : body["input"]) {
      const std::string text = input.get<std::string>();
      std::smatch m;
      EXPECT_TRUE(std::regex_search(text, m, kVariant)) << text;
      texts[m[1].str() + ":" + m[2].str() + ":" + m[3].str() + ":" + m[4].str()] = text;
    }
  }
  return texts;
}

TEST(EmbeddingsCliTest, OllamaSpaceIsBuiltIncrementallyAndSearchedLikeExactCosine) {
  ScriptedHttpServer ollama;
  ollama.Handle("POST", kOllamaEmbedPath, OllamaEmbedHandler(kDimension));
  TempDir dir;
  const std::string db = dir.File("store");
  auto ingest = RunVcfAgentWithEnv({"ingest", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--db", db,
                                    "--no-index", "--embeddings", "ollama", "--format", "json"},
                                   OllamaEnv(ollama));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  const auto summary = nlohmann::json::parse(ingest.out);
  const auto& embeddings = summary["embeddings"];
  EXPECT_EQ(embeddings["space"], "ollama:nomic-embed-text");
  EXPECT_EQ(embeddings["dimension"], kDimension);

  auto count = RunVcfAgent({"sql", "--db", db, "--format", "tsv", "SELECT count(*) FROM variants"});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  const int64_t variants = std::stoll(Lines(count.out).back());
  EXPECT_EQ(embeddings["variants"], variants);
  EXPECT_EQ(embeddings["added"], variants);
  size_t max_batch = 0;
  const auto texts = EmbeddedTexts(ollama, &max_batch);
  EXPECT_EQ(static_cast<int64_t>(texts.size()), variants);
  EXPECT_LE(max_batch, 64u);
  EXPECT_EQ(ollama.request_count(), static_cast<size_t>((variants + 63) / 64));
  for (const RecordedRequest& request : ollama.requests()) {
    EXPECT_EQ(nlohmann::json::parse(request.body)["model"], "nomic-embed-text");
  }

  // The same again: nothing is missing, so nothing is sent.
  const size_t before = ollama.request_count();
  auto again = RunVcfAgentWithEnv({"index", "--db", db, "--embeddings", "ollama", "--format", "json"},
                                  OllamaEnv(ollama));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["embeddings"]["added"], 0);
  EXPECT_EQ(ollama.request_count(), before);

  // Neighbours in the provider space equal an exact cosine search over the same vectors.
  std::map<std::string, std::vector<float>> vectors;
  for (const auto& [id, text] : texts) vectors[id] = DeterministicEmbedding(text, kDimension);
  std::vector<std::string> ids;
  for (const auto& [id, v] : vectors) ids.push_back(id);
  int checked = 0;
  for (size_t q = 0; q < ids.size() && checked < 5; q += 97, ++checked) {
    const std::string& query = ids[q];
    const std::vector<float>& query_vector = vectors.at(query);
    std::vector<std::pair<double, std::string>> exact;
    for (const auto& [id, v] : vectors) {
      if (id == query) continue;
      double dot = 0;
      for (int i = 0; i < kDimension; ++i) dot += static_cast<double>(v[i]) * query_vector[i];
      exact.emplace_back(1 - dot, id);
    }
    std::sort(exact.begin(), exact.end());
    auto similar = RunVcfAgent({"similar", query, "--db", db, "--space", "ollama", "-k", "5",
                                "--exact", "--format", "json"});
    ASSERT_EQ(similar.exit_code, 0) << similar.err;
    const auto result = nlohmann::json::parse(similar.out);
    EXPECT_EQ(result["space"], "ollama:nomic-embed-text");
    ASSERT_EQ(result["neighbours"].size(), 5u);
    for (size_t k = 0; k < 5; ++k) {
      const auto& hit = result["neighbours"][k];
      // int8 storage moves distances by about 1e-2 at most: compare distances, not tie order.
      EXPECT_NEAR(hit["distance"].get<double>(), exact[k].first, 0.02) << query << " #" << k;
    }
    auto hnsw = RunVcfAgent({"similar", query, "--db", db, "--space", "ollama:nomic-embed-text", "-k",
                             "5", "--format", "json"});
    ASSERT_EQ(hnsw.exit_code, 0) << hnsw.err;
    EXPECT_EQ(nlohmann::json::parse(hnsw.out)["neighbours"], result["neighbours"]) << query;
  }
  EXPECT_GE(checked, 3);

  auto unknown = RunVcfAgent({"similar", vectors.begin()->first, "--db", db, "--space", "openai"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no similarity space 'openai'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("ollama:nomic-embed-text"), std::string::npos) << unknown.err;
}

TEST(EmbeddingsCliTest, AFailureKeepsWhatWasEmbeddedAndARerunContinues) {
  ScriptedHttpServer ollama;
  std::atomic<int> calls{0};
  auto good = OllamaEmbedHandler(kDimension);
  ollama.Handle("POST", kOllamaEmbedPath, [&](const RecordedRequest& request) {
    if (++calls == 4) return OllamaErrorResponse(400, "input length exceeds the context length");
    return good(request);
  });
  TempDir dir;
  const std::string db = dir.File("store");
  auto first = RunVcfAgentWithEnv({"ingest", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--db", db,
                                   "--no-index", "--embeddings", "ollama"},
                                  OllamaEnv(ollama));
  EXPECT_NE(first.exit_code, 0);
  EXPECT_NE(first.err.find("192 variants embedded and saved before the failure"), std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("input length exceeds the context length"), std::string::npos) << first.err;

  auto second = RunVcfAgentWithEnv({"index", "--db", db, "--embeddings", "ollama", "--format", "json"},
                                   OllamaEnv(ollama));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto update = nlohmann::json::parse(second.out)["embeddings"];
  EXPECT_EQ(update["variants"].get<int64_t>(), update["added"].get<int64_t>() + 192);
}

TEST(EmbeddingsCliTest, ADifferentDimensionIsRefusedNamingBoth) {
  ScriptedHttpServer first_server, second_server;
  first_server.Handle("POST", kOllamaEmbedPath, OllamaEmbedHandler(kDimension));
  second_server.Handle("POST", kOllamaEmbedPath, OllamaEmbedHandler(kDimension * 2));
  TempDir dir;
  const std::string db = dir.File("store");
  const std::string input = ExamplePath("giab-ashk-trio-slice.vcf.gz");
  ASSERT_EQ(RunVcfAgentWithEnv({"ingest", input, "--db", db, "--no-index", "--embeddings", "ollama"},
                               OllamaEnv(first_server)).exit_code, 0);
  // A new file brings new variants; the "same" model now answers with 64 dimensions.
  auto second = RunVcfAgentWithEnv({"ingest", CorpusPath("slivar/tests/ashk-trio.vcf.gz"), "--db", db,
                                    "--no-index", "--embeddings", "ollama"},
                                   OllamaEnv(second_server));
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("dimension 32"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("has 64"), std::string::npos) << second.err;
}

TEST(EmbeddingsCliTest, OpenAiKeyFromFileIsSentAndNeverPrinted) {
  ScriptedHttpServer openai;
  openai.Handle("POST", kOpenAiEmbeddingsPath, OpenAiEmbeddingsHandler(kDimension));
  TempDir dir;
  const std::string key = "sk-test-embeddings-key-4242";
  WriteFile(dir.File("key"), key + "\n");
  const std::string db = dir.File("store");
  auto ingest = RunVcfAgentWithEnv(
      {"ingest", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--db", db, "--no-index", "--embeddings",
       "openai", "--embedding-model", "text-embedding-3-large"},
      {{"OPENAI_API_KEY", ""}, {"OPENAI_API_KEY_FILE", dir.File("key")},
       {"OPENAI_BASE_URL", openai.url() + "/v1"}, {"HOME", "/nonexistent"}, {"VCF_AGENT_CONFIG", ""}});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.out.find("embeddings openai:text-embedding-3-large"), std::string::npos) << ingest.out;
  ASSERT_GT(openai.request_count(), 0u);
  for (const RecordedRequest& request : openai.requests()) {
    EXPECT_EQ(request.Header("Authorization"), "Bearer " + key);
    EXPECT_EQ(nlohmann::json::parse(request.body)["model"], "text-embedding-3-large");
  }
  EXPECT_EQ(ingest.out.find(key), std::string::npos);
  EXPECT_EQ(ingest.err.find(key), std::string::npos);
}

TEST(EmbeddingsCliTest, AMissingKeyFailsBeforeTheStoreIsTouched) {
  TempDir dir;
  const std::string db = dir.File("store");
  auto ingest = RunVcfAgentWithEnv({"ingest", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--db", db,
                                    "--embeddings", "openai"},
                                   {{"OPENAI_API_KEY", ""}, {"OPENAI_API_KEY_FILE", ""}, {"HOME", "/nonexistent"},
                                    {"VCF_AGENT_CONFIG", ""}});
  EXPECT_EQ(ingest.exit_code, 2);
  EXPECT_NE(ingest.err.find("OPENAI_API_KEY"), std::string::npos) << ingest.err;
  EXPECT_EQ(Lines(ingest.err).size(), 1u) << ingest.err;
  EXPECT_FALSE(std::filesystem::exists(db));
  auto anthropic = RunVcfAgent({"ingest", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--db", db,
                                "--embeddings", "anthropic"});
  EXPECT_EQ(anthropic.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(db));
}

}  // namespace
}  // namespace vcfagent::testing
