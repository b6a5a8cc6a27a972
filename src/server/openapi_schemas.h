// OpenAPI 3.0.3 fragments shared by the route files: how a route describes its operation
// (parameters, request body, responses) and the schemas of what the routes answer. The server
// adds security and the common problem responses to every operation; routes describe only their
// own success responses and inputs.
//
// The web UI generates its typed client from this document, so every schema says the shape the
// route really sends: objects list their properties with `required` and no others
// (additionalProperties: false), fixed sets of strings are enums, values that may be absent are
// `nullable`. Named shapes live in components/schemas (Ref("Job")); tests/e2e/server/
// api_openapi_test.cpp checks real answers of every operation against them with Ajv.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vcfagent::server::openapi {

using nlohmann::json;

// {"operationId", "summary", "tags": [tag], "description"?, "responses": {}}.
json Operation(const std::string& operation_id, const std::string& summary, const std::string& tag,
               const std::string& description = "");
// Adds a query ("in": "query") or path parameter.
void AddQueryParameter(json& operation, const std::string& name, json schema, const std::string& description,
                       bool required = false);
void AddPathParameter(json& operation, const std::string& name, const std::string& description);
// A required application/json request body with this schema.
void SetJsonBody(json& operation, json schema);
// A response with an application/json body (or no body when `schema` is null).
void AddResponse(json& operation, int status, const std::string& description, json schema = nullptr,
                 const std::string& media_type = "application/json");

// The 403 a route that reads files the client names answers for a path outside the data
// directories (path-outside-data-dirs).
void AddOutsideDataDirsResponse(json& operation);

// {"type": "object", "properties": ..., "required": ..., "additionalProperties": false}.
json Object(json properties, std::vector<std::string> required = {});
// The same with every property required except those named in `optional`: the shape of an
// answer whose builder always writes its keys.
json Answer(json properties, std::vector<std::string> optional = {});
json String(const std::string& description = "");
json Integer(int64_t minimum, int64_t maximum, int64_t default_value, const std::string& description = "");
json Boolean(bool default_value, const std::string& description = "");
json StringList(const std::string& description);  // a string or an array of strings
json Enum(std::vector<std::string> values, const std::string& description = "");
json ArrayOf(json items, const std::string& description = "");
json Nullable(json schema);  // the schema, with null also allowed
// {"type": "integer"} / {"type": "number"} / {"type": "boolean"} / {"type": "string"} for answers.
json Int(const std::string& description = "");
json Num(const std::string& description = "");
json Bool(const std::string& description = "");

// {"$ref": "#/components/schemas/<name>"}.
json Ref(const std::string& name);
// Every named schema (components/schemas), e.g. "Problem", "FileRef", "Job", "Variant".
json ComponentSchemas();
// One of them, inline (to extend it: allOf cannot add properties to a closed object).
json Component(const std::string& name);

// Schemas several routes share, by name (each is in ComponentSchemas()).
json FileRef();       // "path" (inside a data directory), {"path": ...} or {"upload": id}
json Job();           // a job as GET /api/v1/jobs/{id} returns it
json Variant();       // a store variant as `vcf-agent variants --format json` prints it
json IngestRequest(); // the body of POST /api/v1/ingest
json AnalyzeRequest();// the body of POST /api/v1/analyze

}  // namespace vcfagent::server::openapi
