#include "server/server_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include <fmt/format.h>

#include "util/yaml_config.h"

namespace vcfagent::server {
namespace {

Status ReadList(const YAML::Node& map, const char* key, std::vector<std::string>& out, const std::string& file) {
  const YAML::Node node = map[key];
  if (!node) return Status::Ok();
  if (!node.IsSequence()) {
    return Status::Usage(fmt::format("{}: server.{} must be a list (line {})", file, key, node.Mark().line + 1));
  }
  out.clear();
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      return Status::Usage(fmt::format("{}: server.{} must be a list of strings (line {})", file, key,
                                       item.Mark().line + 1));
    }
    out.push_back(item.as<std::string>());
  }
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::string& config_path) {
  ServerConfig config;
  if (config_path.empty()) return config;
  config.config_path = config_path;
  auto loaded = LoadYamlConfigFile(config_path);
  if (!loaded.ok()) return loaded.status();
  const YAML::Node root = std::move(*loaded);
  if (root.IsNull()) return config;
  if (!root.IsMap()) return Status::Usage(fmt::format("{}: the top level must be a mapping", config_path));
  VCFAGENT_RETURN_IF_ERROR(UnknownYamlKeys(root, {"ai", "server"}, "the top level", config_path));
  const YAML::Node s = root["server"];
  if (!s) return config;
  if (!s.IsMap()) return Status::Usage(fmt::format("{}: server must be a mapping", config_path));
  const std::string& f = config_path;
  VCFAGENT_RETURN_IF_ERROR(UnknownYamlKeys(
      s,
      {"host", "port", "data_dirs", "upload_dir", "api_keys_file", "auth", "max_body_bytes",
       "max_upload_bytes", "request_timeout_seconds", "max_jobs", "threads", "rate_limit_per_second",
       "rate_limit_burst", "cors_origins", "tls_cert_file", "tls_key_file", "log_level", "header_timeout_seconds",
       "body_timeout_seconds", "max_connections_per_client"},
      "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "host", config.host, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "port", config.port, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadList(s, "data_dirs", config.data_dirs, f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "upload_dir", config.upload_dir, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "api_keys_file", config.api_keys_file, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "auth", config.auth, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "max_body_bytes", config.max_body_bytes, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "max_upload_bytes", config.max_upload_bytes, "server", f));
  VCFAGENT_RETURN_IF_ERROR(
      ReadYamlScalar(s, "request_timeout_seconds", config.request_timeout_seconds, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "max_jobs", config.max_jobs, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "threads", config.threads, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "rate_limit_per_second", config.rate_limit_per_second, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "rate_limit_burst", config.rate_limit_burst, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadList(s, "cors_origins", config.cors_origins, f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "tls_cert_file", config.tls_cert_file, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "tls_key_file", config.tls_key_file, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "log_level", config.log_level, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "header_timeout_seconds", config.header_timeout_seconds, "server", f));
  VCFAGENT_RETURN_IF_ERROR(ReadYamlScalar(s, "body_timeout_seconds", config.body_timeout_seconds, "server", f));
  VCFAGENT_RETURN_IF_ERROR(
      ReadYamlScalar(s, "max_connections_per_client", config.max_connections_per_client, "server", f));
  return config;
}

Status FinishServerConfig(ServerConfig& config) {
  namespace fs = std::filesystem;
  if (config.port < 0 || config.port > 65535) {
    return Status::Usage(fmt::format("port {} is out of range (0-65535; 0 picks a free port)", config.port));
  }
  if (config.max_body_bytes <= 0 || config.max_upload_bytes <= 0) {
    return Status::Usage("max_body_bytes and max_upload_bytes must be positive");
  }
  if (config.max_jobs < 1) return Status::Usage(fmt::format("max_jobs must be at least 1, not {}", config.max_jobs));
  if (config.threads < 4) return Status::Usage(fmt::format("threads must be at least 4, not {}", config.threads));
  if (config.request_timeout_seconds < 0) return Status::Usage("request_timeout_seconds must not be negative");
  if (config.header_timeout_seconds < 1 || config.body_timeout_seconds < 1) {
    return Status::Usage("header_timeout_seconds and body_timeout_seconds must be at least 1");
  }
  if (config.max_connections_per_client < 0) {
    return Status::Usage("max_connections_per_client must not be negative (0: no limit)");
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return Status::Usage("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
  }
  for (const std::string* file : {&config.tls_cert_file, &config.tls_key_file}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
      return Status::IoError(fmt::format("cannot read {}", *file));
    }
  }
  for (auto& dir : config.data_dirs) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(dir, ec);
    if (ec || !fs::is_directory(canonical)) {
      return Status::Usage(fmt::format("the data directory {} does not exist or is not a directory", dir));
    }
    dir = canonical.string();
  }
  if (config.store_dir.empty()) return Status::Internal("no store directory");
  if (config.upload_dir.empty()) config.upload_dir = config.store_dir + "/uploads";
  if (config.api_keys_file.empty()) config.api_keys_file = config.store_dir + "/api-keys";
  for (const auto& origin : config.cors_origins) {
    if (!origin.starts_with("http://") && !origin.starts_with("https://")) {
      return Status::Usage(fmt::format("the CORS origin '{}' must look like https://host[:port]", origin));
    }
  }
  return Status::Ok();
}

}  // namespace vcfagent::server
