#include "server/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <set>
#include <thread>

#include "support/test_support.h"

namespace vcfagent::server {
namespace {

using vcfagent::testing::ReadFile;
using vcfagent::testing::RunProgram;
using vcfagent::testing::TempDir;
using vcfagent::testing::WriteFile;

// The SHA-256 of `text` as the coreutils oracle computes it.
std::string Sha256sum(const std::string& text) {
  auto result = RunProgram("/usr/bin/sha256sum", {"-"}, text);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out.substr(0, 64);
}

std::string Line(const std::string& name, const std::string& role, const std::string& key) {
  return name + " " + role + " " + KeyStore::HashKey(key) + "\n";
}

TEST(AuthTest, RolesParseAndNameInOrder) {
  EXPECT_EQ(ParseRole("read"), Role::kRead);
  EXPECT_EQ(ParseRole("write"), Role::kWrite);
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_FALSE(ParseRole("Admin"));
  EXPECT_FALSE(ParseRole(""));
  EXPECT_EQ(RoleName(Role::kWrite), "write");
  // Each role includes the ones before it: callers compare with <.
  EXPECT_LT(Role::kRead, Role::kWrite);
  EXPECT_LT(Role::kWrite, Role::kAdmin);
}

TEST(AuthTest, HashIsSha256OfTheKey) {
  for (std::string key : {std::string("vca_example"), KeyStore::GenerateKey(), std::string("")}) {
    EXPECT_EQ(KeyStore::HashKey(key), "sha256:" + Sha256sum(key)) << key;
  }
}

TEST(AuthTest, GeneratedKeysAreBase64UrlOf256RandomBits) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string key = KeyStore::GenerateKey();
    ASSERT_EQ(key.size(), 4u + 43u) << key;
    EXPECT_EQ(key.substr(0, 4), "vca_");
    for (char c : key.substr(4)) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << key;
    }
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(AuthTest, MissingFileGetsAnAdminKeyStoredOnlyAsAHash) {
  TempDir dir;
  std::string path = dir.File("api-keys");
  auto store = KeyStore::Load(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(store->size(), 0u);
  auto created = store->EnsureAdminKey(path);
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(created->has_value());
  std::string key = **created;

  std::string content = ReadFile(path);
  EXPECT_EQ(content.find(key), std::string::npos);
  EXPECT_EQ(content.find(key.substr(4)), std::string::npos);
  EXPECT_NE(content.find("admin admin sha256:" + Sha256sum(key)), std::string::npos) << content;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto who = store->Authenticate(key);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->name, "admin");
  EXPECT_EQ(who->role, Role::kAdmin);

  // The file read back authenticates the same key; a second call creates nothing.
  auto reloaded = KeyStore::Load(path);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  EXPECT_EQ(reloaded->size(), 1u);
  ASSERT_TRUE(reloaded->Authenticate(key));
  auto again = reloaded->EnsureAdminKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(ReadFile(path), content);
}

TEST(AuthTest, CommentsOnlyFileKeepsItsCommentsWhenTheAdminKeyIsAdded) {
  TempDir dir;
  std::string path = dir.File("keys");
  WriteFile(path, "# operator notes\n\n");
  auto store = KeyStore::Load(path);
  ASSERT_TRUE(store.ok());
  auto created = store->EnsureAdminKey(path);
  ASSERT_TRUE(created.ok() && created->has_value());
  std::string content = ReadFile(path);
  EXPECT_EQ(content.rfind("# operator notes\n", 0), 0u) << content;
  EXPECT_TRUE(KeyStore::Load(path)->Authenticate(**created));
}

TEST(AuthTest, AuthenticatesEveryEntryWhateverItsPosition) {
  TempDir dir;
  std::string path = dir.File("keys");
  std::vector<std::string> keys;
  std::string content = "# lab keys\n";
  const char* roles[] = {"read", "write", "admin"};
  for (int i = 0; i < 9; ++i) {
    keys.push_back(KeyStore::GenerateKey());
    content += "  key-" + std::to_string(i) + "\t" + roles[i % 3] + "   " + KeyStore::HashKey(keys[i]) + "\r\n";
  }
  WriteFile(path, content);
  auto store = KeyStore::Load(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_EQ(store->size(), 9u);
  for (int i = 0; i < 9; ++i) {
    auto who = store->Authenticate(keys[i]);
    ASSERT_TRUE(who) << i;
    EXPECT_EQ(who->name, "key-" + std::to_string(i));
    EXPECT_EQ(who->role, *ParseRole(roles[i % 3]));
    // Near misses: a prefix, one changed last character, an extra character.
    std::string changed = keys[i];
    changed.back() = changed.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(store->Authenticate(changed));
    EXPECT_FALSE(store->Authenticate(keys[i].substr(0, keys[i].size() - 1)));
    EXPECT_FALSE(store->Authenticate(keys[i] + "x"));
    // The stored hash itself is not a key.
    EXPECT_FALSE(store->Authenticate(KeyStore::HashKey(keys[i])));
  }
  EXPECT_FALSE(store->Authenticate(""));
}

struct BadFile {
  const char* name;
  std::string content;
  std::string expected;  // in the message, after "<path>:<line>: "
  int line;
};

TEST(AuthTest, ParseErrorsNameFileAndLine) {
  std::string good = Line("ok", "read", "k1");
  std::string hash = KeyStore::HashKey("k2");
  std::vector<BadFile> cases = {
      {"unknown role", good + "bob superuser " + hash + "\n", "unknown role 'superuser'", 2},
      {"missing hash", "# c\n" + good + "bob read\n", "found 2 field(s)", 3},
      {"extra field", "bob read " + hash + " extra\n", "found 4 field(s)", 1},
      {"no prefix", "bob read " + hash.substr(7) + "\n", "malformed hash", 1},
      {"short hash", "bob read " + hash.substr(0, hash.size() - 1) + "\n", "malformed hash", 1},
      {"non hex", "bob read sha256:" + std::string(63, 'a') + "g\n", "malformed hash", 1},
      {"plaintext key", "bob read vca_secretvalue\n", "malformed hash", 1},
      {"duplicate name", good + Line("ok", "admin", "k3"), "duplicate key name 'ok'", 2},
      {"duplicate key", good + Line("other", "admin", "k1"), "same hash as key 'ok'", 2},
      {"bad name", "b/ob read " + hash + "\n", "key name 'b/ob'", 1},
  };
  TempDir dir;
  for (const BadFile& c : cases) {
    std::string path = dir.File("keys");
    WriteFile(path, c.content);
    auto store = KeyStore::Load(path);
    ASSERT_FALSE(store.ok()) << c.name;
    EXPECT_EQ(store.status().kind(), ErrorKind::kInvalidInput) << c.name;
    const std::string& message = store.status().message();
    std::string where = path + ":" + std::to_string(c.line) + ": ";
    EXPECT_EQ(message.rfind(where, 0), 0u) << c.name << ": " << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.name << ": " << message;
    EXPECT_EQ(message.find("secretvalue"), std::string::npos) << message;
  }
}

TEST(AuthTest, UnreadableKeysFileIsAnIoError) {
  TempDir dir;
  auto store = KeyStore::Load(dir.path());  // a directory
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().kind(), ErrorKind::kIo);
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);

  // EnsureAdminKey into a missing directory fails cleanly and authenticates nothing.
  auto empty = KeyStore::Load(dir.File("missing/keys"));
  ASSERT_TRUE(empty.ok());
  auto created = empty->EnsureAdminKey(dir.File("missing/keys"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().kind(), ErrorKind::kIo);
  EXPECT_EQ(empty->size(), 0u);
}

TEST(RateLimiterTest, BurstThenRefusalWithRetryAfter) {
  RateLimiter limiter(0.5, 3);  // one token every 2 s
  int retry = -1;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("a", &retry)) << i;
  EXPECT_FALSE(limiter.Allow("a", &retry));
  EXPECT_EQ(retry, 2);
  RateLimiter slow(0.1, 1);  // one token every 10 s
  EXPECT_TRUE(slow.Allow("a", &retry));
  EXPECT_FALSE(slow.Allow("a", &retry));
  EXPECT_EQ(retry, 10);
  RateLimiter fast(10, 1);  // waits under a second still say 1
  EXPECT_TRUE(fast.Allow("a", &retry));
  EXPECT_FALSE(fast.Allow("a", &retry));
  EXPECT_EQ(retry, 1);
}

TEST(RateLimiterTest, RefillsOverTimeUpToTheBurst) {
  // A token every 250 ms: wide enough margins for a loaded machine under ASan.
  RateLimiter limiter(4, 2);
  int retry = 0;
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
  // A long idle time refills to the burst, not beyond it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
}

TEST(RateLimiterTest, KeysHaveSeparateBuckets) {
  RateLimiter limiter(0.01, 2);
  int retry = 0;
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
  EXPECT_TRUE(limiter.Allow("b", &retry));
  EXPECT_TRUE(limiter.Allow("b", &retry));
  EXPECT_FALSE(limiter.Allow("b", &retry));
}

TEST(RateLimiterTest, UnlimitedWhenRateIsNotPositive) {
  RateLimiter limiter(0, 1);
  int retry = -7;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.Allow("a", &retry));
  EXPECT_EQ(retry, -7);
}

TEST(RateLimiterTest, ThreadsShareTheBucketExactly) {
  // A slow refill: over the test's run (well under a second) at most one token comes back.
  RateLimiter limiter(0.001, 400);
  std::atomic<int> allowed_a{0}, allowed_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      int retry = 0;
      for (int i = 0; i < 100; ++i) {
        if (limiter.Allow("a", &retry)) ++allowed_a;
        if (t % 2 == 0 && limiter.Allow("b-" + std::to_string(t), &retry)) ++allowed_b;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed_a.load(), 400);         // 800 attempts, exactly the burst admitted
  EXPECT_EQ(allowed_b.load(), 4 * 100);     // four private buckets, each under its burst
}

}  // namespace
}  // namespace vcfagent::server
