#include "ai/report/relatedness_facts.h"
#include "ai/report/qc_facts.h"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;

std::string BuildName(store::GenomeBuild build) {
  return build == store::GenomeBuild::kGrch37 ? "GRCh37" : "GRCh38";
}

using PairKey = std::pair<std::string, std::string>;
PairKey Key(const std::string& a, const std::string& b) { return a < b ? PairKey{a, b} : PairKey{b, a}; }

// The relationships a pedigree states between members that are both in the cohort.
std::map<PairKey, store::Relationship> PedigreePairs(const store::Pedigree& ped, const std::set<std::string>& cohort) {
  std::map<PairKey, store::Relationship> pairs;
  const auto& members = ped.members();
  for (const auto& m : members) {
    for (const std::string* parent : {&m.father, &m.mother}) {
      if (!parent->empty() && cohort.count(m.individual) && cohort.count(*parent)) {
        pairs[Key(m.individual, *parent)] = store::Relationship::kParentChild;
      }
    }
  }
  for (size_t i = 0; i < members.size(); ++i) {
    for (size_t j = i + 1; j < members.size(); ++j) {
      const auto& a = members[i];
      const auto& b = members[j];
      if (a.father.empty() || a.mother.empty() || a.father != b.father || a.mother != b.mother) continue;
      if (cohort.count(a.individual) && cohort.count(b.individual)) {
        pairs[Key(a.individual, b.individual)] = store::Relationship::kFullSibling;
      }
    }
  }
  return pairs;
}

bool IsFirstOrSecondDegree(store::Relationship r) {
  return r == store::Relationship::kDuplicate || r == store::Relationship::kParentChild ||
         r == store::Relationship::kFullSibling || r == store::Relationship::kSecondDegree;
}

}  // namespace

Result<RelatednessFacts> ComputeRelatednessFacts(const CohortScan& scan, const ScanLimits& limits,
                                                 const store::Pedigree* pedigree,
                                                 const std::string& pedigree_path) {
  RelatednessFacts facts;
  auto graph = scan.BuildGraph();
  if (!graph.ok()) return graph.status().WithContext("building the genotype graph");
  const store::CohortGraph& g = *graph;

  // Sex.
  std::map<std::string, store::Sex> expected_sex;
  if (pedigree != nullptr) {
    for (const auto& m : pedigree->members()) {
      if (m.sex != store::Sex::kUnknown) expected_sex[m.individual] = m.sex;
    }
  }
  store::SexOptions sex_options;
  sex_options.build = scan.build;
  json sex = {{"method", fmt::format("het/(het+hom-alt) on non-PAR chrX biallelic SNVs: male <= {}, female >= {}, "
                                     "at least {} het+hom-alt sites",
                                     sex_options.male_max_het_ratio, sex_options.female_min_het_ratio,
                                     sex_options.min_sites)},
              {"build", BuildName(scan.build)},
              {"build_evidence", scan.build_evidence},
              {"chrx_candidate_sites", scan.chrx_candidates},
              {"chrx_sites_used", scan.chrx_kept()},
              {"thinning", scan.chrx_thinning_level ? fmt::format("every {}th site", 1u << scan.chrx_thinning_level) : "none"}};
  if (scan.samples.empty()) {
    sex["computed"] = false;
    sex["reason"] = "the file has no samples";
  } else if (scan.chrx_kept() == 0) {
    sex["computed"] = false;
    sex["reason"] = "no biallelic SNVs on chrX outside the pseudo-autosomal regions";
  }
  if (!scan.samples.empty()) {
    auto report = store::InferSex(g, sex_options, expected_sex);
    if (!report.ok()) return report.status().WithContext("inferring sex");
    if (scan.chrx_kept() > 0) sex["computed"] = true;
    json calls = json::array();
    std::map<std::string, int> counts = {{"male", 0}, {"female", 0}, {"unknown", 0}};
    for (const auto& c : report->calls) {
      json row = {{"sample", g.sample_name(c.sample)},
                  {"inferred", std::string(store::ToString(c.inferred))},
                  {"het", c.het},
                  {"hom_alt", c.hom_alt},
                  {"het_ratio", Rounded(c.het_ratio, 4)}};
      if (pedigree != nullptr) {
        row["expected"] = std::string(store::ToString(c.expected));
        row["mismatch"] = c.mismatch;
      }
      ++counts[std::string(store::ToString(c.inferred))];
      calls.push_back(row);
    }
    sex["calls"] = calls;
    sex["counts"] = counts;
    if (pedigree != nullptr) sex["mismatches"] = report->mismatches;
  }
  facts.sex = sex;

  // Relatedness.
  store::KinshipOptions kin_options;
  kin_options.progress = false;
  json rel = {{"method", "KING-robust kinship (Manichaikul et al. 2010) over autosomal biallelic SNVs; "
                         "duplicate > 0.354, first degree > 0.177 (parent-child when IBS0 fraction < 0.01), "
                         "second > 0.0884, third > 0.0442"},
              {"min_sites", kin_options.min_sites},
              {"min_het_sites", kin_options.min_het_sites},
              {"candidate_sites", scan.autosomal_candidates},
              {"sites_used", scan.autosomal_kept()},
              {"thinning", scan.autosomal_thinning_level
                               ? fmt::format("every {}th site (limits: {} sites, {} stored calls)",
                                             1u << scan.autosomal_thinning_level, limits.max_autosomal_sites,
                                             limits.max_calls * 4 / 5)
                               : "none"}};
  std::vector<store::KinshipEstimate> estimates;
  if (scan.samples.size() < 2) {
    rel["computed"] = false;
    rel["reason"] = fmt::format("{} sample(s): relatedness needs at least 2", scan.samples.size());
  } else if (!scan.autosomal_collected) {
    const size_t n = scan.samples.size();
    rel["computed"] = false;
    rel["reason"] = fmt::format("{} samples give {} pairs; all-pairs kinship is limited to {} samples ({} pairs)", n,
                                n * (n - 1) / 2, limits.max_kinship_samples,
                                limits.max_kinship_samples * (limits.max_kinship_samples - 1) / 2);
  } else if (scan.autosomal_kept() == 0) {
    rel["computed"] = false;
    rel["reason"] = "no autosomal biallelic SNVs";
  } else {
    auto kinship = store::ComputeKinship(g, {}, kin_options);
    if (!kinship.ok()) return kinship.status();
    estimates = std::move(*kinship);
    rel["computed"] = true;
    std::map<std::string, uint64_t> counts;
    json pairs = json::array();
    uint64_t related = 0;
    for (const auto& e : estimates) {
      ++counts[std::string(store::ToString(e.relationship))];
      if (e.relationship == store::Relationship::kUnknown || e.relationship == store::Relationship::kUnrelated) continue;
      ++related;
      if (pairs.size() >= kMaxListedPairs) continue;
      pairs.push_back({{"sample1", g.sample_name(e.sample1)},
                       {"sample2", g.sample_name(e.sample2)},
                       {"relationship", std::string(store::ToString(e.relationship))},
                       {"kinship", Rounded(e.kinship, 4)},
                       {"ibs0_fraction", Rounded(e.ibs0_fraction, 4)},
                       {"sites", e.n_sites}});
    }
    rel["pairs_total"] = estimates.size();
    rel["by_relationship"] = counts;
    rel["related_pairs"] = pairs;
    rel["related_pairs_total"] = related;
    rel["related_pairs_left_out"] = related - pairs.size();
  }
  facts.relatedness = rel;

  // Pedigree comparison.
  if (pedigree != nullptr) {
    std::set<std::string> cohort(scan.samples.begin(), scan.samples.end());
    json ped = {{"path", pedigree_path}, {"members", pedigree->members().size()}};
    json absent = json::array();
    for (const auto& m : pedigree->members()) {
      if (!cohort.count(m.individual)) absent.push_back(m.individual);
    }
    ped["members_not_in_file"] = absent;
    const auto expected = PedigreePairs(*pedigree, cohort);
    std::map<PairKey, const store::KinshipEstimate*> inferred;
    for (const auto& e : estimates) inferred[Key(g.sample_name(e.sample1), g.sample_name(e.sample2))] = &e;
    json checks = json::array();
    uint64_t disagreements = 0;
    for (const auto& [pair, relationship] : expected) {
      json row = {{"sample1", pair.first}, {"sample2", pair.second}, {"expected", std::string(store::ToString(relationship))}};
      auto it = inferred.find(pair);
      if (it == inferred.end()) {
        row["inferred"] = nullptr;
        row["agrees"] = nullptr;
      } else {
        row["inferred"] = std::string(store::ToString(it->second->relationship));
        row["kinship"] = Rounded(it->second->kinship, 4);
        const bool agrees = it->second->relationship == relationship;
        row["agrees"] = agrees;
        if (!agrees && it->second->relationship != store::Relationship::kUnknown) ++disagreements;
      }
      checks.push_back(row);
    }
    json unexpected = json::array();
    for (const auto& e : estimates) {
      if (!IsFirstOrSecondDegree(e.relationship)) continue;
      const PairKey pair = Key(g.sample_name(e.sample1), g.sample_name(e.sample2));
      if (expected.count(pair)) continue;
      ++disagreements;
      if (unexpected.size() < kMaxListedPairs) {
        unexpected.push_back({{"sample1", pair.first},
                              {"sample2", pair.second},
                              {"inferred", std::string(store::ToString(e.relationship))},
                              {"kinship", Rounded(e.kinship, 4)}});
      }
    }
    ped["expected_pairs"] = checks;
    ped["unexpected_related_pairs"] = unexpected;
    ped["relationship_disagreements"] = disagreements;
    ped["sex_mismatches"] = sex.value("mismatches", 0);
    facts.pedigree = ped;
  }
  return facts;
}

}  // namespace vcfagent::ai::report
