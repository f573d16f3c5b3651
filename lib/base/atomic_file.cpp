// lmc::AtomicFile: a temporary file named after the target, the process and a counter (so two
// writers in one process, or two processes, never share one), renamed into place on commit.
#include <lmc/atomic_file.hpp>
#include <lmc/error.hpp>

#include "base/fail.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

LMC_BEGIN_NAMESPACE
namespace {

std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  static std::atomic<unsigned long> counter{0};
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp.{}.{}", static_cast<long>(::getpid()), counter++);
  return temporary;
}

}  // namespace

struct AtomicFile::Impl {
  std::filesystem::path path;
  std::filesystem::path temporary;
  std::ofstream file;
  bool committed = false;

  void remove_temporary() noexcept {
    if (file.is_open()) file.close();
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
  }
};

AtomicFile::AtomicFile(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->temporary = temporary_beside(path);
  impl_->file.open(impl_->temporary, std::ios::binary | std::ios::trunc);
  if (!impl_->file) {
    base::fail(ErrorCode::io, "{}: cannot create: {}", impl_->temporary.string(),
               std::strerror(errno));
  }
}

AtomicFile::AtomicFile(AtomicFile&&) noexcept = default;
AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    if (impl_ && !impl_->committed) impl_->remove_temporary();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

AtomicFile::~AtomicFile() {
  if (impl_ && !impl_->committed) impl_->remove_temporary();
}

std::ostream& AtomicFile::stream() { return impl_->file; }

void AtomicFile::write(std::span<const std::byte> bytes) {
  impl_->file.write(reinterpret_cast<const char*>(bytes.data()),
                    static_cast<std::streamsize>(bytes.size()));
  if (!impl_->file) {
    base::fail(ErrorCode::io, "{}: cannot write {} bytes", impl_->path.string(), bytes.size());
  }
}

void AtomicFile::write(std::string_view text) {
  write(std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()));
}

void AtomicFile::commit() {
  Impl& impl = *impl_;
  if (impl.committed)
    base::fail(ErrorCode::invalid_argument, "{}: committed twice", impl.path.string());
  impl.file.flush();
  const bool written = static_cast<bool>(impl.file);
  impl.file.close();
  if (!written || !impl.file) {
    const int saved_errno = errno;
    impl.remove_temporary();
    base::fail(ErrorCode::io, "{}: cannot write: {}", impl.path.string(),
               std::strerror(saved_errno));
  }
  std::error_code error;
  std::filesystem::rename(impl.temporary, impl.path, error);
  if (error) {
    impl.remove_temporary();
    base::fail(ErrorCode::io, "{}: cannot rename the written file into place: {}",
               impl.path.string(), error.message());
  }
  impl.committed = true;
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

LMC_END_NAMESPACE
