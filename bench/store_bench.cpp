// vcf-agent-store-bench: latency percentiles of the variant store's queries, in process, with the
// store, the cohort graph and the similarity index opened once (as the service and the agent hold
// them). Prints one markdown table row per query: runs, p50, p99, max in milliseconds.
//
//   vcf-agent-store-bench --db DIR [--runs N] [--seed S] [--queries region,carriers,...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "fmt/format.h"
#include "store/graph_loader.h"
#include "store/graph_queries.h"
#include "store/similar.h"
#include "store/similarity_update.h"
#include "store/store.h"
#include "store/variant_query.h"

using namespace vcfagent;
using Clock = std::chrono::steady_clock;

namespace {

void Report(const std::string& name, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * (ms.size() - 1) + 0.5))]; };
  fmt::print("| {} | {} | {:.3f} | {:.3f} | {:.3f} |\n", name, ms.size(), at(0.5), at(0.99), ms.back());
  std::fflush(stdout);
}

template <typename F>
void Time(const std::string& name, int runs, F&& body) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (!body(i)) {
      fmt::print(stderr, "store-bench: {} failed\n", name);
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  Report(name, std::move(ms));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vcf-agent-store-bench: in-process query latency percentiles"};
  std::string db;
  int runs = 1000;
  uint32_t seed = 1;
  std::vector<std::string> queries = {"region", "carriers", "sample-gene", "shared", "cooccur", "kinship", "similar"};
  app.add_option("--db", db)->required();
  app.add_option("--runs", runs);
  app.add_option("--seed", seed);
  app.add_option("--queries", queries)->delimiter(',');
  CLI11_PARSE(app, argc, argv);
  auto opened = store::Store::Open(db, store::Store::Access::kRead);
  if (!opened.ok()) {
    fmt::print(stderr, "{}\n", opened.status().message());
    return 2;
  }
  store::Store& s = **opened;
  std::mt19937_64 rng(seed);
  auto max_id = store::QueryInt(s.db(), "SELECT max(variant_id) FROM variants")->value_or(0);
  std::uniform_int_distribution<int64_t> variant(1, max_id);
  auto wanted = [&](const char* q) { return std::find(queries.begin(), queries.end(), q) != queries.end(); };

  fmt::print("| query | runs | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n");
  if (wanted("region")) {
    // 1 Mb windows at random variants' positions.
    auto stmt = s.db().Prepare("SELECT c.name, v.pos FROM variants v JOIN contigs c USING (chrom_id) WHERE variant_id = ?1");
    size_t returned = 0;
    Time("variants in a 1 Mb region", runs, [&](int) {
      stmt->Bind(1, variant(rng));
      auto found = stmt->Step();
      if (!found.ok() || !*found) { stmt->Reset(); return found.ok(); }
      store::VariantQuery q;
      q.regions.push_back({std::string(stmt->Text(0)), stmt->Int(1) - 1, stmt->Int(1) - 1 + 1000000});
      stmt->Reset();
      q.limit = 0;
      auto page = store::QueryVariants(s, q);
      if (page.ok()) returned += page->variants.size();
      return page.ok();
    });
    fmt::print(stderr, "region: {:.0f} variants per 1 Mb on average\n", static_cast<double>(returned) / runs);
  }
  const bool graph_needed = wanted("carriers") || wanted("sample-gene") || wanted("shared") || wanted("cooccur") || wanted("kinship");
  std::unique_ptr<store::LoadedGraph> graph;
  if (graph_needed) {
    auto loaded = store::LoadCohortGraph(s);
    if (!loaded.ok()) {
      fmt::print(stderr, "{}\n", loaded.status().message());
      return 2;
    }
    graph = std::move(loaded).value();
    fmt::print(stderr, "graph: {} samples, {} variants, {} calls loaded in {:.2f} s\n", graph->graph->num_samples(),
               graph->graph->num_variants(), graph->graph->num_calls(), graph->load_seconds);
  }
  const size_t n_samples = graph ? graph->graph->num_samples() : 0;
  store::GraphContext ctx{s, *graph};
  if (wanted("carriers") && graph) {
    Time("carriers of a variant", runs, [&](int) { return store::GraphCarriers(ctx, std::to_string(variant(rng)), false).ok(); });
  }
  if (wanted("sample-gene") && graph && n_samples > 0) {
    std::vector<std::string> genes;
    auto stmt = s.db().Prepare("SELECT name FROM genes ORDER BY gene_id");
    for (auto row = stmt->Step(); row.ok() && *row; row = stmt->Step()) genes.emplace_back(stmt->Text(0));
    if (!genes.empty()) {
      std::uniform_int_distribution<size_t> gene(0, genes.size() - 1), sample(0, n_samples - 1);
      Time("variants of a sample in a gene", runs, [&](int) {
        store::SampleVariantsOptions options;
        options.genes = {genes[gene(rng)]};
        options.limit = 0;
        return store::GraphSampleVariants(ctx, graph->graph->sample_name(static_cast<uint32_t>(sample(rng))), options).ok();
      });
    }
  }
  if (wanted("shared") && graph && n_samples > 1) {
    std::uniform_int_distribution<size_t> sample(0, n_samples - 1);
    Time("shared variants of two samples (counts)", runs, [&](int) {
      const auto a = static_cast<uint32_t>(sample(rng));
      auto b = static_cast<uint32_t>(sample(rng));
      if (a == b) b = (b + 1) % n_samples;
      return store::GraphShared(ctx, graph->graph->sample_name(a), graph->graph->sample_name(b), 0).ok();
    });
  }
  if (wanted("cooccur") && graph && n_samples > 0) {
    Time("co-occurrence with a variant (top 20)", runs, [&](int) { return store::GraphCooccur(ctx, std::to_string(variant(rng)), 1, 20).ok(); });
  }
  if (wanted("kinship") && graph && n_samples > 1) {
    Time(fmt::format("all-pairs kinship + sex ({} samples)", n_samples), 3, [&](int) {
      store::RelatednessOptions options;
      return store::GraphRelatedness(ctx, options).ok();
    });
  }
  if (wanted("similar")) {
    bool rebuilt = false;
    const auto start = Clock::now();
    auto index = store::OpenFeatureIndex(s, false, &rebuilt);
    if (!index.ok()) {
      fmt::print(stderr, "{}\n", index.status().message());
      return 2;
    }
    fmt::print(stderr, "similarity index: {} vectors {} in {:.2f} s\n", (*index)->size(), rebuilt ? "built" : "loaded",
               std::chrono::duration<double>(Clock::now() - start).count());
    Time(fmt::format("similar k=10 ({} variants)", (*index)->size()), runs, [&](int) {
      store::SimilarQuery q;
      q.variant = std::to_string(variant(rng));
      return store::FindSimilar(s, q, **index).ok();
    });
    // Strict recall counts the exact neighbours' ids found; tie-aware recall counts a result as
    // found when it is no farther than the exact k-th neighbour (identical feature vectors are
    // common among unannotated sites: any of them is an equally right answer).
    double recall = 0, tie_recall = 0;
    const int checks = 100;
    for (int i = 0; i < checks; ++i) {
      store::SimilarQuery q;
      q.variant = std::to_string(variant(rng));
      auto approx = store::FindSimilar(s, q, **index);
      q.exact = true;
      auto exact = store::FindSimilar(s, q, **index);
      std::set<int64_t> truth;
      for (const auto& h : exact->hits) truth.insert(h.record.variant_id);
      int found = 0, within = 0;
      const double kth = exact->hits.empty() ? 0 : exact->hits.back().distance;
      for (const auto& h : approx->hits) {
        found += truth.count(h.record.variant_id);
        within += h.distance <= kth + 1e-6;
      }
      recall += truth.empty() ? 1 : static_cast<double>(found) / truth.size();
      tie_recall += truth.empty() ? 1 : std::min(1.0, static_cast<double>(within) / truth.size());
    }
    fmt::print(stderr, "similarity recall@10 vs exact: {:.3f} tie-aware, {:.3f} by id, over {} queries\n",
               tie_recall / checks, recall / checks, checks);
  }
  return 0;
}
