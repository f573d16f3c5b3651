#include <lmc/error.hpp>

LMC_BEGIN_NAMESPACE

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::io: return "io";
    case ErrorCode::format: return "format";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::corrupt_data: return "corrupt_data";
    case ErrorCode::model_mismatch: return "model_mismatch";
    case ErrorCode::out_of_range: return "out_of_range";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

Error::~Error() = default;

LMC_END_NAMESPACE
