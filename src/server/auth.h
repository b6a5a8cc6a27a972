// API keys and request rate limits for the REST service.
//
// Keys file (server.api_keys_file, one key per line, '#' comments):
//     <name> <role> sha256:<64 hex>
// where role is read, write or admin (each includes the ones before it) and the hash is the
// SHA-256 of the key. Only hashes are ever stored; a key is checked by hashing what the client
// sent and comparing with every stored hash in constant time (CRYPTO_memcmp), so neither timing
// nor an early exit reveals which key or how much of it matched. Keys look like "vca_" + 43
// base64url characters (256 random bits from the OS).
//
// With an empty or missing keys file, EnsureAdminKey() creates an admin key, writes its hash to
// the file (mode 0600, atomically) and returns the key once, for `serve` to print.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

namespace vcfagent::server {

enum class Role { kRead = 0, kWrite = 1, kAdmin = 2 };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  std::string name;       // the key's name from the keys file ("admin", "lab-pipeline")
  Role role = Role::kRead;
};

class KeyStore {
 public:
  // Reads the keys file; errors name the file and line (unknown role, malformed hash, duplicate name).
  static Result<KeyStore> Load(const std::string& path);
  // If the store has no keys: creates "admin" (role admin), appends its hash to `path` and returns
  // the plaintext key. Returns nullopt when keys already exist.
  Result<std::optional<std::string>> EnsureAdminKey(const std::string& path);
  // The key's principal, or nullopt (constant time in the key's content).
  std::optional<Principal> Authenticate(std::string_view key) const;
  size_t size() const { return entries_.size(); }

  static std::string GenerateKey();
  static std::string HashKey(std::string_view key);  // "sha256:<hex>"

 private:
  struct Entry {
    Principal principal;
    std::array<uint8_t, 32> hash;
  };
  std::vector<Entry> entries_;
};

// Requests per key: a token bucket per principal name (rate per second, burst), thread-safe.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst);  // per_second <= 0: unlimited
  // True if allowed; otherwise sets *retry_after_seconds (>= 1, rounded up) for the 429.
  bool Allow(const std::string& key, int* retry_after_seconds);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double per_second_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vcfagent::server
