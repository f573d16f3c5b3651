// Writing a whole file so that readers never see half of it.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <filesystem>
#include <span>

LMC_BEGIN_NAMESPACE
namespace base {

/// Writes `bytes` to a temporary file in the folder of `path`, then renames it over `path`.
/// Throws Error(io) naming the path; the temporary file is removed on failure.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

}  // namespace base
LMC_END_NAMESPACE
