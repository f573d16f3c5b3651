#include "base/atomic_write.hpp"

#include "base/fail.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

LMC_BEGIN_NAMESPACE
namespace base {

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp.{}", static_cast<long>(::getpid()));
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    base::fail(ErrorCode::io, "{}: cannot create: {}", temporary.string(), std::strerror(errno));
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int saved_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    base::fail(ErrorCode::io, "{}: cannot write {} bytes: {}", path.string(), bytes.size(),
               std::strerror(written ? errno : saved_errno));
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    base::fail(ErrorCode::io, "{}: cannot rename the written file into place: {}", path.string(),
               error.message());
  }
}

}  // namespace base
LMC_END_NAMESPACE
