#include "vcf/compare_format.h"

#include <nlohmann/json.hpp>

#include "fmt/format.h"
#include "vcf/variant_reader.h"
#include "util/json_text.h"

namespace vcfagent::vcf {

namespace {

constexpr const char* kStateNames[kGenotypeStates] = {"hom_ref", "het", "hom_alt", "missing"};
constexpr const char* kStateLabels[kGenotypeStates] = {"hom-ref", "het", "hom-alt", "missing"};
constexpr size_t kMaxTextMatrices = 10;  // beyond this, one summary line per sample

nlohmann::json Ratio(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string RatioText(const std::optional<double>& value) {
  return value ? fmt::format("{:.4f}", *value) : std::string("n/a");
}

nlohmann::json CountsJson(const ClassCounts& c) {
  return {{"total", c.total()}, {"snv", c.snv}, {"indel", c.indel}, {"other", c.other}};
}

nlohmann::json ConfusionJson(const GenotypeConfusion& g) {
  nlohmann::json matrix = nlohmann::json::object();
  for (int a = 0; a < kGenotypeStates; ++a) {
    nlohmann::json row = nlohmann::json::object();
    for (int b = 0; b < kGenotypeStates; ++b) row[kStateNames[b]] = g.matrix[a][b];
    matrix[kStateNames[a]] = row;
  }
  return {{"matrix", matrix},
          {"called_in_both", g.called_in_both()},
          {"concordance", Ratio(g.concordance())},
          {"non_ref_concordance", Ratio(g.non_ref_concordance())}};
}

nlohmann::json MetricsJson(const ClassMetrics& m) {
  return {{"tp", m.tp_truth},   {"tp_query", m.tp_query}, {"fp", m.fp}, {"fn", m.fn},
          {"precision", Ratio(m.precision())}, {"recall", Ratio(m.recall())}, {"f1", Ratio(m.f1())}};
}

const char* TruthName(TruthFile t) { return t == TruthFile::kA ? "A" : t == TruthFile::kB ? "B" : ""; }

void AppendMatrix(std::string& out, const GenotypeConfusion& g) {
  out += fmt::format("    {:<10}", "A \\ B");
  for (const char* label : kStateLabels) out += fmt::format("{:>10}", label);
  out += '\n';
  for (int a = 0; a < kGenotypeStates; ++a) {
    out += fmt::format("    {:<10}", kStateLabels[a]);
    for (int b = 0; b < kGenotypeStates; ++b) out += fmt::format("{:>10}", g.matrix[a][b]);
    out += '\n';
  }
}

}  // namespace

std::string FormatCompareJson(const CompareResult& r) {
  nlohmann::json j;
  j["file_a"] = r.file_a;
  j["file_b"] = r.file_b;
  j["match"] = std::string(MatchModeName(r.match));
  j["normalized"] = r.normalized;
  j["left_aligned"] = r.left_aligned;
  j["records"] = {{"a", r.records_a}, {"b", r.records_b}};
  j["sites"] = {{"a_only", CountsJson(r.a_only)},
                {"b_only", CountsJson(r.b_only)},
                {"shared", CountsJson(r.shared)}};
  nlohmann::json genotypes;
  genotypes["sites"] = r.absent_as_missing ? "all" : "shared";
  genotypes["overall"] = ConfusionJson(r.all_samples);
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : r.samples) {
    nlohmann::json one = ConfusionJson(s);
    one["sample"] = s.sample;
    samples.push_back(std::move(one));
  }
  genotypes["samples"] = std::move(samples);
  j["genotypes"] = std::move(genotypes);
  j["warnings"] = r.warnings;
  if (r.truth != TruthFile::kNone) {
    j["truth"] = TruthName(r.truth);
    j["metrics"] = {{"snv", MetricsJson(r.snv)}, {"indel", MetricsJson(r.indel)}};
  } else {
    j["truth"] = nullptr;
  }
  return DumpJson(j, 2) + "\n";
}

std::string FormatCompareText(const CompareResult& r) {
  std::string out;
  out += fmt::format("A: {}\nB: {}\n", DisplayName(r.file_a), DisplayName(r.file_b));
  out += fmt::format("match: {}{}\n", MatchModeName(r.match),
                     r.left_aligned ? ", normalised (split, left-aligned)"
                                    : r.normalized ? ", normalised (split)" : "");
  out += fmt::format("records compared: A {}, B {}\n\n", r.records_a, r.records_b);
  out += fmt::format("{:<10}{:>12}{:>12}{:>12}{:>12}\n", "sites", "total", "SNV", "indel", "other");
  const std::pair<const char*, const ClassCounts*> rows[] = {
      {"A only", &r.a_only}, {"B only", &r.b_only}, {"shared", &r.shared}};
  for (const auto& [name, c] : rows) {
    out += fmt::format("{:<10}{:>12}{:>12}{:>12}{:>12}\n", name, c->total(), c->snv, c->indel, c->other);
  }
  out += '\n';
  if (r.samples.empty()) {
    out += "genotypes: no sample is in both files\n";
  } else {
    out += fmt::format("genotypes ({} sample(s) in both files; {} sites):\n", r.samples.size(),
                       r.absent_as_missing ? "all" : "shared");
    out += fmt::format("  all samples: concordance {}, non-ref concordance {}, called in both {}\n",
                       RatioText(r.all_samples.concordance()),
                       RatioText(r.all_samples.non_ref_concordance()), r.all_samples.called_in_both());
    AppendMatrix(out, r.all_samples);
    if (r.samples.size() <= kMaxTextMatrices) {
      for (const auto& s : r.samples) {
        out += fmt::format("  {}: concordance {}, non-ref concordance {}, called in both {}\n", s.sample,
                           RatioText(s.concordance()), RatioText(s.non_ref_concordance()),
                           s.called_in_both());
        AppendMatrix(out, s);
      }
    } else {
      // Many samples: one line each; the full matrices are in --format json.
      out += fmt::format("  {:<20}{:>14}{:>14}{:>16}{:>14}{:>14}\n", "sample", "called both",
                         "concordance", "non-ref conc.", "missing in A", "missing in B");
      for (const auto& s : r.samples) {
        uint64_t missing_a = 0, missing_b = 0;
        for (int k = 0; k < kGenotypeStates; ++k) {
          missing_a += s.matrix[kMissingGenotype][k];
          missing_b += s.matrix[k][kMissingGenotype];
        }
        out += fmt::format("  {:<20}{:>14}{:>14}{:>16}{:>14}{:>14}\n", s.sample, s.called_in_both(),
                           RatioText(s.concordance()), RatioText(s.non_ref_concordance()), missing_a,
                           missing_b);
      }
    }
  }
  if (r.truth != TruthFile::kNone) {
    out += fmt::format("\naccuracy against truth {}:\n", TruthName(r.truth));
    out += fmt::format("  {:<8}{:>10}{:>10}{:>10}{:>12}{:>10}{:>10}\n", "class", "TP", "FP", "FN",
                       "precision", "recall", "F1");
    const std::pair<const char*, const ClassMetrics*> metrics[] = {{"SNV", &r.snv}, {"indel", &r.indel}};
    for (const auto& [name, m] : metrics) {
      out += fmt::format("  {:<8}{:>10}{:>10}{:>10}{:>12}{:>10}{:>10}\n", name, m->tp_truth, m->fp,
                         m->fn, RatioText(m->precision()), RatioText(m->recall()), RatioText(m->f1()));
    }
  }
  return out;
}

}  // namespace vcfagent::vcf
