#include "server/service.h"

namespace vcfagent::server {

Service::Service(ServerConfig config, ai::AiConfig ai, KeyStore keys)
    : config_(std::move(config)),
      ai_(std::move(ai)),
      keys_(std::move(keys)),
      jobs_(config_.max_jobs),
      rate_limiter_(config_.rate_limit_per_second, config_.rate_limit_burst),
      started_(std::chrono::system_clock::now()) {}

}  // namespace vcfagent::server
