#include "obs/log.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <ctime>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "obs/tracing.h"
#include "util/json_text.h"

namespace vcfagent::obs {
namespace {

constexpr std::string_view kMark = "[redacted]";

struct LogState {
  std::mutex mutex;  // guards out, secrets, and serialises whole lines
  FILE* out = stderr;
  std::vector<std::string> secrets;
  std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
};

LogState& State() {
  static LogState* state = new LogState();  // usable during static destruction
  return *state;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~' ||
         c == '+' || c == '/' || c == '=';
}

void ReplaceAll(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMark.size())) {
    text.replace(at, secret.size(), kMark);
  }
}

// Replaces the token that follows every occurrence of `prefix` (case-sensitive), keeping the prefix.
void RedactAfter(std::string& text, std::string_view prefix, size_t min_length) {
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    const size_t begin = at + prefix.size();
    size_t end = begin;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    if (end - begin >= min_length && text.compare(begin, kMark.size(), kMark) != 0) {
      text.replace(begin, end - begin, kMark);
    }
  }
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) ReplaceAll(text, secret);
  // Shapes of keys whoever's they are: OpenAI/Anthropic "sk-...", bearer tokens, Authorization values.
  for (size_t at = text.find("sk-"); at != std::string::npos; at = text.find("sk-", at + 1)) {
    if (at > 0 && IsTokenChar(text[at - 1])) continue;
    size_t end = at + 3;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    if (end - at >= 8) text.replace(at, end - at, kMark);
  }
  RedactAfter(text, "Bearer ", 1);
  RedactAfter(text, "bearer ", 1);
  RedactAfter(text, "Basic ", 8);
  return text;
}

nlohmann::json RedactJson(const nlohmann::json& value, const std::vector<std::string>& secrets) {
  if (value.is_string()) return Redact(value.get<std::string>(), secrets);
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      // A field named like a credential is dropped whatever its value looks like.
      const std::string& key = it.key();
      if (key == "api_key" || key == "authorization" || key == "Authorization" || key == "password" ||
          key == "x-api-key") {
        out[key] = kMark;
      } else {
        out[key] = RedactJson(it.value(), secrets);
      }
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(RedactJson(item, secrets));
    return out;
  }
  return value;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03d}Z", buffer, static_cast<int>(ms % 1000));
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  if (text == "debug") {
    *level = LogLevel::kDebug;
  } else if (text == "info") {
    *level = LogLevel::kInfo;
  } else if (text == "warn" || text == "warning") {
    *level = LogLevel::kWarn;
  } else if (text == "error") {
    *level = LogLevel::kError;
  } else {
    return false;
  }
  return true;
}

void ConfigureLogging(LogLevel min_level, FILE* out) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.min_level.store(static_cast<int>(min_level));
  state.out = out ? out : stderr;
}

void AddLogSecret(std::string secret) {
  if (secret.empty()) return;
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.secrets.push_back(std::move(secret));
  // Longest first, so a secret containing another is replaced whole.
  std::sort(state.secrets.begin(), state.secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string RedactLogSecrets(std::string text) {
  LogState& state = State();
  std::vector<std::string> secrets;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    secrets = state.secrets;
  }
  return Redact(std::move(text), secrets);
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= State().min_level.load(std::memory_order_relaxed);
}

void Log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  if (!LogEnabled(level)) return;
  LogState& state = State();
  std::vector<std::string> secrets;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    secrets = state.secrets;
  }
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = Timestamp();
  line["level"] = LevelName(level);
  line["msg"] = Redact(std::string(message), secrets);
  if (const SpanContext* span = CurrentSpanContext(); span && span->valid()) {
    line["trace_id"] = span->TraceIdHex();
    line["span_id"] = span->SpanIdHex();
  }
  if (fields.is_object()) {
    const nlohmann::json redacted = RedactJson(fields, secrets);
    for (auto it = redacted.begin(); it != redacted.end(); ++it) {
      if (!line.contains(it.key())) line[it.key()] = it.value();  // the fixed keys keep their meaning
    }
  } else if (!fields.is_null()) {
    line["fields"] = RedactJson(fields, secrets);
  }
  // Invalid UTF-8 (file names, provider text) is replaced, never thrown.
  std::string text = DumpJson(line);
  text += '\n';
  std::lock_guard<std::mutex> lock(state.mutex);
  std::fwrite(text.data(), 1, text.size(), state.out);
  std::fflush(state.out);
}

}  // namespace vcfagent::obs
