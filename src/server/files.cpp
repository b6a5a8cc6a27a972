// The files a client names (Service::ResolveInputFile) and uploads (Service::StoreUpload).
//
// Paths: a path is accepted only when it lies inside a configured data directory both as written
// (after removing "." and "..") and after resolving symlinks (realpath), so neither "../" nor a
// symlink pointing out of the directory reaches another file. The lexical check comes first so a
// path outside is refused (403) without telling whether it exists.
// Uploads: the body streams into a hidden temp file in upload_dir, counted as it arrives; past
// max_upload_bytes the temp file is removed and the request fails with 413. A complete upload is
// fsync'ed and renamed to "upl-<16 hex><ext>", keeping a .vcf/.vcf.gz/.bcf extension of the
// client's file name. An uploaded bgzipped VCF has no index: region queries on it stream the
// whole file (vcf/view.h), with the same result.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <regex>

#include "server/route_support.h"
#include "server/service.h"

namespace vcfagent::server {

namespace fs = std::filesystem;

namespace {

struct Resolved {
  std::string path;
  std::optional<Problem> problem;
};

Resolved Refuse(int status, const char* slug, std::string detail) {
  return {"", MakeProblem(status, slug, std::move(detail))};
}

bool Inside(const fs::path& path, const std::string& dir) {
  const std::string p = path.string();
  if (p == dir) return true;
  const std::string prefix = dir.back() == '/' ? dir : dir + "/";
  return p.compare(0, prefix.size(), prefix) == 0;
}

bool InsideAny(const fs::path& path, const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    if (Inside(path, dir)) return true;
  }
  return false;
}

std::vector<std::string> CanonicalDirs(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const auto& dir : dirs) {
    char buffer[PATH_MAX];
    if (::realpath(dir.c_str(), buffer) != nullptr) out.emplace_back(buffer);
  }
  return out;
}

Resolved ResolvePath(const ServerConfig& config, const std::string& given) {
  if (given.empty()) return Refuse(400, "bad-request", "path: empty");
  if (given.find('\0') != std::string::npos) return Refuse(400, "bad-request", "path: contains NUL");
  const std::vector<std::string> dirs = CanonicalDirs(config.data_dirs);
  if (dirs.empty()) {
    return Refuse(403, "path-outside-data-dirs",
                  "no data directory is configured (server.data_dirs): name files by upload instead");
  }
  // A relative path is looked up in each data directory in turn.
  std::vector<fs::path> candidates;
  if (fs::path(given).is_absolute()) {
    candidates.push_back(fs::path(given).lexically_normal());
  } else {
    for (const auto& dir : dirs) candidates.push_back((fs::path(dir) / given).lexically_normal());
  }
  bool any_inside = false;
  for (const fs::path& candidate : candidates) {
    if (!InsideAny(candidate, dirs)) continue;
    any_inside = true;
    char buffer[PATH_MAX];
    if (::realpath(candidate.c_str(), buffer) == nullptr) continue;
    const fs::path real(buffer);
    if (!InsideAny(real, dirs)) {
      return Refuse(403, "path-outside-data-dirs",
                    fmt::format("{}: resolves outside the data directories", given));
    }
    std::error_code ec;
    if (!fs::is_regular_file(real, ec)) {
      return Refuse(400, "bad-request", fmt::format("{}: not a regular file", given));
    }
    return {real.string(), std::nullopt};
  }
  if (!any_inside) {
    return Refuse(403, "path-outside-data-dirs",
                  fmt::format("{}: outside the data directories", given));
  }
  return Refuse(404, "not-found", fmt::format("{}: no such file in the data directories", given));
}

const std::regex& UploadIdPattern() {
  static const std::regex pattern("upl-[0-9a-f]{16}");
  return pattern;
}

Resolved ResolveUpload(const ServerConfig& config, const std::string& id) {
  if (!std::regex_match(id, UploadIdPattern())) {
    return Refuse(400, "bad-request", fmt::format("upload: '{}' is not an upload id (upl-<16 hex>)", id));
  }
  std::error_code ec;
  for (fs::directory_iterator it(config.upload_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == id || (name.size() > id.size() && name.compare(0, id.size(), id) == 0 && name[id.size()] == '.')) {
      return {it->path().string(), std::nullopt};
    }
  }
  return Refuse(404, "not-found", fmt::format("upload {}: no such upload", id));
}

Resolved Resolve(const ServerConfig& config, const nlohmann::json& ref) {
  if (ref.is_string()) return ResolvePath(config, ref.get<std::string>());
  if (ref.is_object()) {
    const bool has_path = ref.contains("path"), has_upload = ref.contains("upload");
    if (has_path == has_upload || ref.size() != 1) {
      return Refuse(400, "bad-request", "a file is {\"path\": \"...\"} or {\"upload\": \"upl-...\"}");
    }
    const auto& value = has_path ? ref["path"] : ref["upload"];
    if (!value.is_string()) {
      return Refuse(400, "bad-request", fmt::format("{}: expected a string", has_path ? "path" : "upload"));
    }
    return has_path ? ResolvePath(config, value.get<std::string>()) : ResolveUpload(config, value.get<std::string>());
  }
  return Refuse(400, "bad-request", "a file is {\"path\": \"...\"} or {\"upload\": \"upl-...\"}");
}

// ".vcf.gz" of "sample.vcf.gz": only extensions htslib users expect, never anything else of the
// client's name (which could carry path separators or control characters).
std::string KnownExtension(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* ext : {".vcf.gz", ".vcf.bgz", ".vcf", ".bcf", ".gz", ".bgz", ".tbi", ".csi"}) {
    const std::string e(ext);
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) return e;
  }
  return "";
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot open: {}", dir, std::strerror(errno)));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IoError(fmt::format("{}: fsync failed: {}", dir, std::strerror(errno)));
  return Status::Ok();
}

}  // namespace

Result<std::string> Service::ResolveInputFile(const nlohmann::json& ref) const {
  Resolved r = Resolve(config_, ref);
  if (!r.problem) return r.path;
  if (r.problem->status == 404) return Status::IoError(r.problem->detail);
  return Status::Usage(r.problem->detail);
}

std::string InputFileOrThrow(const RequestContext& ctx, const nlohmann::json& ref, std::string_view field) {
  Resolved r = Resolve(ctx.service.config(), ref);
  if (!r.problem) return r.path;
  r.problem->detail = fmt::format("{}: {}", field, r.problem->detail);
  ThrowProblem(std::move(*r.problem));
}

Result<nlohmann::json> Service::StoreUpload(const httplib::Request& req, const httplib::ContentReader& reader) {
  if (req.is_multipart_form_data()) {
    ThrowProblem(MakeProblem(415, "unsupported-media-type",
                             "send the file as the raw request body (application/octet-stream), "
                             "its name in ?filename="));
  }
  std::error_code ec;
  fs::create_directories(config_.upload_dir, ec);
  if (ec) return Status::IoError(fmt::format("{}: cannot create the upload directory: {}", config_.upload_dir, ec.message()));
  std::mt19937_64 rng{std::random_device{}()};
  const std::string id = fmt::format("upl-{:016x}", rng());
  const std::string name = req.has_param("filename") ? req.get_param_value("filename") : "";
  const std::string final_path = config_.upload_dir + "/" + id + KnownExtension(name);
  const std::string temp_path = config_.upload_dir + "/." + id + ".part";

  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot create: {}", temp_path, std::strerror(errno)));
  int64_t bytes = 0;
  bool too_large = false;
  int write_errno = 0;
  const bool complete = reader([&](const char* data, size_t length) {
    bytes += static_cast<int64_t>(length);
    if (bytes > config_.max_upload_bytes) {
      too_large = true;
      return false;
    }
    while (length > 0) {
      const ssize_t n = ::write(fd, data, length);
      if (n < 0) {
        if (errno == EINTR) continue;
        write_errno = errno;
        return false;
      }
      data += n;
      length -= static_cast<size_t>(n);
    }
    return true;
  });
  int sync_errno = 0;
  const bool synced = complete && !too_large && write_errno == 0 && (::fsync(fd) == 0 || (sync_errno = errno, false));
  ::close(fd);
  if (too_large) {
    ::unlink(temp_path.c_str());
    ThrowProblem(MakeProblem(413, "payload-too-large",
                             fmt::format("the upload exceeds the limit of {} bytes (server.max_upload_bytes)",
                                         config_.max_upload_bytes)));
  }
  if (write_errno != 0) {
    ::unlink(temp_path.c_str());
    return Status::IoError(fmt::format("{}: write failed: {}", temp_path, std::strerror(write_errno)));
  }
  if (!complete) {
    ::unlink(temp_path.c_str());
    return Status::IoError("the upload ended before the whole body arrived");
  }
  if (!synced) {
    ::unlink(temp_path.c_str());
    return Status::IoError(fmt::format("{}: fsync failed: {}", temp_path, std::strerror(sync_errno)));
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp_path.c_str());
    return Status::IoError(fmt::format("{}: cannot rename into place: {}", final_path, std::strerror(e)));
  }
  VCFAGENT_RETURN_IF_ERROR(SyncDirectory(config_.upload_dir));
  return nlohmann::json{{"upload", id}, {"bytes", bytes}, {"filename", name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name)}};
}

}  // namespace vcfagent::server
