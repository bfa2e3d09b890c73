// Status and Result: how every fallible call in the Cabine core reports failure.
//
// The core never throws. A fallible function returns `Status` (no value) or
// `Result<T>` (a value or a Status). Each failure carries an `ErrorCode`, whose
// stable string name (`error_code_name`) is what the JS layer puts in
// `CabineError.code`, and a message that names what is wrong and where.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cabine {

// Stable error codes. The numeric values are internal; the names returned by
// `error_code_name` are the public contract (JS `CabineError.code`, CLI output).
// Append new codes at the end; never renumber or rename.
enum class ErrorCode : std::uint8_t {
  kOk = 0,
  // Model loading (see docs/model-format.md).
  kModelEmpty,                 // zero bytes
  kModelBadMagic,              // the file does not start with the Cabine magic
  kModelUnsupportedVersion,    // format major version this reader does not know
  kModelTruncated,             // fewer bytes than the preamble or the header declare
  kModelChecksumMismatch,      // CRC-32 of the payload differs from the stored one
  kModelTrailingBytes,         // bytes after the declared payload
  kModelMalformedHeader,       // the model header inside the payload is invalid
  kModelMissingRequiredSection,// a section every v1 model must have is absent
  kModelUnknownRequiredSection,// a section marked required that this reader does not know
  kModelDuplicateSection,      // the same section tag appears twice
  kModelMalformedSection,      // a known section's content is invalid
  kModelTooLarge,              // larger than kMaxModelBytes
  // Engine use.
  kNoModel,                    // a call needs a model and none is loaded
  kInvalidArgument,            // a caller-supplied argument is invalid
  kNoFitModel,                 // the model in service has no fit section
  // Rules, profiles and events.
  kInvalidJson,                // text that is not valid JSON (line and column in the message)
  kLimitExceeded,              // input beyond a documented limit (size, depth, length, steps)
  kInvalidRule,                // a rule that is valid JSON but not a valid rule (path in the message)
  kInvalidProfile,             // a saved profile that cannot be loaded (a fresh one replaces it)
  kInvalidEvent,               // a tracked event with a missing or bad field
};

// Number of codes, for tables and tests.
inline constexpr int kErrorCodeCount = static_cast<int>(ErrorCode::kInvalidEvent) + 1;

// The stable upper-snake-case name of a code, e.g. "MODEL_CHECKSUM_MISMATCH".
// "OK" for kOk; "UNKNOWN" for a value outside the enum.
std::string_view error_code_name(ErrorCode code) noexcept;

// The outcome of a fallible call that returns no value.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const noexcept { return code_ == ErrorCode::kOk; }
  ErrorCode code() const noexcept { return code_; }
  // Human-readable explanation; empty when OK.
  const std::string& message() const noexcept { return message_; }
  // "CODE: message", for logs and CLI output.
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value of type T, or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}               // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}        // NOLINT: implicit by design
  Result(ErrorCode code, std::string message) : state_(Status(code, std::move(message))) {}

  bool is_ok() const noexcept { return std::holds_alternative<T>(state_); }
  // The failure; an OK Status when a value is present.
  Status status() const { return is_ok() ? Status() : std::get<Status>(state_); }
  ErrorCode code() const noexcept {
    return is_ok() ? ErrorCode::kOk : std::get<Status>(state_).code();
  }

  // Precondition: is_ok().
  const T& value() const& { return *std::get_if<T>(&state_); }
  T& value() & { return *std::get_if<T>(&state_); }
  T&& value() && { return std::move(*std::get_if<T>(&state_)); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace cabine

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define CABINE_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::cabine::Status cabine_status_ = (expr); \
    if (!cabine_status_.is_ok()) return cabine_status_; \
  } while (false)
