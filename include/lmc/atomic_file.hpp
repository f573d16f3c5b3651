// Writing a file so that no reader ever sees part of it: lmc's model writers, result files and
// the example programs' outputs all go through here.
#pragma once

#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <span>
#include <string_view>

LMC_BEGIN_NAMESPACE

/// A file written through a temporary file beside it (same folder, so the final rename stays on
/// one file system) and renamed over `path` by commit(). Destroyed without commit() (an error,
/// an exception), it removes the temporary file and leaves `path` as it was. Move-only.
class LMC_EXPORT AtomicFile {
 public:
  /// Creates the temporary file. Throws Error(io) naming it when it cannot be created.
  explicit AtomicFile(const std::filesystem::path& path);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  /// The binary stream to write to.
  std::ostream& stream();
  /// Writes bytes to stream(); Error(io) when the stream fails.
  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);

  /// Flushes and closes the temporary file and renames it over `path` (replacing a file there).
  /// Throws Error(io) naming the path when writing, closing or renaming fails; the temporary
  /// file is removed then. Calling it twice is Error(invalid_argument).
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes `bytes` to `path` atomically (an AtomicFile, committed). Throws Error(io) naming the
/// path.
LMC_EXPORT void write_file_atomically(const std::filesystem::path& path,
                                      std::span<const std::byte> bytes);
LMC_EXPORT void write_file_atomically(const std::filesystem::path& path, std::string_view text);

LMC_END_NAMESPACE
