// Scale measurement of the similarity index: build rate, search p99, recall and bytes per
// variant on synthetic variants shaped like the benchmark sets (84% SNV with Ts/Tv ~2, indels,
// a U-shaped AF spectrum, a 100-sample cohort's carriers, 60% in one of 20,000 genes with
// consequences and impacts). The suite runs it at 10,000 variants; for the figure run
//   VCFAGENT_SIMILARITY_SCALE=1000000 build/tests/unit_store_similarity_tests --gtest_filter='SimilarityScaleTest.*'
// (a few minutes on two cores) and read the printed numbers. VCFAGENT_SIMILARITY_SITES_ONLY=1 drops
// samples and annotations, like the 1M-site benchmark file (class, alleles, AF, QUAL, FILTER only).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "store/similarity/embedding.h"
#include "store/similarity/vector_index.h"
#include "support/test_support.h"

namespace vcfagent::store {
namespace {

using Clock = std::chrono::steady_clock;

size_t EnvSize(const char* name, size_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

// Peak resident memory of this process (kB), from /proc.
long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

// Deterministic synthetic variants (the i-th variant depends only on i).
class SyntheticVariants {
 public:
  explicit SyntheticVariants(bool sites_only) : sites_only_(sites_only) {}

  VariantFeatures Make(uint64_t i) const {
    VariantFeatures f = MakeFull(i);
    if (sites_only_) {
      VariantFeatures sites;
      sites.chrom = f.chrom;
      sites.pos = f.pos;
      sites.ref = f.ref;
      sites.alt = f.alt;
      sites.population_af = f.population_af;
      sites.qual = f.qual;
      sites.filter_pass = f.filter_pass;
      return sites;
    }
    return f;
  }

 private:
  VariantFeatures MakeFull(uint64_t i) const {
    std::mt19937_64 rng(0x9e3779b97f4a7c15ull ^ (i * 0xbf58476d1ce4e5b9ull));
    auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
    VariantFeatures f;
    f.chrom = "chr" + std::to_string(1 + i % 22);
    f.pos = static_cast<int64_t>(1000 + i * 3);
    static const char* kBases = "ACGT";
    const char ref = kBases[rng() % 4];
    const double kind = uniform();
    f.ref = std::string(1, ref);
    if (kind < 0.84) {  // SNV, 2/3 transitions
      static const std::string kTransition = "GTAC";  // A->G, C->T, G->A, T->C
      const int r = static_cast<int>(std::string("ACGT").find(ref));
      f.alt = uniform() < 0.67 ? std::string(1, kTransition[r]) : std::string(1, kBases[(r + 1 + rng() % 2 * 2) % 4]);
    } else if (kind < 0.91) {  // deletion, geometric length
      const size_t length = 1 + static_cast<size_t>(-std::log(1 - uniform()) * 2);
      f.ref += std::string(length, 'T');
      f.alt = std::string(1, ref);
    } else if (kind < 0.97) {
      f.alt = std::string(1, ref) + std::string(1 + static_cast<size_t>(-std::log(1 - uniform()) * 2), 'A');
    } else if (kind < 0.975) {
      f.ref = "AC";
      f.alt = "GT";
    } else if (kind < 0.976) {
      f.alt = "<DEL>";
    } else {  // the second allele of a multiallelic site: another SNV
      f.alt = ref == 'A' ? "C" : "A";
    }
    const double af = uniform() < 0.55 ? 0.0002 + uniform() * 0.0098 : std::pow(10.0, -2 + 2 * uniform()) * 0.5;
    f.population_af = af;
    f.qual = 30 + uniform() * 970;
    f.filter_pass = uniform() < 0.9;
    f.mean_dp = 10 + uniform() * 40;
    f.mean_gq = 20 + uniform() * 79;
    f.cohort_size = 100;
    for (uint32_t s = 0; s < 100; ++s) {
      if (uniform() < 2 * af) f.carrier_samples.push_back(s);
    }
    f.cohort_af = static_cast<double>(f.carrier_samples.size()) / 200;
    if (uniform() < 0.6) {
      f.gene = "GENE" + std::to_string(rng() % 20000);
      static const std::pair<const char*, Impact> kConsequences[] = {
          {"intron", Impact::kModifier},   {"intron", Impact::kModifier},      {"intron", Impact::kModifier},
          {"synonymous", Impact::kLow},     {"missense", Impact::kModerate},    {"3_prime_utr", Impact::kModifier},
          {"5_prime_utr", Impact::kModifier}, {"splice_region", Impact::kLow}, {"non_coding", Impact::kModifier},
          {"stop_gained", Impact::kHigh},   {"frameshift", Impact::kHigh}};
      const auto& [consequence, impact] = kConsequences[rng() % std::size(kConsequences)];
      f.consequence = consequence;
      f.impact = impact;
      if (uniform() < 0.05) f.clinical_significance = uniform() < 0.3 ? "pathogenic" : "uncertain";
    }
    return f;
  }
  bool sites_only_;
};

TEST(SimilarityScaleTest, BuildRateSearchLatencyRecallAndSize) {
  const size_t n = EnvSize("VCFAGENT_SIMILARITY_SCALE", 10000);
  const size_t threads = std::max<size_t>(1, EnvSize("VCFAGENT_SIMILARITY_THREADS", 2));
  const bool sites_only = EnvSize("VCFAGENT_SIMILARITY_SITES_ONLY", 0) != 0;
  const SyntheticVariants synthetic(sites_only);
  IndexParams params;  // the defaults, unless overridden to explore
  params.m = EnvSize("VCFAGENT_SIMILARITY_M", params.m);
  params.ef_search = EnvSize("VCFAGENT_SIMILARITY_EF", params.ef_search);
  params.ef_construction = EnvSize("VCFAGENT_SIMILARITY_EFC", params.ef_construction);
  auto created = VectorIndex::Create(kFeatureSpaceName, kFeatureDimension, n, params);
  ASSERT_TRUE(created.ok());
  VectorIndex& index = **created;

  // Embedding and insertion together, in parallel: what ingest's index build does.
  const auto build_start = Clock::now();
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads) ASSERT_TRUE(index.Add(i, EmbedVariant(synthetic.Make(i))).ok());
    });
  }
  for (auto& worker : workers) worker.join();
  const double build_seconds = std::chrono::duration<double>(Clock::now() - build_start).count();
  ASSERT_EQ(index.size(), n);
  const long build_peak_kb = PeakRssKb();

  // Search latency for k=10, one query at a time (the CLI's pattern), and recall against brute
  // force on a sample of the queries, at the default ef and around it.
  const size_t queries = std::min<size_t>(n, 2000);
  std::vector<std::vector<float>> query_vectors;
  for (size_t q = 0; q < queries; ++q) query_vectors.push_back(EmbedVariant(synthetic.Make(n + q)));
  std::vector<std::vector<Neighbour>> exact;
  for (size_t q = 0; q < std::min<size_t>(queries, 200); ++q) exact.push_back(index.ExactSearch(query_vectors[q], 10).value());
  struct Measured {
    size_t ef;
    double p50, p99, recall;
  };
  std::vector<Measured> measured;
  for (const size_t ef : {index.params().ef_search, size_t{64}, size_t{128}, size_t{512}}) {
    std::vector<double> micros;
    for (const auto& q : query_vectors) {
      const auto start = Clock::now();
      auto result = index.Search(q, 10, {}, ef);
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      ASSERT_TRUE(result.ok());
      ASSERT_EQ(result->size(), 10u);
    }
    std::sort(micros.begin(), micros.end());
    size_t hits = 0, total = 0;
    for (size_t q = 0; q < exact.size(); ++q) {
      auto approx = index.Search(query_vectors[q], 10, {}, ef);
      for (const auto& found : *approx) {
        hits += found.distance <= exact[q].back().distance;
      }
      total += exact[q].size();
    }
    measured.push_back({ef, micros[micros.size() / 2], micros[micros.size() * 99 / 100],
                        static_cast<double>(hits) / total});
  }
  const double p50 = measured[0].p50, p99 = measured[0].p99, recall = measured[0].recall;

  vcfagent::testing::TempDir dir;
  const std::string path = dir.File("features.hnsw");
  const auto save_start = Clock::now();
  ASSERT_TRUE(index.Save(path, 1).ok());
  const double save_seconds = std::chrono::duration<double>(Clock::now() - save_start).count();
  const auto file_bytes = std::filesystem::file_size(path);
  const auto load_start = Clock::now();
  auto loaded = VectorIndex::Load(path, {kFeatureSpaceName, static_cast<size_t>(kFeatureDimension)});
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();

  std::printf(
      "similarity at %zu %svariants (M=%zu, ef_construction=%zu, ef_search=%zu, %zu threads):\n"
      "  build (embed + add): %.1f s, %.0f variants/s\n"
      "  search k=10: p50 %.0f us, p99 %.0f us over %zu queries; recall@10 %.4f\n"
      "  index file %.1f MB (%.1f bytes/variant); save %.2f s, load %.2f s\n"
      "  peak RSS after the build %.0f MB, after loading a second copy %.0f MB\n",
      n, sites_only ? "sites-only " : "", index.params().m, index.params().ef_construction, index.params().ef_search, threads, build_seconds,
      n / build_seconds, p50, p99, queries, recall, file_bytes / 1e6, static_cast<double>(file_bytes) / n,
      save_seconds, load_seconds, build_peak_kb / 1024.0, PeakRssKb() / 1024.0);
  for (const auto& m : measured) {
    std::printf("  ef=%zu: p50 %.0f us, p99 %.0f us, recall@10 %.4f\n", m.ef, m.p50, m.p99, m.recall);
  }
  EXPECT_GE(recall, 0.95);
  EXPECT_LT(p99, 5000.0);
}

}  // namespace
}  // namespace vcfagent::store
