// LoadAiConfig: precedence of flags, environment and the config file; keys from variables and
// files; errors that name their source; secrets that never print.
#include "ai/provider_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "support/test_support.h"

namespace vcfagent::ai {
namespace {

using vcfagent::testing::TempDir;
using vcfagent::testing::WriteFile;

EnvironmentLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ProviderConfigTest, NothingConfiguredGivesAnEmptyChain) {
  TempDir home;
  auto config = LoadAiConfig({}, Env({{"HOME", home.path()}}));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->chain.empty());
  EXPECT_EQ(config->config_file, "");
  EXPECT_EQ(config->limits.max_steps, 12);
}

TEST(ProviderConfigTest, StandardVariablesSelectProvidersInAFixedOrder) {
  TempDir home;
  auto config = LoadAiConfig({}, Env({{"HOME", home.path()},
                                      {"OLLAMA_HOST", "gpu-box:8080"},
                                      {"OPENAI_API_KEY", "sk-test-1234567890"}}));
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->chain.size(), 2u);
  EXPECT_EQ(config->chain[0].kind, ProviderKind::kOpenAi);
  EXPECT_EQ(config->chain[0].api_key.reveal(), "sk-test-1234567890");
  EXPECT_EQ(config->chain[0].base_url, "https://api.openai.com/v1");
  EXPECT_EQ(config->chain[1].kind, ProviderKind::kOllama);
  EXPECT_EQ(config->chain[1].base_url, "http://gpu-box:8080");
}

TEST(ProviderConfigTest, FlagChainOverridesEnvironmentAndAppliesModelToTheFirst) {
  TempDir home;
  AiFlags flags;
  flags.provider = "ollama, openai";
  flags.model = "qwen2.5:7b";
  auto config = LoadAiConfig(flags, Env({{"HOME", home.path()},
                                         {"VCF_AGENT_PROVIDER", "anthropic"},
                                         {"OPENAI_BASE_URL", "http://127.0.0.1:9/v1/"},
                                         {"OLLAMA_HOST", "0.0.0.0"}}));
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->chain.size(), 2u);
  EXPECT_EQ(config->chain[0].kind, ProviderKind::kOllama);
  EXPECT_EQ(config->chain[0].model, "qwen2.5:7b");
  EXPECT_EQ(config->chain[0].base_url, "http://127.0.0.1:11434");
  EXPECT_EQ(config->chain[1].model, "gpt-4o-mini");
  EXPECT_EQ(config->chain[1].base_url, "http://127.0.0.1:9/v1");
  EXPECT_TRUE(config->chain[1].api_key.empty());
}

TEST(ProviderConfigTest, KeyFromFileIsTrimmedAndNeverPrinted) {
  TempDir dir;
  WriteFile(dir.File("key"), "sk-ant-secretvalue-42\n");
  AiFlags flags;
  flags.provider = "anthropic";
  auto config = LoadAiConfig(flags, Env({{"HOME", dir.path()}, {"ANTHROPIC_API_KEY_FILE", dir.File("key")}}));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->chain[0].api_key.reveal(), "sk-ant-secretvalue-42");
  EXPECT_EQ(config->chain[0].api_key.ToString(), "[redacted]");
  EXPECT_EQ(RedactSecrets(*config, "HTTP 401: invalid x-api-key sk-ant-secretvalue-42 given"),
            "HTTP 401: invalid x-api-key [redacted] given");
}

TEST(ProviderConfigTest, KeyErrorsNameTheSourceButNotTheKey) {
  TempDir dir;
  AiFlags flags;
  flags.provider = "openai";
  auto both = LoadAiConfig(flags, Env({{"HOME", dir.path()}, {"OPENAI_API_KEY", "sk-abcdefghijkl"},
                                       {"OPENAI_API_KEY_FILE", dir.File("k")}}));
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(both.status().message().find("OPENAI_API_KEY_FILE"), std::string::npos);
  EXPECT_EQ(both.status().message().find("sk-abcdefghijkl"), std::string::npos);

  auto missing = LoadAiConfig(flags, Env({{"HOME", dir.path()}, {"OPENAI_API_KEY_FILE", dir.File("nope")}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kIo);
  EXPECT_NE(missing.status().message().find(dir.File("nope")), std::string::npos);

  WriteFile(dir.File("empty"), "  \n");
  auto empty = LoadAiConfig(flags, Env({{"HOME", dir.path()}, {"OPENAI_API_KEY_FILE", dir.File("empty")}}));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);
}

TEST(ProviderConfigTest, ConfigFileSetsChainProvidersLimitsAndPrices) {
  TempDir dir;
  WriteFile(dir.File("key"), "sk-fromfile-000111\n");
  WriteFile(dir.File("config.yaml"), R"(# vcf-agent configuration
server:
  port: 8080
ai:
  providers: [ollama, openai]
  ollama:
    host: http://ollama.lab:11434
    model: llama3.2
    timeout_seconds: 30
  openai:
    api_key_file: )" + dir.File("key") + R"(
    model: gpt-4.1-mini
    max_retries: 5
  limits:
    max_steps: 4
    tool_result_bytes: 2000
  prices:
    llama3.2: {input_per_mtok: 0.01, output_per_mtok: 0.02}
)");
  AiFlags flags;
  flags.config_file = dir.File("config.yaml");
  auto config = LoadAiConfig(flags, Env({{"HOME", dir.path()}}));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->config_file, dir.File("config.yaml"));
  ASSERT_EQ(config->chain.size(), 2u);
  EXPECT_EQ(config->chain[0].base_url, "http://ollama.lab:11434");
  EXPECT_EQ(config->chain[0].model, "llama3.2");
  EXPECT_DOUBLE_EQ(config->chain[0].timeout_seconds, 30);
  EXPECT_EQ(config->chain[1].api_key.reveal(), "sk-fromfile-000111");
  EXPECT_EQ(config->chain[1].max_retries, 5);
  EXPECT_EQ(config->limits.max_steps, 4);
  EXPECT_EQ(config->limits.tool_result_bytes, 2000u);
  EXPECT_DOUBLE_EQ(config->prices.at("llama3.2").output_per_mtok, 0.02);
  EXPECT_DOUBLE_EQ(config->prices.at("gpt-4o-mini").input_per_mtok, 0.15);

  // The environment's key wins over the file's api_key_file.
  auto from_env = LoadAiConfig(flags, Env({{"HOME", dir.path()}, {"OPENAI_API_KEY", "sk-env-999888777"}}));
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->chain[1].api_key.reveal(), "sk-env-999888777");
}

TEST(ProviderConfigTest, ConfigFileFromXdgDirectoryIsFoundWithoutAFlag) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("xdg/vcf-agent"));
  WriteFile(dir.File("xdg/vcf-agent/config.yaml"), "ai:\n  providers: ollama\n");
  auto config = LoadAiConfig({}, Env({{"XDG_CONFIG_HOME", dir.File("xdg")}}));
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->chain.size(), 1u);
  EXPECT_EQ(config->chain[0].kind, ProviderKind::kOllama);
}

TEST(ProviderConfigTest, BadConfigFilesGiveOnePreciseMessage) {
  TempDir dir;
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"ai:\n  providers: [openai]\n  opneai: {}\n", "unknown key 'opneai' in ai"},
      {"ai:\n  openai:\n    api_key: sk-inline-123456789\n", "api_key_file"},
      {"ai:\n  ollama:\n    timeout_seconds: fast\n", "ai.ollama.timeout_seconds has the wrong type"},
      {"ai:\n  providers: [openai, gemini]\n", "unknown AI provider 'gemini'"},
      {"ai:\n  providers: [ollama, ollama]\n", "listed twice"},
      {"ai:\n  limits: {max_steps: 0}\n", "max_steps"},
      {"ai: [unclosed\n", "line"},
  };
  for (const Case& c : cases) {
    WriteFile(dir.File("bad.yaml"), c.yaml);
    AiFlags flags;
    flags.config_file = dir.File("bad.yaml");
    auto config = LoadAiConfig(flags, Env({{"HOME", dir.path()}, {"OLLAMA_HOST", "x"}}));
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().kind(), ErrorKind::kUsage) << c.yaml;
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << c.yaml << " -> " << config.status().message();
    EXPECT_EQ(config.status().message().find("sk-inline-123456789"), std::string::npos);
  }
  AiFlags missing;
  missing.config_file = dir.File("absent.yaml");
  auto absent = LoadAiConfig(missing, Env({{"HOME", dir.path()}}));
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().kind(), ErrorKind::kIo);
}

TEST(ProviderConfigTest, BadFlagsAreUsageErrors) {
  TempDir dir;
  AiFlags flags;
  flags.provider = "openai,";
  EXPECT_EQ(LoadAiConfig(flags, Env({{"HOME", dir.path()}})).status().kind(), ErrorKind::kUsage);
  flags.provider = "ollama";
  flags.base_url = "ftp://x";
  auto bad_url = LoadAiConfig(flags, Env({{"HOME", dir.path()}}));
  ASSERT_FALSE(bad_url.ok());
  EXPECT_NE(bad_url.status().message().find("not an http"), std::string::npos);
  AiFlags model_only;
  model_only.model = "gpt-4o";
  EXPECT_EQ(LoadAiConfig(model_only, Env({{"HOME", dir.path()}})).status().kind(), ErrorKind::kUsage);
}

TEST(ProviderConfigTest, RedactionCatchesKeyShapedTokensToo) {
  AiConfig config;
  EXPECT_EQ(RedactSecrets(config, "Incorrect API key provided: sk-proj-AbC123xyz789. See docs."),
            "Incorrect API key provided: [redacted]. See docs.");
  EXPECT_EQ(RedactSecrets(config, "no secrets here"), "no secrets here");
}

}  // namespace
}  // namespace vcfagent::ai
