// OpenAPI 3.0.3 fragments shared by the route files: how a route describes its operation
// (parameters, request body, responses) and the schemas several routes use (a file reference,
// a job, a variant). The server adds security and the common problem responses to every
// operation; routes describe only their own success responses and inputs.
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

// {"type": "object", "properties": ..., "required": ..., "additionalProperties": false}.
json Object(json properties, std::vector<std::string> required = {});
json String(const std::string& description = "");
json Integer(int64_t minimum, int64_t maximum, int64_t default_value, const std::string& description = "");
json Boolean(bool default_value, const std::string& description = "");
json StringList(const std::string& description);  // a string or an array of strings
// Free-form JSON object (the documents the CLI prints with --format json).
json AnyObject(const std::string& description);

// A file the client names: "path" (inside a data directory), {"path": ...} or {"upload": id}.
json FileRef();
// A job as GET /api/v1/jobs/{id} returns it.
json Job();
// A variant row as `vcf-agent variants --format json` prints it.
json Variant();

}  // namespace vcfagent::server::openapi
