// API keys (hashed, constant-time checks) and per-key token-bucket rate limits.
#include "server/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_set>

namespace vcfagent::server {
namespace {

constexpr std::string_view kHashPrefix = "sha256:";
constexpr std::string_view kKeyPrefix = "vca_";

std::array<uint8_t, 32> Sha256(std::string_view data) {
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; there is no useful recovery.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    std::abort();
  }
  return digest;
}

std::string Hex(const std::array<uint8_t, 32>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<uint8_t, 32>> ParseHash(std::string_view text) {
  if (text.substr(0, kHashPrefix.size()) != kHashPrefix) return std::nullopt;
  text.remove_prefix(kHashPrefix.size());
  if (text.size() != 64) return std::nullopt;
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64UrlNoPadding(const uint8_t* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (size - i == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
  } else if (size - i == 2) {
    uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
  }
  return out;
}

// Splits on runs of spaces and tabs.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool ValidName(std::string_view name) {
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@';
    if (!ok) return false;
  }
  return !name.empty();
}

// Writes `content` to `path` with mode 0600 through a temporary file and a rename, so the keys
// file is never seen half-written or world-readable.
Status WritePrivateFileAtomically(const std::string& path, const std::string& content) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot create: " + std::strerror(errno));
  ::fchmod(fd, 0600);  // the umask cannot widen it, but an existing temp file could be wider
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return Status::IoError(path + ": cannot write: " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return Status::IoError(path + ": cannot write: " + std::strerror(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return Status::IoError(path + ": cannot replace: " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRead: return "read";
    case Role::kWrite: return "write";
    case Role::kAdmin: return "admin";
  }
  return "read";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "read") return Role::kRead;
  if (name == "write") return Role::kWrite;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

Result<KeyStore> KeyStore::Load(const std::string& path) {
  KeyStore store;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return store;  // no file yet: EnsureAdminKey creates it
    return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return Status::IoError(path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::unordered_set<std::string> names;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string where = path + ":" + std::to_string(line_number) + ": ";
    std::vector<std::string_view> fields = Fields(line);
    if (fields.empty() || fields[0][0] == '#') continue;
    if (fields.size() != 3) {
      return Status::InvalidInput(where + "expected '<name> <role> sha256:<64 hex>', found " +
                                  std::to_string(fields.size()) + " field(s)");
    }
    std::string name(fields[0]);
    if (!ValidName(name)) {
      return Status::InvalidInput(where + "key name '" + name +
                                  "' may contain only letters, digits and - _ . @");
    }
    std::optional<Role> role = ParseRole(fields[1]);
    if (!role) {
      return Status::InvalidInput(where + "unknown role '" + std::string(fields[1]) +
                                  "' (expected read, write or admin)");
    }
    std::optional<std::array<uint8_t, 32>> hash = ParseHash(fields[2]);
    if (!hash) {
      // Never echo the value: an operator may have pasted a plaintext key here by mistake.
      return Status::InvalidInput(where + "malformed hash (expected sha256: followed by 64 hex digits)");
    }
    if (!names.insert(name).second) {
      return Status::InvalidInput(where + "duplicate key name '" + name + "'");
    }
    for (const Entry& other : store.entries_) {
      if (other.hash == *hash) {
        // One key under two names would make the principal (and role) ambiguous.
        return Status::InvalidInput(where + "key '" + name + "' has the same hash as key '" +
                                    other.principal.name + "'");
      }
    }
    store.entries_.push_back(Entry{Principal{name, *role}, *hash});
  }
  if (in.bad()) return Status::IoError(path + ": read error");
  return store;
}

Result<std::optional<std::string>> KeyStore::EnsureAdminKey(const std::string& path) {
  if (!entries_.empty()) return std::optional<std::string>();
  // Keep whatever comments the file already has.
  std::string existing;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream buffer;
      buffer << in.rdbuf();
      existing = buffer.str();
    }
  }
  if (existing.empty()) {
    existing =
        "# vcf-agent API keys: <name> <role> sha256:<hex>. Only hashes are stored.\n"
        "# Roles: read, write (ingest), admin. Add a key: its name, role and the SHA-256 of it.\n";
  } else if (existing.back() != '\n') {
    existing.push_back('\n');
  }
  std::string key = GenerateKey();
  std::string hash = HashKey(key);
  VCFAGENT_RETURN_IF_ERROR(WritePrivateFileAtomically(path, existing + "admin admin " + hash + "\n"));
  entries_.push_back(Entry{Principal{"admin", Role::kAdmin}, Sha256(key)});
  return std::optional<std::string>(std::move(key));
}

std::optional<Principal> KeyStore::Authenticate(std::string_view key) const {
  std::array<uint8_t, 32> digest = Sha256(key);
  // Every entry is compared, whatever matched before, so the time spent does not depend on which
  // entry (if any) matched; the selection is branch-free on the comparison result.
  size_t match = entries_.size();
  for (size_t i = 0; i < entries_.size(); ++i) {
    int differs = CRYPTO_memcmp(digest.data(), entries_[i].hash.data(), digest.size());
    size_t is_match = static_cast<size_t>(differs == 0);
    match = is_match * i + (1 - is_match) * match;
  }
  if (match == entries_.size()) return std::nullopt;
  return entries_[match].principal;
}

std::string KeyStore::GenerateKey() {
  uint8_t random[32];
  // RAND_bytes draws from the OS entropy source; failing to get entropy must not yield a weak key.
  if (RAND_bytes(random, sizeof random) != 1) std::abort();
  std::string key(kKeyPrefix);
  key += Base64UrlNoPadding(random, sizeof random);
  OPENSSL_cleanse(random, sizeof random);
  return key;
}

std::string KeyStore::HashKey(std::string_view key) {
  return std::string(kHashPrefix) + Hex(Sha256(key));
}

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(burst < 1 ? 1 : burst) {}

bool RateLimiter::Allow(const std::string& key, int* retry_after_seconds) {
  if (per_second_ <= 0) return true;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
    bucket.last = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  if (retry_after_seconds) {
    double wait = (1 - bucket.tokens) / per_second_;
    *retry_after_seconds = std::max(1, static_cast<int>(std::ceil(wait)));
  }
  return false;
}

}  // namespace vcfagent::server
