// Structured logs: one JSON object per line on stderr (or a configured stream).
//
// Every line has "ts" (RFC 3339 UTC, milliseconds), "level", "msg", and "trace_id"/"span_id" when
// a span is current on the thread; `fields` are merged in. Strings pass through
// ai::RedactSecrets-style redaction (every configured key, anything shaped like sk-..., Bearer
// tokens, and the service's API keys registered with AddLogSecret), so secrets are never logged.
// Thread-safe; lines are never interleaved.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vcfagent::obs {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Parses "debug|info|warn|error".
bool ParseLogLevel(std::string_view text, LogLevel* level);
void ConfigureLogging(LogLevel min_level, FILE* out = stderr);
// A secret that must never appear in a log line (replaced by "[redacted]").
void AddLogSecret(std::string secret);
// `text` with every secret removed as Log() does (span error messages use it too).
std::string RedactLogSecrets(std::string text);
// Whether a line at `level` would be written (lets hot paths skip building its fields).
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());

}  // namespace vcfagent::obs
