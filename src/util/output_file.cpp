#include "util/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fmt/format.h"

namespace vcfagent {

Result<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path) {
  std::unique_ptr<OutputFile> out(new OutputFile());
  out->path_ = path;
  if (path == "-") {
    out->temp_path_ = "-";
    return out;
  }
  if (path.empty()) return Status::Usage("empty output file name");
  // mkstemp reserves a unique name in the target's directory, so the final rename is atomic.
  std::string pattern = path + ".tmp.XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) {
    return Status::IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  }
  // mkstemp creates 0600; the published file gets the permissions the user's umask asks for.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  close(fd);
  out->temp_path_ = pattern;
  return out;
}

OutputFile::~OutputFile() {
  if (stream_ && stream_ != stdout) fclose(stream_);
  if (!committed_ && !is_stdout() && !temp_path_.empty()) unlink(temp_path_.c_str());
}

Result<FILE*> OutputFile::stream() {
  if (stream_) return stream_;
  if (is_stdout()) {
    stream_ = stdout;
  } else {
    stream_ = fopen(temp_path_.c_str(), "w");
    if (!stream_) {
      return Status::IoError(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
    }
  }
  return stream_;
}

Status OutputFile::Write(std::string_view text) {
  auto s = stream();
  if (!s.ok()) return s.status();
  if (fwrite(text.data(), 1, text.size(), *s) != text.size()) {
    return Status::IoError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  }
  return Status::Ok();
}

Status OutputFile::Commit() {
  if (stream_) {
    const bool failed = fflush(stream_) != 0 || ferror(stream_);
    const int saved = errno;
    if (stream_ != stdout) fclose(stream_);
    stream_ = nullptr;
    if (failed) return Status::IoError(fmt::format("{}: write failed: {}", path_, std::strerror(saved)));
  }
  if (is_stdout()) {
    committed_ = true;
    return Status::Ok();
  }
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Status::IoError(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
  committed_ = true;
  return Status::Ok();
}

}  // namespace vcfagent
