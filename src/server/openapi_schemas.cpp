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

json Object(json properties, std::vector<std::string> required) {
  json schema = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

json String(const std::string& description) {
  json schema = {{"type", "string"}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}

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

json AnyObject(const std::string& description) {
  return {{"type", "object"}, {"description", description}, {"additionalProperties", true}};
}

json FileRef() {
  return {{"description",
           "A VCF/BCF file: a path inside a data directory (server.data_dirs; relative paths are looked up in "
           "each), or an upload id from POST /api/v1/uploads"},
          {"oneOf",
           {{{"type", "string"}, {"description", "a path inside a data directory"}},
            Object({{"path", String("a path inside a data directory")}}, {"path"}),
            Object({{"upload", {{"type", "string"}, {"pattern", "^upl-[0-9a-f]{16}$"}}}}, {"upload"})}}};
}

json Job() {
  return {{"type", "object"},
          {"required", {"id", "kind", "state", "progress", "created"}},
          {"properties",
           {{"id", {{"type", "string"}, {"pattern", "^job-[0-9a-f]{16}$"}}},
            {"kind", {{"type", "string"}, {"enum", {"ingest", "analyze"}}}},
            {"owner", {{"type", "string"}}},
            {"state", {{"type", "string"}, {"enum", {"queued", "running", "succeeded", "failed", "cancelled"}}}},
            {"cancel_requested", {{"type", "boolean"}}},
            {"request", {{"type", "object"}}},
            {"progress",
             {{"type", "object"},
              {"properties",
               {{"step", {{"type", "string"}}},
                {"done", {{"type", "integer"}}},
                {"total", {{"type", "integer"}, {"nullable", true}}},
                {"fraction", {{"type", "number"}, {"nullable", true}}}}}}},
            {"created", {{"type", "string"}, {"format", "date-time"}}},
            {"started", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}},
            {"finished", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}},
            {"result", {{"type", "object"}, {"description", "on success: the job's result document"}}},
            {"error", {{"type", "object"}, {"description", "on failure or cancellation: a problem (RFC 9457)"}}}}}};
}

json Variant() {
  return {{"type", "object"},
          {"required", {"id", "chrom", "pos", "ref", "alt", "variant"}},
          {"properties",
           {{"id", {{"type", "integer"}}},
            {"chrom", {{"type", "string"}}},
            {"pos", {{"type", "integer"}}},
            {"end", {{"type", "integer"}}},
            {"ref", {{"type", "string"}}},
            {"alt", {{"type", "string"}}},
            {"variant", {{"type", "string"}, {"description", "chrom:pos:ref:alt"}}},
            {"rsid", {{"type", "string"}, {"nullable", true}}},
            {"qual", {{"type", "number"}, {"nullable", true}}},
            {"filter", {{"type", "string"}, {"nullable", true}}},
            {"class", {{"type", "string"}}},
            {"gene", {{"type", "string"}, {"nullable", true}}},
            {"consequence", {{"type", "string"}, {"nullable", true}}}}}};
}

}  // namespace vcfagent::server::openapi
