// A read-only view of a whole file: memory-mapped, or read into memory when mapping is off.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace base {

class MappedFile {
 public:
  enum class Mode { map, read };

  /// Opens `path` whole. Throws Error(io) naming the path and the system's reason.
  static MappedFile open(const std::filesystem::path& path, Mode mode = Mode::map);

  /// Wraps bytes already in memory (as Mode::read would hold them); `name` plays the path's
  /// part in messages. Lets a parser serve files and in-memory buffers through one member.
  static MappedFile adopt(std::vector<std::byte> bytes, std::filesystem::path name);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }
  std::size_t size() const noexcept { return size_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  bool is_mapped() const noexcept { return mapped_; }

 private:
  void release() noexcept;

  std::filesystem::path path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
  std::vector<std::byte> buffer_;  // holds the contents in Mode::read
};

}  // namespace base
LMC_END_NAMESPACE
