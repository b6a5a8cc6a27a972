// ReportFacts: everything `vcf-agent analyze` knows about one VCF/BCF file, as one JSON document.
// It is what the renderers (HTML, Markdown, JSON) show, what the AI interpretation is built
// from, and what the agent's `report` tool returns.
//
// Contract:
// - AnalyzeFile() reads the file once, streaming: vcf::ValidateFile reads it (verdict, counts, top
//   rules) and every record it reads also feeds a vcf::StatsCollector with every sample (the
//   numbers of `bcftools stats -s -`) and a CohortScanner (notable variants, genotype sites for sex
//   and kinship); text records are parsed on a second thread. Memory is bounded by the samples,
//   the bins and ScanLimits, never by the records.
// - The document (kFactsVersion) has: "facts_version", "generated_by", "input", "validation",
//   "qc" (qc_facts.h), "sex", "relatedness", "pedigree" (null without --ped),
//   "notable_variants", "timings_seconds". docs/analyze.md describes each field.
// - Errors: a missing or unreadable file or PED is an I/O (or usage) Status; standard input is a
//   usage error (the header is read on its own first); a record htslib cannot parse is InvalidInput with
//   its file and line. A file that reads but breaks the VCF specification is not an error: the
//   validation section says so.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ai/report/cohort_scan.h"
#include "util/status.h"

namespace vcfagent::ai::report {

inline constexpr const char* kFactsVersion = "vcf-agent-report-facts/1";

struct AnalyzeOptions {
  std::string ped_path;  // expected sexes and relationships (PED/FAM); empty: none
  int threads = 0;       // extra BGZF decompression threads for the reading
  ScanLimits limits;
};

Result<nlohmann::json> AnalyzeFile(const std::string& path, const AnalyzeOptions& options = {});

// The notable-variant section of the facts from a scan (exposed for tests and the agent).
nlohmann::json NotableVariantFacts(const CohortScan& scan, const ScanLimits& limits);

}  // namespace vcfagent::ai::report
