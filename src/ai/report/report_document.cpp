#include "ai/report/report_document.h"
#include "util/json_text.h"
#include "util/number_text.h"

#include <cmath>

#include <fmt/format.h>

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;

// A value as a reader sees it: numbers without noise, null as "n/a".
std::string Text(const json& v) {
  if (v.is_null()) return "n/a";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer() || v.is_number_unsigned()) return DumpJson(v);
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::fabs(d) >= 1000 || d == std::floor(d)) return fmt::format("{:.0f}", d);
    std::string s = fmt::format("{:.4f}", d);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  }
  return DumpJson(v);
}

std::string Field(const json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() ? "n/a" : Text(*it);
}

ReportBlock Paragraph(std::string text) {
  ReportBlock b;
  b.text = std::move(text);
  return b;
}
ReportBlock Plot(std::string id) {
  ReportBlock b;
  b.kind = ReportBlock::Kind::kPlot;
  b.text = std::move(id);
  return b;
}
ReportBlock Bullets(std::vector<std::string> items) {
  ReportBlock b;
  b.kind = ReportBlock::Kind::kBullets;
  b.bullets = std::move(items);
  return b;
}
ReportBlock Table(ReportTable t) {
  ReportBlock b;
  b.kind = ReportBlock::Kind::kTable;
  b.table = std::move(t);
  return b;
}

ReportSection Overview(const json& r) {
  const json& qc = r["qc"];
  const json& v = r["validation"];
  ReportSection s{"overview", "Overview", {}};
  ReportTable t{{"measure", "value"}, {}, ""};
  t.rows = {{"file", Field(r["input"], "name")},
            {"validation", fmt::format("{} ({} errors, {} warnings)", Field(v, "verdict"), Field(v, "errors"), Field(v, "warnings"))},
            {"records", Field(qc["summary"], "records")},
            {"samples", Field(qc["summary"], "samples")},
            {"SNPs / indels / MNPs / others", fmt::format("{} / {} / {} / {}", Field(qc["summary"], "snps"),
                                                          Field(qc["summary"], "indels"), Field(qc["summary"], "mnps"),
                                                          Field(qc["summary"], "others"))},
            {"multiallelic sites", Field(qc["summary"], "multiallelic_sites")},
            {"Ts/Tv", Field(qc["tstv"], "ts_tv")},
            {"mean depth (per-sample means)", Field(qc["cohort"], "mean_depth")},
            {"mean missing rate", Field(qc["cohort"], "mean_missing_rate")},
            {"QC outliers flagged", std::to_string(qc["outliers"].value("flagged", json::array()).size())},
            {"ClinVar pathogenic / likely pathogenic", Field(r["notable_variants"]["clinvar_pathogenic"], "total")},
            {"high-impact alleles", Field(r["notable_variants"]["high_impact"], "total")},
            {"rare loss-of-function alleles", Field(r["notable_variants"]["rare_loss_of_function"], "total")}};
  s.blocks.push_back(Table(std::move(t)));
  return s;
}

ReportSection Interpretation(const json& r) {
  ReportSection s{"ai-interpretation", "AI interpretation", {}};
  const json& in = r.value("interpretation", json::object());
  const std::string status = in.value("status", "not-made");
  if (status != "ok") {
    s.blocks.push_back(Paragraph(in.value("statement", std::string("No AI interpretation was made (--ai not given)."))));
    if (in.contains("violations") && !in["violations"].empty()) {
      std::vector<std::string> items;
      for (const auto& v : in["violations"]) items.push_back(v.get<std::string>());
      s.blocks.push_back(Paragraph("Schema violations of the last answer:"));
      s.blocks.push_back(Bullets(items));
    }
    return s;
  }
  const json& res = in["result"];
  s.blocks.push_back(Paragraph(fmt::format("Written by {} (model {}) from the computed facts only, following prompt "
                                           "template {}; validated against its JSON Schema ({} attempt(s)). "
                                           "It is a model's reading of the numbers below: check it against them.",
                                           Field(in, "provider"), Field(in, "model"), Field(in, "prompt_template"),
                                           Field(in, "attempts"))));
  s.blocks.push_back(Paragraph("Summary: " + res.value("summary", "")));
  s.blocks.push_back(Paragraph("QC assessment: " + res.value("qc_assessment", "")));
  if (!res.value("notable_findings", json::array()).empty()) {
    ReportTable t{{"variant", "gene", "assessment", "evidence"}, {}, ""};
    for (const auto& f : res["notable_findings"]) {
      t.rows.push_back({f.value("variant", ""), f.value("gene", ""), f.value("assessment", ""), f.value("evidence", "")});
    }
    s.blocks.push_back(Table(std::move(t)));
  }
  for (const auto& [key, label] : {std::pair{"recommendations", "Recommendations"}, std::pair{"caveats", "Caveats"}}) {
    std::vector<std::string> items;
    for (const auto& x : res.value(key, json::array())) items.push_back(x.is_string() ? x.get<std::string>() : DumpJson(x));
    if (!items.empty()) {
      s.blocks.push_back(Paragraph(std::string(label) + ":"));
      s.blocks.push_back(Bullets(items));
    }
  }
  return s;
}

ReportSection Validation(const json& r) {
  const json& v = r["validation"];
  ReportSection s{"validation", "Validation", {}};
  s.blocks.push_back(Paragraph(fmt::format("The file is {} against the VCF {} specification: {} error(s), {} warning(s) "
                                           "over {} records; {} rule(s) fired.",
                                           v.value("valid", false) ? "valid" : "INVALID",
                                           v.value("vcf_version", std::string()).empty() ? "(version unknown)" : Field(v, "vcf_version"),
                                           Field(v, "errors"), Field(v, "warnings"), Field(v, "records"), Field(v, "rules_fired"))));
  if (!v["top_rules"].empty()) {
    ReportTable t{{"rule", "severity", "count", "first line", "first message"}, {}, "errors first, then by count"};
    for (const auto& rule : v["top_rules"]) {
      t.rows.push_back({Field(rule, "rule"), Field(rule, "severity"), Field(rule, "count"), Field(rule, "first_line"),
                        Field(rule, "first_message")});
    }
    s.blocks.push_back(Table(std::move(t)));
  }
  return s;
}

ReportSection Qc(const json& r) {
  const json& qc = r["qc"];
  ReportSection s{"qc", "Quality control", {}};
  const json& tstv = qc["tstv"];
  s.blocks.push_back(Paragraph(fmt::format(
      "Ts/Tv {} over all ALT alleles ({} transitions, {} transversions), {} over first ALT alleles. "
      "Counts are those of bcftools stats -s - (records containing each type).",
      Field(tstv, "ts_tv"), Field(tstv, "ts"), Field(tstv, "tv"), Field(tstv, "ts_tv_1st_alt"))));
  for (const char* plot : {"plot-variant-types", "plot-quality", "plot-depth", "plot-af-spectrum", "plot-indel-lengths"}) {
    s.blocks.push_back(Plot(plot));
  }
  {
    ReportTable t{{"substitution", "count"}, {}, ""};
    for (const auto& x : qc["distributions"]["substitutions"]) t.rows.push_back({Field(x, "type"), Field(x, "count")});
    s.blocks.push_back(Table(std::move(t)));
  }
  const json& samples = qc["samples"];
  if (!samples.empty()) {
    s.blocks.push_back(Plot("plot-samples"));
    ReportTable t{{"sample", "het", "hom-alt", "het/hom-alt", "missing rate", "mean depth", "singletons", "Ts/Tv"}, {}, ""};
    for (size_t i = 0; i < samples.size() && i < kMaxSampleRows; ++i) {
      const json& p = samples[i];
      t.rows.push_back({Field(p, "sample"), Field(p, "het"), Field(p, "hom_alt"), Field(p, "het_hom_ratio"),
                        Field(p, "missing_rate"), Field(p, "mean_depth"), Field(p, "singletons"), Field(p, "ts_tv")});
    }
    if (samples.size() > kMaxSampleRows) {
      t.note = fmt::format("first {} of {} samples (the JSON report has all)", kMaxSampleRows, samples.size());
    }
    s.blocks.push_back(Table(std::move(t)));
  }
  const json& out = qc["outliers"];
  if (!out.value("computed", false)) {
    s.blocks.push_back(Paragraph("Per-sample outliers: not computed (" + Field(out, "reason") + ")."));
  } else if (out["flagged"].empty()) {
    s.blocks.push_back(Paragraph(fmt::format("Per-sample outliers: none ({}, |z| > {}).", Field(out, "method"), Field(out, "threshold"))));
  } else {
    s.blocks.push_back(Paragraph(fmt::format("Per-sample outliers ({}, |z| > {}):", Field(out, "method"), Field(out, "threshold"))));
    ReportTable t{{"sample", "metric", "value", "cohort median", "z", "direction"}, {}, ""};
    for (const auto& f : out["flagged"]) {
      t.rows.push_back({Field(f, "sample"), Field(f, "metric"), Field(f, "value"), Field(f, "median"), Field(f, "z"),
                        Field(f, "direction")});
    }
    s.blocks.push_back(Table(std::move(t)));
  }
  return s;
}

ReportSection SexAndRelatedness(const json& r) {
  ReportSection s{"sex-relatedness", "Inferred sex and relatedness", {}};
  const json& sex = r["sex"];
  if (!sex.value("computed", false)) {
    s.blocks.push_back(Paragraph("Sex: not inferred (" + Field(sex, "reason") + ")."));
  } else {
    s.blocks.push_back(Paragraph(fmt::format("Sex from {} ({} sites used of {}; build {}: {}).", Field(sex, "method"),
                                             Field(sex, "chrx_sites_used"), Field(sex, "chrx_candidate_sites"),
                                             Field(sex, "build"), Field(sex, "build_evidence"))));
    const bool with_ped = !r["pedigree"].is_null();
    ReportTable t{{"sample", "inferred", "het", "hom-alt", "het ratio"}, {}, ""};
    if (with_ped) t.headers.insert(t.headers.end(), {"expected (PED)", "mismatch"});
    for (size_t i = 0; i < sex["calls"].size() && i < kMaxSampleRows; ++i) {
      const json& c = sex["calls"][i];
      t.rows.push_back({Field(c, "sample"), Field(c, "inferred"), Field(c, "het"), Field(c, "hom_alt"), Field(c, "het_ratio")});
      if (with_ped) t.rows.back().insert(t.rows.back().end(), {Field(c, "expected"), Field(c, "mismatch")});
    }
    if (sex["calls"].size() > kMaxSampleRows) t.note = fmt::format("first {} of {} samples", kMaxSampleRows, sex["calls"].size());
    s.blocks.push_back(Table(std::move(t)));
  }
  const json& rel = r["relatedness"];
  if (!rel.value("computed", false)) {
    s.blocks.push_back(Paragraph("Relatedness: not computed (" + Field(rel, "reason") + ")."));
  } else {
    std::string counts;
    for (const auto& [k, v] : rel["by_relationship"].items()) counts += (counts.empty() ? "" : ", ") + k + " " + Text(v);
    s.blocks.push_back(Paragraph(fmt::format("Relatedness by {}: {} pairs over {} sites (of {} candidates; thinning: {}): {}.",
                                             Field(rel, "method"), Field(rel, "pairs_total"), Field(rel, "sites_used"),
                                             Field(rel, "candidate_sites"), Field(rel, "thinning"), counts)));
    if (!rel["related_pairs"].empty()) {
      ReportTable t{{"sample 1", "sample 2", "relationship", "kinship", "IBS0 fraction", "sites"}, {}, ""};
      for (const auto& p : rel["related_pairs"]) {
        t.rows.push_back({Field(p, "sample1"), Field(p, "sample2"), Field(p, "relationship"), Field(p, "kinship"),
                          Field(p, "ibs0_fraction"), Field(p, "sites")});
      }
      if (rel.value("related_pairs_left_out", 0) > 0) {
        t.note = fmt::format("{} more related pairs left out", Field(rel, "related_pairs_left_out"));
      }
      s.blocks.push_back(Table(std::move(t)));
    } else {
      s.blocks.push_back(Paragraph("No pair is related at third degree or closer."));
    }
  }
  const json& ped = r["pedigree"];
  if (!ped.is_null()) {
    s.blocks.push_back(Paragraph(fmt::format("Pedigree {}: {} member(s); {} relationship disagreement(s), {} sex mismatch(es).",
                                             Field(ped, "path"), Field(ped, "members"),
                                             Field(ped, "relationship_disagreements"), Field(ped, "sex_mismatches"))));
    ReportTable t{{"sample 1", "sample 2", "expected (PED)", "inferred", "kinship", "agrees"}, {}, ""};
    for (const auto& p : ped["expected_pairs"]) {
      t.rows.push_back({Field(p, "sample1"), Field(p, "sample2"), Field(p, "expected"), Field(p, "inferred"),
                        Field(p, "kinship"), Field(p, "agrees")});
    }
    for (const auto& p : ped["unexpected_related_pairs"]) {
      t.rows.push_back({Field(p, "sample1"), Field(p, "sample2"), "not related in PED", Field(p, "inferred"),
                        Field(p, "kinship"), "no"});
    }
    if (!t.rows.empty()) s.blocks.push_back(Table(std::move(t)));
  }
  return s;
}

ReportTable VariantTable(const json& list) {
  ReportTable t{{"variant", "gene", "consequence", "ClinVar", "AF (source)", "carriers"}, {}, ""};
  for (const auto& v : list["items"]) {
    std::string carriers;
    for (const auto& c : v["carriers"]) {
      carriers += (carriers.empty() ? "" : ", ") + c["sample"].get<std::string>() + " (" + c["zygosity"].get<std::string>() + ")";
    }
    if (v.value("carriers_left_out", 0) > 0) carriers += fmt::format(" and {} more", Field(v, "carriers_left_out"));
    if (carriers.empty()) carriers = Field(v, "carrier_count");
    std::string consequence = Field(v, "consequence");
    if (!v.value("impact", std::string()).empty()) consequence += " (" + Field(v, "impact") + ")";
    std::string clinvar = v.value("clnsig", std::string());
    // The AF as the facts have it (the file's float as its shortest decimal): 4 places would show a
    // rare variant's 1.5e-07 as 0.
    const std::string af = !v["af"].is_number() ? "n/a"
                           : DoubleText(v["af"].get<double>()) + " (" + Field(v, "af_source") + ")";
    t.rows.push_back({Field(v, "variant"), Field(v, "gene"), consequence, clinvar, af, carriers});
  }
  if (list.value("left_out", 0) > 0) {
    t.note = fmt::format("first {} of {} (the rest left out)", Field(list, "listed"), Field(list, "total"));
  }
  return t;
}

ReportSection Notable(const json& r) {
  const json& n = r["notable_variants"];
  ReportSection s{"notable-variants", "Notable variants", {}};
  std::vector<std::string> notes;
  for (const auto& x : n.value("notes", json::array())) notes.push_back(x.get<std::string>());
  if (!notes.empty()) s.blocks.push_back(Bullets(notes));
  for (const auto& [key, title] : {std::pair{"clinvar_pathogenic", "ClinVar pathogenic or likely pathogenic"},
                                   std::pair{"high_impact", "High-impact consequences"},
                                   std::pair{"rare_loss_of_function", "Rare loss of function"}}) {
    const json& list = n[key];
    s.blocks.push_back(Paragraph(fmt::format("{}: {} allele(s). Criterion: {}.", title, Field(list, "total"),
                                             Field(list, "criterion"))));
    if (!list["items"].empty()) s.blocks.push_back(Table(VariantTable(list)));
  }
  if (n.value("loss_of_function_af_unknown", 0) > 0) {
    s.blocks.push_back(Paragraph(fmt::format("{} loss-of-function allele(s) had no allele frequency and were not classed as rare.",
                                             Field(n, "loss_of_function_af_unknown"))));
  }
  return s;
}

}  // namespace

ReportDocument BuildReportDocument(const json& r) {
  ReportDocument doc;
  doc.title = "VCF analysis report: " + r["input"].value("name", std::string());
  doc.subtitle_lines.push_back(fmt::format("{} · facts {} · {} records × {} samples", r.value("generated_by", std::string()),
                                           r.value("facts_version", std::string()), Field(r["input"], "records"),
                                           Field(r["input"], "samples")));
  doc.sections.push_back(Overview(r));
  doc.sections.push_back(Interpretation(r));
  doc.sections.push_back(Validation(r));
  doc.sections.push_back(Qc(r));
  doc.sections.push_back(SexAndRelatedness(r));
  doc.sections.push_back(Notable(r));
  return doc;
}

}  // namespace vcfagent::ai::report
