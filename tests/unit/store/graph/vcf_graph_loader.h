// Test helper: loads a VCF's genotypes into a CohortGraph the way the store keeps them
// (multiallelics split into one variant per ALT; a call row only for het, hom-alt or missing;
// hom-ref implied). One sample group: every sample of the file. Not product code: the lead's
// ingest writes the store, and the store feeds the builder.
#pragma once

#include <htslib/vcf.h>

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/graph/cohort_graph.h"
#include "store/variant_types.h"
#include "vcf/variant_reader.h"

namespace vcfagent::testing {

// Fills `builder` from `path`; returns false (with a test failure) on a read error. `annotate`
// may set the gene, impact and AF of each variant before it is added.
inline bool LoadVcfIntoGraph(const std::string& path, store::CohortGraph::Builder& builder,
                             const std::function<void(store::GraphVariant&)>& annotate = {}) {
  auto reader = vcf::VariantReader::Open(path);
  if (!reader.ok()) {
    ADD_FAILURE() << reader.status().message();
    return false;
  }
  bcf_hdr_t* hdr = (*reader)->header();
  const int n_samples = bcf_hdr_nsamples(hdr);
  std::vector<uint32_t> group;
  for (int s = 0; s < n_samples; ++s) group.push_back(builder.AddSample(hdr->samples[s]));
  const uint32_t group_id = builder.AddSampleGroup(group);

  vcf::BcfRecordPtr rec = vcf::NewRecord();
  int32_t* gt = nullptr;
  int n_gt = 0;
  int32_t* gq = nullptr;
  int n_gq = 0;
  int32_t* dp = nullptr;
  int n_dp = 0;
  int64_t next_id = 1;
  while (true) {
    auto more = (*reader)->Next(rec.get());
    if (!more.ok()) {
      ADD_FAILURE() << more.status().message();
      break;
    }
    if (!*more) break;
    bcf_unpack(rec.get(), BCF_UN_ALL);
    const int ngt = bcf_get_genotypes(hdr, rec.get(), &gt, &n_gt);
    const int ploidy = ngt > 0 ? ngt / n_samples : 0;
    const bool has_gq = bcf_get_format_int32(hdr, rec.get(), "GQ", &gq, &n_gq) == n_samples;
    const bool has_dp = bcf_get_format_int32(hdr, rec.get(), "DP", &dp, &n_dp) == n_samples;
    const std::string ref = rec->d.allele[0];
    for (int a = 1; a < rec->n_allele; ++a) {
      store::GraphVariant v;
      v.variant_id = next_id++;
      v.chrom_id = static_cast<uint32_t>(rec->rid);
      v.pos = rec->pos + 1;
      v.end = rec->pos + rec->rlen;
      v.variant_class = store::ClassifyAllele(ref, rec->d.allele[a]);
      v.biallelic_snv = rec->n_allele == 2 && v.variant_class == store::VariantClass::kSnv;
      v.group = group_id;
      if (annotate) annotate(v);
      const uint32_t index = builder.AddVariant(v);
      for (int s = 0; s < n_samples && ploidy > 0; ++s) {
        const int32_t* g = gt + s * ploidy;
        int copies = 0, present = 0;
        bool missing = false;
        for (int k = 0; k < ploidy; ++k) {
          if (g[k] == bcf_int32_vector_end) break;
          ++present;
          if (bcf_gt_is_missing(g[k])) missing = true;
          else if (bcf_gt_allele(g[k]) == a) ++copies;
        }
        if (present == 0) continue;
        store::Zygosity z = store::Zygosity::kHomRef;
        if (missing) z = store::Zygosity::kMissing;
        else if (copies == present) z = store::Zygosity::kHomAlt;
        else if (copies > 0) z = store::Zygosity::kHet;
        if (z == store::Zygosity::kHomRef) continue;
        const int16_t q = has_gq && gq[s] >= 0 && gq[s] <= 32767 ? static_cast<int16_t>(gq[s]) : -1;
        const int32_t d = has_dp && dp[s] >= 0 ? dp[s] : -1;
        builder.AddCall(index, group[s], z, q, d);
      }
    }
  }
  // After reading: htslib adds contigs missing from the header as it meets them.
  std::vector<std::string> chroms(hdr->n[BCF_DT_CTG]);
  for (int i = 0; i < hdr->n[BCF_DT_CTG]; ++i) chroms[i] = bcf_hdr_id2name(hdr, i);
  builder.SetChromNames(chroms);
  free(gt);
  free(gq);
  free(dp);
  return true;
}

}  // namespace vcfagent::testing
