#include "server/openapi_schemas.h"

namespace vcfagent::server::openapi {

json Operation(const std::string& operation_id, const std::string& summary, const std::string& tag,
               const std::string& description) {
  json op = {{"operationId", operation_id}, {"summary", summary}, {"tags", {tag}}, {"responses", json::object()}};
  if (!description.empty()) op["description"] = description;
  return op;
}

void AddQueryParameter(json& operation, const std::string& name, json schema, const std::string& description,
                       bool required) {
  operation["parameters"].push_back(
      {{"name", name}, {"in", "query"}, {"required", required}, {"description", description}, {"schema", std::move(schema)}});
}

void AddPathParameter(json& operation, const std::string& name, const std::string& description) {
  operation["parameters"].push_back(
      {{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", {{"type", "string"}}}});
}

void SetJsonBody(json& operation, json schema) {
  operation["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", std::move(schema)}}}}}};
}

void AddResponse(json& operation, int status, const std::string& description, json schema,
                 const std::string& media_type) {
  json response = {{"description", description}};
  if (!schema.is_null()) response["content"] = {{media_type, {{"schema", std::move(schema)}}}};
  operation["responses"][std::to_string(status)] = std::move(response);
}

void AddOutsideDataDirsResponse(json& operation) {
  AddResponse(operation, 403, "A file reference outside the data directories (path-outside-data-dirs)",
              Ref("Problem"), "application/problem+json");
}

json Object(json properties, std::vector<std::string> required) {
  json schema = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

json Answer(json properties, std::vector<std::string> optional) {
  std::vector<std::string> required;
  for (const auto& [name, schema] : properties.items()) {
    bool skip = false;
    for (const auto& o : optional) skip |= o == name;
    if (!skip) required.push_back(name);
  }
  return Object(std::move(properties), std::move(required));
}

namespace {
json Typed(const char* type, const std::string& description) {
  json schema = {{"type", type}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}
}  // namespace

json String(const std::string& description) { return Typed("string", description); }
json Int(const std::string& description) { return Typed("integer", description); }
json Num(const std::string& description) { return Typed("number", description); }
json Bool(const std::string& description) { return Typed("boolean", description); }

json Integer(int64_t minimum, int64_t maximum, int64_t default_value, const std::string& description) {
  json schema = {{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum}, {"default", default_value}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}

json Boolean(bool default_value, const std::string& description) {
  json schema = {{"type", "boolean"}, {"default", default_value}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}

json StringList(const std::string& description) {
  return {{"description", description},
          {"oneOf", {{{"type", "string"}}, {{"type", "array"}, {"items", {{"type", "string"}}}}}}};
}

json Enum(std::vector<std::string> values, const std::string& description) {
  json schema = {{"type", "string"}, {"enum", std::move(values)}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}

json ArrayOf(json items, const std::string& description) {
  json schema = {{"type", "array"}, {"items", std::move(items)}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}

json Nullable(json schema) {
  schema["nullable"] = true;
  // OpenAPI 3.0.3: nullable does not widen an enum; null must be listed.
  if (schema.contains("enum")) schema["enum"].push_back(nullptr);
  return schema;
}

json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

// ---- shapes several routes share ----

json FileRef() { return Ref("FileRef"); }
json Job() { return Ref("Job"); }
json Variant() { return Ref("Variant"); }
json IngestRequest() { return Ref("IngestRequest"); }
json AnalyzeRequest() { return Ref("AnalyzeRequest"); }

namespace {

json StringArray(const std::string& description = "") { return ArrayOf(String(), description); }
json Zygosity() { return Enum({"hom-ref", "het", "hom-alt", "missing"}); }
json ImpactOrNull() { return Nullable(Enum({"MODIFIER", "LOW", "MODERATE", "HIGH"}, "most severe annotated impact")); }

json ProblemSchema() {
  json schema = Object(
      {{"type", {{"type", "string"}, {"format", "uri"}, {"description", "https://vcf-agent.dev/problems/<slug> (docs/api.md)"}}},
       {"title", String("the HTTP reason phrase")},
       {"status", {{"type", "integer"}, {"minimum", 400}, {"maximum", 599}}},
       {"detail", String("what went wrong, for a person")},
       {"instance", String("the request path")},
       {"request_id", String("the X-Request-Id of the request")},
       {"answer", {{"allOf", {Ref("AskAnswer")}},
                   {"description", "ask only: the agent's answer document as far as it got"}}}},
      {"type", "title", "status"});
  schema["description"] = "An RFC 9457 problem (application/problem+json)";
  return schema;
}

json FileRefSchema() {
  return {{"description",
           "A VCF/BCF file: a path inside a data directory (server.data_dirs; relative paths are looked up in "
           "each), or an upload id from POST /api/v1/uploads"},
          {"oneOf",
           {{{"type", "string"}, {"description", "a path inside a data directory"}},
            Object({{"path", String("a path inside a data directory")}}, {"path"}),
            Object({{"upload", {{"type", "string"}, {"pattern", "^upl-[0-9a-f]{16}$"}}}}, {"upload"})}}};
}

json IngestRequestSchema() {
  return Object({{"files", {{"type", "array"}, {"minItems", 1}, {"items", FileRef()}}},
                 {"ped", FileRef()},
                 {"genes", FileRef()},
                 {"annotate", ArrayOf(FileRef())},
                 {"annotate_fields", StringArray()},
                 {"fasta", FileRef()},
                 {"batch_records", Integer(1, 10000000, 10000, "input records per committed batch")},
                 {"index", Boolean(true, "update the similarity index afterwards")}},
                {"files"});
}

json AnalyzeRequestSchema() {
  return Object({{"file", FileRef()}, {"ped", FileRef()}, {"format", Enum({"html", "md"})}}, {"file"});
}

json IngestSummarySchema() {
  json file = Answer({{"path", String("the server's path of the file")},
                      {"outcome", Enum({"ingested", "resumed", "already-present"})},
                      {"file_id", Int()},
                      {"records", Int()},
                      {"alleles", Int()},
                      {"new_variants", Int()},
                      {"genotypes", Int()},
                      {"samples", Int()},
                      {"duplicate_calls", Int("calls of samples another file already gave at the site: not counted")},
                      {"conflicting_calls", Int("of those, the ones whose zygosity differs from the kept call")},
                      {"conflicts", StringArray()},
                      {"seconds", Num()}});
  return Answer({{"files", ArrayOf(file)},
                 {"records", Int()},
                 {"alleles", Int()},
                 {"new_variants", Int()},
                 {"genotypes", Int()},
                 {"duplicate_calls", Int()},
                 {"conflicting_calls", Int()},
                 {"pedigree_samples", Int()},
                 {"seconds", Num()},
                 {"similarity_index",
                  Answer({{"space", String()}, {"variants", Int()}, {"added", Int()}, {"seconds", Num()}})}},
                {"similarity_index"});
}

// The analyze job's result: docs/analyze.md describes each section.
json ReportFactsSchema() {
  auto section = [](const std::string& description) {
    return json{{"type", "object"}, {"description", description + " (docs/analyze.md)"}};
  };
  json validation = Answer({{"valid", Bool()},
                            {"verdict", Enum({"valid", "invalid"})},
                            {"vcf_version", String()},
                            {"errors", Int()},
                            {"warnings", Int()},
                            {"records", Int()},
                            {"lines", Int()},
                            {"rules_fired", Int()},
                            {"top_rules", ArrayOf(Ref("RuleSummary"), "the rules that fired most, errors first")},
                            {"first_findings", ArrayOf(Ref("Finding"))}});
  json schema = Answer(
      {{"facts_version", Enum({"vcf-agent-report-facts/1"})},
       {"generated_by", String("vcf-agent VERSION")},
       {"input", Answer({{"path", String("the file as the client named it")},
                         {"name", String()},
                         {"samples", Int()},
                         {"records", Int()}})},
       {"validation", validation},
       {"qc", section("statistics: summary, Ts/Tv, per-sample QC, outliers")},
       {"sex", section("sex inferred from chrX against the pedigree")},
       {"relatedness", section("pairwise kinship")},
       {"pedigree", Nullable(section("the pedigree's expectations checked; null without ped"))},
       {"notable_variants", section("ClinVar pathogenic, high-impact and rare loss-of-function variants")},
       {"timings_seconds", Answer({{"validate", Num()},
                                   {"stats", Num()},
                                   {"scan", Num()},
                                   {"passes_wall", Num()},
                                   {"sex_and_kinship", Num()},
                                   {"total", Num()}})},
       {"interpretation", Answer({{"status", Enum({"not-made"}, "the API makes no AI interpretation")},
                                  {"statement", String()},
                                  {"prompt_template", String()}})},
       {"report", Answer({{"format", Enum({"html", "md"})},
                          {"url", String("GET this for the rendered report")}})}},
      {"report"});
  schema["description"] = "The analyze report's facts (vcf-agent analyze --format json)";
  return schema;
}

json JobSchema() {
  return Answer(
      {{"id", {{"type", "string"}, {"pattern", "^job-[0-9a-f]{16}$"}}},
       {"kind", Enum({"ingest", "analyze"})},
       {"owner", String("the name of the key that submitted it")},
       {"state", Enum({"queued", "running", "succeeded", "failed", "cancelled"})},
       {"cancel_requested", Bool()},
       {"request", {{"description", "the request body as submitted"},
                    {"oneOf", {IngestRequest(), AnalyzeRequest()}}}},
       {"progress", Answer({{"step", String("what it is doing (empty before it starts)")},
                            {"done", Int()},
                            {"total", Nullable(Int("null while unknown"))},
                            {"fraction", Nullable(Num("0..1; null while unknown"))}})},
       {"created", {{"type", "string"}, {"format", "date-time"}}},
       {"started", Nullable({{"type", "string"}, {"format", "date-time"}})},
       {"finished", Nullable({{"type", "string"}, {"format", "date-time"}})},
       {"result", {{"description", "on success (not in job lists): the ingest summary or the analyze report facts"},
                   {"oneOf", {Ref("IngestSummary"), Ref("ReportFacts")}}}},
       {"error", {{"allOf", {Ref("Problem")}}, {"description", "on failure or cancellation: a problem"}}}},
      {"result", "error"});
}

json VariantSchema() {
  json schema = Answer(
      {{"id", Int("the store's variant id")},
       {"chrom", String()},
       {"pos", Int("1-based")},
       {"end", Int()},
       {"ref", String()},
       {"alt", String("one allele: multiallelic records are split")},
       {"variant", String("chrom:pos:ref:alt")},
       {"rsid", Nullable(String())},
       {"qual", Nullable(Num())},
       {"filter", Nullable(String())},
       {"class", Enum({"snv", "mnv", "insertion", "deletion", "complex", "symbolic"})},
       {"gene", Nullable(String())},
       {"consequence", Nullable(String())},
       {"impact", ImpactOrNull()},
       {"clnsig", Nullable(String("ClinVar significance class"))},
       {"af", Nullable(Num("INFO/AF of the file"))},
       {"cohort_af", Nullable(Num("allele frequency over the store's genotypes"))},
       {"het", Int("carriers: heterozygous")},
       {"hom_alt", Int("carriers: homozygous alternate")},
       {"missing", Int("samples without a call")},
       {"called", Int("samples with a call")},
       {"mean_dp", Nullable(Num())},
       {"mean_gq", Nullable(Num())},
       {"info", String("the record's INFO column")},
       {"annotations", {{"type", "object"},
                        {"description", "annotation source -> field -> value (ingest annotate)"},
                        {"additionalProperties", {{"type", "object"}, {"additionalProperties", String()}}}}},
       {"call", Answer({{"sample", String()},
                        {"gt", String("as in the file (0/1, 1|1)")},
                        {"zygosity", Zygosity()},
                        {"dp", Nullable(Int())},
                        {"gq", Nullable(Int())},
                        {"ad", Nullable(String())}})}},
      {"annotations", "call"});
  schema["properties"]["call"]["description"] = "the queried sample's call (with sample)";
  return schema;
}

// A value of an INFO or FORMAT field in a view record: Number=1 a scalar, other counts an array;
// flags true; missing null.
json VcfValue() {
  return {{"anyOf", {Nullable(String()), Num(), Bool(), ArrayOf({{"anyOf", {Nullable(String()), Num()}}})}}};
}

json VcfRecordSchema() {
  json schema = Answer({{"chrom", String()},
                        {"pos", Int()},
                        {"id", Nullable(String())},
                        {"ref", String()},
                        {"alt", StringArray("empty when '.'")},
                        {"qual", Nullable(Num())},
                        {"filter", StringArray("empty when '.'")},
                        {"info", {{"type", "object"}, {"additionalProperties", Ref("VcfValue")}}},
                        {"samples", {{"type", "object"},
                                     {"description", "with genotypes: sample -> FORMAT field -> value, in file order"},
                                     {"additionalProperties",
                                      {{"type", "object"}, {"additionalProperties", Ref("VcfValue")}}}}}},
                       {"samples"});
  schema["description"] = "A record as `vcf-agent view -O j` prints it (docs/view.md)";
  return schema;
}

json RuleSummarySchema() {
  return Answer({{"severity", Enum({"error", "warning"})},
                 {"rule", String()},
                 {"count", Int()},
                 {"first_line", Int()},
                 {"first_message", String()}});
}

json FindingSchema() {
  return Answer({{"severity", Enum({"error", "warning"})},
                 {"rule", String()},
                 {"line", Int()},
                 {"field", String()},
                 {"message", String()},
                 {"suggestion", String("empty when there is none")}});
}

json GraphVariantSchema() {
  json schema = Answer({{"id", Int("the store's variant id")},
                        {"variant", String("chrom:pos:ref:alt")},
                        {"gene", Nullable(String())},
                        {"impact", ImpactOrNull()},
                        {"consequence", Nullable(String())},
                        {"clnsig", Nullable(String())}});
  schema["description"] = "A variant as the graph queries describe it";
  return schema;
}

json ToolRunSchema() {
  return Answer({{"name", String()},
                 {"arguments", {{"type", "object"}, {"description", "the arguments the model passed"}}},
                 {"ok", Bool()},
                 {"refused", Bool("the arguments were refused before the tool ran")},
                 {"error", Nullable(String())},
                 {"summary", String()},
                 {"seconds", Num()},
                 {"bytes", Int("size of the result the model saw")},
                 {"truncated", Bool()}});
}

json AskAnswerSchema() {
  json models = Answer({{"provider", String()},
                        {"model", String()},
                        {"calls", Int()},
                        {"input_tokens", Int()},
                        {"output_tokens", Int()},
                        {"cost_usd", Nullable(Num("null when no price is configured"))}});
  json failures = {{"type", "object"},
                   {"description", "provider -> failure class -> count"},
                   {"additionalProperties", {{"type", "object"}, {"additionalProperties", Int()}}}};
  return Answer({{"answer", Nullable(String("null when the agent failed before answering"))},
                 {"stop_reason", Enum({"answered", "max_steps", "max_seconds", "max_tokens", "model_max_tokens",
                                       "provider_error", "cancelled"})},
                 {"error", Nullable(String())},
                 {"steps", Int("model calls")},
                 {"tool_runs", ArrayOf(Ref("ToolRun"))},
                 {"sources", Answer({{"variants", StringArray()}, {"samples", StringArray()}})},
                 {"unverified", StringArray("identifiers in the answer found in no tool result")},
                 {"tokens", Answer({{"input", Int()}, {"output", Int()}})},
                 {"usage", Answer({{"models", ArrayOf(models)},
                                   {"failures", failures},
                                   {"input_tokens", Int()},
                                   {"output_tokens", Int()},
                                   {"cost_usd", Num()}})},
                 {"provider", String()},
                 {"model", String()},
                 {"prompt_version", String()}});
}

json SimilarVariantSchema() {
  json schema = VariantSchema();
  schema["properties"].erase("info");
  schema["properties"]["distance"] = Num("distance in the embedding space (smaller is closer)");
  schema["properties"]["reasons"] = ArrayOf(String(), "what the two variants share");
  json required = json::array();
  for (const auto& name : schema["required"]) {
    if (name != "info") required.push_back(name);
  }
  required.push_back("distance");
  required.push_back("reasons");
  schema["required"] = required;
  schema["description"] = "A store variant (without info) and its distance to the query";
  return schema;
}

}  // namespace

json ComponentSchemas() {
  return {{"Problem", ProblemSchema()},
          {"FileRef", FileRefSchema()},
          {"IngestRequest", IngestRequestSchema()},
          {"AnalyzeRequest", AnalyzeRequestSchema()},
          {"IngestSummary", IngestSummarySchema()},
          {"ReportFacts", ReportFactsSchema()},
          {"Job", JobSchema()},
          {"Variant", VariantSchema()},
          {"VcfValue", VcfValue()},
          {"VcfRecord", VcfRecordSchema()},
          {"RuleSummary", RuleSummarySchema()},
          {"Finding", FindingSchema()},
          {"GraphVariant", GraphVariantSchema()},
          {"ToolRun", ToolRunSchema()},
          {"AskAnswer", AskAnswerSchema()},
          {"SimilarVariant", SimilarVariantSchema()}};
}

json Component(const std::string& name) { return ComponentSchemas().at(name); }

}  // namespace vcfagent::server::openapi
