// Acceptance of issue 6 with a real model, through the lmc-bpc program: stories260K on the
// paper-format sets, at context 256 / stride 64 and at the defaults 1900 / 512. The exact-mode
// loss lmc-bpc writes must equal the model's token_logprobs summed window by window here, and
// be the same for 1 and 2 threads and for 1, 2 and 3 shards merged with `lmc-bpc --merge`,
// and (CI tier, context 256) for gzip and zstd copies of the corpus.
//
// One source, two tiers:
// - the default (CI) tier runs each set's shortest documents, in file order, until the stream
//   has enough tokens for 4 windows at 1900 / 512; windows cross document borders.
// - with LMC_BPC_FULL_SWEEP (test eval_bpc_corpus_sweep, label corpus_sweep) each set is run
//   whole; the environment variable LMC_BPC_SWEEP_MAX_DOCS=K keeps its first K documents.
//
// The reference reads the sets with rapidjson, counts characters and plans windows itself; it
// shares only the model (tokenizer and token_logprobs) with lmc-bpc.
#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include "eval_test_support.hpp"
#include "support/run_program.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

__extension__ typedef __int128 Int128;

#if defined(LMC_BPC_FULL_SWEEP)
constexpr bool kFullSweep = true;
#else
constexpr bool kFullSweep = false;
#endif

struct Setting {
  std::size_t context;
  std::size_t stride;
};

struct Case {
  const char* set;  // file under corpora/sets
  Setting setting;
};

// CI tier: documents of at most this many bytes (about 2,000 tokens), in file order, until
// the stream holds kMinTokens tokens, the last one cut short to stop there: 1901 + 2 * 512 + 1
// tokens make 4 windows at 1900 / 512 (3 full ones and a tail), and a document border falls
// inside the first window.
constexpr std::size_t kShortDocumentBytes = 3100;
constexpr std::size_t kMinTokens = 1900 + 1 + 2 * 512 + 1;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Progress of the full sweep (hours long); ctest shows it with --output-on-failure or -V.
void note(const std::string& line) {
  if (!kFullSweep) return;
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

// The `content` of each record of a JSONL set, in file order, empty documents dropped.
std::vector<std::string> read_set(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> documents;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    rapidjson::Document record;
    record.Parse(line.c_str(), line.size());
    if (record.HasParseError() || !record.IsObject() || !record.HasMember("content") ||
        !record["content"].IsString()) {
      ADD_FAILURE() << path << ": bad record";
      return {};
    }
    std::string text(record["content"].GetString(), record["content"].GetStringLength());
    if (!text.empty()) documents.push_back(std::move(text));
  }
  return documents;
}

// The shortest prefix of `text` (in steps of 32 bytes, cut at a code point) that encodes to at
// least `tokens` tokens, or the whole text. Keeps the CI corpus just long enough.
std::string shortest_prefix(const lmc::Tokenizer& tokenizer, const std::string& text,
                            std::size_t tokens) {
  for (std::size_t cut = 32; cut < text.size(); cut += 32) {
    std::size_t end = cut;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    std::string prefix = text.substr(0, end);
    if (tokenizer.encode(prefix, {.add_special = true}).size() >= tokens) return prefix;
  }
  return text;
}

std::string jsonl_of(const std::vector<std::string>& documents) {
  std::string out;
  for (const std::string& text : documents) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("content");
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    writer.EndObject();
    out.append(buffer.GetString(), buffer.GetSize());
    out += '\n';
  }
  return out;
}

std::uint64_t code_points(std::string_view utf8) {
  return static_cast<std::uint64_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// A non-negative count as a decimal string, as lmc-bpc writes loss_nats_q32.
std::string decimal(Int128 value) {
  if (value < 0) return "negative";
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return digits;
}

// The token stream of issue 6: each document encoded on its own with the tokenizer's default
// special tokens, concatenated; a document's first token is a BOS target when it is the BOS.
struct Stream {
  std::vector<lmc::Token> ids;
  std::vector<bool> is_bos;
  std::uint64_t documents = 0;
  std::uint64_t characters = 0;
  std::uint64_t bytes = 0;

  void add(const lmc::Tokenizer& tokenizer, const std::string& text) {
    const std::vector<lmc::Token> encoded = tokenizer.encode(text, {.add_special = true});
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      ids.push_back(encoded[i]);
      is_bos.push_back(i == 0 && tokenizer.bos() && encoded[i] == *tokenizer.bos());
    }
    ++documents;
    characters += code_points(text);
    bytes += text.size();
  }
};

// The exact-mode figures computed here, window by window, from the rule of issue 6: window k
// reads ids[kS, kS + C + 1) (cut at the end of the stream), and counts the targets after the
// last one the previous window counted; BOS targets are left out.
struct Reference {
  double nats = 0;           // Σ -ln p in double, in stream order
  Int128 loss_nats_q32 = 0;  // Σ round(-ln p · 2^32): the fixed-point loss of docs/bpc.md
  std::uint64_t scored_tokens = 0;
  std::uint64_t windows = 0;
  std::uint64_t forward_tokens = 0;        // tokens the model reads: window size - 1
  std::uint64_t windows_with_borders = 0;  // windows holding a document start past their first
};

Reference reference(const lmc::Model& model, const Stream& stream, Setting setting,
                    const std::string& label) {
  Reference r;
  const auto start = std::chrono::steady_clock::now();
  auto last_note = start;
  std::size_t next_target = 1;
  for (std::size_t begin = 0; next_target < stream.ids.size(); begin += setting.stride) {
    const std::size_t end = std::min(begin + setting.context + 1, stream.ids.size());
    const std::vector<lmc::Token> window(stream.ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                         stream.ids.begin() + static_cast<std::ptrdiff_t>(end));
    const std::vector<float> logprobs = model.token_logprobs(window);  // targets begin+1..end-1
    for (std::size_t target = next_target; target < end; ++target) {
      if (stream.is_bos[target]) continue;
      const float logprob = logprobs[target - begin - 1];
      r.nats -= logprob;
      r.loss_nats_q32 += static_cast<Int128>(std::llround(-static_cast<double>(logprob) * 0x1p32));
      ++r.scored_tokens;
    }
    ++r.windows;
    r.forward_tokens += end - begin - 1;
    for (std::size_t i = begin + 1; i < end; ++i) {
      if (stream.is_bos[i]) {
        ++r.windows_with_borders;
        break;
      }
    }
    next_target = end;
    if (kFullSweep && seconds_since(last_note) > 60) {
      last_note = std::chrono::steady_clock::now();
      std::printf("  %s reference: %zu / %zu tokens, %.0f s\n", label.c_str(), end,
                  stream.ids.size(), seconds_since(start));
      std::fflush(stdout);
    }
  }
  return r;
}

// What lmc-bpc --json wrote, the keys this test checks.
struct BpcJson {
  std::string loss_nats_q32;
  double total_bits = 0;
  double bpc = 0;
  std::uint64_t characters = 0, bytes = 0, tokens = 0, documents = 0;
  std::uint64_t scored_tokens = 0, windows = 0, forward_tokens = 0;
  std::uint64_t context = 0, stride = 0, shard_count = 0;
  std::string mode;
};

BpcJson parse_result(const std::string& path) {
  const std::string text = eval_test::read_file(path);
  rapidjson::Document json;
  json.Parse<rapidjson::kParseFullPrecisionFlag>(text.c_str(), text.size());
  BpcJson r;
  if (json.HasParseError() || !json.IsObject()) {
    ADD_FAILURE() << path << " is not a JSON object:\n" << text;
    return r;
  }
  const auto integer = [&](const char* key) -> std::uint64_t {
    if (!json.HasMember(key) || !json[key].IsUint64()) {
      ADD_FAILURE() << path << ": " << key;
      return 0;
    }
    return json[key].GetUint64();
  };
  const auto number = [&](const char* key) -> double {
    if (!json.HasMember(key) || !json[key].IsNumber()) {
      ADD_FAILURE() << path << ": " << key;
      return 0;
    }
    return json[key].GetDouble();
  };
  const auto string = [&](const char* key) -> std::string {
    if (!json.HasMember(key) || !json[key].IsString()) {
      ADD_FAILURE() << path << ": " << key;
      return {};
    }
    return json[key].GetString();
  };
  r.loss_nats_q32 = string("loss_nats_q32");
  r.total_bits = number("total_bits");
  r.bpc = number("bpc");
  r.characters = integer("characters");
  r.bytes = integer("bytes");
  r.tokens = integer("tokens");
  r.documents = integer("documents");
  r.scored_tokens = integer("scored_tokens");
  r.windows = integer("windows");
  r.forward_tokens = integer("forward_tokens");
  r.context = integer("context");
  r.stride = integer("stride");
  r.shard_count = integer("shard_count");
  r.mode = string("mode");
  return r;
}

// Shards, threads and merging must not change a single bit of the result.
void expect_identical(const BpcJson& actual, const BpcJson& expected, const std::string& what) {
  EXPECT_EQ(actual.loss_nats_q32, expected.loss_nats_q32) << what;
  EXPECT_EQ(actual.total_bits, expected.total_bits) << what;
  EXPECT_EQ(actual.bpc, expected.bpc) << what;
  EXPECT_EQ(actual.characters, expected.characters) << what;
  EXPECT_EQ(actual.bytes, expected.bytes) << what;
  EXPECT_EQ(actual.tokens, expected.tokens) << what;
  EXPECT_EQ(actual.documents, expected.documents) << what;
  EXPECT_EQ(actual.scored_tokens, expected.scored_tokens) << what;
  EXPECT_EQ(actual.windows, expected.windows) << what;
  EXPECT_EQ(actual.forward_tokens, expected.forward_tokens) << what;
}

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.set << " context " << c.setting.context << " stride " << c.setting.stride;
}

class LmcBpcStories260K : public ::testing::TestWithParam<Case> {
 protected:
  std::string model_path() const { return lmc_test::testdata("models/stories260K.gguf").string(); }

  // Runs lmc-bpc on `corpus` and reads its JSON.
  BpcJson run_bpc(const std::string& corpus, std::size_t threads, std::string_view shard,
                  const std::string& json) {
    std::string arguments = "--model " + lmc_test::shell_quote(model_path()) + " --corpus " +
                            lmc_test::shell_quote(corpus) + " --context " +
                            std::to_string(setting().context) + " --stride " +
                            std::to_string(setting().stride) + " --threads " +
                            std::to_string(threads) + " --json " + lmc_test::shell_quote(json);
    if (!shard.empty()) arguments += " --shard " + std::string(shard);
    if (max_docs_ > 0) arguments += " --max-docs " + std::to_string(max_docs_);
    if (kFullSweep) arguments += " --progress";
    const auto start = std::chrono::steady_clock::now();
    const lmc_test::ProgramRun run = lmc_test::run_program(LMC_BPC_PATH, arguments, kFullSweep);
    EXPECT_EQ(run.status, 0) << arguments << "\n" << run.output;
    note("  " + label_ + " lmc-bpc --threads " + std::to_string(threads) +
         (shard.empty() ? "" : " --shard " + std::string(shard)) + ": " +
         seconds_text(seconds_since(start)));
    return parse_result(json);
  }

  // Shards 0..count-1 run one after the other, merged by `lmc-bpc --merge` in reverse order.
  BpcJson run_shards(const std::string& corpus, std::size_t count) {
    std::string files;
    std::uint64_t fewest = UINT64_MAX, most = 0;
    for (std::size_t index = 0; index < count; ++index) {
      const std::string json =
          dir_.file("shard" + std::to_string(index) + "of" + std::to_string(count) + ".json");
      const BpcJson shard =
          run_bpc(corpus, 1, std::to_string(index) + "/" + std::to_string(count), json);
      fewest = std::min(fewest, shard.windows);
      most = std::max(most, shard.windows);
      files = lmc_test::shell_quote(json) + " " + files;
    }
    EXPECT_LE(most - fewest, 1u) << count << " shards are balanced";
    const std::string merged = dir_.file("merged" + std::to_string(count) + ".json");
    const lmc_test::ProgramRun run = lmc_test::run_program(
        LMC_BPC_PATH, "--merge " + files + "--json " + lmc_test::shell_quote(merged));
    EXPECT_EQ(run.status, 0) << run.output;
    return parse_result(merged);
  }

  const Setting& setting() const { return GetParam().setting; }

  eval_test::TempDir dir_;
  std::uint64_t max_docs_ = 0;
  std::string label_;
};

TEST_P(LmcBpcStories260K, ExactModeEqualsWindowByWindowLogprobsForThreadsAndShards) {
  LMC_REQUIRE_TESTDATA();
  const Case& c = GetParam();
  label_ = std::string(c.set) + " " + std::to_string(c.setting.context) + "/" +
           std::to_string(c.setting.stride);
  const auto start = std::chrono::steady_clock::now();
  // token_logprobs reads the window's last token too: the reference needs one more position.
  lmc::ModelOptions options;
  options.threads = 1;
  options.context = c.setting.context + 1;
  const lmc::Model model = lmc::Model::load(model_path(), options);
  const lmc::Tokenizer& tokenizer = model.tokenizer();
  ASSERT_TRUE(tokenizer.add_bos_by_default());  // the stream has BOS targets to leave out

  const std::string set_path = lmc_test::testdata(std::string("corpora/sets/") + c.set).string();
  const std::vector<std::string> documents = read_set(set_path);
  ASSERT_FALSE(documents.empty());
  Stream stream;
  std::string corpus;
  if (kFullSweep) {
    corpus = set_path;
    if (const char* limit = std::getenv("LMC_BPC_SWEEP_MAX_DOCS")) max_docs_ = std::stoull(limit);
    for (const std::string& text : documents) {
      if (max_docs_ > 0 && stream.documents == max_docs_) break;
      stream.add(tokenizer, text);
    }
  } else {
    std::vector<std::string> chosen;
    for (const std::string& text : documents) {
      if (stream.ids.size() >= kMinTokens) break;
      if (text.size() > kShortDocumentBytes) continue;
      chosen.push_back(shortest_prefix(tokenizer, text, kMinTokens - stream.ids.size()));
      stream.add(tokenizer, chosen.back());
    }
    ASSERT_GE(stream.ids.size(), kMinTokens) << "too few short documents in " << c.set;
    corpus = dir_.file(c.set);
    eval_test::write_file(corpus, jsonl_of(chosen));
  }
  note(label_ + ": " + std::to_string(stream.documents) + " documents, " +
       std::to_string(stream.ids.size()) + " tokens");

  const auto reference_start = std::chrono::steady_clock::now();
  const Reference expected = reference(model, stream, c.setting, label_);
  note("  " + label_ + " reference: " + seconds_text(seconds_since(reference_start)));
  if (!kFullSweep) {
    // What the CI corpus is chosen for.
    EXPECT_GE(expected.windows, 4u);
    EXPECT_GE(stream.documents, 2u);
    EXPECT_GE(expected.windows_with_borders, 1u);
  }

  const BpcJson single = run_bpc(corpus, 1, "", dir_.file("single.json"));
  EXPECT_EQ(single.mode, "exact");
  EXPECT_EQ(single.context, c.setting.context);
  EXPECT_EQ(single.stride, c.setting.stride);
  EXPECT_EQ(single.documents, stream.documents);
  EXPECT_EQ(single.characters, stream.characters);
  EXPECT_EQ(single.bytes, stream.bytes);
  EXPECT_EQ(single.tokens, stream.ids.size());
  EXPECT_EQ(single.scored_tokens, expected.scored_tokens);
  EXPECT_EQ(single.windows, expected.windows);
  EXPECT_EQ(single.forward_tokens, expected.forward_tokens);
  // lmc-bpc adds each target's -ln p rounded to a multiple of 2^-32 nats (docs/bpc.md), and
  // its eval::ModelScorer's log-probabilities equal token_logprobs bit for bit (Session's contract:
  // results do not depend on how tokens are split into passes, nor on the thread count), so
  // the fixed-point sums agree exactly.
  EXPECT_EQ(single.loss_nats_q32, decimal(expected.loss_nats_q32));
  // The plain sum differs from lmc-bpc's by the rounding (at most 2^-33 nats per target) and
  // by the reference's own double summation in stream order (at most n·2^-53 of the sum).
  const double n = static_cast<double>(expected.scored_tokens);
  const double tolerance_nats = n * 0x1p-33 + n * 0x1p-53 * expected.nats;
  const double expected_bits = expected.nats / std::log(2.0);
  const double tolerance_bits = tolerance_nats / std::log(2.0);
  EXPECT_NEAR(single.total_bits, expected_bits, tolerance_bits);
  EXPECT_NEAR(single.bpc, expected_bits / static_cast<double>(stream.characters),
              tolerance_bits / static_cast<double>(stream.characters));
  EXPECT_GT(single.bpc, 0.5);  // a real loss, not an empty one

  expect_identical(run_bpc(corpus, 2, "", dir_.file("threads2.json")), single, "2 threads");
  for (std::size_t count : {2u, 3u}) {
    const BpcJson merged = run_shards(corpus, count);
    EXPECT_EQ(merged.shard_count, count);
    expect_identical(merged, single, std::to_string(count) + " shards merged");
  }
  if (!kFullSweep && c.setting.context == 256) {
    // gzip and zstd copies, made here with zlib and libzstd, under names that do not say so
    // (compression is detected from the content). One setting suffices: reading is the same.
    const std::string bytes = eval_test::read_file(corpus);
    const std::string gz = dir_.file("gzip_copy.jsonl");
    const std::string zst = dir_.file("zstd_copy.jsonl");
    eval_test::write_file(gz, eval_test::gzip_bytes(bytes));
    eval_test::write_file(zst, eval_test::zstd_bytes(bytes));
    expect_identical(run_bpc(gz, 1, "", dir_.file("gzip.json")), single, "gzip copy");
    expect_identical(run_bpc(zst, 1, "", dir_.file("zstd.json")), single, "zstd copy");
  }
  note(label_ + ": done in " + seconds_text(seconds_since(start)));
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.set;
  name = name.substr(0, name.find('.'));
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
  return name + "C" + std::to_string(info.param.setting.context) + "S" +
         std::to_string(info.param.setting.stride);
}

INSTANTIATE_TEST_SUITE_P(Sets, LmcBpcStories260K,
                         ::testing::Values(Case{"cc_like.jsonl", {256, 64}},
                                           Case{"cc_like.jsonl", {1900, 512}},
                                           Case{"python.jsonl", {256, 64}},
                                           Case{"python.jsonl", {1900, 512}},
                                           Case{"arxiv_math_like.jsonl", {256, 64}},
                                           Case{"arxiv_math_like.jsonl", {1900, 512}}),
                         case_name);

}  // namespace
