// Corpus: the files of a corpus, listed up front, read one document at a time.
#include <lmc/corpus.hpp>

#include "base/fail.hpp"
#include "base/utf8.hpp"
#include "eval/byte_stream.hpp"
#include "eval/jsonl_record.hpp"
#include "eval/line_reader.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace {

namespace fs = std::filesystem;

constexpr std::array kCompressionSuffixes = {".gz", ".gzip", ".zst", ".zstd"};
constexpr std::array kJsonlSuffixes = {".jsonl", ".ndjson"};

bool is_jsonl_name(std::string_view name) {
  for (std::string_view suffix : kCompressionSuffixes) {
    if (name.ends_with(suffix)) {
      name.remove_suffix(suffix.size());
      break;
    }
  }
  return std::any_of(kJsonlSuffixes.begin(), kJsonlSuffixes.end(),
                     [&](std::string_view suffix) { return name.ends_with(suffix); });
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool is_hidden(const fs::path& relative) {
  return std::any_of(relative.begin(), relative.end(),
                     [](const fs::path& part) { return part.native().starts_with('.'); });
}

// Every regular file below `folder`, skipping hidden names, in byte-wise order of the path
// relative to the folder (so that the order does not depend on the file system or locale).
std::vector<std::string> list_folder(const fs::path& folder) {
  std::vector<std::string> relative_paths;
  std::error_code error;
  fs::recursive_directory_iterator it(folder, error);
  if (error)
    base::fail(ErrorCode::io, "{}: cannot list the folder: {}", folder.native(), error.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(error)) {
    if (error) break;
    const fs::path relative = it->path().lexically_relative(folder);
    if (is_hidden(relative)) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(error)) relative_paths.push_back(relative.generic_string());
  }
  if (error)
    base::fail(ErrorCode::io, "{}: cannot list the folder: {}", folder.native(), error.message());
  std::sort(relative_paths.begin(), relative_paths.end());
  std::vector<std::string> paths;
  paths.reserve(relative_paths.size());
  for (const std::string& relative : relative_paths) paths.push_back((folder / relative).native());
  return paths;
}

}  // namespace

struct Corpus::Impl {
  std::string path;
  CorpusOptions options;
  std::vector<std::string> files;
  std::vector<std::uint64_t> file_sizes;
  std::uint64_t total_bytes = 0;
  std::uint64_t finished_bytes = 0;  // file bytes of the files already read whole

  std::size_t next_file = 0;
  std::optional<eval::LineReader> lines;  // the JSONL file being read
  std::string current_file;

  std::uint64_t skipped = 0;
  std::uint64_t empty = 0;

  bool is_jsonl(const std::string& file) const {
    switch (options.format) {
      case CorpusFormat::jsonl: return true;
      case CorpusFormat::text: return false;
      case CorpusFormat::automatic: break;
    }
    return is_jsonl_name(fs::path(file).filename().native());
  }

  // Reports a bad record: throws, or counts it when the user asked for skipping.
  void bad_record(std::uint64_t line, const std::string& problem) {
    if (!options.skip_bad_records) {
      if (line == 0) base::fail(ErrorCode::format, "{}: {}", current_file, problem);
      base::fail(ErrorCode::format, "{}: line {}: {}", current_file, line, problem);
    }
    ++skipped;
  }

  void finish_file() {
    finished_bytes += file_sizes[next_file - 1];
    lines.reset();
  }

  // The next document of the JSONL file being read; false at its end.
  bool next_record(Document& document) {
    std::string_view line;
    while (lines->next(line)) {
      if (is_blank(line)) continue;
      const std::uint64_t number = lines->line_number();
      if (auto problem = eval::read_jsonl_record(line, options.text_field, document.text)) {
        bad_record(number, problem.message);
        continue;
      }
      if (document.text.empty() && !options.keep_empty_documents) {
        ++empty;
        continue;
      }
      document.source = current_file;
      document.line = number;
      return true;
    }
    return false;
  }

  // Reads a whole plain-text file as one document; false when it is empty or bad (skipped).
  bool read_text_file(Document& document) {
    auto stream = eval::open_byte_stream(current_file);
    document.text.clear();
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    for (;;) {
      const std::size_t old_size = document.text.size();
      if (old_size > options.max_document_bytes) {
        bad_record(0, fmt::format("longer than the limit of {} bytes", options.max_document_bytes));
        return false;
      }
      document.text.resize(old_size + kChunk);
      const std::size_t got = stream->read(document.text.data() + old_size, kChunk);
      document.text.resize(old_size + got);
      if (got == 0) break;
    }
    if (document.text.empty() && !options.keep_empty_documents) {
      ++empty;
      return false;
    }
    if (auto bad = base::utf8::find_invalid(document.text)) {
      bad_record(0, fmt::format("not valid UTF-8 at byte {}", *bad));
      return false;
    }
    document.source = current_file;
    document.line = 0;
    return true;
  }

  bool next(Document& document) {
    for (;;) {
      if (lines) {
        if (next_record(document)) return true;
        finish_file();
      }
      if (next_file == files.size()) return false;
      current_file = files[next_file++];
      if (is_jsonl(current_file)) {
        lines.emplace(eval::open_byte_stream(current_file), current_file,
                      options.max_document_bytes);
        continue;
      }
      const bool got = read_text_file(document);
      finished_bytes += file_sizes[next_file - 1];
      if (got) return true;
    }
  }

  double fraction_read() const {
    if (total_bytes == 0) return next_file == files.size() ? 1.0 : 0.0;
    std::uint64_t done = finished_bytes;
    if (lines) done += lines->stream().file_bytes_consumed();
    return std::min(1.0, static_cast<double>(done) / static_cast<double>(total_bytes));
  }
};

Corpus Corpus::open(const std::string& path, const CorpusOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  if (path == "-") {  // standard input, read once as one file of unknown size
    impl->files.push_back(path);
    impl->file_sizes.push_back(0);
    return Corpus(std::move(impl));
  }
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    base::fail(ErrorCode::io, "{}: cannot open: {}", path,
               error ? error.message() : std::string("no such file or folder"));
  }
  if (fs::is_directory(status)) {
    impl->files = list_folder(path);
  } else {
    impl->files.push_back(path);
  }
  for (const std::string& file : impl->files) {
    const std::uintmax_t size = fs::file_size(file, error);
    impl->file_sizes.push_back(error ? 0 : static_cast<std::uint64_t>(size));
    impl->total_bytes += impl->file_sizes.back();
  }
  return Corpus(std::move(impl));
}

Corpus::Corpus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Corpus::Corpus(Corpus&&) noexcept = default;
Corpus& Corpus::operator=(Corpus&&) noexcept = default;
Corpus::~Corpus() = default;

bool Corpus::next(Document& document) { return impl_->next(document); }
const std::string& Corpus::path() const noexcept { return impl_->path; }
std::uint64_t Corpus::skipped_records() const noexcept { return impl_->skipped; }
std::uint64_t Corpus::empty_documents() const noexcept { return impl_->empty; }
double Corpus::fraction_read() const noexcept { return impl_->fraction_read(); }

LMC_END_NAMESPACE
