// OutputFile: a destination that is either complete or absent.
//
// Output goes to a temporary file beside the target and is renamed over it only by Commit(), so an
// error, a Ctrl-C or a crash never leaves a half-written result under the user's file name. "-"
// means standard output (written directly: a pipe cannot be taken back). Writers that open files
// themselves (htslib for VCF/BCF) write to temp_path() and let Commit() publish it.
//
// The temporary file goes away on every way out: the destructor (errors, a cancelled command),
// RemoveUncommittedOutputFiles() from the second SIGINT/SIGTERM that kills the process (see
// util/progress.h), and an uncaught exception (std::terminate). After SIGINT/SIGTERM (or a job's
// cancel) Commit() publishes nothing: an interrupted command leaves neither a temporary file nor
// an output.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vcfagent {

class OutputFile {
 public:
  // Prepares `path` for writing ("-" for standard output). Fails if the directory is missing or
  // not writable.
  static Result<std::unique_ptr<OutputFile>> Open(const std::string& path);
  ~OutputFile();  // removes the temporary file unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  bool is_stdout() const { return path_ == "-"; }
  const std::string& path() const { return path_; }
  // Where a writer that opens the file itself should write ("-" for standard output).
  const std::string& temp_path() const { return temp_path_; }
  // A stdio stream on the temporary file (or stdout), opened on first use.
  Result<FILE*> stream();
  Status Write(std::string_view text);
  // Flushes, checks for write errors (a full disk) and renames the temporary file into place.
  // Cancelled (nothing published) when the command was interrupted (CancelRequested()).
  Status Commit();

 private:
  OutputFile() = default;
  std::string path_;
  std::string temp_path_;
  FILE* stream_ = nullptr;
  bool committed_ = false;
  int pending_slot_ = -1;  // this file's entry among the uncommitted ones, -1 when none
};

// Unlinks the temporary file of every OutputFile not yet committed or destroyed, for a process
// about to die (a fatal signal, std::terminate). Async-signal-safe; later Commit()s publish
// nothing.
void RemoveUncommittedOutputFiles() noexcept;

}  // namespace vcfagent
