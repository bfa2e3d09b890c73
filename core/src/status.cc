#include "cabine/status.h"

namespace cabine {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kModelEmpty: return "MODEL_EMPTY";
    case ErrorCode::kModelBadMagic: return "MODEL_BAD_MAGIC";
    case ErrorCode::kModelUnsupportedVersion: return "MODEL_UNSUPPORTED_VERSION";
    case ErrorCode::kModelTruncated: return "MODEL_TRUNCATED";
    case ErrorCode::kModelChecksumMismatch: return "MODEL_CHECKSUM_MISMATCH";
    case ErrorCode::kModelTrailingBytes: return "MODEL_TRAILING_BYTES";
    case ErrorCode::kModelMalformedHeader: return "MODEL_MALFORMED_HEADER";
    case ErrorCode::kModelMissingRequiredSection: return "MODEL_MISSING_REQUIRED_SECTION";
    case ErrorCode::kModelUnknownRequiredSection: return "MODEL_UNKNOWN_REQUIRED_SECTION";
    case ErrorCode::kModelDuplicateSection: return "MODEL_DUPLICATE_SECTION";
    case ErrorCode::kModelMalformedSection: return "MODEL_MALFORMED_SECTION";
    case ErrorCode::kModelTooLarge: return "MODEL_TOO_LARGE";
    case ErrorCode::kNoModel: return "NO_MODEL";
    case ErrorCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::kNoFitModel: return "NO_FIT_MODEL";
    case ErrorCode::kInvalidJson: return "INVALID_JSON";
    case ErrorCode::kLimitExceeded: return "LIMIT_EXCEEDED";
    case ErrorCode::kInvalidRule: return "INVALID_RULE";
    case ErrorCode::kInvalidProfile: return "INVALID_PROFILE";
    case ErrorCode::kInvalidEvent: return "INVALID_EVENT";
  }
  return "UNKNOWN";
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string out(error_code_name(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace cabine
