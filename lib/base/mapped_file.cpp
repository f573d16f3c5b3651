#include "base/mapped_file.hpp"

#include "base/fail.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

LMC_BEGIN_NAMESPACE
namespace base {
namespace {

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

MappedFile MappedFile::open(const std::filesystem::path& path, Mode mode) {
  FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    fail(ErrorCode::io, "{}: cannot open: {}", path.string(), std::strerror(errno));
  }
  struct stat status {};
  if (::fstat(file.fd, &status) != 0) {
    fail(ErrorCode::io, "{}: cannot stat: {}", path.string(), std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    fail(ErrorCode::io, "{}: not a regular file", path.string());
  }
  MappedFile result;
  result.path_ = path;
  result.size_ = static_cast<std::size_t>(status.st_size);
  if (result.size_ == 0) return result;

  if (mode == Mode::map) {
    void* address = ::mmap(nullptr, result.size_, PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (address == MAP_FAILED) {
      fail(ErrorCode::io, "{}: cannot map {} bytes: {}", path.string(), result.size_,
           std::strerror(errno));
    }
    result.data_ = static_cast<const std::byte*>(address);
    result.mapped_ = true;
    return result;
  }

  result.buffer_.resize(result.size_);
  std::size_t done = 0;
  while (done < result.size_) {
    ssize_t n = ::pread(file.fd, result.buffer_.data() + done, result.size_ - done,
                        static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fail(ErrorCode::io, "{}: read failed at offset {}: {}", path.string(), done,
           n == 0 ? "unexpected end of file" : std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  result.data_ = result.buffer_.data();
  return result;
}

MappedFile MappedFile::adopt(std::vector<std::byte> bytes, std::filesystem::path name) {
  MappedFile result;
  result.path_ = std::move(name);
  result.buffer_ = std::move(bytes);
  result.size_ = result.buffer_.size();
  result.data_ = result.buffer_.data();
  return result;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    buffer_ = std::move(other.buffer_);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
    data_ = std::exchange(other.data_, nullptr);
    if (!mapped_ && size_ > 0) data_ = buffer_.data();
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() noexcept {
  if (mapped_ && data_ != nullptr) {
    ::munmap(const_cast<std::byte*>(data_), size_);
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
  buffer_.clear();
}

}  // namespace base
LMC_END_NAMESPACE
