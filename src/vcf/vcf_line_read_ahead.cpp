#include "vcf/vcf_line_read_ahead.h"

#include <cstring>
#include <utility>

#include <htslib/kseq.h>

#include "fmt/format.h"

namespace vcfagent::vcf {

namespace {
constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kBatchLines = 8192;
constexpr size_t kMaxReadyBatches = 4;
}  // namespace

VcfLineReadAhead::VcfLineReadAhead(htsFile* fp, int64_t lines_before, std::string name,
                                   LineReducer reduce, InputBudget* budget)
    : fp_(fp), line_(lines_before), reduce_(std::move(reduce)), name_(std::move(name)),
      budget_(budget != nullptr ? budget : &own_budget_) {
  thread_ = std::thread([this] { Produce(); });
}

VcfLineReadAhead::~VcfLineReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void VcfLineReadAhead::Produce() {
  kstring_t buffer = {0, 0, nullptr};
  Batch batch;
  Status error;
  for (;;) {
    auto more = ReadTextLine(fp_, &buffer, *budget_);
    if (!more.ok()) {
      error = more.status().WithContext(fmt::format("{}:{}", name_, line_ + 1));
      break;
    }
    if (!*more) break;
    ++line_;
    const size_t length = buffer.l;  // ReadTextLine drops "\r\n" as "\n"
    if (length > 0) {  // blank lines carry no record, but count
      if (reduce_) reduce_(std::string_view(buffer.s, length), &batch.text);
      else batch.text.append(buffer.s, length);
      batch.ends.push_back(batch.text.size());
      batch.numbers.push_back(line_);
    }
    if (batch.text.size() >= kBatchBytes || batch.ends.size() >= kBatchLines) {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || ready_.size() < kMaxReadyBatches; });
      if (stopping_) break;
      ready_.push_back(std::move(batch));
      if (!spare_.empty()) {
        batch = std::move(spare_.back());
        spare_.pop_back();
      } else {
        batch = Batch();
      }
      batch.text.clear();
      batch.ends.clear();
      batch.numbers.clear();
      lock.unlock();
      changed_.notify_all();
    }
  }
  free(buffer.s);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!batch.ends.empty()) ready_.push_back(std::move(batch));
    error_ = error;
    finished_ = true;
  }
  changed_.notify_all();
}

Result<bool> VcfLineReadAhead::Next(kstring_t* line, int64_t* line_number) {
  while (next_ >= current_.ends.size()) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (current_.ends.capacity() > 0 && spare_.size() < kMaxReadyBatches) {
      spare_.push_back(std::move(current_));
    }
    changed_.wait(lock, [this] { return !ready_.empty() || finished_; });
    if (ready_.empty()) {
      current_ = Batch();
      next_ = 0;
      if (!error_.ok()) return error_;
      return false;
    }
    current_ = std::move(ready_.front());
    ready_.pop_front();
    next_ = 0;
    lock.unlock();
    changed_.notify_all();
  }
  const size_t begin = next_ == 0 ? 0 : current_.ends[next_ - 1];
  const size_t end = current_.ends[next_];
  line->l = 0;
  kputsn(current_.text.data() + begin, end - begin, line);
  *line_number = current_.numbers[next_];
  ++next_;
  return true;
}

}  // namespace vcfagent::vcf
