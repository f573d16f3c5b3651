// Corpora for BPC evaluation: JSONL records, plain text files and folders of files, each
// optionally compressed with gzip or zstd, read as a stream of documents.
#pragma once

#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstdint>
#include <memory>
#include <string>

LMC_BEGIN_NAMESPACE

/// How the files of a corpus hold their documents.
enum class CorpusFormat {
  /// By file name: a file whose name ends in ".jsonl" or ".ndjson", optionally followed by
  /// ".gz", ".gzip", ".zst" or ".zstd", is JSONL; any other file is plain text.
  automatic,
  jsonl,  ///< one JSON object per line; the document is one string field of it
  text,   ///< the whole file is one document
};

/// Options of Corpus::open.
struct CorpusOptions {
  CorpusFormat format = CorpusFormat::automatic;
  /// The string field of a JSONL record that holds the document ("content" in the paper's sets).
  std::string text_field = "content";
  /// false: a bad record (invalid JSON, missing or non-string field, invalid UTF-8) throws
  /// lmc::Error naming the file and line. true: it is skipped and counted (skipped_records()).
  bool skip_bad_records = false;
  /// Longest line (JSONL) or file (text) accepted, in decompressed bytes. Longer input is a
  /// bad record, so that a file without line breaks cannot exhaust memory.
  std::uint64_t max_document_bytes = std::uint64_t{1} << 30;
  /// false: empty documents (a record whose field is "", an empty file) are dropped and counted
  /// (empty_documents()). true: they are returned like any other (a program that answers each
  /// JSONL line with one output line needs them).
  bool keep_empty_documents = false;
};

/// One document of a corpus.
struct Document {
  std::string text;        ///< valid UTF-8; empty only with CorpusOptions::keep_empty_documents
  std::string source;      ///< the file it came from
  std::uint64_t line = 0;  ///< 1-based line of a JSONL record; 0 for a whole-file document
};

/// A stream of documents read from a file or a folder, one at a time: a corpus of any size
/// is never held in memory whole (only the current document and a read buffer of 1 MiB).
///
/// - A file is JSONL or plain text (CorpusOptions::format).
/// - A folder is every regular file below it, recursively, in byte-wise order of their paths
///   relative to the folder; names starting with '.' (files and folders) are skipped. Each
///   file is read as if it had been given alone.
/// - Compression is detected from the content, not the name: gzip (1f 8b, several members
///   allowed) and zstd (28 b5 2f fd, several frames allowed). bzip2 and xz are recognised
///   and refused (ErrorCode::unsupported). Checksums of both formats are verified.
/// - JSONL: blank lines are ignored; records whose field is an empty string are dropped and
///   counted (empty_documents()) unless CorpusOptions::keep_empty_documents is set.
///
/// Throws lmc::Error: io (cannot open or read), format (bad record, with file and line),
/// corrupt_data (bad or truncated compressed data, with file and compressed offset),
/// unsupported (bzip2, xz).
class LMC_EXPORT Corpus {
 public:
  /// Opens a file or a folder; "-" reads standard input as one file. Throws lmc::Error (io) if
  /// the path does not exist.
  static Corpus open(const std::string& path, const CorpusOptions& options = {});

  Corpus(Corpus&&) noexcept;
  Corpus& operator=(Corpus&&) noexcept;
  ~Corpus();

  /// Reads the next document into `document` (non-empty unless
  /// CorpusOptions::keep_empty_documents); false at the end of the corpus.
  bool next(Document& document);

  /// The path given to open().
  const std::string& path() const noexcept;
  /// Bad records skipped so far (only with CorpusOptions::skip_bad_records).
  std::uint64_t skipped_records() const noexcept;
  /// Empty documents dropped so far.
  std::uint64_t empty_documents() const noexcept;
  /// Share of the corpus's file bytes (compressed bytes for compressed files) consumed so
  /// far, in [0, 1]: an estimate of progress that needs no second pass.
  double fraction_read() const noexcept;

 private:
  struct Impl;
  explicit Corpus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

LMC_END_NAMESPACE
