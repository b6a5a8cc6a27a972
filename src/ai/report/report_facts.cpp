#include "ai/report/report_facts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "ai/report/qc_facts.h"
#include "ai/report/relatedness_facts.h"
#include "util/progress.h"
#include "store/annotation/pedigree.h"
#include "vcf/stats.h"
#include "vcf/validate/report_format.h"
#include "vcf/validate/validator.h"
#include "vcf/variant_reader.h"

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
json Seconds(double s) { return std::round(s * 1000) / 1000; }

constexpr size_t kListedRules = 10;
constexpr size_t kListedFindings = 10;

json ValidationFacts(const vcf::ValidationReport& report) {
  json full = vcf::ReportToJson(report);
  std::vector<vcf::RuleSummary> rules = report.summary;
  std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    if (a.severity != b.severity) return a.severity == vcf::Severity::kError;
    return a.count > b.count;
  });
  json top = json::array();
  for (size_t i = 0; i < rules.size() && i < kListedRules; ++i) {
    top.push_back({{"rule", rules[i].rule},
                   {"severity", vcf::SeverityName(rules[i].severity)},
                   {"count", rules[i].count},
                   {"first_line", rules[i].first_line},
                   {"first_message", rules[i].first_message}});
  }
  json findings = json::array();
  for (size_t i = 0; i < full["findings"].size() && i < kListedFindings; ++i) findings.push_back(full["findings"][i]);
  return {{"valid", report.valid},
          {"verdict", report.valid ? "valid" : "invalid"},
          {"vcf_version", report.vcf_version},
          {"errors", report.errors},
          {"warnings", report.warnings},
          {"records", report.records},
          {"lines", report.lines},
          {"rules_fired", report.summary.size()},
          {"top_rules", top},
          {"first_findings", findings}};
}

json VariantJson(const NotableVariant& v) {
  json carriers = json::array();
  for (const auto& c : v.carriers) carriers.push_back({{"sample", c.sample}, {"zygosity", c.zygosity}});
  json af = nullptr;
  if (v.af) af = std::round(*v.af * 1e6) / 1e6;
  return {{"variant", fmt::format("{}:{}:{}:{}", v.chrom, v.pos, v.ref, v.alt)},
          {"chrom", v.chrom},
          {"pos", v.pos},
          {"ref", v.ref},
          {"alt", v.alt},
          {"gene", v.gene},
          {"consequence", v.consequence},
          {"impact", v.impact},
          {"clinvar", v.clinvar_class},
          {"clnsig", v.clnsig},
          {"af", af},
          {"af_source", v.af_source},
          {"carrier_count", v.carrier_count},
          {"carriers", carriers},
          {"carriers_left_out", v.carrier_count - v.carriers.size()}};
}

json ListJson(const NotableList& list, const std::string& criterion) {
  json items = json::array();
  for (const auto& v : list.items) items.push_back(VariantJson(v));
  return {{"criterion", criterion}, {"total", list.total}, {"listed", list.items.size()},
          {"left_out", list.total - list.items.size()}, {"items", items}};
}

}  // namespace

json NotableVariantFacts(const CohortScan& scan, const ScanLimits& limits) {
  std::string lof_terms;
  for (const auto& t : kLossOfFunctionTerms) lof_terms += (lof_terms.empty() ? "" : ", ") + t;
  json annotations = {{"clinvar_clnsig", scan.has_clnsig},
                      {"consequence_tag", scan.consequence_tag.empty() ? json(nullptr) : json(scan.consequence_tag)}};
  json out = {
      {"annotations", annotations},
      {"list_limit", limits.max_listed},
      {"carrier_limit", limits.max_carriers},
      {"order", "file order; lists keep their first entries and count the rest"},
      {"clinvar_pathogenic",
       ListJson(scan.clinvar, "INFO/CLNSIG classed pathogenic or likely-pathogenic")},
      {"high_impact", ListJson(scan.high_impact, "most severe consequence has impact HIGH (" +
                                                     (scan.consequence_tag.empty() ? std::string("no annotation")
                                                                                   : "INFO/" + scan.consequence_tag) +
                                                     ")")},
      {"rare_loss_of_function",
       ListJson(scan.rare_lof, fmt::format("consequence in {{{}}} and AF < {} (INFO/AF, else INFO/AC/AN, else the "
                                           "file's genotypes; af_source says which)",
                                           lof_terms, limits.rare_af))},
      {"loss_of_function_af_unknown", scan.lof_af_unknown}};
  std::vector<std::string> notes;
  if (!scan.has_clnsig) notes.push_back("no INFO/CLNSIG in the header: ClinVar significance not available");
  if (scan.consequence_tag.empty()) {
    notes.push_back("no CSQ, ANN or BCSQ annotation in the header: consequences not available");
  }
  out["notes"] = notes;
  return out;
}

Result<json> AnalyzeFile(const std::string& path, const AnalyzeOptions& options) {
  if (path == "-") {
    return Status::Usage("analyze reads its input several times: give a file, not standard input");
  }
  // The header tells whether per-sample statistics can be asked for (a sites-only file has none).
  bool has_samples = false;
  {
    auto reader = vcf::VariantReader::Open(path);
    if (!reader.ok()) return reader.status();
    has_samples = bcf_hdr_nsamples((*reader)->header()) > 0;
  }
  std::optional<store::Pedigree> pedigree;
  if (!options.ped_path.empty()) {
    auto ped = store::Pedigree::Load(options.ped_path);
    if (!ped.ok()) return ped.status();
    pedigree = std::move(*ped);
  }
  const auto start = Clock::now();

  // Three independent passes, concurrently: each reads the file itself, so they share nothing.
  std::optional<Result<vcf::ValidationReport>> validation;
  std::optional<Result<vcf::VcfStats>> stats;
  std::optional<Result<CohortScan>> scan;
  double validate_s = 0, stats_s = 0, scan_s = 0;
  {
    // The passes run under the caller's job (REST jobs): all obey its cancellation and report progress.
    JobControl* job = CurrentJob();
    std::thread validate_thread([&] {
      JobScope scope(job);
      const auto t = Clock::now();
      validation.emplace(vcf::ValidateFile(path));
      validate_s = Since(t);
    });
    std::thread stats_thread([&] {
      JobScope scope(job);
      const auto t = Clock::now();
      vcf::StatsOptions stats_options;
      stats_options.samples = has_samples ? vcf::StatsOptions::Samples::kAll : vcf::StatsOptions::Samples::kNone;
      stats_options.threads = options.threads;
      stats.emplace(vcf::ComputeStats(path, stats_options));
      stats_s = Since(t);
    });
    const auto t = Clock::now();
    ScanLimits limits = options.limits;
    limits.threads = options.threads;
    scan.emplace(ScanCohort(path, limits));
    scan_s = Since(t);
    validate_thread.join();
    stats_thread.join();
  }
  if (!validation->ok()) return validation->status();
  if (!stats->ok()) return stats->status();
  if (!scan->ok()) return scan->status();
  const double passes_s = Since(start);

  const auto rel_start = Clock::now();
  auto related = ComputeRelatednessFacts(scan->value(), options.limits, pedigree ? &*pedigree : nullptr,
                                         options.ped_path);
  if (!related.ok()) return related.status();
  const double related_s = Since(rel_start);

  const vcf::VcfStats& s = stats->value();
  json facts;
  facts["facts_version"] = kFactsVersion;
  facts["generated_by"] = std::string("vcf-agent ") + VCFAGENT_VERSION;
  facts["input"] = {{"path", path},
                    {"name", path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1)},
                    {"samples", s.summary.samples},
                    {"records", s.summary.records}};
  facts["validation"] = ValidationFacts(validation->value());
  facts["qc"] = QcFacts(s);
  if (!s.warnings.empty()) facts["qc"]["warnings"] = s.warnings;
  facts["sex"] = std::move(related->sex);
  facts["relatedness"] = std::move(related->relatedness);
  facts["pedigree"] = std::move(related->pedigree);
  facts["notable_variants"] = NotableVariantFacts(scan->value(), options.limits);
  facts["timings_seconds"] = {{"validate", Seconds(validate_s)},
                              {"stats", Seconds(stats_s)},
                              {"scan", Seconds(scan_s)},
                              {"passes_wall", Seconds(passes_s)},
                              {"sex_and_kinship", Seconds(related_s)},
                              {"total", Seconds(Since(start))}};
  return facts;
}

}  // namespace vcfagent::ai::report
