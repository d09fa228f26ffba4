// Status: the one error type of qatrt. No exceptions cross the API; every fallible call returns a Status
// or a StatusOr<T>. Messages carry context (node name, op, offending values) and a remedy, e.g.
//   "node 'conv1' (Conv): attribute 'auto_pad' = 'FOO' is not supported; use NOTSET, SAME_UPPER, SAME_LOWER or VALID".
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

namespace qatrt {

enum class StatusCode { kOk, kInvalidArgument, kUnsupported, kNotFound, kCorrupt, kIoError, kInternal };

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok_status() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "unsupported: node 'x' (Foo): ..." — the form printed by the CLI.
  std::string to_string() const;
  // Prefixes context to the message, e.g. with("while importing model.onnx").
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Builds a message from streamable parts: make_error(StatusCode::kUnsupported, "node '", name, "' ...").
template <typename... Parts>
Status make_error(StatusCode code, const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return Status(code, out.str());
}

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace qatrt

#define QATRT_CONCAT_INNER(a, b) a##b
#define QATRT_CONCAT(a, b) QATRT_CONCAT_INNER(a, b)

#define QATRT_RETURN_IF_ERROR(expr)              \
  do {                                           \
    ::qatrt::Status qatrt_status_ = (expr);      \
    if (!qatrt_status_.ok()) return qatrt_status_; \
  } while (0)

// QATRT_ASSIGN_OR_RETURN(auto x, make_x());
#define QATRT_ASSIGN_OR_RETURN(lhs, expr) QATRT_ASSIGN_OR_RETURN_IMPL(QATRT_CONCAT(qatrt_or_, __LINE__), lhs, expr)
#define QATRT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
