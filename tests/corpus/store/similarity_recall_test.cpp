// Similarity on real data: variants of the 1000 Genomes chr22 slice (2,504 samples' carriers)
// and the GIAB Ashkenazi trio (bcftools csq annotations) are embedded and indexed; the index must
// find what brute force finds (recall@10 >= 0.95), and annotated variants' neighbours must mostly
// share their class and impact.
#include <gtest/gtest.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "store/similarity/embedding.h"
#include "store/similarity/vector_index.h"
#include "support/test_support.h"
#include "vcf/variant_reader.h"

namespace vcfagent::store {
namespace {

using vcfagent::testing::CorpusPath;

// VEP's impact of a Sequence Ontology consequence term (bcftools csq names, "_variant" dropped).
Impact ImpactOfTerm(const std::string& term) {
  static const std::map<std::string, Impact> kImpacts = {
      {"transcript_ablation", Impact::kHigh}, {"splice_acceptor", Impact::kHigh},
      {"splice_donor", Impact::kHigh},        {"stop_gained", Impact::kHigh},
      {"frameshift", Impact::kHigh},          {"stop_lost", Impact::kHigh},
      {"start_lost", Impact::kHigh},          {"transcript_amplification", Impact::kHigh},
      {"inframe_insertion", Impact::kModerate}, {"inframe_deletion", Impact::kModerate},
      {"inframe_altering", Impact::kModerate},  {"missense", Impact::kModerate},
      {"protein_altering", Impact::kModerate},  {"splice_region", Impact::kLow},
      {"incomplete_terminal_codon", Impact::kLow}, {"start_retained", Impact::kLow},
      {"stop_retained", Impact::kLow},        {"synonymous", Impact::kLow}};
  const auto it = kImpacts.find(term);
  return it == kImpacts.end() ? Impact::kModifier : it->second;
}

// The most severe consequence of a BCSQ value ("cons|gene|transcript|biotype|...,..."), filling
// gene, consequence and impact.
void ParseBcsq(const std::string& value, VariantFeatures& f) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string entry = value.substr(start, end - start);
    start = end + 1;
    if (entry.empty() || entry[0] == '@') continue;  // a pointer to another record
    if (entry[0] == '*') entry.erase(0, 1);
    const size_t bar = entry.find('|');
    const std::string consequence = entry.substr(0, bar);
    const size_t bar2 = bar == std::string::npos ? bar : entry.find('|', bar + 1);
    const std::string gene = bar == std::string::npos ? "" : entry.substr(bar + 1, bar2 - bar - 1);
    Impact impact = Impact::kNone;
    for (size_t t = 0; t <= consequence.size();) {
      size_t amp = consequence.find('&', t);
      if (amp == std::string::npos) amp = consequence.size();
      impact = std::max(impact, ImpactOfTerm(NormalisedConsequence(consequence.substr(t, amp - t))));
      t = amp + 1;
    }
    if (impact > f.impact) {
      f.impact = impact;
      f.consequence = consequence;
      f.gene = gene;
    }
  }
}

// One VariantFeatures per ALT allele, filled the way ingest would from what the file has.
std::vector<VariantFeatures> ReadFeatures(const std::string& path) {
  auto reader = vcf::VariantReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return {};
  bcf_hdr_t* header = (*reader)->header();
  const int samples = bcf_hdr_nsamples(header);
  auto rec = vcf::NewRecord();
  std::vector<VariantFeatures> out;
  float* af = nullptr;
  int af_size = 0;
  int32_t *gt = nullptr, *dp = nullptr, *gq = nullptr;
  int gt_size = 0, dp_size = 0, gq_size = 0;
  char* bcsq = nullptr;
  int bcsq_size = 0;
  for (;;) {
    auto more = (*reader)->Next(rec.get());
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    bcf_unpack(rec.get(), BCF_UN_ALL);
    VariantFeatures site;
    site.chrom = bcf_seqname(header, rec.get());
    site.pos = rec->pos + 1;
    site.ref = rec->d.allele[0];
    if (!bcf_float_is_missing(rec->qual)) site.qual = rec->qual;
    site.filter_pass = rec->d.n_flt == 0 || bcf_has_filter(header, rec.get(), const_cast<char*>("PASS")) == 1;
    site.cohort_size = static_cast<uint32_t>(samples);
    if (bcf_get_info_string(header, rec.get(), "BCSQ", &bcsq, &bcsq_size) > 0) ParseBcsq(bcsq, site);
    auto mean_of = [&](const char* tag, int32_t*& values, int& size) -> std::optional<double> {
      const int n = bcf_get_format_int32(header, rec.get(), tag, &values, &size);
      if (n <= 0 || samples == 0) return std::nullopt;
      const int per = n / samples;
      double sum = 0;
      int counted = 0;
      for (int s = 0; s < samples; ++s) {
        const int32_t v = values[s * per];
        if (v == bcf_int32_missing || v == bcf_int32_vector_end) continue;
        sum += v;
        ++counted;
      }
      return counted ? std::optional<double>(sum / counted) : std::nullopt;
    };
    site.mean_dp = mean_of("DP", dp, dp_size);
    site.mean_gq = mean_of("GQ", gq, gq_size);
    const int n_af = bcf_get_info_float(header, rec.get(), "AF", &af, &af_size);
    const int n_gt = samples ? bcf_get_genotypes(header, rec.get(), &gt, &gt_size) : 0;
    const int ploidy = n_gt > 0 ? n_gt / samples : 0;
    for (int allele = 1; allele < rec->n_allele; ++allele) {
      VariantFeatures f = site;
      f.alt = rec->d.allele[allele];
      if (f.alt == "*") continue;
      if (n_af >= allele && !bcf_float_is_missing(af[allele - 1])) f.population_af = af[allele - 1];
      int copies = 0, called = 0;
      for (int s = 0; s < samples && ploidy > 0; ++s) {
        bool carries = false;
        for (int p = 0; p < ploidy; ++p) {
          const int32_t g = gt[s * ploidy + p];
          if (g == bcf_int32_vector_end || bcf_gt_is_missing(g)) continue;
          ++called;
          if (bcf_gt_allele(g) == allele) {
            ++copies;
            carries = true;
          }
        }
        if (carries) f.carrier_samples.push_back(static_cast<uint32_t>(s));
      }
      if (called) f.cohort_af = static_cast<double>(copies) / called;
      out.push_back(std::move(f));
    }
  }
  std::free(af);
  std::free(gt);
  std::free(dp);
  std::free(gq);
  std::free(bcsq);
  return out;
}

struct Indexed {
  std::vector<VariantFeatures> features;
  std::vector<std::vector<float>> vectors;
  std::unique_ptr<VectorIndex> index;
};

Indexed BuildIndex(const std::string& path) {
  Indexed built;
  built.features = ReadFeatures(path);
  auto index = VectorIndex::Create(kFeatureSpaceName, kFeatureDimension, built.features.size());
  EXPECT_TRUE(index.ok());
  built.index = std::move(index.value());
  for (size_t i = 0; i < built.features.size(); ++i) {
    built.vectors.push_back(EmbedVariant(built.features[i]));
    EXPECT_TRUE(built.index->Add(i, built.vectors.back()).ok());
  }
  return built;
}

// Recall@k of Search against ExactSearch with every 3rd variant as a query (all of them make the
// sanitizer build too slow); a result no farther than the exact k-th neighbour counts
// (equal-distance ties are common in a quantised feature space).
double RecallAtK(const Indexed& built, size_t k, size_t ef) {
  size_t hits = 0, total = 0;
  for (size_t i = 0; i < built.vectors.size(); i += 3) {
    const auto& q = built.vectors[i];
    auto exact = built.index->ExactSearch(q, k);
    auto approx = built.index->Search(q, k, {}, ef);
    if (!exact.ok() || !approx.ok() || exact->empty()) continue;
    const float bound = exact->back().distance;
    for (const auto& n : *approx) hits += n.distance <= bound;
    total += exact->size();
  }
  return total ? static_cast<double>(hits) / total : 0;
}

TEST(SimilarityRecallTest, ThousandGenomesSliceWithCarriers) {
  const auto built = BuildIndex(CorpusPath("vcflib/samples/1kg-phaseIII-v5a.20130502.genotypes.chr22-16-16.5mb.vcf.gz"));
  ASSERT_GT(built.features.size(), 6000u);
  size_t with_carriers = 0;
  for (const auto& f : built.features) with_carriers += !f.carrier_samples.empty();
  EXPECT_GT(with_carriers, built.features.size() * 9 / 10);
  const size_t default_ef = built.index->params().ef_search;
  double default_recall = 0;
  for (size_t ef : {size_t{16}, size_t{32}, default_ef}) {
    const double recall = RecallAtK(built, 10, ef);
    std::printf("1kg chr22 slice (%zu alleles): recall@10 at ef=%zu: %.4f\n", built.features.size(), ef, recall);
    if (ef == default_ef) default_recall = recall;
  }
  EXPECT_GE(default_recall, 0.95);
  std::printf("index storage: %zu bytes, %.1f bytes per variant\n", built.index->StorageBytes(),
              static_cast<double>(built.index->StorageBytes()) / built.features.size());
}

TEST(SimilarityRecallTest, AshkenaziTrioAnnotatedNeighboursShareClassAndImpact) {
  const auto built = BuildIndex(CorpusPath("slivar/tests/ashk-trio.vcf.gz"));
  ASSERT_GT(built.features.size(), 9900u);
  const double recall = RecallAtK(built, 10, built.index->params().ef_search);
  std::printf("ashk-trio (%zu alleles): recall@10 at the default ef: %.4f\n", built.features.size(), recall);
  EXPECT_GE(recall, 0.95);

  // Among annotated variants: how many of the 10 nearest others share class, impact, both.
  size_t queries = 0, neighbours = 0, same_class = 0, same_impact = 0, same_both = 0;
  std::map<Impact, std::pair<size_t, size_t>> by_impact;  // impact -> (neighbours, same impact)
  for (size_t i = 0; i < built.features.size(); ++i) {
    const auto& q = built.features[i];
    if (q.impact == Impact::kNone) continue;
    auto found = built.index->Search(built.vectors[i], 10, [i](uint64_t label) { return label != i; });
    ASSERT_TRUE(found.ok());
    ++queries;
    const VariantClass cls = ClassifyAllele(q.ref, q.alt);
    for (const auto& n : *found) {
      const auto& other = built.features[n.label];
      const bool class_match = ClassifyAllele(other.ref, other.alt) == cls;
      const bool impact_match = other.impact == q.impact;
      ++neighbours;
      same_class += class_match;
      same_impact += impact_match;
      same_both += class_match && impact_match;
      by_impact[q.impact].first += 1;
      by_impact[q.impact].second += impact_match;
    }
  }
  ASSERT_GT(queries, 5000u);
  const double class_fraction = static_cast<double>(same_class) / neighbours;
  const double impact_fraction = static_cast<double>(same_impact) / neighbours;
  const double both_fraction = static_cast<double>(same_both) / neighbours;
  std::printf("ashk-trio: %zu annotated queries; of their 10 nearest: same class %.3f, same impact %.3f, both %.3f\n",
              queries, class_fraction, impact_fraction, both_fraction);
  for (const auto& [impact, counts] : by_impact) {
    std::printf("  %zu %s queries: same impact %.3f\n", counts.first / 10, std::string(ToString(impact)).c_str(),
                static_cast<double>(counts.second) / counts.first);
  }
  EXPECT_GT(class_fraction, 0.5);
  EXPECT_GT(impact_fraction, 0.5);
  EXPECT_GT(both_fraction, 0.5);
}

}  // namespace
}  // namespace vcfagent::store
