// lmc::Error: the one exception type lmc throws.
#pragma once

#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE

/// What kind of failure an Error reports. Callers can branch on it; the message says the rest.
enum class ErrorCode {
  io,                ///< a file could not be opened, read, written or mapped
  format,            ///< a file is not in the format it claims (bad magic, bad field, bad JSON)
  unsupported,       ///< a valid file uses a feature lmc does not implement
  invalid_argument,  ///< a caller passed an option or value outside its contract
  corrupt_data,      ///< data failed a checksum or an internal consistency check
  model_mismatch,    ///< data was made by another model or numeric profile than the one given
  out_of_range,      ///< an index, offset or size lies outside what the object holds
  internal,          ///< a bug in lmc: please report it
};

/// Short lowercase name of a code ("io", "format", ...).
LMC_EXPORT std::string_view to_string(ErrorCode code) noexcept;

/// Thrown by every lmc function that fails. The message names the file (when there is one),
/// the field or byte offset, and what was expected; what() returns that message.
class LMC_EXPORT Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  Error(const Error&) = default;
  Error& operator=(const Error&) = default;
  // Out of line, so that the vtable and typeinfo live in the library: one Error type for
  // every module that catches it.
  ~Error() override;

  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

LMC_END_NAMESPACE
