#include "ai/providers.h"

#include "ai/anthropic_provider.h"
#include "ai/ollama_provider.h"
#include "ai/openai_provider.h"

namespace vcfagent::ai {
namespace {

bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

Status CheckBaseUrl(const char* provider, const char* variable, const std::string& url) {
  if (url.empty() || IsHttpUrl(url)) return Status::Ok();
  return Status::Usage(std::string(provider) + ": base URL '" + url + "' is not an http:// or https:// URL (" +
                       variable + ", --base-url or base_url in the config file)");
}

Status CheckOpenAi(const ProviderSettings& settings) {
  VCFAGENT_RETURN_IF_ERROR(CheckBaseUrl("openai", "OPENAI_BASE_URL", settings.base_url));
  bool official = settings.base_url.empty() || settings.base_url.find("://api.openai.com") != std::string::npos;
  if (official && settings.api_key.empty()) {
    return Status::Usage(
        "openai: no API key: set OPENAI_API_KEY, or OPENAI_API_KEY_FILE to a file holding it (or api_key_file "
        "in the config file); an OpenAI-compatible local server needs none when OPENAI_BASE_URL points at it");
  }
  return Status::Ok();
}

Status CheckAnthropic(const ProviderSettings& settings) {
  VCFAGENT_RETURN_IF_ERROR(CheckBaseUrl("anthropic", "ANTHROPIC_BASE_URL", settings.base_url));
  if (settings.api_key.empty()) {
    return Status::Usage(
        "anthropic: no API key: set ANTHROPIC_API_KEY, or ANTHROPIC_API_KEY_FILE to a file holding it (or "
        "api_key_file in the config file)");
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<ChatProvider>> MakeChatProvider(const ProviderSettings& settings) {
  switch (settings.kind) {
    case ProviderKind::kOpenAi:
      VCFAGENT_RETURN_IF_ERROR(CheckOpenAi(settings));
      return std::shared_ptr<ChatProvider>(std::make_shared<OpenAiProvider>(settings));
    case ProviderKind::kAnthropic:
      VCFAGENT_RETURN_IF_ERROR(CheckAnthropic(settings));
      return std::shared_ptr<ChatProvider>(std::make_shared<AnthropicProvider>(settings));
    case ProviderKind::kOllama:
      return std::shared_ptr<ChatProvider>(std::make_shared<OllamaProvider>(settings));
  }
  return Status::Internal("unknown provider kind");
}

Result<std::shared_ptr<EmbeddingProvider>> MakeEmbeddingProvider(const ProviderSettings& settings) {
  switch (settings.kind) {
    case ProviderKind::kOpenAi:
      VCFAGENT_RETURN_IF_ERROR(CheckOpenAi(settings));
      return std::shared_ptr<EmbeddingProvider>(std::make_shared<OpenAiProvider>(settings));
    case ProviderKind::kAnthropic:
      return Status::Usage(
          "anthropic: Anthropic has no embeddings API; use --embeddings openai or --embeddings ollama");
    case ProviderKind::kOllama:
      return std::shared_ptr<EmbeddingProvider>(std::make_shared<OllamaProvider>(settings));
  }
  return Status::Internal("unknown provider kind");
}

}  // namespace vcfagent::ai
