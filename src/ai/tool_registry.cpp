// ToolRegistry and ToolContext (tools.h): argument validation, error results, and the session's
// read-only store, graph and similarity index.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "ai/json_schema.h"
#include "ai/tools.h"
#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "store/graph_loader.h"
#include "store/similarity_update.h"
#include "store/store.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

bool IsUnder(const std::string& path, const std::string& dir) {
  const fs::path p(path), d(dir);
  auto [dir_end, path_it] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return dir_end == d.end() && path_it != p.end();
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

ToolResult ErrorResult(const std::string& message) {
  ToolResult result;
  result.ok = false;
  result.error = message;
  result.summary = FirstLine(message);
  result.content = DumpJson(json{{"error", message}});
  result.bytes = result.content.size();
  return result;
}

}  // namespace

// ----- ToolContext -----

ToolContext::ToolContext(std::optional<std::string> store_dir, std::vector<std::string> files,
                         std::vector<std::string> allowed_dirs)
    : store_dir_(std::move(store_dir)), files_(std::move(files)), allowed_dirs_(std::move(allowed_dirs)) {}
ToolContext::~ToolContext() = default;
ToolContext::ToolContext(ToolContext&&) noexcept = default;
ToolContext& ToolContext::operator=(ToolContext&&) noexcept = default;

Result<std::string> ToolContext::CheckReadablePath(const std::string& path) const {
  if (path.empty() || path == "-") return Status::Usage("a file path is required (standard input cannot be read by tools)");
  const std::string wanted = Canonical(path);
  for (const auto& file : files_) {
    if (Canonical(file) == wanted) return file;
  }
  for (const auto& dir : allowed_dirs_) {
    if (IsUnder(wanted, Canonical(dir))) return path;
  }
  std::string allowed;
  for (const auto& file : files_) allowed += (allowed.empty() ? "" : ", ") + file;
  for (const auto& dir : allowed_dirs_) allowed += (allowed.empty() ? "" : ", ") + dir + "/...";
  return Status::Usage(fmt::format("\"{}\" is not a file the user named; readable files: {}", path,
                                   allowed.empty() ? "none (the user named no files)" : allowed));
}

Result<store::Store*> ToolContext::Store() {
  if (!store_dir_) return Status::Usage("no variant store was given (--db)");
  if (!store_) {
    auto opened = store::Store::Open(*store_dir_, store::Store::Access::kRead);
    if (!opened.ok()) return opened.status();
    store_ = std::move(opened).value();
  }
  return store_.get();
}

Result<store::LoadedGraph*> ToolContext::Graph() {
  if (!graph_) {
    auto s = Store();
    if (!s.ok()) return s.status();
    auto loaded = store::LoadCohortGraph(**s);
    if (!loaded.ok()) return loaded.status();
    graph_ = std::move(loaded).value();
  }
  return graph_.get();
}

Result<const store::VectorIndex*> ToolContext::SimilarityIndex() {
  if (!index_) {
    auto s = Store();
    if (!s.ok()) return s.status();
    bool rebuilt = false;  // a stale index is rebuilt in memory only: the store stays untouched
    auto index = store::OpenFeatureIndex(**s, /*show_progress=*/false, &rebuilt);
    if (!index.ok()) return index.status();
    index_ = std::move(index).value();
  }
  return index_.get();
}

// ----- ToolRegistry -----

ToolRegistry::ToolRegistry(ToolContext context) : context_(std::move(context)) {}

Status ToolRegistry::Add(Tool tool) {
  if (tool.name.empty() || !tool.run) return Status::Internal("a tool needs a name and a run function");
  if (Find(tool.name)) return Status::Internal(fmt::format("tool \"{}\" is registered twice", tool.name));
  if (tool.needs_store && !context_.has_store()) {
    return Status::Usage(fmt::format("tool \"{}\" needs a variant store (--db)", tool.name));
  }
  VCFAGENT_RETURN_IF_ERROR(CheckSchemaSupported(tool.parameters).WithContext("tool " + tool.name));
  const auto additional = tool.parameters.find("additionalProperties");
  if (tool.parameters.value("type", "") != "object" || additional == tool.parameters.end() ||
      *additional != false) {
    return Status::Internal(fmt::format(
        "tool \"{}\": the arguments schema must be an object with additionalProperties false", tool.name));
  }
  tools_.push_back(std::move(tool));
  return Status::Ok();
}

const Tool* ToolRegistry::Find(const std::string& name) const {
  for (const auto& tool : tools_) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

std::vector<std::string> ToolRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& tool : tools_) names.push_back(tool.name);
  return names;
}

std::vector<ToolDefinition> ToolRegistry::Definitions(const std::vector<std::string>* allowed) const {
  std::vector<ToolDefinition> out;
  for (const auto& tool : tools_) {
    if (allowed && std::find(allowed->begin(), allowed->end(), tool.name) == allowed->end()) continue;
    out.push_back({tool.name, tool.description, tool.parameters});
  }
  return out;
}

ToolResult ToolRegistry::Run(const std::string& name, const nlohmann::json& arguments, size_t max_bytes) {
  const auto start = std::chrono::steady_clock::now();
  const Tool* tool = Find(name);
  // A name the model made up is one label value, not one per invention.
  const std::string tool_label = tool ? name : "unknown";
  obs::Span span("tool " + tool_label);
  span.SetAttribute("gen_ai.tool.name", name);
  auto finish = [&](ToolResult result) {
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    obs::ServiceMetrics& metrics = obs::Metrics();
    metrics.tool_calls.With({tool_label, result.ok ? "ok" : "error"}).Inc();
    metrics.tool_call_duration.With({tool_label}).Observe(result.seconds);
    span.SetAttribute("vcfagent.tool.result_bytes", static_cast<int64_t>(result.bytes));
    if (!result.ok) span.SetError(result.error);
    return result;
  };
  if (!tool) {
    return finish(ErrorResult(fmt::format("unknown tool \"{}\"; the available tools are: {}", name,
                                          fmt::join(Names(), ", "))));
  }
  if (!arguments.is_object()) {
    return finish(ErrorResult(fmt::format("the arguments of {} must be a JSON object, got {}; nothing was run", name,
                                          arguments.is_null() ? "nothing parsable" : DumpJson(arguments))));
  }
  const auto violations = ValidateAgainstSchema(tool->parameters, arguments);
  if (!violations.empty()) {
    return finish(ErrorResult(fmt::format("invalid arguments for {} (nothing was run):\n{}", name,
                                          FormatViolations(violations))));
  }
  Result<ToolOutput> output = Status::Internal("not run");
  try {
    output = tool->run(context_, arguments);
  } catch (const std::exception& e) {  // a library bug must not end the conversation
    output = Status::Internal(fmt::format("{} failed unexpectedly: {}", name, e.what()));
  }
  if (!output.ok()) return finish(ErrorResult(output.status().message()));
  ToolResult result;
  result.ok = true;
  result.content = CapJson(output->result, max_bytes, &result.truncated);
  result.bytes = result.content.size();
  result.summary = output->summary + (result.truncated ? " (truncated)" : "");
  return finish(std::move(result));
}

nlohmann::json ObjectSchema(nlohmann::json properties, std::vector<std::string> required) {
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

Status RegisterLibraryTools(ToolRegistry& registry) {
  std::vector<Tool> tools = FileTools();
  for (auto& tool : ReportTools()) tools.push_back(std::move(tool));
  if (registry.context().has_store()) {
    for (auto& tool : StoreTools()) tools.push_back(std::move(tool));
    for (auto& tool : GraphTools()) tools.push_back(std::move(tool));
  }
  for (auto& tool : tools) VCFAGENT_RETURN_IF_ERROR(registry.Add(std::move(tool)));
  return Status::Ok();
}

}  // namespace vcfagent::ai
