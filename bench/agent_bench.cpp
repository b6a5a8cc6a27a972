// vcf-agent-agent-bench: the agent's own overhead per tool call, excluding model time.
//
// A scripted OpenAI-compatible server on loopback (tests/support: the real wire format) plays the
// model: each run asks for STEPS rounds of CALLS `variants` tool calls (1 Mb regions spread over
// the store's contigs), then answers. The real OpenAI provider talks to it over HTTP, wrapped by
// a timer, so the model's time (HTTP round trip, server) is measured and taken out. For every
// call the same query is also run directly on the library (QueryVariants + VariantToJson +
// serialisation), the work any front end would do, so what remains is the agent's own cost:
// parsing the model's answer, validating arguments, capping and framing results, grounding.
//
// Prints one JSON object (medians over the runs, per tool call, in milliseconds).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <random>

#include "ai/agent.h"
#include "ai/providers.h"
#include "ai/tools.h"
#include "store/store.h"
#include "store/variant_format.h"
#include "store/variant_query.h"
#include "support/provider_wire.h"
#include "support/scripted_http_server.h"
#include "vcf/region.h"

namespace {

using namespace vcfagent;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The real provider, timed: the model's share of a run.
class TimedProvider : public ai::ChatProvider {
 public:
  explicit TimedProvider(std::shared_ptr<ai::ChatProvider> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  std::string default_model() const override { return inner_->default_model(); }
  Result<ai::ChatResponse> Chat(const ai::ChatRequest& request, const ai::TextHandler& on_text,
                                ai::CallReport* report) override {
    const auto start = Clock::now();
    auto response = inner_->Chat(request, on_text, report);
    seconds += Since(start);
    return response;
  }
  double seconds = 0;

 private:
  std::shared_ptr<ai::ChatProvider> inner_;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("The agent's overhead per tool call, excluding model time");
  std::string db;
  int steps = 5, calls = 4, runs = 30, limit = 50;
  app.add_option("--db", db, "Variant store")->required();
  app.add_option("--steps", steps, "Tool-calling rounds per run");
  app.add_option("--calls", calls, "Tool calls per round");
  app.add_option("--runs", runs, "Measured runs (after one warm-up)");
  app.add_option("--limit", limit, "Variants per tool call");
  CLI11_PARSE(app, argc, argv);

  auto store = store::Store::Open(db, store::Store::Access::kRead);
  if (!store.ok()) {
    fmt::print(stderr, "agent-bench: {}\n", store.status().message());
    return 2;
  }
  // Regions: 1 Mb windows at random positions of contigs that hold variants.
  std::vector<std::pair<std::string, int64_t>> contigs;
  {
    auto stmt = (*store)->db().Prepare(
        "SELECT c.name, max(v.pos) FROM variants v JOIN contigs c ON c.chrom_id = v.chrom_id GROUP BY c.name");
    if (!stmt.ok()) return 2;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok() || !*row) break;
      contigs.emplace_back(stmt->Text(0), stmt->Int(1));
    }
  }
  if (contigs.empty()) {
    fmt::print(stderr, "agent-bench: the store has no variants\n");
    return 2;
  }
  std::mt19937_64 rng(7);
  auto random_region = [&] {
    const auto& [name, max_pos] = contigs[rng() % contigs.size()];
    const int64_t start = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(std::max<int64_t>(max_pos, 1)));
    return fmt::format("{}:{}-{}", name, start, start + 1000000);
  };

  testing::ScriptedHttpServer server;
  ai::ProviderSettings settings;
  settings.kind = ai::ProviderKind::kOpenAi;
  settings.base_url = server.url() + "/v1";
  settings.api_key = ai::Secret("sk-bench-not-a-real-key");
  settings.model = "gpt-4o-mini";
  settings.max_retries = 0;
  auto inner = ai::MakeChatProvider(settings);
  if (!inner.ok()) return 2;
  TimedProvider provider(*inner);

  ai::ToolRegistry registry(ai::ToolContext(db, {}));
  if (Status st = ai::RegisterLibraryTools(registry); !st.ok()) {
    fmt::print(stderr, "agent-bench: {}\n", st.message());
    return 2;
  }
  ai::AgentOptions options;
  options.stream = false;
  options.limits.max_steps = steps + 1;

  std::vector<double> per_call_all, per_call_tool, per_call_library, per_call_overhead, model_share;
  for (int run = 0; run <= runs; ++run) {
    std::vector<std::string> regions;
    for (int s = 0; s < steps; ++s) {
      std::vector<testing::WireToolCall> step_calls;
      for (int c = 0; c < calls; ++c) {
        regions.push_back(random_region());
        step_calls.push_back({"", "variants", {{"regions", {regions.back()}}, {"limit", limit}}, ""});
      }
      server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiToolCallResponse(step_calls));
    }
    server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse("Done: see the tool results."));
    provider.seconds = 0;
    const auto start = Clock::now();
    ai::AgentAnswer answer = ai::RunAgent(provider, registry, {}, "List variants in these regions.", options);
    const double total = Since(start);
    if (answer.stop != ai::AgentStop::kAnswered || answer.tool_runs.size() != regions.size()) {
      fmt::print(stderr, "agent-bench: run {} stopped: {}\n", run, answer.status.message());
      return 1;
    }
    double tool_seconds = 0;
    for (const auto& tool_run : answer.tool_runs) {
      if (!tool_run.ok) {
        fmt::print(stderr, "agent-bench: tool failed: {}\n", tool_run.error);
        return 1;
      }
      tool_seconds += tool_run.seconds;
    }
    // The same queries straight on the library.
    const auto library_start = Clock::now();
    for (const std::string& region : regions) {
      store::VariantQuery query;
      auto parsed = vcf::ParseRegionList(region);
      if (!parsed.ok()) return 2;
      query.regions = *parsed;
      query.limit = limit;
      auto page = store::QueryVariants(**store, query);
      if (!page.ok()) return 2;
      nlohmann::json list = nlohmann::json::array();
      for (const auto& record : page->variants) list.push_back(store::VariantToJson(record));
      const std::string text = list.dump();
      if (text.empty()) return 2;
    }
    const double library = Since(library_start);
    if (run == 0) continue;  // warm-up: opens the store, fills caches
    const double n = static_cast<double>(regions.size());
    per_call_all.push_back((total - provider.seconds) / n);
    per_call_tool.push_back(tool_seconds / n);
    per_call_library.push_back(library / n);
    per_call_overhead.push_back((total - provider.seconds - library) / n);
    model_share.push_back(provider.seconds / total);
  }
  const nlohmann::json result = {
      {"runs", runs},
      {"tool_calls_per_run", steps * calls},
      {"model_calls_per_run", steps + 1},
      {"variants_per_call_limit", limit},
      {"ms_per_call_excluding_model", Median(per_call_all) * 1e3},
      {"ms_per_call_tool_run", Median(per_call_tool) * 1e3},
      {"ms_per_call_library_direct", Median(per_call_library) * 1e3},
      {"ms_per_call_agent_overhead", Median(per_call_overhead) * 1e3},
      {"model_share_of_run", Median(model_share)},
  };
  fmt::print("{}\n", result.dump());
  return 0;
}
