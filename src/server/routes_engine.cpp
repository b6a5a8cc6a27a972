// The engine's routes: validate, stats, view and compare answer synchronously with the JSON the
// CLI prints with --format json (same builders: vcf::ReportToJson, vcf::StatsToJson, the agent's
// view tool, vcf::FormatCompareJson); analyze runs as a job whose result is the report facts,
// optionally rendered to HTML or Markdown and served at GET /api/v1/jobs/{id}/report. Each
// request reads its inputs within vcf::ServiceRequestLimits() (longest line, decompressed size).
#include <fmt/format.h>

#include <filesystem>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "ai/report/interpretation.h"
#include "ai/report/report_facts.h"
#include "ai/report/report_render.h"
#include "ai/tools.h"
#include "server/openapi_schemas.h"
#include "server/route_support.h"
#include "server/service.h"
#include "util/output_file.h"
#include "vcf/compare.h"
#include "vcf/compare_format.h"
#include "vcf/input_limits.h"
#include "vcf/stats.h"
#include "vcf/stats_format.h"
#include "vcf/validate/report_format.h"
#include "vcf/validate/validator.h"
#include "util/json_text.h"

namespace vcfagent::server {

namespace {

using nlohmann::json;
namespace oa = openapi;

constexpr int64_t kMaxViewRecords = 10000;

// How the client named a file ("a.vcf", {"path": "a.vcf"} or {"upload": id}), for messages.
std::string ClientRefName(const json& ref) {
  if (ref.is_string()) return ref.get<std::string>();
  if (ref.contains("path")) return ref["path"].get<std::string>();
  return "upload " + ref["upload"].get<std::string>();
}

// Errors about an input name it as the client did: the server's local paths (the upload
// directory, where the data directories lie) stay out of answers.
[[noreturn]] void ThrowForInputs(const Status& status, const std::vector<std::pair<std::string, json>>& inputs) {
  Problem problem = ProblemFromStatus(status);
  for (const auto& [local, ref] : inputs) {
    const std::string name = ClientRefName(ref);
    for (size_t at = problem.detail.find(local); !local.empty() && at != std::string::npos;
         at = problem.detail.find(local, at + name.size())) {
      problem.detail.replace(at, local.size(), name);
    }
  }
  ThrowProblem(std::move(problem));
}

// Replaces the server's local path in a result with the reference the client sent.
void ShowClientRef(json& document, const char* key, const json& ref) {
  if (document.is_object() && document.contains(key)) document[key] = ref;
}

void Validate(RequestContext& ctx) {
  vcf::InputLimitsScope limits(vcf::ServiceRequestLimits());
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"file", "require_evidence", "max_findings"});
  if (!body.contains("file")) ThrowBadRequest("file: required");
  const std::string path = InputFileOrThrow(ctx, body["file"], "file");
  vcf::ValidationOptions options;
  options.require_evidence = OptionalBool(body, "require_evidence", false);
  options.max_findings = static_cast<size_t>(OptionalInt(body, "max_findings", 20, 0, 10000));
  auto report = vcf::ValidateFile(path, options);
  if (!report.ok()) ThrowForInputs(report.status(), {{path, body["file"]}});
  json result = vcf::ReportToJson(*report);
  ShowClientRef(result, "path", body["file"]);
  ctx.SendJson(result);
}

void Stats(RequestContext& ctx) {
  vcf::InputLimitsScope limits(vcf::ServiceRequestLimits());
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"file", "samples"});
  if (!body.contains("file")) ThrowBadRequest("file: required");
  const std::string path = InputFileOrThrow(ctx, body["file"], "file");
  vcf::StatsOptions options;
  options.threads = 0;
  if (body.contains("samples") && !body["samples"].is_null()) {
    if (body["samples"] == "-") {
      options.samples = vcf::StatsOptions::Samples::kAll;
    } else {
      options.samples = vcf::StatsOptions::Samples::kList;
      options.sample_names = OptionalStrings(body, "samples");
      if (options.sample_names.empty()) ThrowBadRequest("samples: \"-\" for all samples or a list of names");
    }
  }
  auto stats = vcf::ComputeStats(path, options);
  if (!stats.ok()) ThrowForInputs(stats.status(), {{path, body["file"]}});
  json result = json::parse(DumpJson(vcf::StatsToJson(*stats)));
  ShowClientRef(result, "input", body["file"]);
  if (!stats->warnings.empty()) result["warnings"] = stats->warnings;
  ctx.SendJson(result);
}

// The agent's view tool is the library's "first N records of a view as JSON" adapter; the API
// calls it directly (not through a model) so both return the same records.
const ai::Tool& ViewTool() {
  static const std::vector<ai::Tool> tools = ai::FileTools();
  for (const auto& tool : tools) {
    if (tool.name == "view") return tool;
  }
  std::abort();  // FileTools() always has "view"
}

void View(RequestContext& ctx) {
  vcf::InputLimitsScope limits(vcf::ServiceRequestLimits());
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"file", "regions", "include", "exclude", "types", "samples", "genotypes", "limit",
                             "format"});
  if (!body.contains("file")) ThrowBadRequest("file: required");
  const std::string path = InputFileOrThrow(ctx, body["file"], "file");
  json args = {{"path", path}, {"limit", OptionalInt(body, "limit", 100, 1, kMaxViewRecords)}};
  const std::vector<std::string> regions = OptionalStrings(body, "regions");
  if (!regions.empty()) args["region"] = fmt::format("{}", fmt::join(regions, ","));
  if (body.contains("include") && body.contains("exclude")) ThrowBadRequest("include and exclude cannot be combined");
  for (const char* key : {"include", "exclude", "types", "samples"}) {
    const std::string value = OptionalString(body, key);
    if (!value.empty()) args[key] = value;
  }
  args["genotypes"] = OptionalBool(body, "genotypes", false);
  const std::string format = OptionalString(body, "format", "json");
  if (format != "json" && format != "vcf") ThrowBadRequest("format: json or vcf");
  args["format"] = format;
  ai::ToolContext tool_context(std::nullopt, {path});
  auto output = ViewTool().run(tool_context, args);
  if (!output.ok()) ThrowForInputs(output.status(), {{path, body["file"]}});
  json result = std::move(output->result);
  ShowClientRef(result, "path", body["file"]);
  ctx.SendJson(result);
}

void Compare(RequestContext& ctx) {
  vcf::InputLimitsScope limits(vcf::ServiceRequestLimits());
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"a", "b", "match", "normalize", "truth", "regions", "absent_as_missing"});
  if (!body.contains("a") || !body.contains("b")) ThrowBadRequest("a and b: both files are required");
  const std::string a = InputFileOrThrow(ctx, body["a"], "a");
  const std::string b = InputFileOrThrow(ctx, body["b"], "b");
  vcf::CompareOptions options;
  const std::string match = OptionalString(body, "match", "none");
  if (!vcf::ParseMatchMode(match, options.match)) {
    ThrowBadRequest("match: expected none, some, all, any, snps, indels, both or id, got \"" + match + "\"");
  }
  options.normalize = OptionalBool(body, "normalize", false);
  const std::string truth = OptionalString(body, "truth", "");
  if (truth == "a" || truth == "A") options.truth = vcf::TruthFile::kA;
  else if (truth == "b" || truth == "B") options.truth = vcf::TruthFile::kB;
  else if (!truth.empty()) ThrowBadRequest("truth: a or b");
  options.regions = OptionalStrings(body, "regions");
  options.absent_as_missing = OptionalBool(body, "absent_as_missing", false);
  auto result = vcf::CompareFiles(a, b, options);
  if (!result.ok()) ThrowForInputs(result.status(), {{a, body["a"]}, {b, body["b"]}});
  json document = json::parse(vcf::FormatCompareJson(*result));
  ShowClientRef(document, "file_a", body["a"]);
  ShowClientRef(document, "file_b", body["b"]);
  ctx.SendJson(document);
}

void Analyze(RequestContext& ctx) {
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"file", "ped", "format"});
  if (!body.contains("file")) ThrowBadRequest("file: required");
  const std::string path = InputFileOrThrow(ctx, body["file"], "file");
  ai::report::AnalyzeOptions options;
  if (body.contains("ped")) options.ped_path = InputFileOrThrow(ctx, body["ped"], "ped");
  const std::string format_name = OptionalString(body, "format", "");
  std::optional<ai::report::ReportFormat> format;
  if (!format_name.empty()) {
    if (format_name != "html" && format_name != "md") ThrowBadRequest("format: html or md");
    auto parsed = ai::report::ParseReportFormat(format_name);
    if (!parsed.ok()) ThrowStatus(parsed.status());
    format = *parsed;
  }
  // The work needs its job's id (for the report's file name), known only once Submit returns.
  auto id_promise = std::make_shared<std::promise<std::string>>();
  std::shared_future<std::string> id_future = id_promise->get_future().share();
  const std::string reports_dir = ctx.service.config().upload_dir + "/reports";
  const std::string client_ref = ClientRefName(body["file"]);
  auto work = [path, options, format, format_name, reports_dir, id_future, client_ref]() -> Result<json> {
    vcf::InputLimitsScope limits(vcf::ServiceRequestLimits());
    if (JobControl* job = CurrentJob()) job->SetStep("analyze");
    auto facts = ai::report::AnalyzeFile(path, options);
    if (!facts.ok()) return facts.status();
    json report = std::move(*facts);
    // The client's reference, not the server's local path (as the other engine routes answer).
    if (report.contains("input") && report["input"].is_object()) report["input"]["path"] = client_ref;
    report["interpretation"] = ai::report::NoInterpretation("not requested through the API");
    if (format) {
      const std::string id = id_future.get();
      std::error_code ec;
      std::filesystem::create_directories(reports_dir, ec);
      auto out = OutputFile::Open(ReportPath(reports_dir, id, format_name));
      if (!out.ok()) return out.status();
      VCFAGENT_RETURN_IF_ERROR((*out)->Write(ai::report::RenderReport(report, *format)));
      VCFAGENT_RETURN_IF_ERROR((*out)->Commit());
      report["report"] = {{"format", format_name}, {"url", "/api/v1/jobs/" + id + "/report"}};
    }
    return report;
  };
  auto job = ctx.service.jobs().Submit("analyze", ctx.principal.name, body, ctx.span, std::move(work));
  if (!job) ThrowTooManyJobs(ctx);
  id_promise->set_value((*job)->id);
  SendJobAccepted(ctx, **job);
}

json FileBody(json properties, std::vector<std::string> required) { return oa::Object(std::move(properties), std::move(required)); }

// As `vcf-agent validate --format json` prints it, with "path" the client's reference.
json ValidationReportSchema() {
  return oa::Answer({{"path", oa::FileRef()},
                     {"valid", oa::Bool()},
                     {"vcf_version", oa::String("4.1 to 4.4; empty when the file declares none known")},
                     {"errors", oa::Int()},
                     {"warnings", oa::Int()},
                     {"records", oa::Int()},
                     {"lines", oa::Int()},
                     {"summary", oa::ArrayOf(oa::Ref("RuleSummary"), "one entry per rule that fired")},
                     {"findings", oa::ArrayOf(oa::Ref("Finding"), "the first max_findings findings")}});
}

// As `vcf-agent stats --format json` prints it (docs/stats.md), with "input" the client's reference.
json StatsSchema() {
  using oa::Int;
  using oa::Num;
  using oa::Nullable;
  json af_counts = {{"snps", Int()}, {"transitions", Int()}, {"transversions", Int()}, {"indels", Int()},
                    {"repeat_consistent", Int()}, {"repeat_inconsistent", Int()}, {"not_applicable", Int()}};
  json singletons = af_counts;
  singletons["allele_count"] = {{"type", "integer"}, {"enum", {1}}};
  json af_bin = af_counts;
  af_bin["allele_frequency"] = Num();
  json per_sample = oa::Answer({{"sample", oa::String()},
                                {"ref_hom", Int()},
                                {"non_ref_hom", Int()},
                                {"hets", Int()},
                                {"transitions", Int()},
                                {"transversions", Int()},
                                {"indels", Int()},
                                {"average_depth", Num()},
                                {"singletons", Int()},
                                {"hap_ref", Int()},
                                {"hap_alt", Int()},
                                {"missing", Int()},
                                {"ins_hets", Int()},
                                {"del_hets", Int()},
                                {"ins_alt_homs", Int()},
                                {"del_alt_homs", Int()}});
  return oa::Answer(
      {{"input", oa::FileRef()},
       {"summary", oa::Answer({{"samples", Int()},
                               {"records", Int()},
                               {"no_alts", Int()},
                               {"snps", Int()},
                               {"mnps", Int()},
                               {"indels", Int()},
                               {"others", Int()},
                               {"multiallelic_sites", Int()},
                               {"multiallelic_snp_sites", Int()}})},
       {"tstv", oa::Answer({{"ts", Int()},
                            {"tv", Int()},
                            {"ts_tv", Nullable(Num("null when there is no transversion"))},
                            {"ts_1st_alt", Int()},
                            {"tv_1st_alt", Int()},
                            {"ts_tv_1st_alt", Nullable(Num())}})},
       {"singletons", oa::Answer(singletons)},
       {"af", oa::ArrayOf(oa::Answer(af_bin), "by allele frequency bin")},
       {"qual", oa::ArrayOf(oa::Answer({{"quality", Nullable(Num("null for a missing QUAL"))},
                                        {"snps", Int()},
                                        {"transitions", Int()},
                                        {"transversions", Int()},
                                        {"indels", Int()}}))},
       {"indel_distribution", oa::ArrayOf(oa::Answer({{"length", Int("negative: deletions")},
                                                      {"sites", Int()},
                                                      {"genotypes", Int()},
                                                      {"mean_vaf", Nullable(Num())}}))},
       {"substitutions", oa::ArrayOf(oa::Answer({{"type", {{"type", "string"}, {"pattern", "^[ACGT]>[ACGT]$"}}},
                                                 {"count", Int()}}))},
       {"depth", oa::ArrayOf(oa::Answer({{"bin", {{"description", "a depth, or \"<N\" / \">N\" for the open bins"},
                                                  {"oneOf", {Int(), {{"type", "string"}, {"pattern", "^[<>][0-9]+$"}}}}}},
                                         {"genotypes", Int()},
                                         {"genotypes_percent", Num()},
                                         {"sites", Int()},
                                         {"sites_percent", Num()}}))},
       {"per_sample", oa::ArrayOf(per_sample, "with samples: one row per sample (PSC, PSI)")},
       {"hwe", oa::ArrayOf(oa::Answer({{"allele_frequency", Num()},
                                       {"observations", Int()},
                                       {"percentile_25", Num()},
                                       {"median", Num()},
                                       {"percentile_75", Num()}}),
                           "with samples: Hardy-Weinberg by allele frequency")},
       {"warnings", oa::ArrayOf(oa::String())}},
      {"per_sample", "hwe", "warnings"});
}

// As `vcf-agent compare A B --format json` prints it, with "file_a"/"file_b" the client's references.
json ComparisonSchema() {
  using oa::Int;
  using oa::Nullable;
  using oa::Num;
  const json counts = oa::Answer({{"total", Int()}, {"snv", Int()}, {"indel", Int()}, {"other", Int()}});
  const json row = oa::Answer({{"hom_ref", Int()}, {"het", Int()}, {"hom_alt", Int()}, {"missing", Int()}});
  const json confusion = oa::Answer(
      {{"matrix", oa::Answer({{"hom_ref", row}, {"het", row}, {"hom_alt", row}, {"missing", row}})},
       {"called_in_both", Int()},
       {"concordance", Nullable(Num("null when no genotype was called in both"))},
       {"non_ref_concordance", Nullable(Num())}});
  json per_sample = confusion;
  per_sample["properties"]["sample"] = oa::String();
  per_sample["required"].push_back("sample");
  const json metrics = oa::Answer({{"tp", Int("true positives counted in the truth")},
                                   {"tp_query", Int("true positives counted in the query")},
                                   {"fp", Int()},
                                   {"fn", Int()},
                                   {"precision", Nullable(Num())},
                                   {"recall", Nullable(Num())},
                                   {"f1", Nullable(Num())}});
  return oa::Answer(
      {{"file_a", oa::FileRef()},
       {"file_b", oa::FileRef()},
       {"match", oa::Enum({"none", "some", "all", "any", "snps", "indels", "both", "id"})},
       {"normalized", oa::Bool()},
       {"left_aligned", oa::Bool()},
       {"records", oa::Answer({{"a", Int()}, {"b", Int()}})},
       {"sites", oa::Answer({{"a_only", counts}, {"b_only", counts}, {"shared", counts}})},
       {"genotypes", oa::Answer({{"sites", oa::Enum({"shared", "all"}, "all with absent_as_missing")},
                                 {"overall", confusion},
                                 {"samples", oa::ArrayOf(per_sample)}})},
       {"warnings", oa::ArrayOf(oa::String())},
       {"truth", oa::Nullable(oa::Enum({"A", "B"}, "the truth file; null without truth"))},
       {"metrics", oa::Answer({{"snv", metrics}, {"indel", metrics}})}},
      {"metrics"});
}

}  // namespace

void AddEngineRoutes(Router& router) {
  {
    json op = oa::Operation("validate", "Check a VCF/BCF file against the VCF specification", "engine",
                            "As `vcf-agent validate --format json` (one file): verdict, counts, rule summaries and the "
                            "first findings with line numbers.");
    oa::SetJsonBody(op, FileBody({{"file", oa::FileRef()},
                                  {"require_evidence", oa::Boolean(false, "every record must carry GT, AF or AC+AN")},
                                  {"max_findings", oa::Integer(0, 10000, 20, "individual findings listed")}},
                                 {"file"}));
    oa::AddResponse(op, 200, "The validation report (valid or not)", ValidationReportSchema());
    oa::AddOutsideDataDirsResponse(op);
    router.Add({"POST", "/api/v1/validate", Role::kRead, false, false, op}, Validate);
  }
  {
    json op = oa::Operation("stats", "bcftools-style statistics of a VCF/BCF file", "engine",
                            "As `vcf-agent stats --format json`: SN, TSTV, SiS, AF, QUAL, IDD, ST, DP and, with samples, "
                            "PSC, PSI, HWE.");
    oa::SetJsonBody(op, FileBody({{"file", oa::FileRef()},
                                  {"samples", oa::StringList("\"-\" for every sample, or a list of sample names")}},
                                 {"file"}));
    oa::AddResponse(op, 200, "The statistics", StatsSchema());
    oa::AddOutsideDataDirsResponse(op);
    router.Add({"POST", "/api/v1/stats", Role::kRead, false, false, op}, Stats);
  }
  {
    json op = oa::Operation("view", "Records of a VCF/BCF file in regions and passing filters", "engine",
                            "The first `limit` matching records as JSON objects (as `vcf-agent view -O j`) or VCF lines; "
                            "`more` says whether further records match.");
    oa::SetJsonBody(
        op, FileBody({{"file", oa::FileRef()},
                      {"regions", oa::StringList("bcftools regions: chr1:100-200 (each item may be a comma-separated list)")},
                      {"include", oa::String("keep records where this expression is true (docs/view.md)")},
                      {"exclude", oa::String("drop records where this expression is true")},
                      {"types", oa::String("variant classes: snps,indels,mnps,other,bnd,ref")},
                      {"samples", oa::String("samples to keep (A,B) or drop (^A,B)")},
                      {"genotypes", oa::Boolean(false, "JSON records: add each sample's FORMAT fields")},
                      {"limit", oa::Integer(1, kMaxViewRecords, 100, "records returned at most")},
                      {"format", {{"type", "string"}, {"enum", {"json", "vcf"}}, {"default", "json"}}}},
                     {"file"}));
    oa::AddResponse(op, 200, "The records",
                    oa::Answer({{"path", oa::FileRef()},
                                {"returned", oa::Int()},
                                {"more", oa::Bool("further records match")},
                                {"format", oa::Enum({"json", "vcf"})},
                                {"records", oa::ArrayOf({{"description", "format json: record objects; vcf: VCF lines"},
                                                         {"oneOf", {oa::Ref("VcfRecord"), oa::String("a VCF line")}}})},
                                {"columns", oa::String("format vcf: the columns of the lines")},
                                {"note", oa::String("when more records match")},
                                {"warnings", oa::ArrayOf(oa::String())}},
                               {"columns", "note", "warnings"}));
    oa::AddOutsideDataDirsResponse(op);
    router.Add({"POST", "/api/v1/view", Role::kRead, false, false, op}, View);
  }
  {
    json op = oa::Operation("compare", "Shared and private sites and genotype concordance of two files", "engine",
                            "As `vcf-agent compare A B --format json`.");
    oa::SetJsonBody(op, FileBody({{"a", oa::FileRef()},
                                  {"b", oa::FileRef()},
                                  {"match", {{"type", "string"}, {"enum", {"none", "some", "all", "any", "snps", "indels", "both", "id"}}, {"default", "none"}}},
                                  {"normalize", oa::Boolean(false, "split multiallelic records first")},
                                  {"truth", {{"type", "string"}, {"enum", {"a", "b", "A", "B"}}}},
                                  {"regions", oa::StringList("only records overlapping these regions")},
                                  {"absent_as_missing", oa::Boolean(false, "count private sites as missing genotypes")}},
                                 {"a", "b"}));
    oa::AddResponse(op, 200, "The comparison", ComparisonSchema());
    oa::AddOutsideDataDirsResponse(op);
    router.Add({"POST", "/api/v1/compare", Role::kRead, false, false, op}, Compare);
  }
  {
    json op = oa::Operation("analyze", "Start a report on one VCF/BCF file (a job)", "jobs",
                            "Runs `vcf-agent analyze` as a job; its result is the report facts. With format html or md "
                            "the rendered report is served at GET /api/v1/jobs/{id}/report.");
    oa::SetJsonBody(op, oa::AnalyzeRequest());
    oa::AddResponse(op, 202, "The job was accepted", oa::Job());
    oa::AddOutsideDataDirsResponse(op);
    router.Add({"POST", "/api/v1/analyze", Role::kRead, false, false, op}, Analyze);
  }
}

}  // namespace vcfagent::server
