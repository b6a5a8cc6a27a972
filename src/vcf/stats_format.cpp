#include "vcf/stats_format.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "fmt/format.h"

namespace vcfagent::vcf {

namespace {

// printf into a growing string: the numbers must be formatted by the same C library routines
// bcftools uses, so that every rounding agrees.
class TextWriter {
 public:
  void Printf(const char* format, ...) __attribute__((format(printf, 2, 3))) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n < 0) return;
    if (static_cast<size_t>(n) < sizeof buffer) {
      text_.append(buffer, n);
      return;
    }
    std::string big(static_cast<size_t>(n) + 1, '\0');
    va_start(args, format);
    std::vsnprintf(big.data(), big.size(), format, args);
    va_end(args);
    text_.append(big.data(), n);
  }
  void Puts(const std::string& s) { text_ += s; }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

using ull = unsigned long long;

std::string DisplayInput(const std::string& input) { return input == "-" ? "<STDIN>" : input; }

void WriteHeader(TextWriter& w, const VcfStats& s, const StatsTextOptions& options) {
  // MultiQC recognises a bcftools stats report by the text "This file was produced by bcftools
  // stats" (and plot-vcfstats by "# This file was produced by "): the line must keep both while
  // still naming the program that wrote it.
  w.Printf(
      "# This file was produced by bcftools stats-compatible vcf-agent stats (%s) and can be plotted using "
      "plot-vcfstats.\n",
      VCFAGENT_VERSION);
  w.Printf("# The command line was:\t%s\n", options.command_line.empty() ? "vcf-agent stats"
                                                                         : options.command_line.c_str());
  w.Puts("#\n");
  w.Puts("# Definition of sets:\n# ID\t[2]id\t[3]tab-separated file names\n");
  w.Printf("ID\t0\t%s\n", DisplayInput(s.input).c_str());
}

void WriteSummary(TextWriter& w, const VcfStats& s) {
  w.Puts(
      "# SN, Summary numbers:\n"
      "#   number of records   .. number of data rows in the VCF\n"
      "#   number of no-ALTs   .. reference-only sites, ALT is either \".\" or identical to REF\n"
      "#   number of SNPs      .. number of rows with a SNP\n"
      "#   number of MNPs      .. number of rows with a MNP, such as CC>TT\n"
      "#   number of indels    .. number of rows with an indel\n"
      "#   number of others    .. number of rows with other type, for example a symbolic allele or\n"
      "#                          a complex substitution, such as ACT>TCGA\n"
      "#   number of multiallelic sites     .. number of rows with multiple alternate alleles\n"
      "#   number of multiallelic SNP sites .. number of rows with multiple alternate alleles, all SNPs\n"
      "# \n"
      "#   Note that rows containing multiple types will be counted multiple times, in each\n"
      "#   counter. For example, a row with a SNP and an indel increments both the SNP and\n"
      "#   the indel counter.\n"
      "# \n"
      "# SN\t[2]id\t[3]key\t[4]value\n");
  const StatsSummary& sn = s.summary;
  w.Printf("SN\t0\tnumber of samples:\t%lld\n", static_cast<long long>(sn.samples));
  w.Printf("SN\t0\tnumber of records:\t%llu\n", static_cast<ull>(sn.records));
  w.Printf("SN\t0\tnumber of no-ALTs:\t%llu\n", static_cast<ull>(sn.no_alts));
  w.Printf("SN\t0\tnumber of SNPs:\t%llu\n", static_cast<ull>(sn.snps));
  w.Printf("SN\t0\tnumber of MNPs:\t%llu\n", static_cast<ull>(sn.mnps));
  w.Printf("SN\t0\tnumber of indels:\t%llu\n", static_cast<ull>(sn.indels));
  w.Printf("SN\t0\tnumber of others:\t%llu\n", static_cast<ull>(sn.others));
  w.Printf("SN\t0\tnumber of multiallelic sites:\t%llu\n", static_cast<ull>(sn.multiallelic_sites));
  w.Printf("SN\t0\tnumber of multiallelic SNP sites:\t%llu\n",
           static_cast<ull>(sn.multiallelic_snp_sites));
}

void WriteAlleleFrequencyRow(TextWriter& w, const char* tag, const char* first,
                             const StatsAlleleFrequencyBin& b) {
  w.Printf("%s\t0\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", tag, first,
           static_cast<ull>(b.snps), static_cast<ull>(b.transitions),
           static_cast<ull>(b.transversions), static_cast<ull>(b.indels),
           static_cast<ull>(b.repeat_consistent), static_cast<ull>(b.repeat_inconsistent),
           static_cast<ull>(b.not_applicable));
}

void WriteSites(TextWriter& w, const VcfStats& s) {
  const StatsTsTv& t = s.tstv;
  w.Puts(
      "# TSTV, transitions/transversions:\n# TSTV\t[2]id\t[3]ts\t[4]tv\t[5]ts/tv\t[6]ts (1st "
      "ALT)\t[7]tv (1st ALT)\t[8]ts/tv (1st ALT)\n");
  w.Printf("TSTV\t0\t%llu\t%llu\t%.2f\t%llu\t%llu\t%.2f\n", static_cast<ull>(t.ts),
           static_cast<ull>(t.tv), t.ts_tv, static_cast<ull>(t.ts_1st_alt),
           static_cast<ull>(t.tv_1st_alt), t.ts_tv_1st_alt);

  w.Puts(
      "# SiS, Singleton stats:\n# SiS\t[2]id\t[3]allele count\t[4]number of SNPs\t[5]number of "
      "transitions\t[6]number of transversions\t[7]number of indels\t[8]repeat-consistent\t[9]"
      "repeat-inconsistent\t[10]not applicable\n");
  WriteAlleleFrequencyRow(w, "SiS", "1", s.singletons);

  w.Puts(
      "# AF, Stats by non-reference allele frequency:\n# AF\t[2]id\t[3]allele frequency\t[4]number "
      "of SNPs\t[5]number of transitions\t[6]number of transversions\t[7]number of indels\t[8]"
      "repeat-consistent\t[9]repeat-inconsistent\t[10]not applicable\n");
  for (const auto& b : s.allele_frequency) {
    char af[64];
    std::snprintf(af, sizeof af, "%f", b.allele_frequency);
    WriteAlleleFrequencyRow(w, "AF", af, b);
  }

  w.Puts(
      "# QUAL, Stats by quality\n# QUAL\t[2]id\t[3]Quality\t[4]number of SNPs\t[5]number of "
      "transitions (1st ALT)\t[6]number of transversions (1st ALT)\t[7]number of indels\n");
  for (const auto& q : s.quality) {
    w.Puts("QUAL\t0\t");
    if (q.quality) w.Printf("%.1f", *q.quality);
    else w.Puts(".");
    w.Printf("\t%llu\t%llu\t%llu\t%llu\n", static_cast<ull>(q.snps), static_cast<ull>(q.transitions),
             static_cast<ull>(q.transversions), static_cast<ull>(q.indels));
  }

  w.Puts(
      "# IDD, InDel distribution:\n# IDD\t[2]id\t[3]length (deletions negative)\t[4]number of "
      "sites\t[5]number of genotypes\t[6]mean VAF\n");
  for (const auto& d : s.indel_lengths) {
    w.Printf("IDD\t0\t%d\t%llu\t", d.length, static_cast<ull>(d.sites));
    if (d.mean_vaf) w.Printf("%llu\t%.2f\n", static_cast<ull>(d.genotypes), *d.mean_vaf);
    else w.Puts("0\t.\n");
  }

  w.Puts("# ST, Substitution types:\n# ST\t[2]id\t[3]type\t[4]count\n");
  for (const auto& st : s.substitutions) {
    w.Printf("ST\t0\t%c>%c\t%llu\n", st.ref, st.alt, static_cast<ull>(st.count));
  }

  w.Puts(
      "# DP, Depth distribution\n# DP\t[2]id\t[3]bin\t[4]number of genotypes\t[5]fraction of "
      "genotypes (%)\t[6]number of sites\t[7]fraction of sites (%)\n");
  for (const auto& d : s.depth) {
    w.Puts("DP\t0\t");
    switch (d.kind) {
      case StatsDepthBin::Kind::kBelow: w.Printf("<%d", d.depth); break;
      case StatsDepthBin::Kind::kAbove: w.Printf(">%d", d.depth); break;
      case StatsDepthBin::Kind::kValue: w.Printf("%d", d.depth); break;
    }
    w.Printf("\t%llu\t%f\t%llu\t%f\n", static_cast<ull>(d.genotypes), d.genotypes_percent,
             static_cast<ull>(d.sites), d.sites_percent);
  }
}

void WriteSamples(TextWriter& w, const VcfStats& s) {
  w.Puts(
      "# PSC, Per-sample counts. Note that the ref/het/hom counts include only SNPs, for indels see "
      "PSI. The rest include both SNPs and indels.\n"
      "# PSC\t[2]id\t[3]sample\t[4]nRefHom\t[5]nNonRefHom\t[6]nHets\t[7]nTransitions\t[8]"
      "nTransversions\t[9]nIndels\t[10]average depth\t[11]nSingletons\t[12]nHapRef\t[13]nHapAlt\t"
      "[14]nMissing\n");
  for (const auto& p : s.samples) {
    w.Printf("PSC\t0\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.1f\t%llu\t%llu\t%llu\t%llu\n",
             p.name.c_str(), static_cast<ull>(p.ref_hom), static_cast<ull>(p.non_ref_hom),
             static_cast<ull>(p.hets), static_cast<ull>(p.transitions),
             static_cast<ull>(p.transversions), static_cast<ull>(p.indels), p.average_depth,
             static_cast<ull>(p.singletons), static_cast<ull>(p.hap_ref),
             static_cast<ull>(p.hap_alt), static_cast<ull>(p.missing));
  }
  w.Puts(
      "# PSI, Per-Sample Indels. Note that alt-het genotypes with both ins and del allele are "
      "counted twice, in both nInsHets and nDelHets.\n"
      "# PSI\t[2]id\t[3]sample\t[4]in-frame\t[5]out-frame\t[6]not applicable\t[7]out/(in+out) "
      "ratio\t[8]nInsHets\t[9]nDelHets\t[10]nInsAltHoms\t[11]nDelAltHoms\n");
  for (const auto& p : s.samples) {
    w.Printf("PSI\t0\t%s\t0\t0\t0\t0.00\t%llu\t%llu\t%llu\t%llu\n", p.name.c_str(),
             static_cast<ull>(p.ins_hets), static_cast<ull>(p.del_hets),
             static_cast<ull>(p.ins_alt_homs), static_cast<ull>(p.del_alt_homs));
  }
  w.Puts(
      "# HWE\n# HWE\t[2]id\t[3]1st ALT allele frequency\t[4]Number of observations\t[5]25th "
      "percentile\t[6]median\t[7]75th percentile\n");
  for (const auto& h : s.hwe) {
    w.Printf("HWE\t0\t%f\t%llu\t%f\t%f\t%f\n", h.allele_frequency, static_cast<ull>(h.observations),
             h.percentile_25, h.median, h.percentile_75);
  }
}

nlohmann::ordered_json AlleleFrequencyJson(const StatsAlleleFrequencyBin& b) {
  return {{"snps", b.snps},
          {"transitions", b.transitions},
          {"transversions", b.transversions},
          {"indels", b.indels},
          {"repeat_consistent", b.repeat_consistent},
          {"repeat_inconsistent", b.repeat_inconsistent},
          {"not_applicable", b.not_applicable}};
}

// JSON numbers carry the precision the text shows (2.52, not the float 2.5199999809...).
double Rounded(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return std::strtod(buffer, nullptr);
}

nlohmann::ordered_json RoundedOrNull(const std::optional<double>& v, int digits) {
  return v ? nlohmann::ordered_json(Rounded(*v, digits)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string FormatStatsText(const VcfStats& stats, const StatsTextOptions& options) {
  TextWriter w;
  WriteHeader(w, stats, options);
  WriteSummary(w, stats);
  WriteSites(w, stats);
  if (stats.with_samples) WriteSamples(w, stats);
  return w.Take();
}

nlohmann::ordered_json StatsToJson(const VcfStats& s) {
  using json = nlohmann::ordered_json;
  json out;
  out["input"] = s.input;
  const StatsSummary& sn = s.summary;
  out["summary"] = {{"samples", sn.samples},
                    {"records", sn.records},
                    {"no_alts", sn.no_alts},
                    {"snps", sn.snps},
                    {"mnps", sn.mnps},
                    {"indels", sn.indels},
                    {"others", sn.others},
                    {"multiallelic_sites", sn.multiallelic_sites},
                    {"multiallelic_snp_sites", sn.multiallelic_snp_sites}};
  out["tstv"] = {{"ts", s.tstv.ts},
                 {"tv", s.tstv.tv},
                 {"ts_tv", Rounded(s.tstv.ts_tv, 2)},
                 {"ts_1st_alt", s.tstv.ts_1st_alt},
                 {"tv_1st_alt", s.tstv.tv_1st_alt},
                 {"ts_tv_1st_alt", Rounded(s.tstv.ts_tv_1st_alt, 2)}};
  json singletons = AlleleFrequencyJson(s.singletons);
  singletons["allele_count"] = 1;
  out["singletons"] = singletons;
  json af = json::array();
  for (const auto& b : s.allele_frequency) {
    json row = {{"allele_frequency", Rounded(b.allele_frequency, 6)}};
    row.update(AlleleFrequencyJson(b));
    af.push_back(row);
  }
  out["af"] = af;
  json qual = json::array();
  for (const auto& q : s.quality) {
    qual.push_back({{"quality", RoundedOrNull(q.quality, 1)},
                    {"snps", q.snps},
                    {"transitions", q.transitions},
                    {"transversions", q.transversions},
                    {"indels", q.indels}});
  }
  out["qual"] = qual;
  json idd = json::array();
  for (const auto& d : s.indel_lengths) {
    idd.push_back({{"length", d.length},
                   {"sites", d.sites},
                   {"genotypes", d.genotypes},
                   {"mean_vaf", RoundedOrNull(d.mean_vaf, 2)}});
  }
  out["indel_distribution"] = idd;
  json st = json::array();
  for (const auto& x : s.substitutions) {
    st.push_back({{"type", std::string{x.ref, '>', x.alt}}, {"count", x.count}});
  }
  out["substitutions"] = st;
  json dp = json::array();
  for (const auto& d : s.depth) {
    json bin;
    switch (d.kind) {
      case StatsDepthBin::Kind::kBelow: bin = fmt::format("<{}", d.depth); break;
      case StatsDepthBin::Kind::kAbove: bin = fmt::format(">{}", d.depth); break;
      case StatsDepthBin::Kind::kValue: bin = d.depth; break;
    }
    dp.push_back({{"bin", bin},
                  {"genotypes", d.genotypes},
                  {"genotypes_percent", Rounded(d.genotypes_percent, 6)},
                  {"sites", d.sites},
                  {"sites_percent", Rounded(d.sites_percent, 6)}});
  }
  out["depth"] = dp;
  if (s.with_samples) {
    json samples = json::array();
    for (const auto& p : s.samples) {
      samples.push_back({{"sample", p.name},
                         {"ref_hom", p.ref_hom},
                         {"non_ref_hom", p.non_ref_hom},
                         {"hets", p.hets},
                         {"transitions", p.transitions},
                         {"transversions", p.transversions},
                         {"indels", p.indels},
                         {"average_depth", Rounded(p.average_depth, 1)},
                         {"singletons", p.singletons},
                         {"hap_ref", p.hap_ref},
                         {"hap_alt", p.hap_alt},
                         {"missing", p.missing},
                         {"ins_hets", p.ins_hets},
                         {"del_hets", p.del_hets},
                         {"ins_alt_homs", p.ins_alt_homs},
                         {"del_alt_homs", p.del_alt_homs}});
    }
    out["per_sample"] = samples;
    json hwe = json::array();
    for (const auto& h : s.hwe) {
      hwe.push_back({{"allele_frequency", Rounded(h.allele_frequency, 6)},
                     {"observations", h.observations},
                     {"percentile_25", Rounded(h.percentile_25, 6)},
                     {"median", Rounded(h.median, 6)},
                     {"percentile_75", Rounded(h.percentile_75, 6)}});
    }
    out["hwe"] = hwe;
  }
  return out;
}

}  // namespace vcfagent::vcf
