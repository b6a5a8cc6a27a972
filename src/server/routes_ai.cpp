// POST /api/v1/ask: one question to the AI agent over the named files and the store, answered as
// the JSON `vcf-agent ask --format json` prints, or streamed as server-sent events when the
// client sends Accept: text/event-stream:
//   event: text        data: {"text": "<delta>"}
//   event: tool_start  data: {"id", "name", "arguments"}
//   event: tool_end    data: {"id", "name", "ok", "refused", "summary", "error", "seconds"}
//   event: done        data: <the answer document>
//   event: error       data: <a problem>  (the agent failed before answering)
// The agent runs under a span parented to the request's, so every provider call carries that
// trace in its traceparent. A client that disconnects mid-stream cancels the agent.
#include <fmt/format.h>

#include <filesystem>

#include "ai/agent.h"
#include "ai/provider_chain.h"
#include "cli/agent_session.h"
#include "server/openapi_schemas.h"
#include "server/route_support.h"
#include "server/service.h"
#include "util/json_text.h"

namespace vcfagent::server {

namespace {

using nlohmann::json;
namespace oa = openapi;

struct AskRequest {
  std::string question;
  std::shared_ptr<cli::AgentSession> session;
};

AskRequest PrepareAsk(RequestContext& ctx, bool stream) {
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"question", "files", "tools", "max_steps", "use_store"});
  AskRequest ask;
  ask.question = RequiredString(body, "question");
  if (ctx.service.ai().chain.empty()) {
    ThrowProblem(MakeProblem(503, "unavailable", ai::NoProviderMessage()));
  }
  cli::AgentSessionInputs inputs;
  if (body.contains("files") && !body["files"].is_null()) {
    if (!body["files"].is_array()) ThrowBadRequest("files: expected an array of files");
    for (size_t i = 0; i < body["files"].size(); ++i) {
      inputs.files.push_back(InputFileOrThrow(ctx, body["files"][i], fmt::format("files[{}]", i)));
    }
  }
  inputs.tools = OptionalStrings(body, "tools");
  inputs.max_steps = static_cast<int>(OptionalInt(body, "max_steps", 0, 1, 100));
  inputs.stream = stream;
  const std::string& dir = ctx.service.config().store_dir;
  std::error_code ec;
  if (OptionalBool(body, "use_store", true) && std::filesystem::exists(std::filesystem::path(dir) / "store.sqlite", ec)) {
    inputs.store_dir = dir;
  }
  auto session = cli::OpenAgentSession(ctx.service.ai(), inputs);
  if (!session.ok()) ThrowStatus(cli::Redacted(ctx.service.ai(), session.status()));
  ask.session = std::make_shared<cli::AgentSession>(std::move(session).value());
  return ask;
}

json ToolStartJson(const ai::ToolCall& call) {
  return {{"id", call.id}, {"name", call.name}, {"arguments", call.arguments}};
}

json ToolEndJson(const ai::AiConfig& config, const ai::ToolRun& run) {
  return {{"id", run.call_id},
          {"name", run.name},
          {"ok", run.ok},
          {"refused", run.refused},
          {"summary", run.summary},
          {"error", run.error.empty() ? json(nullptr) : json(ai::RedactSecrets(config, run.error))},
          {"seconds", run.seconds}};
}

// An answer that failed before the model answered: the problem a client sees.
Problem FailedAnswer(const cli::AgentSession& session, const ai::AgentAnswer& answer, const json& document) {
  const bool cancelled = answer.status.kind() == ErrorKind::kCancelled;
  Problem p = MakeProblem(cancelled ? 409 : 503, cancelled ? "conflict" : "unavailable",
                          ai::RedactSecrets(session.config, answer.status.message()));
  p.extra = {{"answer", document}};
  return p;
}

bool Answered(const ai::AgentAnswer& answer) {
  return answer.status.ok() || answer.stop == ai::AgentStop::kModelMaxTokens || !answer.text.empty();
}

void AskJson(RequestContext& ctx) {
  AskRequest ask = PrepareAsk(ctx, /*stream=*/false);
  obs::Span span("ask", obs::SpanKind::kInternal, ctx.span.valid() ? &ctx.span : nullptr);
  const ai::AgentAnswer answer =
      ai::RunAgent(*ask.session->provider, *ask.session->tools, {}, ask.question, ask.session->options);
  const json document = cli::AnswerToJson(*ask.session, answer);
  if (!Answered(answer)) {
    span.SetError(ai::RedactSecrets(ask.session->config, answer.status.message()));
    ThrowProblem(FailedAnswer(*ask.session, answer, document));
  }
  ctx.SendJson(document);
}

std::string SseEvent(const std::string& event, const json& data) {
  return "event: " + event + "\ndata: " + DumpJson(data) + "\n\n";
}

void AskStream(RequestContext& ctx) {
  auto ask = std::make_shared<AskRequest>(PrepareAsk(ctx, /*stream=*/true));
  const obs::SpanContext parent = ctx.span;
  const std::string request_id = ctx.request_id;
  const std::string instance = ctx.req.path;
  ctx.res.set_header("Cache-Control", "no-cache");
  ctx.res.set_header("X-Accel-Buffering", "no");  // proxies must not hold events back
  ctx.res.status = 200;
  ctx.res.set_chunked_content_provider(
      "text/event-stream", [ask, parent, request_id, instance](size_t, httplib::DataSink& sink) {
        // The whole answer is produced in this one call, on the connection's worker thread.
        JobControl control;  // cancelled when the client goes away
        JobScope scope(&control);
        obs::Span span("ask", obs::SpanKind::kInternal, parent.valid() ? &parent : nullptr);
        auto send = [&](const std::string& event, const json& data) {
          if (control.cancel.load()) return;
          const std::string text = SseEvent(event, data);
          if (!sink.is_writable() || !sink.write(text.data(), text.size())) control.cancel = true;
        };
        const ai::AiConfig& config = ask->session->config;
        ai::AgentObserver observer;
        observer.on_text = [&](std::string_view text) {
          if (!text.empty()) send("text", {{"text", std::string(text)}});
        };
        observer.on_tool_start = [&](const ai::ToolCall& call) { send("tool_start", ToolStartJson(call)); };
        observer.on_tool_end = [&](const ai::ToolRun& run) { send("tool_end", ToolEndJson(config, run)); };
        const ai::AgentAnswer answer = ai::RunAgent(*ask->session->provider, *ask->session->tools, {}, ask->question,
                                                    ask->session->options, observer);
        const json document = cli::AnswerToJson(*ask->session, answer);
        if (Answered(answer)) {
          send("done", document);
        } else {
          span.SetError(ai::RedactSecrets(config, answer.status.message()));
          Problem p = FailedAnswer(*ask->session, answer, document);
          json problem = {{"type", "https://vcf-agent.dev/problems/" + p.slug},
                          {"title", p.title},
                          {"status", p.status},
                          {"detail", p.detail},
                          {"instance", instance},
                          {"request_id", request_id},
                          {"answer", document}};
          send("error", problem);
        }
        sink.done();
        return true;
      });
}

void Ask(RequestContext& ctx) {
  const std::string accept = ctx.req.get_header_value("Accept");
  if (accept.find("text/event-stream") != std::string::npos) {
    AskStream(ctx);
  } else {
    AskJson(ctx);
  }
}

}  // namespace

void AddAiRoutes(Router& router) {
  json op = oa::Operation(
      "ask", "Ask the AI agent a question about files and the variant store", "ai",
      "As `vcf-agent ask --format json`. With Accept: text/event-stream the answer streams as server-sent events: "
      "text (deltas), tool_start, tool_end, then done (the answer document) or error (a problem). Without a "
      "configured provider: 503 unavailable.");
  oa::SetJsonBody(op, oa::Object({{"question", oa::String("the question")},
                                  {"files", {{"type", "array"}, {"items", oa::FileRef()}, {"description", "files the agent may read"}}},
                                  {"tools", {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "only these tools (default all)"}}},
                                  {"max_steps", oa::Integer(1, 100, 12, "model calls at most")},
                                  {"use_store", oa::Boolean(true, "let the agent query the variant store")}},
                                 {"question"}));
  const json answer = oa::Ref("AskAnswer");
  // The stream's events and the schema of each one's data (check-responses.mjs validates them).
  const json events = {
      {"text", oa::Answer({{"text", oa::String("a piece of the answer's text")}})},
      {"tool_start", oa::Answer({{"id", oa::String()},
                                 {"name", oa::String()},
                                 {"arguments", {{"type", "object"}, {"description", "the arguments the model passed"}}}})},
      {"tool_end", oa::Answer({{"id", oa::String()},
                               {"name", oa::String()},
                               {"ok", oa::Bool()},
                               {"refused", oa::Bool()},
                               {"summary", oa::String()},
                               {"error", oa::Nullable(oa::String())},
                               {"seconds", oa::Num()}})},
      {"done", answer},
      {"error", oa::Ref("Problem")}};
  op["responses"]["200"] = {
      {"description", "The answer (JSON), or its event stream"},
      {"content",
       {{"application/json", {{"schema", answer}}},
        {"text/event-stream",
         {{"schema", oa::String("events (event: NAME, data: JSON): text, tool_start, tool_end, then done (the answer) "
                                "or error (a problem)")},
          {"x-events", events}}}}}};
  oa::AddResponse(op, 503,
                  "No AI provider is configured, or the providers failed before an answer (the problem's answer "
                  "member has the agent's document as far as it got)",
                  oa::Ref("Problem"), "application/problem+json");
  oa::AddOutsideDataDirsResponse(op);
  router.Add({"POST", "/api/v1/ask", Role::kRead, false, true, op}, Ask);
}

}  // namespace vcfagent::server
