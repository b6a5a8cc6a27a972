// Metric names used by a PromQL expression, for checking rules and dashboards against /metrics.
//
// A small tokenizer, not a parser: it skips string literals, label matchers inside {}, ranges and
// subqueries inside [], numbers and durations, Grafana variables ($__rate_interval, $instance),
// function names (an identifier followed by '('), aggregation operators, keywords, and the
// label lists after by/without/on/ignoring/group_left/group_right. What is left are metric names.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <string_view>

namespace vcfagent::testing {

inline std::set<std::string> PromqlMetricNames(std::string_view expr) {
  static const std::set<std::string, std::less<>> kKeywords = {
      "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2",
      // Aggregation operators may take their `by (...)` before the parenthesis.
      "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
      "topk", "quantile"};
  static const std::set<std::string, std::less<>> kLabelListKeywords = {
      "by", "without", "on", "ignoring", "group_left", "group_right"};
  auto is_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  auto is_part = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  auto skip_string = [&](size_t i) {  // i at the opening quote; returns the index after the closing one
    char quote = expr[i++];
    while (i < expr.size() && expr[i] != quote) i += (expr[i] == '\\' && quote != '`') ? 2 : 1;
    return i + 1;
  };
  auto skip_group = [&](size_t i, char open, char close) {  // i at `open`
    int depth = 0;
    while (i < expr.size()) {
      char c = expr[i];
      if (c == '"' || c == '\'' || c == '`') { i = skip_string(i); continue; }
      if (c == open) ++depth;
      if (c == close && --depth == 0) return i + 1;
      ++i;
    }
    return i;
  };
  auto next_non_space = [&](size_t i) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    return i;
  };

  std::set<std::string> names;
  size_t i = 0;
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') { i = skip_string(i); continue; }
    if (c == '{') { i = skip_group(i, '{', '}'); continue; }
    if (c == '[') { i = skip_group(i, '[', ']'); continue; }
    if (c == '#') { while (i < expr.size() && expr[i] != '\n') ++i; continue; }  // comment
    if (c == '$') {  // a Grafana variable
      ++i;
      while (i < expr.size() && (is_part(expr[i]) || expr[i] == '{' || expr[i] == '}')) ++i;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < expr.size() &&
                                                         std::isdigit(static_cast<unsigned char>(expr[i + 1])))) {
      while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '.' ||
                                 expr[i] == '_' || ((expr[i] == '+' || expr[i] == '-') &&
                                                    (expr[i - 1] == 'e' || expr[i - 1] == 'E'))))
        ++i;
      continue;
    }
    if (is_start(c)) {
      size_t start = i;
      while (i < expr.size() && is_part(expr[i])) ++i;
      std::string word(expr.substr(start, i - start));
      size_t after = next_non_space(i);
      bool call = after < expr.size() && expr[after] == '(';
      if (kLabelListKeywords.count(word)) {
        if (call) i = skip_group(after, '(', ')');
        continue;
      }
      if (call || kKeywords.count(word)) continue;
      names.insert(word);
      continue;
    }
    ++i;
  }
  return names;
}

}  // namespace vcfagent::testing
