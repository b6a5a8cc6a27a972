#include "util/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "fmt/format.h"
#include "util/progress.h"

namespace vcfagent {
namespace {

// The temporary files not yet committed, for RemoveUncommittedOutputFiles() in a signal handler:
// fixed slots, each owned by one party at a time through its state (no locks, no allocation).
// Beyond kSlots open outputs at once, the extra ones are cleaned only by their destructors.
enum SlotState : int { kFree, kClaimed, kPending, kRemoving };
struct PendingSlot {
  std::atomic<int> state{kFree};
  char* path = nullptr;  // a malloc'ed copy, owned by the slot's claimant
};
constexpr int kSlots = 256;
PendingSlot g_pending[kSlots];
std::atomic<bool> g_dying{false};

int AddPending(const std::string& path) {
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_pending[i].state.compare_exchange_strong(expected, kClaimed, std::memory_order_acquire)) {
      g_pending[i].path = strdup(path.c_str());
      g_pending[i].state.store(g_pending[i].path ? kPending : kFree, std::memory_order_release);
      return g_pending[i].path ? i : -1;
    }
  }
  return -1;
}

// Takes the slot back before the file is renamed or unlinked. False when a dying process is
// removing it (its file is gone or about to be): the caller must not publish it.
bool TakePending(int slot) {
  if (slot < 0) return !g_dying.load(std::memory_order_acquire);
  int expected = kPending;
  if (!g_pending[slot].state.compare_exchange_strong(expected, kClaimed, std::memory_order_acquire)) {
    return false;
  }
  free(g_pending[slot].path);
  g_pending[slot].path = nullptr;
  g_pending[slot].state.store(kFree, std::memory_order_release);
  return !g_dying.load(std::memory_order_acquire);
}

std::terminate_handler g_previous_terminate = nullptr;

[[noreturn]] void RemoveOutputsAndTerminate() {
  RemoveUncommittedOutputFiles();
  if (g_previous_terminate) g_previous_terminate();
  std::abort();
}

void InstallTerminateCleanup() {
  static const bool installed = [] {
    g_previous_terminate = std::set_terminate(RemoveOutputsAndTerminate);
    return true;
  }();
  (void)installed;
}

}  // namespace

void RemoveUncommittedOutputFiles() noexcept {
  g_dying.store(true, std::memory_order_release);
  for (auto& slot : g_pending) {
    int expected = kPending;
    if (slot.state.compare_exchange_strong(expected, kRemoving, std::memory_order_acquire)) {
      unlink(slot.path);  // the slot stays kRemoving: its owner will not free or reuse it
    }
  }
}

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
  InstallTerminateCleanup();
  out->pending_slot_ = AddPending(pattern);
  return out;
}

OutputFile::~OutputFile() {
  if (stream_ && stream_ != stdout) fclose(stream_);
  if (!committed_ && !is_stdout() && !temp_path_.empty()) {
    (void)TakePending(pending_slot_);
    unlink(temp_path_.c_str());
  }
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
  // An interrupted command publishes nothing (the destructor removes the temporary file).
  if (CancelRequested()) return Status::Cancelled(fmt::format("{}: not written: interrupted", path_));
  const int slot = pending_slot_;
  pending_slot_ = -1;
  if (!TakePending(slot)) return Status::Cancelled(fmt::format("{}: not written: interrupted", path_));
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Status::IoError(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
  committed_ = true;
  return Status::Ok();
}

}  // namespace vcfagent
