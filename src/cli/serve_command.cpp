// vcf-agent serve: the REST service (src/server). Flags override the `server:` section of the
// config file; see docs/api.md and docs/operations.md.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "cli/ai_options.h"
#include "cli/command.h"
#include "obs/log.h"
#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "server/server.h"
#include "store/store.h"
#include "util/progress.h"

namespace vcfagent::cli {
namespace {

struct ServeArgs {
  ai::AiFlags ai;
  std::string db, host, api_keys_file, tls_cert, tls_key, log_level;
  int port = 0, max_jobs = 0, threads = 0;
  std::vector<std::string> data_dirs, cors_origins;
  bool no_auth = false;
};

// The store must exist before the service starts: readers never create it.
Status EnsureStore(const std::string& dir) {
  if (std::filesystem::exists(std::filesystem::path(dir) / "store.sqlite")) {
    auto store = store::Store::Open(dir, store::Store::Access::kRead);
    return store.ok() ? Status::Ok() : store.status();
  }
  auto store = store::Store::Open(dir, store::Store::Access::kWrite);
  return store.ok() ? Status::Ok() : store.status();
}

int RunServe(const ServeArgs& args, CLI::App& app) {
  // A client that disconnects mid-response must cost one write error, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto ai_config = ai::LoadAiConfig(args.ai);
  if (!ai_config.ok()) return ReportError("serve", ai_config.status());
  auto loaded = server::LoadServerConfig(ai_config->config_file.empty() ? args.ai.config_file : ai_config->config_file);
  if (!loaded.ok()) return ReportError("serve", loaded.status());
  server::ServerConfig config = std::move(loaded).value();
  if (app.count("--host") > 0) config.host = args.host;
  if (app.count("--port") > 0) config.port = args.port;
  if (app.count("--data-dir") > 0) config.data_dirs = args.data_dirs;
  if (app.count("--cors-origin") > 0) config.cors_origins = args.cors_origins;
  if (app.count("--api-keys") > 0) config.api_keys_file = args.api_keys_file;
  if (app.count("--tls-cert") > 0) config.tls_cert_file = args.tls_cert;
  if (app.count("--tls-key") > 0) config.tls_key_file = args.tls_key;
  if (app.count("--max-jobs") > 0) config.max_jobs = args.max_jobs;
  if (app.count("--threads") > 0) config.threads = args.threads;
  if (app.count("--log-level") > 0) config.log_level = args.log_level;
  if (args.no_auth) config.auth = false;
  config.store_dir = StoreDirectory(args.db);
  if (Status s = server::FinishServerConfig(config); !s.ok()) return ReportError("serve", s);

  obs::LogLevel level;
  if (!obs::ParseLogLevel(config.log_level, &level)) {
    return ReportError("serve", Status::Usage(fmt::format("unknown log level '{}' (debug, info, warn, error)",
                                                          config.log_level)));
  }
  std::string tracing_error;
  const obs::TracingConfig tracing = obs::TracingConfig::FromEnvironment(&tracing_error);
  if (!tracing_error.empty()) return ReportError("serve", Status::Usage(tracing_error));
  if (Status s = EnsureStore(config.store_dir); !s.ok()) return ReportError("serve", s);
  std::error_code ec;
  std::filesystem::create_directories(config.upload_dir, ec);
  if (ec) {
    return ReportError("serve", Status::IoError(fmt::format("cannot create the upload directory {}: {}",
                                                            config.upload_dir, ec.message())));
  }

  server::KeyStore keys;
  std::string admin_key;  // created now: printed once, never logged
  if (config.auth) {
    auto loaded_keys = server::KeyStore::Load(config.api_keys_file);
    if (!loaded_keys.ok()) return ReportError("serve", loaded_keys.status());
    keys = std::move(loaded_keys).value();
    auto created = keys.EnsureAdminKey(config.api_keys_file);
    if (!created.ok()) return ReportError("serve", created.status());
    if (created->has_value()) {
      admin_key = **created;
      // Shown once: only its hash is kept.
      fmt::print("vcf-agent serve: created an admin API key; it is shown only now, {} keeps its hash:\n  {}\n",
                 config.api_keys_file, **created);
      std::fflush(stdout);
    }
  } else {
    ReportWarning("serve", "authentication is off (--no-auth): every client has the admin role");
  }

  obs::ConfigureLogging(level);
  if (config.auth && !admin_key.empty()) obs::AddLogSecret(admin_key);
  for (const auto& provider : ai_config->chain) {
    if (!provider.api_key.empty()) obs::AddLogSecret(provider.api_key.reveal());
  }
  obs::Metrics();  // every family is listed from the first scrape on
  obs::StartTracing(tracing);

  server::Service service(config, *ai_config, std::move(keys));
  server::Router router = server::MakeRouter();
  server::Server server(service, router);
  auto port = server.Bind();
  if (!port.ok()) {
    obs::ShutdownTracing();
    return ReportError("serve", port.status());
  }
  const std::string url = fmt::format("{}://{}:{}", server.tls() ? "https" : "http", config.host, *port);
  fmt::print("vcf-agent serve: listening on {}\n", url);
  std::fflush(stdout);
  obs::Log(obs::LogLevel::kInfo, "listening",
           {{"url", url}, {"store", config.store_dir}, {"auth", config.auth}, {"tls", server.tls()},
            {"data_dirs", config.data_dirs}, {"version", VCFAGENT_VERSION}});

  // SIGINT/SIGTERM set the cancel flag (main.cpp): running jobs stop at their next commit point
  // and the server stops accepting; in-flight requests finish.
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (CancelRequested()) {
        obs::Log(obs::LogLevel::kInfo, "shutting down", {{"reason", "signal"}});
        server.Stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  Status run = server.Run();
  done.store(true);
  watcher.join();
  obs::ShutdownTracing();
  if (!run.ok()) return ReportError("serve", run);
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& root) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* app = root.add_subcommand("serve", "Run the REST service (API, health checks, metrics)");
  app->add_option("--host", args->host, "Address to listen on (default 127.0.0.1)");
  app->add_option("--port", args->port, "Port (default 8080; 0 picks a free port)");
  AddStoreOption(*app, args->db);
  AddAiOptions(*app, args->ai);
  app->add_option("--data-dir", args->data_dirs,
                  "A directory whose files clients may name by path (repeatable)");
  app->add_option("--api-keys", args->api_keys_file, "The API keys file (default DB/api-keys)");
  app->add_flag("--no-auth", args->no_auth, "No API keys: every client is admin (local use only)");
  app->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS");
  app->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  app->add_option("--cors-origin", args->cors_origins, "An origin allowed by CORS (repeatable)");
  app->add_option("--max-jobs", args->max_jobs, "Concurrent jobs (ingest, analyze; default 2)");
  app->add_option("--threads", args->threads, "HTTP worker threads (default 128)");
  app->add_option("--log-level", args->log_level, "debug, info, warn or error (default info)");
  return {app, [args, app] { return RunServe(*args, *app); }};
}

}  // namespace vcfagent::cli
