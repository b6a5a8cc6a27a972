#include "ai/provider_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "util/yaml_config.h"

namespace vcfagent::ai {
namespace {

constexpr ProviderKind kAllKinds[] = {ProviderKind::kOpenAi, ProviderKind::kAnthropic,
                                      ProviderKind::kOllama};

// What each provider's standard environment variables are called.
struct ProviderVariables {
  const char* key;       // "" when the provider takes no key
  const char* key_file;
  const char* base_url;
};

ProviderVariables VariablesOf(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kOpenAi: return {"OPENAI_API_KEY", "OPENAI_API_KEY_FILE", "OPENAI_BASE_URL"};
    case ProviderKind::kAnthropic:
      return {"ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY_FILE", "ANTHROPIC_BASE_URL"};
    case ProviderKind::kOllama: return {"", "", "OLLAMA_HOST"};
  }
  return {"", "", ""};
}

ProviderSettings DefaultSettings(ProviderKind kind) {
  ProviderSettings settings;
  settings.kind = kind;
  switch (kind) {
    case ProviderKind::kOpenAi:
      settings.base_url = "https://api.openai.com/v1";
      settings.model = "gpt-4o-mini";
      settings.embedding_model = "text-embedding-3-small";
      break;
    case ProviderKind::kAnthropic:
      settings.base_url = "https://api.anthropic.com";
      settings.model = "claude-sonnet-4-5";
      break;
    case ProviderKind::kOllama:
      settings.base_url = "http://localhost:11434";
      settings.model = "llama3.2";
      settings.embedding_model = "nomic-embed-text";
      // A local model is slow to load on first use; retrying a refused connection is pointless.
      settings.timeout_seconds = 300;
      break;
  }
  return settings;
}

// Published list prices (USD per million tokens), overridable in the config file's `prices`.
std::map<std::string, ModelPrice> DefaultPrices() {
  return {
      {"gpt-4o-mini", {0.15, 0.60}},          {"gpt-4o", {2.50, 10.00}},
      {"gpt-4.1", {2.00, 8.00}},              {"gpt-4.1-mini", {0.40, 1.60}},
      {"gpt-4.1-nano", {0.10, 0.40}},         {"text-embedding-3-small", {0.02, 0}},
      {"text-embedding-3-large", {0.13, 0}},  {"claude-sonnet-4-5", {3.00, 15.00}},
      {"claude-sonnet-4", {3.00, 15.00}},     {"claude-3-5-haiku", {0.80, 4.00}},
      {"claude-haiku-4-5", {1.00, 5.00}},     {"claude-opus-4-1", {15.00, 75.00}},
  };
}

std::string Trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Result<Secret> ReadKeyFile(const std::string& path, const std::string& source) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("cannot read the API key file {} (from {})", path, source));
  std::stringstream content;
  content << in.rdbuf();
  std::string key = Trim(content.str());
  if (key.empty()) return Status::Usage(fmt::format("the API key file {} (from {}) is empty", path, source));
  if (key.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::Usage(fmt::format("the API key file {} (from {}) holds more than one line or word",
                                     path, source));
  }
  return Secret(std::move(key));
}

// OLLAMA_HOST is often "host:port" or "0.0.0.0" without a scheme; Ollama itself accepts those.
std::string NormaliseOllamaHost(std::string host) {
  host = Trim(host);
  if (host.find("://") == std::string::npos) host = "http://" + host;
  const auto authority = host.find("://") + 3;
  const auto slash = host.find('/', authority);
  const std::string hostport = host.substr(authority, slash == std::string::npos ? std::string::npos : slash - authority);
  // A bracketed IPv6 literal has colons of its own: look for a port after the bracket.
  const auto bracket = hostport.rfind(']');
  const auto colon = hostport.rfind(':');
  const bool has_port = colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  if (!has_port) host.insert(slash == std::string::npos ? host.size() : slash, ":11434");
  if (host.starts_with("http://0.0.0.0")) host.replace(7, 7, "127.0.0.1");
  while (host.size() > 8 && host.back() == '/') host.pop_back();
  return host;
}

std::string StripTrailingSlash(std::string url) {
  while (url.size() > 8 && url.back() == '/') url.pop_back();
  return url;
}

Status CheckUrl(const std::string& url, const std::string& source) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::Usage(fmt::format("{}: '{}' is not an http:// or https:// URL", source, url));
  }
  return Status::Ok();
}

// ---- the config file --------------------------------------------------------------------

struct FileProvider {
  ProviderSettings settings;
  std::string api_key_file;
  bool present = false;
};

struct ConfigFile {
  std::vector<std::string> chain;
  std::map<ProviderKind, FileProvider> providers;
  AgentLimits limits;
  std::map<std::string, ModelPrice> prices;
};

Status ReadProviderSection(const YAML::Node& node, ProviderKind kind, const std::string& file,
                           FileProvider& out) {
  const std::string where = "ai." + std::string(ToString(kind));
  if (!node.IsMap()) return Status::Usage(fmt::format("{}: {} must be a mapping", file, where));
  std::set<std::string> known = {"model", "timeout_seconds", "connect_timeout_seconds", "max_retries",
                                 "backoff_initial_seconds", "backoff_max_seconds", "breaker_failures",
                                 "breaker_cooldown_seconds"};
  if (kind == ProviderKind::kOllama) {
    known.insert({"host", "embedding_model"});
  } else {
    known.insert({"base_url", "api_key_file"});
    if (kind == ProviderKind::kOpenAi) known.insert("embedding_model");
    if (kind == ProviderKind::kAnthropic) known.insert("anthropic_version");
  }
  if (node["api_key"]) {
    return Status::Usage(fmt::format(
        "{}: {}.api_key is not read from the config file; put the key in a file and name it with "
        "api_key_file, or use {}", file, where, VariablesOf(kind).key));
  }
  VCFAGENT_RETURN_IF_ERROR(UnknownYamlKeys(node, known, where, file));
  ProviderSettings& s = out.settings;
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "model", s.model, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "embedding_model", s.embedding_model, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, kind == ProviderKind::kOllama ? "host" : "base_url",
                                      s.base_url, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "api_key_file", out.api_key_file, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "anthropic_version", s.anthropic_version, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "timeout_seconds", s.timeout_seconds, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "connect_timeout_seconds", s.connect_timeout_seconds, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "max_retries", s.max_retries, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "backoff_initial_seconds", s.backoff_initial_seconds, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "backoff_max_seconds", s.backoff_max_seconds, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "breaker_failures", s.breaker_failures, where, file));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(node, "breaker_cooldown_seconds", s.breaker_cooldown_seconds, where, file));
  if (s.timeout_seconds <= 0 || s.connect_timeout_seconds <= 0 || s.max_retries < 0 ||
      s.backoff_initial_seconds < 0 || s.backoff_max_seconds < 0 || s.breaker_failures < 1 ||
      s.breaker_cooldown_seconds < 0) {
    return Status::Usage(fmt::format("{}: {}: timeouts must be positive, retries, backoffs and "
                                     "cooldowns not negative, breaker_failures at least 1", file, where));
  }
  out.present = true;
  return Status::Ok();
}

Result<ConfigFile> ReadConfigFile(const std::string& file) {
  ConfigFile config;
  config.prices = DefaultPrices();
  for (ProviderKind kind : kAllKinds) config.providers[kind].settings = DefaultSettings(kind);
  auto loaded = LoadYamlConfigFile(file);
  if (!loaded.ok()) return loaded.status();
  const YAML::Node root = std::move(*loaded);
  if (root.IsNull()) return config;
  if (!root.IsMap()) return Status::Usage(fmt::format("{}: the top level must be a mapping", file));
  // Other sections (`server`, read by serve) belong to other commands; only `ai` is read here.
  const YAML::Node ai = root["ai"];
  if (!ai) return config;
  if (!ai.IsMap()) return Status::Usage(fmt::format("{}: ai must be a mapping", file));
  VCFAGENT_RETURN_IF_ERROR(UnknownYamlKeys(
      ai, {"providers", "openai", "anthropic", "ollama", "limits", "prices"}, "ai", file));
  if (const YAML::Node chain = ai["providers"]) {
    if (chain.IsSequence()) {
      for (const auto& name : chain) config.chain.push_back(name.as<std::string>());
    } else if (chain.IsScalar()) {
      config.chain.push_back(chain.as<std::string>());
    } else {
      return Status::Usage(fmt::format("{}: ai.providers must be a list of provider names", file));
    }
  }
  for (ProviderKind kind : kAllKinds) {
    if (const YAML::Node node = ai[std::string(ToString(kind))]) {
      VCFAGENT_RETURN_IF_ERROR(ReadProviderSection(node, kind, file, config.providers[kind]));
    }
  }
  if (const YAML::Node limits = ai["limits"]) {
    VCFAGENT_RETURN_IF_ERROR(UnknownYamlKeys(
        limits, {"max_steps", "max_seconds", "max_tokens", "tool_result_bytes"}, "ai.limits", file));
    AgentLimits& l = config.limits;
    VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(limits, "max_steps", l.max_steps, "ai.limits", file));
    VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(limits, "max_seconds", l.max_seconds, "ai.limits", file));
    VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(limits, "max_tokens", l.max_tokens, "ai.limits", file));
    VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(limits, "tool_result_bytes", l.tool_result_bytes, "ai.limits", file));
    if (l.max_steps < 1 || l.max_seconds <= 0 || l.max_tokens < 1 || l.tool_result_bytes < 256) {
      return Status::Usage(fmt::format("{}: ai.limits: max_steps, max_seconds and max_tokens must be "
                                       "positive and tool_result_bytes at least 256", file));
    }
  }
  if (const YAML::Node prices = ai["prices"]) {
    if (!prices.IsMap()) return Status::Usage(fmt::format("{}: ai.prices must map model names to prices", file));
    for (const auto& item : prices) {
      const auto model = item.first.as<std::string>();
      const std::string where = "ai.prices." + model;
      VCFAGENT_RETURN_IF_ERROR(UnknownYamlKeys(item.second, {"input_per_mtok", "output_per_mtok"}, where, file));
      ModelPrice price;
      VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(item.second, "input_per_mtok", price.input_per_mtok, where, file));
      VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(item.second, "output_per_mtok", price.output_per_mtok, where, file));
      config.prices[model] = price;
    }
  }
  return config;
}

std::string ConfigFilePath(const AiFlags& flags, const EnvironmentLookup& env, bool* explicit_choice) {
  *explicit_choice = true;
  if (!flags.config_file.empty()) return flags.config_file;
  if (auto file = env("VCF_AGENT_CONFIG"); file && !file->empty()) return *file;
  *explicit_choice = false;
  std::string base;
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    base = *xdg;
  } else if (auto home = env("HOME"); home && !home->empty()) {
    base = *home + "/.config";
  } else {
    return "";
  }
  return base + "/vcf-agent/config.yaml";
}

Result<std::vector<std::string>> SplitChain(const std::string& text) {
  std::vector<std::string> names;
  if (Trim(text).ends_with(',')) return Status::Usage(fmt::format("empty provider name in '{}'", text));
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    name = Trim(name);
    if (name.empty()) return Status::Usage(fmt::format("empty provider name in '{}'", text));
    names.push_back(name);
  }
  return names;
}

// The key of one provider: environment first (the variable or its _FILE twin, not both), then
// the config file's api_key_file.
Status ResolveKey(ProviderKind kind, const FileProvider& from_file, const EnvironmentLookup& env,
                  Secret& key) {
  const ProviderVariables vars = VariablesOf(kind);
  if (vars.key[0] == '\0') return Status::Ok();
  const auto direct = env(vars.key);
  const auto file = env(vars.key_file);
  const bool has_direct = direct && !Trim(*direct).empty();
  const bool has_file = file && !file->empty();
  if (has_direct && has_file) {
    return Status::Usage(fmt::format("both {} and {} are set; set only one", vars.key, vars.key_file));
  }
  if (has_direct) {
    key = Secret(Trim(*direct));
    return Status::Ok();
  }
  if (has_file) {
    auto secret = ReadKeyFile(*file, vars.key_file);
    if (!secret.ok()) return secret.status();
    key = std::move(secret.value());
    return Status::Ok();
  }
  if (!from_file.api_key_file.empty()) {
    auto secret = ReadKeyFile(from_file.api_key_file, "api_key_file in the config file");
    if (!secret.ok()) return secret.status();
    key = std::move(secret.value());
  }
  return Status::Ok();
}

bool HasCredentials(ProviderKind kind, const FileProvider& from_file, const EnvironmentLookup& env) {
  const ProviderVariables vars = VariablesOf(kind);
  if (kind == ProviderKind::kOllama) {
    auto host = env(vars.base_url);
    return host && !host->empty();
  }
  auto direct = env(vars.key);
  auto file = env(vars.key_file);
  return (direct && !direct->empty()) || (file && !file->empty()) || !from_file.api_key_file.empty();
}

}  // namespace

std::string_view ToString(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kOpenAi: return "openai";
    case ProviderKind::kAnthropic: return "anthropic";
    case ProviderKind::kOllama: return "ollama";
  }
  return "openai";
}

Result<ProviderKind> ParseProviderKind(const std::string& text) {
  for (ProviderKind kind : kAllKinds) {
    if (text == ToString(kind)) return kind;
  }
  return Status::Usage(fmt::format("unknown AI provider '{}' (expected openai, anthropic or ollama)", text));
}

EnvironmentLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<AiConfig> LoadAiConfig(const AiFlags& flags, const EnvironmentLookup& env) {
  bool explicit_file = false;
  const std::string path = ConfigFilePath(flags, env, &explicit_file);
  ConfigFile file;
  std::error_code ec;
  const bool read_file = !path.empty() && (explicit_file || std::filesystem::exists(path, ec));
  if (read_file) {
    auto read = ReadConfigFile(path);
    if (!read.ok()) return read.status();
    file = std::move(read.value());
  } else {
    file.prices = DefaultPrices();
    for (ProviderKind kind : kAllKinds) file.providers[kind].settings = DefaultSettings(kind);
  }

  AiConfig config;
  config.limits = file.limits;
  config.prices = file.prices;
  if (read_file) config.config_file = path;

  // Which providers, in which order: flag, environment, config file, else every provider whose
  // credentials are present (so OPENAI_API_KEY alone is enough to ask a question).
  std::vector<std::string> names;
  std::string chain_source;
  if (!flags.provider.empty()) {
    auto split = SplitChain(flags.provider);
    if (!split.ok()) return split.status().WithContext("--provider");
    names = split.value();
    chain_source = "--provider";
  } else if (auto from_env = env("VCF_AGENT_PROVIDER"); from_env && !from_env->empty()) {
    auto split = SplitChain(*from_env);
    if (!split.ok()) return split.status().WithContext("VCF_AGENT_PROVIDER");
    names = split.value();
    chain_source = "VCF_AGENT_PROVIDER";
  } else if (!file.chain.empty()) {
    names = file.chain;
    chain_source = path;
  } else {
    for (ProviderKind kind : kAllKinds) {
      if (HasCredentials(kind, file.providers[kind], env)) names.emplace_back(ToString(kind));
    }
  }

  std::set<ProviderKind> seen;
  for (const std::string& name : names) {
    auto kind = ParseProviderKind(name);
    if (!kind.ok()) return chain_source.empty() ? kind.status() : kind.status().WithContext(chain_source);
    if (!seen.insert(*kind).second) {
      return Status::Usage(fmt::format("{}: provider '{}' is listed twice", chain_source, name));
    }
    const FileProvider& from_file = file.providers[*kind];
    ProviderSettings settings = from_file.settings;
    const ProviderVariables vars = VariablesOf(*kind);
    if (auto url = env(vars.base_url); url && !url->empty()) settings.base_url = *url;
    VCFAGENT_RETURN_IF_ERROR(ResolveKey(*kind, from_file, env, settings.api_key));
    config.chain.push_back(std::move(settings));
  }
  if (!config.chain.empty()) {
    if (!flags.model.empty()) config.chain.front().model = flags.model;
    if (!flags.base_url.empty()) config.chain.front().base_url = flags.base_url;
  } else if (!flags.model.empty() || !flags.base_url.empty()) {
    return Status::Usage("--model and --base-url need a provider (--provider openai|anthropic|ollama)");
  }
  for (ProviderSettings& settings : config.chain) {
    if (settings.kind == ProviderKind::kOllama) {
      settings.base_url = NormaliseOllamaHost(settings.base_url);
    } else {
      settings.base_url = StripTrailingSlash(Trim(settings.base_url));
    }
    VCFAGENT_RETURN_IF_ERROR(CheckUrl(settings.base_url, std::string(ToString(settings.kind)) + " base URL"));
  }
  return config;
}

std::string RedactSecrets(const AiConfig& config, std::string text) {
  for (const ProviderSettings& settings : config.chain) {
    const std::string& key = settings.api_key.reveal();
    if (key.size() < 4) continue;  // too short to search for without mangling ordinary text
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
      text.replace(at, key.size(), "[redacted]");
    }
  }
  static const std::regex kKeyLike(R"(sk-(ant-)?[A-Za-z0-9_\-]{8,})");
  return std::regex_replace(text, kKeyLike, "[redacted]");
}

}  // namespace vcfagent::ai
