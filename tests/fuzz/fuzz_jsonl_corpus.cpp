// libFuzzer target: a JSONL corpus file of arbitrary bytes (possibly gzip or zstd) is read to
// its end, skipping bad records; it must never crash, hang or throw anything but lmc::Error.
#include <lmc/corpus.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/lmc_fuzz_jsonl_" + std::to_string(::getpid()) + ".jsonl";
  if (std::FILE* file = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, file);
    std::fclose(file);
  } else {
    return 0;
  }
  for (bool skip : {false, true}) {
    try {
      lmc::CorpusOptions options;
      options.skip_bad_records = skip;
      options.max_document_bytes = 1 << 16;
      lmc::Corpus corpus = lmc::Corpus::open(path, options);
      lmc::Document document;
      while (corpus.next(document)) {
      }
    } catch (const lmc::Error&) {
    }
  }
  return 0;
}
