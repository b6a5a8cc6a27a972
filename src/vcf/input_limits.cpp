#include "vcf/input_limits.h"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "fmt/format.h"
#include "util/progress.h"

namespace vcfagent::vcf {

namespace {

// A positive byte count from the environment, else `fallback`.
int64_t EnvBytes(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  return end != text && *end == '\0' && value > 0 ? value : fallback;
}

InputLimits ProcessDefaults() {
  InputLimits limits;
  limits.max_line_bytes = EnvBytes("VCF_AGENT_MAX_LINE_BYTES", kDefaultMaxLineBytes);
  return limits;
}

thread_local const InputLimits* t_limits = nullptr;

// The limits of each job with a scope open, for the other threads of that job.
std::mutex g_job_limits_mutex;
std::map<const void*, const InputLimits*> g_job_limits;

std::string Bytes(int64_t n) {
  if (n >= (int64_t{1} << 30) && n % (int64_t{1} << 30) == 0) return fmt::format("{} GiB", n >> 30);
  if (n >= (int64_t{1} << 20) && n % (int64_t{1} << 20) == 0) return fmt::format("{} MiB", n >> 20);
  return fmt::format("{} bytes", n);
}

}  // namespace

InputLimits CurrentInputLimits() {
  static const InputLimits defaults = ProcessDefaults();
  if (t_limits != nullptr) return *t_limits;
  if (const JobControl* job = CurrentJob()) {
    std::lock_guard lock(g_job_limits_mutex);
    if (auto it = g_job_limits.find(job); it != g_job_limits.end()) return *it->second;
  }
  return defaults;
}

InputLimits ServiceRequestLimits() {
  static const InputLimits limits = [] {
    InputLimits l = ProcessDefaults();
    l.max_decompressed_bytes = EnvBytes("VCF_AGENT_MAX_DECOMPRESSED_BYTES", int64_t{64} << 30);
    return l;
  }();
  return limits;
}

InputLimitsScope::InputLimitsScope(const InputLimits& limits)
    : previous_(t_limits), limits_(limits), job_(CurrentJob()), job_previous_(nullptr) {
  t_limits = &limits_;
  if (job_ != nullptr) {
    std::lock_guard lock(g_job_limits_mutex);
    const InputLimits*& slot = g_job_limits[job_];
    job_previous_ = slot;
    slot = &limits_;
  }
}

InputLimitsScope::~InputLimitsScope() {
  t_limits = previous_;
  if (job_ != nullptr) {
    std::lock_guard lock(g_job_limits_mutex);
    if (job_previous_ != nullptr) g_job_limits[job_] = job_previous_;
    else g_job_limits.erase(job_);
  }
}

Status InputBudget::Consume(int64_t bytes) {
  consumed_ += bytes;
  if (limits_.max_decompressed_bytes > 0 && consumed_ > limits_.max_decompressed_bytes) {
    return Status::InvalidInput(fmt::format("the input expands to more than {} of text, the limit for one request ($VCF_AGENT_MAX_DECOMPRESSED_BYTES)",
                                            Bytes(limits_.max_decompressed_bytes)));
  }
  return Status::Ok();
}

Status InputBudget::LineTooLong() const {
  return Status::InvalidInput(fmt::format(
      "the line is longer than {}, the limit ($VCF_AGENT_MAX_LINE_BYTES)",
      Bytes(limits_.max_line_bytes)));
}

namespace {

void DropCarriageReturn(kstring_t* line) {
  if (line->l > 0 && line->s[line->l - 1] == '\r') line->s[--line->l] = '\0';
}

}  // namespace

Result<bool> ReadTextLine(htsFile* fp, kstring_t* line, InputBudget& budget) {
  if (fp->format.compression != no_compression) return ReadBgzfLine(fp->fp.bgzf, line, budget);
  // Plain text: hgetln stops at a newline or when the buffer is full, so no more than the limit
  // and one chunk is ever held.
  const auto max = static_cast<size_t>(budget.limits().max_line_bytes);
  hFILE* hf = fp->fp.hfile;
  line->l = 0;
  for (;;) {
    constexpr size_t kChunk = 1 << 16;
    if (ks_resize(line, line->l + kChunk + 1) != 0) return Status::Internal("out of memory reading a line");
    const ssize_t got = hgetln(line->s + line->l, kChunk + 1, hf);
    if (got < 0) return Status::IoError("read error");
    if (got == 0) break;
    line->l += static_cast<size_t>(got);
    if (line->s[line->l - 1] == '\n') {
      line->s[--line->l] = '\0';
      VCFAGENT_RETURN_IF_ERROR(budget.Consume(static_cast<int64_t>(line->l) + 1));
      if (line->l > max) return budget.LineTooLong();
      DropCarriageReturn(line);
      return true;
    }
    if (line->l > max) return budget.LineTooLong();
  }
  if (line->l == 0) return false;
  VCFAGENT_RETURN_IF_ERROR(budget.Consume(static_cast<int64_t>(line->l)));
  DropCarriageReturn(line);
  return true;
}

Result<bool> ReadBgzfLine(BGZF* bg, kstring_t* line, InputBudget& budget) {
  // Scan the decompressed block in place and copy with bgzf_read(), which keeps htslib's offsets
  // right; a line past the limit is refused before it is copied.
  const auto max = static_cast<size_t>(budget.limits().max_line_bytes);
  line->l = 0;
  bool any = false;
  for (;;) {
    if (bg->block_offset >= bg->block_length) {
      if (bgzf_read_block(bg) != 0) return Status::IoError("read error (truncated or corrupt compressed data?)");
      if (bg->block_length == 0) break;  // the end
    }
    any = true;
    const auto* block = static_cast<const char*>(bg->uncompressed_block);
    const char* begin = block + bg->block_offset;
    const size_t available = static_cast<size_t>(bg->block_length - bg->block_offset);
    const void* nl = std::memchr(begin, '\n', available);
    const size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - begin) : available;
    VCFAGENT_RETURN_IF_ERROR(budget.Consume(static_cast<int64_t>(take + (nl ? 1 : 0))));
    if (line->l + take > max) return budget.LineTooLong();
    if (ks_resize(line, line->l + take + 2) != 0) return Status::Internal("out of memory reading a line");
    if (bgzf_read(bg, line->s + line->l, take) != static_cast<ssize_t>(take)) {
      return Status::IoError("read error (truncated or corrupt compressed data?)");
    }
    line->l += take;
    if (nl) {
      char newline;
      if (bgzf_read(bg, &newline, 1) != 1) return Status::IoError("read error (truncated or corrupt compressed data?)");
      break;
    }
  }
  if (!any) return false;
  line->s[line->l] = '\0';
  DropCarriageReturn(line);
  return true;
}

}  // namespace vcfagent::vcf
