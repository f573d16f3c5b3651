// Throwing lmc::Error with a formatted message, the one way lmc reports failure.
#pragma once

#include <lmc/error.hpp>

#include <fmt/format.h>

#include <utility>

LMC_BEGIN_NAMESPACE
namespace base {

template <typename... Args>
[[noreturn]] void fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace base
LMC_END_NAMESPACE
