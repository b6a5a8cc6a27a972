// Config files are parsed within bounds: size, nesting and value count, with Usage errors that
// name the file and the limit, through both readers (ai: and server:).
#include "util/yaml_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "ai/provider_config.h"
#include "server/server_config.h"
#include "support/test_support.h"
#include "util/text_limits.h"

namespace vcfagent {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteFile;

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Both readers refuse `text` with a Usage error containing `expected`.
void ExpectRefused(const std::string& text, const std::string& expected) {
  TempDir dir;
  const std::string path = dir.File("config.yaml");
  WriteFile(path, text);
  auto server = server::LoadServerConfig(path);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().kind(), ErrorKind::kUsage);
  EXPECT_THAT(server.status().message(), HasSubstr(path + ": ")) << server.status().message();
  EXPECT_THAT(server.status().message(), HasSubstr(expected));
  ai::AiFlags flags;
  flags.config_file = path;
  auto ai_config = ai::LoadAiConfig(flags, [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(ai_config.ok());
  EXPECT_EQ(ai_config.status().kind(), ErrorKind::kUsage);
  EXPECT_THAT(ai_config.status().message(), HasSubstr(expected));
}

TEST(YamlConfigTest, DeepFlowNestingIsRefusedWithTheLimit) {
  // yaml-cpp stops itself (with the message "bad file") a few hundred levels down.
  ExpectRefused("server:\n  cors_origins: " + Repeat("[", 100000) + Repeat("]", 100000) + "\n",
                "line 2: mappings and sequences nest more than 16 deep");
  ExpectRefused("ai:\n  prices: " + Repeat("[", 40) + Repeat("]", 40) + "\n",
                "line 2: mappings and sequences nest more than 16 deep");
}

TEST(YamlConfigTest, DeepBlockNestingIsRefused) {
  std::string deep = "server:\n";
  for (int i = 1; i < 40; ++i) deep += std::string(2 * i, ' ') + "k" + std::to_string(i) + ":\n";
  ExpectRefused(deep, "mappings and sequences nest more than 16 deep");
  ExpectRefused("server:\n  data_dirs:\n    " + Repeat("- ", 50000) + "x\n",
                "mappings and sequences nest more than 16 deep");
}

TEST(YamlConfigTest, AliasBombsAndCyclesAreRefused) {
  // Each level uses the one below 8 times: 8^8 values from a few hundred bytes, 9 levels deep.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {
    const std::string below = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + below;
    for (int k = 1; k < 8; ++k) bomb += ", " + below;
    bomb += "]\n";
  }
  ExpectRefused(bomb, "more than 100000 values (aliases count at each use)");
  ExpectRefused("server: &s {cors_origins: [*s]}\n", "nest more than 16 deep");
}

TEST(YamlConfigTest, OversizedFileIsRefusedBeforeParsing) {
  ExpectRefused("server:\n  host: \"" + std::string(kMaxConfigFileBytes, 'x') + "\"\n",
                "the config file is more than 1048576 bytes long; the limit is 1048576 bytes");
}

TEST(YamlConfigTest, OrdinaryConfigsStillLoad) {
  TempDir dir;
  const std::string path = dir.File("config.yaml");
  WriteFile(path,
            "server:\n  port: 8123\n  cors_origins: [\"https://a.example\", \"https://b.example\"]\n"
            "ai:\n  limits:\n    max_steps: 5\n  prices:\n    m1: {input_per_mtok: 1, output_per_mtok: 2}\n");
  auto server = server::LoadServerConfig(path);
  ASSERT_TRUE(server.ok()) << server.status().message();
  EXPECT_EQ(server->port, 8123);
  EXPECT_EQ(server->cors_origins.size(), 2u);
  auto loaded = LoadYamlConfigFile(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)["ai"]["limits"]["max_steps"].as<int>(), 5);
  auto missing = LoadYamlConfigFile(dir.File("none.yaml"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kIo);
  EXPECT_EQ(missing.status().message(), "cannot read the config file " + dir.File("none.yaml"));
}

}  // namespace
}  // namespace vcfagent
