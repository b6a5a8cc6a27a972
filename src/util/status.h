// Status and Result: the one way the library reports failure.
//
// Every fallible library function returns a Status (or a Result<T> carrying a value or a Status).
// Bad input is a normal outcome, not an exception: the message names the file, line and field and
// says what was expected. The kind decides the process exit status in the htslib/bcftools
// convention used by every front end: 0 success, 1 invalid input or findings, 2 usage or I/O error.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vcfagent {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

enum class ErrorKind {
  kOk,
  kInvalidInput,  // the input is readable but not what the specification allows
  kUsage,         // a wrong flag, value or combination of options
  kIo,            // a file cannot be opened, read or written
  kCancelled,     // the user interrupted a long operation
  kInternal,      // a broken invariant inside vcf-agent (a bug)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message) { return {ErrorKind::kInvalidInput, std::move(message)}; }
  static Status Usage(std::string message) { return {ErrorKind::kUsage, std::move(message)}; }
  static Status IoError(std::string message) { return {ErrorKind::kIo, std::move(message)}; }
  static Status Cancelled(std::string message) { return {ErrorKind::kCancelled, std::move(message)}; }
  static Status Internal(std::string message) { return {ErrorKind::kInternal, std::move(message)}; }

  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

  // The process exit status this outcome maps to.
  int exit_code() const {
    switch (kind_) {
      case ErrorKind::kOk: return kExitOk;
      case ErrorKind::kInvalidInput: return kExitFindings;
      default: return kExitUsage;
    }
  }

  // The same status with "context: " in front of its message, e.g. the file name.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(kind_, context + ": " + message_);
  }

 private:
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}
  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}          // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace vcfagent

// Returns early from the enclosing function when a Status is not ok.
#define VCFAGENT_RETURN_IF_ERROR(expr)          \
  do {                                          \
    ::vcfagent::Status _st = (expr);            \
    if (!_st.ok()) return _st;                  \
  } while (0)
