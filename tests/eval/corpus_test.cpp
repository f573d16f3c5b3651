// Corpus: JSONL, text files, folders, gzip/zstd by content, bad records.
#include <lmc/corpus.hpp>
#include <lmc/error.hpp>

#include "eval/byte_stream.hpp"
#include "eval_test_support.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using eval_test::gzip_bytes;
using eval_test::read_file;
using eval_test::TempDir;
using eval_test::write_file;
using eval_test::zstd_bytes;

std::vector<lmc::Document> read_all(const std::string& path,
                                    const lmc::CorpusOptions& options = {}) {
  lmc::Corpus corpus = lmc::Corpus::open(path, options);
  std::vector<lmc::Document> documents;
  lmc::Document document;
  while (corpus.next(document)) documents.push_back(document);
  EXPECT_DOUBLE_EQ(corpus.fraction_read(), 1.0);
  return documents;
}

std::vector<std::string> texts(const std::vector<lmc::Document>& documents) {
  std::vector<std::string> out;
  for (const auto& document : documents) out.push_back(document.text);
  return out;
}

// Expects open+read of `path` to throw lmc::Error with `code` and a message containing each of
// `parts`.
void expect_error(const std::string& path, lmc::ErrorCode code, std::vector<std::string> parts,
                  const lmc::CorpusOptions& options = {}) {
  try {
    read_all(path, options);
    ADD_FAILURE() << "no error for " << path;
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    for (const auto& part : parts) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << error.what();
    }
  }
}

// Code points the way Python's len() counts them, written independently of lmc::utf8.
std::uint64_t python_len(const std::string& text) {
  std::uint64_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

struct SetFigures {
  const char* file;
  std::size_t records;
  std::uint64_t bytes;
  std::uint64_t characters;
};

// From the table in corpora/README.md.
const SetFigures kSets[] = {
    {"corpora/sets/cc_like.jsonl", 68, 1'089'366, 1'061'286},
    {"corpora/sets/python.jsonl", 52, 1'016'687, 1'016'681},
    {"corpora/sets/arxiv_math_like.jsonl", 126, 1'045'360, 1'045'351},
};

TEST(Corpus, ReadsThePaperSetsWithTheirPublishedFigures) {
  LMC_REQUIRE_TESTDATA();
  for (const SetFigures& set : kSets) {
    const auto documents = read_all(lmc_test::testdata(set.file).string());
    EXPECT_EQ(documents.size(), set.records) << set.file;
    std::uint64_t bytes = 0;
    std::uint64_t characters = 0;
    for (const auto& document : documents) {
      bytes += document.text.size();
      characters += python_len(document.text);
    }
    EXPECT_EQ(bytes, set.bytes) << set.file;
    EXPECT_EQ(characters, set.characters) << set.file;
    EXPECT_EQ(documents.front().line, 1u);
    EXPECT_EQ(documents.back().line, set.records);
  }
}

TEST(Corpus, GzipAndZstdCopiesReadLikeThePlainFile) {
  LMC_REQUIRE_TESTDATA();
  TempDir dir;
  const std::string plain = lmc_test::testdata("corpora/sets/python.jsonl").string();
  const std::string bytes = read_file(plain);
  // The names say nothing: compression is detected from the content.
  write_file(dir.file("gz.jsonl"), gzip_bytes(bytes));
  write_file(dir.file("zst.jsonl"), zstd_bytes(bytes));
  const auto expected = texts(read_all(plain));
  EXPECT_EQ(texts(read_all(dir.file("gz.jsonl"))), expected);
  EXPECT_EQ(texts(read_all(dir.file("zst.jsonl"))), expected);
}

TEST(Corpus, ConcatenatedGzipMembersAndZstdFramesAreOneStream) {
  TempDir dir;
  const std::string first = "{\"content\": \"one\"}\n{\"content\": \"tw";
  const std::string second = "o\"}\n{\"content\": \"three\"}\n";
  write_file(dir.file("a.jsonl.gz"), gzip_bytes(first) + gzip_bytes(second));
  write_file(dir.file("a.jsonl.zst"), zstd_bytes(first) + zstd_bytes(second));
  const std::vector<std::string> expected = {"one", "two", "three"};
  EXPECT_EQ(texts(read_all(dir.file("a.jsonl.gz"))), expected);
  EXPECT_EQ(texts(read_all(dir.file("a.jsonl.zst"))), expected);
}

TEST(Corpus, TruncatedOrCorruptCompressedDataIsAnError) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"content\": \"record " + std::to_string(i) + "\"}\n";
  const std::string gz = gzip_bytes(text);
  const std::string zst = zstd_bytes(text);
  write_file(dir.file("cut.jsonl.gz"), gz.substr(0, gz.size() / 2));
  write_file(dir.file("cut.jsonl.zst"), zst.substr(0, zst.size() / 2));
  expect_error(dir.file("cut.jsonl.gz"), lmc::ErrorCode::corrupt_data,
               {"cut.jsonl.gz", "truncated"});
  expect_error(dir.file("cut.jsonl.zst"), lmc::ErrorCode::corrupt_data,
               {"cut.jsonl.zst", "truncated"});
  // A flipped byte in the gzip trailer fails the CRC-32; in the zstd checksum, the frame check.
  std::string bad_gz = gz;
  bad_gz[bad_gz.size() - 6] ^= 0x55;
  std::string bad_zst = zst;
  bad_zst[bad_zst.size() - 2] ^= 0x55;
  write_file(dir.file("bad.jsonl.gz"), bad_gz);
  write_file(dir.file("bad.jsonl.zst"), bad_zst);
  expect_error(dir.file("bad.jsonl.gz"), lmc::ErrorCode::corrupt_data, {"bad.jsonl.gz", "gzip"});
  expect_error(dir.file("bad.jsonl.zst"), lmc::ErrorCode::corrupt_data, {"bad.jsonl.zst", "zstd"});
}

TEST(Corpus, Bzip2AndXzAreRefusedByName) {
  TempDir dir;
  write_file(dir.file("x.jsonl"), "BZh91AY&SY");
  write_file(dir.file("y.jsonl"), std::string("\xFD"
                                              "7zXZ\0\0",
                                              8));
  expect_error(dir.file("x.jsonl"), lmc::ErrorCode::unsupported, {"bzip2"});
  expect_error(dir.file("y.jsonl"), lmc::ErrorCode::unsupported, {"xz"});
}

TEST(Corpus, DetectsCompressionFromMagicBytes) {
  const unsigned char gz[] = {0x1F, 0x8B, 0x08};
  const unsigned char zst[] = {0x28, 0xB5, 0x2F, 0xFD};
  const unsigned char text[] = {'x', '^', 0x01, 0x02};
  EXPECT_EQ(lmc::eval::detect_compression(gz, 3), lmc::eval::Compression::gzip);
  EXPECT_EQ(lmc::eval::detect_compression(zst, 4), lmc::eval::Compression::zstd);
  EXPECT_EQ(lmc::eval::detect_compression(text, 4), lmc::eval::Compression::none);
  EXPECT_EQ(lmc::eval::detect_compression(zst, 3), lmc::eval::Compression::none);
}

TEST(Corpus, JsonlFieldBlankLinesEmptyDocumentsAndCrlf) {
  TempDir dir;
  write_file(dir.file("c.jsonl"),
             "{\"text\": \"a\", \"content\": \"x\"}\r\n"
             "\n"
             "   \n"
             "{\"text\": \"\"}\n"
             "{\"text\": \"caf\\u00e9 \\ud83d\\ude00\", \"meta\": {\"k\": [1, 2]}}\n"
             "{\"text\": \"last\"}");  // no final newline
  lmc::CorpusOptions options;
  options.text_field = "text";
  lmc::Corpus corpus = lmc::Corpus::open(dir.file("c.jsonl"), options);
  std::vector<lmc::Document> documents;
  lmc::Document document;
  while (corpus.next(document)) documents.push_back(document);
  ASSERT_EQ(documents.size(), 3u);
  EXPECT_EQ(documents[0].text, "a");
  EXPECT_EQ(documents[0].line, 1u);
  EXPECT_EQ(documents[1].text, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(documents[1].line, 5u);
  EXPECT_EQ(documents[2].text, "last");
  EXPECT_EQ(documents[2].line, 6u);
  EXPECT_EQ(documents[2].source, dir.file("c.jsonl"));
  EXPECT_EQ(corpus.empty_documents(), 1u);
  EXPECT_EQ(corpus.skipped_records(), 0u);
}

TEST(Corpus, BadRecordsNameFileAndLineOrAreSkippedAndCounted) {
  TempDir dir;
  const std::string good = "{\"content\": \"fine\"}\n";
  const struct {
    std::string line;
    std::string expected;
  } cases[] = {
      {"{\"content\": \"unterminated}\n", "invalid JSON"},
      {"[\"content\"]\n", "not a JSON object"},
      {"{\"other\": \"x\"}\n", "no field \"content\""},
      {"{\"content\": 42}\n", "not a string"},
      {"{\"content\": \"\xC3\x28\"}\n", "invalid JSON"},       // invalid UTF-8 in the file
      {"{\"content\": \"\\ud800 alone\"}\n", "invalid JSON"},  // lone surrogate escape
  };
  int index = 0;
  for (const auto& c : cases) {
    const std::string path = dir.file("bad" + std::to_string(index++) + ".jsonl");
    write_file(path, good + good + c.line + good);
    expect_error(path, lmc::ErrorCode::format, {path, "line 3", c.expected});
    lmc::CorpusOptions skip;
    skip.skip_bad_records = true;
    lmc::Corpus corpus = lmc::Corpus::open(path, skip);
    lmc::Document document;
    int count = 0;
    while (corpus.next(document)) ++count;
    EXPECT_EQ(count, 3) << c.line;
    EXPECT_EQ(corpus.skipped_records(), 1u) << c.line;
  }
}

TEST(Corpus, PlainTextFileIsOneDocument) {
  TempDir dir;
  write_file(dir.file("doc.txt"), "line one\nline two\n");
  const auto documents = read_all(dir.file("doc.txt"));
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_EQ(documents[0].text, "line one\nline two\n");
  EXPECT_EQ(documents[0].line, 0u);
  // A JSONL file read as text is one document too.
  write_file(dir.file("records.jsonl"), "{\"content\": \"a\"}\n");
  lmc::CorpusOptions as_text;
  as_text.format = lmc::CorpusFormat::text;
  EXPECT_EQ(read_all(dir.file("records.jsonl"), as_text).size(), 1u);
  write_file(dir.file("latin1.txt"), "caf\xE9");
  expect_error(dir.file("latin1.txt"), lmc::ErrorCode::format, {"latin1.txt", "UTF-8", "byte 3"});
}

TEST(Corpus, FolderIsReadRecursivelyInByteOrderSkippingHiddenNames) {
  TempDir dir;
  const auto root = dir.path().string();
  write_file(root + "/b.txt", "B");
  write_file(root + "/a/z.txt", "AZ");
  write_file(root + "/a/y.jsonl.gz",
             gzip_bytes("{\"content\": \"AY1\"}\n{\"content\": \"AY2\"}\n"));
  write_file(root + "/C.txt", "C");  // uppercase sorts before lowercase in byte order
  write_file(root + "/empty.txt", "");
  write_file(root + "/.hidden.txt", "hidden");
  write_file(root + "/.git/config", "hidden");
  const std::vector<std::string> expected = {"C", "AY1", "AY2", "AZ", "B"};
  lmc::Corpus corpus = lmc::Corpus::open(root);
  std::vector<std::string> got;
  lmc::Document document;
  while (corpus.next(document)) got.push_back(document.text);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(corpus.empty_documents(), 1u);
}

TEST(Corpus, LongRecordsSpanningReadChunksAndTheLineLimit) {
  TempDir dir;
  const std::string big(3'500'000, 'x');  // longer than the 1 MiB read chunk
  write_file(dir.file("big.jsonl"), "{\"content\": \"" + big + "\"}\n{\"content\": \"y\"}\n");
  const auto documents = read_all(dir.file("big.jsonl"));
  ASSERT_EQ(documents.size(), 2u);
  EXPECT_EQ(documents[0].text, big);
  EXPECT_EQ(documents[1].text, "y");
  lmc::CorpusOptions small;
  small.max_document_bytes = 1'000'000;
  expect_error(dir.file("big.jsonl"), lmc::ErrorCode::format, {"line 1", "limit"}, small);
}

TEST(Corpus, MissingPathIsAnIoError) {
  TempDir dir;
  try {
    lmc::Corpus::open(dir.file("nope.jsonl"));
    ADD_FAILURE();
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::io);
    EXPECT_NE(std::string(error.what()).find("nope.jsonl"), std::string::npos);
  }
}

}  // namespace
