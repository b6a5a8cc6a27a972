#include "ai/agent.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "ai/prompts.h"
#include "util/progress.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string Shorten(const std::string& text, size_t max) {
  return text.size() <= max ? text : text.substr(0, max) + "...";
}

// The checks a call must pass before its tool runs; the ToolResult is set when it fails.
std::optional<ToolResult> Refusal(const ToolCall& call, const ToolRegistry& tools,
                                  const std::vector<std::string>& allowed, bool* refused) {
  auto error = [](std::string message) {
    ToolResult result;
    result.error = std::move(message);
    result.summary = result.error;
    result.content = DumpJson(json{{"error", result.error}});
    result.bytes = result.content.size();
    return result;
  };
  if (!Contains(allowed, call.name)) {
    *refused = true;
    if (tools.Find(call.name)) {
      return error(fmt::format("tool \"{}\" is not allowed in this session and was not run; the allowed tools are: {}",
                               call.name, fmt::join(allowed, ", ")));
    }
    return error(fmt::format("unknown tool \"{}\"; the available tools are: {}", call.name, fmt::join(allowed, ", ")));
  }
  if (call.arguments.is_null() && !call.raw_arguments.empty()) {
    return error(fmt::format("the arguments of {} are not valid JSON ({}); nothing was run: send one JSON object "
                             "matching the tool's schema",
                             call.name, Shorten(call.raw_arguments, 200)));
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(AgentStop stop) {
  switch (stop) {
    case AgentStop::kAnswered: return "answered";
    case AgentStop::kMaxSteps: return "max_steps";
    case AgentStop::kMaxSeconds: return "max_seconds";
    case AgentStop::kMaxTokens: return "max_tokens";
    case AgentStop::kModelMaxTokens: return "model_max_tokens";
    case AgentStop::kProviderError: return "provider_error";
    case AgentStop::kCancelled: return "cancelled";
  }
  return "unknown";
}

AgentAnswer RunAgent(ChatProvider& provider, ToolRegistry& tools, const std::vector<ChatMessage>& history,
                     const std::string& question, const AgentOptions& options, const AgentObserver& observer) {
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const AgentLimits& limits = options.limits;

  AgentAnswer answer;
  answer.prompt_version = std::string(kAgentPromptVersion);
  const std::vector<std::string> allowed = options.allowed_tools.empty() ? tools.Names() : options.allowed_tools;

  ChatRequest request;
  request.model = options.model;
  request.stream = options.stream;
  request.tools = tools.Definitions(&allowed);
  ChatMessage system;
  system.role = Role::kSystem;
  system.text = AgentSystemPrompt({options.files, tools.context().has_store(), allowed});
  request.messages.push_back(system);
  request.messages.insert(request.messages.end(), history.begin(), history.end());
  ChatMessage user;
  user.role = Role::kUser;
  user.text = question;
  request.messages.push_back(user);
  answer.messages.push_back(user);

  auto stop = [&](AgentStop reason, Status status) {
    answer.stop = reason;
    answer.status = std::move(status);
  };
  const TextHandler on_text = options.stream && observer.on_text ? TextHandler(observer.on_text) : TextHandler();

  for (;;) {
    const int64_t used = answer.usage.input_tokens + answer.usage.output_tokens;
    if (CancelRequested()) {
      stop(AgentStop::kCancelled, Status::Cancelled("interrupted"));
      break;
    }
    if (answer.steps >= limits.max_steps) {
      stop(AgentStop::kMaxSteps,
           Status::Cancelled(fmt::format("no answer after {} model calls (the step limit, --max-steps); the "
                                         "tools that ran are listed above",
                                         answer.steps)));
      break;
    }
    if (elapsed() >= limits.max_seconds) {
      stop(AgentStop::kMaxSeconds,
           Status::Cancelled(fmt::format("no answer within the time limit of {} s", limits.max_seconds)));
      break;
    }
    if (used >= limits.max_tokens) {
      stop(AgentStop::kMaxTokens, Status::Cancelled(fmt::format("no answer within the token limit ({} used of {})",
                                                                used, limits.max_tokens)));
      break;
    }
    request.max_tokens = static_cast<int>(std::min<int64_t>(4096, limits.max_tokens - used));

    auto response = provider.Chat(request, on_text);
    ++answer.steps;
    if (!response.ok()) {
      stop(AgentStop::kProviderError, response.status());
      break;
    }
    answer.usage += response->usage;
    answer.provider = response->provider;
    answer.model = response->model;
    ChatMessage message = std::move(response->message);
    message.role = Role::kAssistant;
    request.messages.push_back(message);
    answer.messages.push_back(message);

    if (message.tool_calls.empty()) {
      answer.text = message.text;
      if (response->stop_reason == StopReason::kMaxTokens) {
        stop(AgentStop::kModelMaxTokens,
             Status::Cancelled("the answer was cut off at the model's output limit; it may be incomplete"));
      } else {
        stop(AgentStop::kAnswered, Status::Ok());
      }
      break;
    }

    for (const ToolCall& call : message.tool_calls) {
      if (observer.on_tool_start) observer.on_tool_start(call);
      ToolRun run;
      run.call_id = call.id;
      run.name = call.name;
      run.arguments = call.arguments;
      ToolResult result;
      if (auto refusal = Refusal(call, tools, allowed, &run.refused)) {
        result = std::move(*refusal);
      } else {
        // A model that sends no arguments at all for a tool without required ones means {}.
        const json arguments = call.arguments.is_null() ? json::object() : call.arguments;
        result = tools.Run(call.name, arguments, limits.tool_result_bytes);
      }
      run.ok = result.ok;
      run.error = result.error;
      run.summary = result.summary;
      run.seconds = result.seconds;
      run.bytes = result.bytes;
      run.truncated = result.truncated;

      ChatMessage tool_message;
      tool_message.role = Role::kTool;
      tool_message.tool_call_id = call.id;
      tool_message.tool_name = call.name;
      tool_message.tool_error = !result.ok;
      tool_message.text = std::move(result.content);
      request.messages.push_back(tool_message);
      answer.messages.push_back(std::move(tool_message));
      answer.tool_runs.push_back(run);
      if (observer.on_tool_end) observer.on_tool_end(run);
    }
  }

  std::vector<ChatMessage> conversation = history;
  conversation.insert(conversation.end(), answer.messages.begin(), answer.messages.end());
  if (!answer.text.empty()) answer.grounding = GroundAnswer(answer.text, conversation);
  return answer;
}

}  // namespace vcfagent::ai
