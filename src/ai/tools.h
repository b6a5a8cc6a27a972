// The agent's tools: the library's read-only features (validate, stats, view, compare, the
// variant store's queries, the graph, read-only SQL) offered to a language model as functions
// with JSON Schema arguments.
//
// Contract:
// - A Tool is a name, a description telling a model when to use it, a JSON Schema (draft-7
//   subset, json_schema.h) of its arguments object with additionalProperties false, and a run
//   function over the LIBRARY (never the CLI). ToolRegistry::Add refuses a tool whose schema is
//   unsupported or open, and a duplicate name; more tools (e.g. "report") can be added later by
//   anyone holding the registry.
// - ToolRegistry::Run validates the arguments against the schema BEFORE running; a validation
//   failure, an unknown tool or a library error becomes a ToolResult with ok=false and a message
//   a model can act on. It never throws and never crashes on bad arguments.
// - Results are JSON text of at most max_bytes: arrays are shortened (and long strings cut) until
//   the text fits, and an "output_truncated" note says what was cut (items kept of total, where).
// - Nothing writes: the store is opened read-only (Store::Access::kRead) once, lazily, with the
//   graph and the similarity index; SQL runs through store::RunReadOnlySql. File tools read only
//   the files the user named or files under the allowed directories; any other path is refused.
// - A registry is used by one agent run at a time (not thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/chat.h"
#include "util/status.h"

namespace vcfagent::store {
class Store;
struct LoadedGraph;
class VectorIndex;
}  // namespace vcfagent::store

namespace vcfagent::ai {

// What the tools may touch in one session.
class ToolContext {
 public:
  ToolContext() = default;
  ToolContext(std::optional<std::string> store_dir, std::vector<std::string> files,
              std::vector<std::string> allowed_dirs = {});
  ~ToolContext();
  ToolContext(ToolContext&&) noexcept;
  ToolContext& operator=(ToolContext&&) noexcept;

  bool has_store() const { return store_dir_.has_value(); }
  const std::optional<std::string>& store_dir() const { return store_dir_; }
  const std::vector<std::string>& files() const { return files_; }
  const std::vector<std::string>& allowed_dirs() const { return allowed_dirs_; }

  // The path as given when it names one of the user's files or lies under an allowed directory;
  // otherwise a Usage error listing the files that may be read.
  Result<std::string> CheckReadablePath(const std::string& path) const;

  // Opened on first use, read-only, then kept for the session.
  Result<store::Store*> Store();
  Result<store::LoadedGraph*> Graph();
  Result<const store::VectorIndex*> SimilarityIndex();

 private:
  std::optional<std::string> store_dir_;
  std::vector<std::string> files_;
  std::vector<std::string> allowed_dirs_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::LoadedGraph> graph_;
  std::unique_ptr<store::VectorIndex> index_;
};

// What a tool's run function returns: the result document and a short summary for people
// ("12 rows", "valid, 0 errors").
struct ToolOutput {
  nlohmann::json result;
  std::string summary;
};

struct Tool {
  std::string name;
  std::string description;
  nlohmann::json parameters;  // JSON Schema of the arguments object
  bool needs_store = false;   // only registered when the context has a store
  std::function<Result<ToolOutput>(ToolContext&, const nlohmann::json& arguments)> run;
};

struct ToolResult {
  bool ok = false;
  std::string content;  // JSON text for the model (the result, or {"error": ...})
  std::string error;    // the message when !ok
  std::string summary;  // for people: "12 rows", or the error's first line
  size_t bytes = 0;     // of content
  bool truncated = false;
  double seconds = 0;
};

class ToolRegistry {
 public:
  explicit ToolRegistry(ToolContext context);

  // Refuses unsupported or open schemas (additionalProperties must be false), duplicate names,
  // and store tools when the context has no store (Usage error naming the tool).
  Status Add(Tool tool);
  const Tool* Find(const std::string& name) const;
  std::vector<std::string> Names() const;  // in registration order
  // Definitions for the model, restricted to `allowed` when given.
  std::vector<ToolDefinition> Definitions(const std::vector<std::string>* allowed = nullptr) const;

  ToolResult Run(const std::string& name, const nlohmann::json& arguments, size_t max_bytes);

  ToolContext& context() { return context_; }

 private:
  ToolContext context_;
  std::vector<Tool> tools_;
};

// Adds every library tool the context allows: file tools always, store tools with a store.
Status RegisterLibraryTools(ToolRegistry& registry);

// Serialises `result` to at most `max_bytes` of JSON, shortening the largest arrays (and then the
// longest strings) and adding "output_truncated": {"note": ..., "cuts": [{"path", "kept", "total",
// "unit"}]} (a result's own "truncated" field, e.g. of graph neighbors, is left alone).
// Sets `*truncated` when anything was cut.
std::string CapJson(const nlohmann::json& result, size_t max_bytes, bool* truncated);

// Tool sets defined in the tool_*.cpp files.
std::vector<Tool> FileTools();
std::vector<Tool> StoreTools();
std::vector<Tool> GraphTools();

}  // namespace vcfagent::ai
