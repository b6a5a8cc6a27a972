// Sex and relatedness facts of the analyze report, from the genotype sites CohortScan kept.
//
// Contract:
// - Sex: store::InferSex (chrX het ratio outside the PARs of the detected build) for every
//   sample; with a pedigree, each sample's expected sex and whether they disagree.
// - Relatedness: store::ComputeKinship (KING-robust) over the kept autosomal biallelic SNVs, all
//   pairs; the report lists pairs at third degree or closer (at most kMaxListedPairs) and counts
//   every relationship class. Not computed, with the reason stated, when the cohort has fewer
//   than 2 samples or more than ScanLimits::max_kinship_samples (the all-pairs cost), or when no
//   autosomal biallelic SNVs were found.
// - With a pedigree: the pairs it implies (parent-child from the father/mother columns, full
//   siblings sharing both known parents) are compared with the inferred relationship, and
//   inferred pairs at second degree or closer that the pedigree does not explain are listed.
// - The section records how many sites were used, of how many candidates, and the thinning.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ai/report/cohort_scan.h"
#include "store/annotation/pedigree.h"
#include "util/status.h"

namespace vcfagent::ai::report {

inline constexpr size_t kMaxListedPairs = 200;

struct RelatednessFacts {
  nlohmann::json sex;
  nlohmann::json relatedness;
  nlohmann::json pedigree;  // null without a pedigree
};

// `pedigree_path` names the PED file in the report (empty without one).
Result<RelatednessFacts> ComputeRelatednessFacts(const CohortScan& scan, const ScanLimits& limits,
                                                 const store::Pedigree* pedigree,
                                                 const std::string& pedigree_path);

}  // namespace vcfagent::ai::report
