// Writes the seed corpora of the fuzz targets into <folder>/<target>/ (normally
// tests/fuzz/corpus): small valid inputs made with lmc's own writers, plus a few hand-written
// near misses, so that fuzzing starts from every feature of each format.
//
//   cmake --build build --target lmc_fuzz_make_seeds
//   build/tests/fuzz/lmc_fuzz_make_seeds tests/fuzz/corpus .
//
// Existing files of the same name are replaced; other files (crash regressions) are kept.
#include <lmc/compressor.hpp>
#include <lmc/gguf.hpp>
#include <lmc/safetensors.hpp>

#include "fuzz/byte_model.hpp"
#include "fuzz/eval_checkpoint_setup.hpp"
#include "fuzz/seed_tokenizers.hpp"
#include "model/random_models.hpp"

#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

fs::path root;

void put(const std::string& target, const std::string& name, std::string_view bytes) {
  const fs::path folder = root / target;
  fs::create_directories(folder);
  std::ofstream out(folder / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (folder / name).string());
}

void put(const std::string& target, const std::string& name, std::span<const std::byte> bytes) {
  put(target, name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string gzip(std::string_view text) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(std::string_view text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("ZSTD_compress");
  out.resize(n);
  return out;
}

void gguf_seeds() {
  // Every metadata type, nested arrays, and tensors of several types.
  lmc::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u8("t.u8", 200);
  w.set_i8("t.i8", -5);
  w.set_u16("t.u16", 60000);
  w.set_i16("t.i16", -300);
  w.set_u32("t.u32", 4000000000u);
  w.set_i32("t.i32", -7);
  w.set_u64("t.u64", 1ull << 40);
  w.set_i64("t.i64", -(1ll << 40));
  w.set_f32("t.f32", 0.5f);
  w.set_f64("t.f64", 1e-300);
  w.set_bool("t.bool", true);
  w.set_string("t.string", "h\xC3\xA9llo");
  const std::vector<std::string> strings = {"a", "", "\xE2\x96\x81the"};
  w.set_strings("t.strings", strings);
  const std::vector<std::int32_t> i32s = {1, -2, 3};
  w.set_i32s("t.i32s", i32s);
  const std::vector<float> f32s = {0.25f, -1.0f};
  w.set_f32s("t.f32s", f32s);
  const std::vector<float> values(64, 0.125f);
  const std::vector<std::int64_t> shape = {2, 32};
  w.add_tensor_f32("f32", shape, values);
  w.add_tensor_f32("f16", shape, values, lmc::DType::f16);
  w.add_tensor_f32("bf16", shape, values, lmc::DType::bf16);
  w.add_tensor_f32("q8_0", shape, values, lmc::DType::q8_0);
  put("fuzz_gguf", "types.gguf", w.to_bytes());

  lmc::GgufWriter empty;
  put("fuzz_gguf", "empty.gguf", empty.to_bytes());

  lmc::GgufWriter aligned;
  aligned.set_alignment(64);
  aligned.add_tensor_f32("x", shape, values, lmc::DType::f16);
  put("fuzz_gguf", "aligned.gguf", aligned.to_bytes());
}

void safetensors_seeds() {
  lmc::SafetensorsWriter w;
  const std::vector<float> values(24, 0.5f);
  const std::vector<std::int64_t> shape = {2, 3, 4};
  w.add_tensor_f32("a.weight", shape, values);
  w.add_tensor_f32("b.weight", shape, values, lmc::DType::f16);
  w.add_tensor_f32("c.weight", shape, values, lmc::DType::bf16);
  w.set_metadata("format", "pt");
  put("fuzz_safetensors", "three.safetensors", w.to_bytes());

  lmc::SafetensorsWriter scalar;
  const std::vector<std::int64_t> none;
  const std::vector<float> one = {1.0f};
  scalar.add_tensor_f32("scalar", none, one);
  put("fuzz_safetensors", "scalar.safetensors", scalar.to_bytes());
  put("fuzz_safetensors", "header_only.safetensors", std::string("\x02\0\0\0\0\0\0\0{}", 10));
}

void hf_config_seeds() {
  for (const std::string family : {"llama", "gemma2", "gpt2", "phi3", "falcon", "mixtral"}) {
    lmc_test::TinyModel m = lmc_test::make_tiny_model(family, 1);
    if (family == "llama") lmc_test::add_llama3_rope(m, 8.0, 1.0, 4.0, 64);
    if (family == "phi3") lmc_test::add_longrope(m, 32);
    put("fuzz_hf_config", family + ".json", m.hf_config_json());
  }
  put("fuzz_hf_config", "nested.json",
      R"({"text_config": {"hidden_size": 8, "rope_scaling": {"type": "yarn", "factor": 4.0}},
          "list": [1, 2.5e3, -0.0, null, true, "x"]})");
}

void container_seeds() {
  const lmc_fuzz::ByteModel model;
  const lmc::Compressor compressor(model, {.threads = 1});
  const std::vector<std::string> texts = {"", "a", "hello, hello, hello world\n",
                                          std::string(300, 'z'),
                                          std::string("\0\xFF\x80 binary \xC3\xA9", 14)};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto data = std::as_bytes(std::span(texts[i].data(), texts[i].size()));
    const std::vector<std::byte> container = compressor.compress(data);
    // Mode 0: the container as it is.
    std::string mode0(1, '\0');
    mode0.append(reinterpret_cast<const char*>(container.data()), container.size());
    put("fuzz_coding_container", "container" + std::to_string(i), mode0);
    // Mode 1: [u16 original size][chunk stream] of the first chunk.
    const lmc::ContainerInfo info = lmc::inspect(container);
    if (info.chunks.empty() || info.chunks[0].original_size > 0xFFFF) continue;
    const lmc::ChunkInfo& chunk = info.chunks[0];
    std::string mode1(1, '\x01');
    mode1.push_back(static_cast<char>(chunk.original_size & 0xFF));
    mode1.push_back(static_cast<char>(chunk.original_size >> 8));
    mode1.append(reinterpret_cast<const char*>(container.data()) + chunk.compressed_offset,
                 chunk.compressed_size);
    put("fuzz_coding_container", "stream" + std::to_string(i), mode1);
  }
}

void tokenizer_seeds() {
  put("fuzz_tokenizer_json", "byte_level.json", lmc_fuzz::byte_level_tokenizer_json(false));
  put("fuzz_tokenizer_json", "byte_level_nfc.json", lmc_fuzz::byte_level_tokenizer_json(true));
  put("fuzz_tokenizer_json", "spm.json", lmc_fuzz::spm_tokenizer_json());
  put("fuzz_tokenizer_json", "wordpiece.json", lmc_fuzz::wordpiece_tokenizer_json());
  put("fuzz_tokenizer_json", "template.json", lmc_fuzz::templated_tokenizer_json());

  put("fuzz_tokenizer_encode", "ascii", "Hello world, this is the text.\n  123 4567");
  put("fuzz_tokenizer_encode", "utf8", "h\xC3\xA9llo \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80");
  put("fuzz_tokenizer_encode", "invalid_utf8", std::string("\xFF\xC3 \x80\xED\xA0\x80", 7));
  put("fuzz_tokenizer_encode", "specials",
      "<|end|> the <|end|>\xE2\x96\x81"
      "a a<|end");
  put("fuzz_tokenizer_encode", "spaces", std::string("\t\n\r   \n\n x  y") + std::string(70, ' '));
}

void corpus_seeds() {
  const std::string jsonl =
      "{\"content\": \"first document\\nwith two lines\"}\n"
      "{\"text\": \"other key\", \"content\": \"h\\u00e9llo \\ud83d\\ude00\"}\n"
      "\n"
      "{\"content\": \"\"}\n"
      "not json\n"
      "{\"content\": 5}\r\n"
      "{\"content\": \"last, no newline\"}";
  put("fuzz_jsonl_corpus", "plain.jsonl", jsonl);
  put("fuzz_jsonl_corpus", "gzip.jsonl", gzip(jsonl));
  put("fuzz_jsonl_corpus", "zstd.jsonl", zstd(jsonl));
  put("fuzz_jsonl_corpus", "two_members.jsonl", gzip(jsonl) + gzip("{\"content\": \"x\"}\n"));
  put("fuzz_jsonl_corpus", "two_frames.jsonl", zstd(jsonl) + zstd("{\"content\": \"y\"}\n"));
}

void index_seeds() {
  put("fuzz_safetensors_index", "index.json",
      R"({"metadata": {"total_size": 112, "format": "pt"}, "weight_map": {
        "a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00001-of-00002.safetensors",
        "c.weight": "model-00002-of-00002.safetensors"}})");
  put("fuzz_safetensors_index", "wrong_shard.json",
      R"({"weight_map": {"a.weight": "model-00002-of-00002.safetensors"}})");
  put("fuzz_safetensors_index", "escape.json",
      R"({"weight_map": {"a.weight": "../model-00001-of-00002.safetensors"}})");
}

void tokenizer_config_seeds() {
  put("fuzz_tokenizer_config", "llama.json",
      R"({"tokenizer_class": "LlamaTokenizerFast", "add_bos_token": true, "add_eos_token": true,
          "bos_token": "<unk>", "eos_token": {"content": "<|end|>", "lstrip": false}, "pad_token": null,
          "unk_token": "<unk>"})");
  put("fuzz_tokenizer_config", "gpt2.json",
      R"({"tokenizer_class": "GPT2Tokenizer", "bos_token": "<|end|>", "eos_token": "<|end|>",
          "model_max_length": 1024})");
  put("fuzz_tokenizer_config", "empty.json", "{}");
}

std::string base64(std::string_view bytes) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(digits[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(digits[(buffer << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

void tiktoken_seeds() {
  std::string ranks;
  int rank = 0;
  for (int b = 0; b < 256; ++b) {
    ranks += base64(std::string(1, static_cast<char>(b))) + " " + std::to_string(rank++) + "\n";
  }
  for (const char* token : {" t", "th", " th", "he", " the", "ll", "llo", " w", "or"}) {
    ranks += base64(token) + " " + std::to_string(rank++) + "\n";
  }
  put("fuzz_tiktoken", "ranks.tiktoken", ranks);
  put("fuzz_tiktoken", "crlf.tiktoken", "IQ== 0\r\nIg== 1\r\n\r\nIyI= 2");
}

void gguf_tokenizer_seeds() {
  {
    lmc::GgufWriter w;
    w.set_string("tokenizer.ggml.model", "gpt2");
    w.set_string("tokenizer.ggml.pre", "llama-bpe");
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.push_back(lmc_fuzz::byte_char(b));
    tokens.push_back(lmc_fuzz::byte_char(' ') + "t");
    tokens.push_back("th");
    tokens.push_back("<|end|>");
    std::vector<std::int32_t> types(tokens.size(), 1);
    types.back() = 3;
    const std::vector<std::string> merges = {lmc_fuzz::byte_char(' ') + " t", "t h"};
    w.set_strings("tokenizer.ggml.tokens", tokens);
    w.set_i32s("tokenizer.ggml.token_type", types);
    w.set_strings("tokenizer.ggml.merges", merges);
    w.set_u32("tokenizer.ggml.bos_token_id", 258);
    w.set_u32("tokenizer.ggml.eos_token_id", 258);
    w.set_bool("tokenizer.ggml.add_bos_token", true);
    put("fuzz_gguf_tokenizer", "gpt2.gguf", w.to_bytes());
  }
  {
    lmc::GgufWriter w;
    w.set_string("tokenizer.ggml.model", "llama");
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<std::int32_t> types = {2, 3, 3};
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      tokens.push_back(name);
      types.push_back(6);
    }
    for (const char* t : {"\u2581", "a", "\u2581a", "b", "ab", "\u2581ab"}) {
      tokens.push_back(t);
      types.push_back(1);
    }
    tokens.push_back("<user>");
    types.push_back(4);
    std::vector<float> scores(tokens.size());
    for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = -static_cast<float>(i);
    w.set_strings("tokenizer.ggml.tokens", tokens);
    w.set_i32s("tokenizer.ggml.token_type", types);
    w.set_f32s("tokenizer.ggml.scores", scores);
    w.set_bool("tokenizer.ggml.add_space_prefix", true);
    put("fuzz_gguf_tokenizer", "llama.gguf", w.to_bytes());
  }
  {
    lmc::GgufWriter w;
    w.set_string("tokenizer.ggml.model", "bert");
    std::vector<std::string> tokens;
    for (int i = 0; i < 110; ++i) tokens.push_back("[unused" + std::to_string(i) + "]");
    for (const char* t : {"hello", "world", "##s", "h", "##e", ","}) tokens.push_back(t);
    w.set_strings("tokenizer.ggml.tokens", tokens);
    put("fuzz_gguf_tokenizer", "bert.gguf", w.to_bytes());
  }
}

std::string gguf_of(const lmc_test::TinyModel& m, lmc::DType store_as) {
  const fs::path path = fs::temp_directory_path() / "lmc_fuzz_make_seeds.gguf";
  lmc_test::write_gguf(m, path, store_as);
  std::string bytes = read(path);
  fs::remove(path);
  return bytes;
}

void model_seeds() {
  for (const std::string family : {"llama", "gpt2", "gemma2", "phi3", "qwen"}) {
    lmc_test::TinyModel m = lmc_test::make_tiny_model(family, 2);
    if (family == "llama") lmc_test::add_yarn_rope(m, 4.0, 32);
    put("fuzz_gguf_model", family + ".gguf",
        gguf_of(m, family == "llama" ? lmc::DType::q8_0 : lmc::DType::f16));
  }
  lmc_test::TinyModel llama = lmc_test::make_tiny_model("llama", 1);
  put("fuzz_hf_model", "llama.json", llama.hf_config_json());
  lmc_test::add_linear_rope(llama, 2.0);
  put("fuzz_hf_model", "llama_linear_rope.json", llama.hf_config_json());
  lmc_test::TinyModel llama3 = lmc_test::make_tiny_model("llama", 1);
  lmc_test::add_llama3_rope(llama3, 8.0, 1.0, 4.0, 64);
  put("fuzz_hf_model", "llama3_rope.json", llama3.hf_config_json());
}

// Checkpoints of fuzz_eval_checkpoint's own evaluation, interrupted after 0, 1, 4 and 9 windows
// and finished, with and without per-document figures: inputs that resume.
void checkpoint_seeds() {
  const fs::path file = fs::temp_directory_path() / "lmc_fuzz_make_seeds_checkpoint.json";
  for (const bool per_document : {false, true}) {
    for (const std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{4}, std::size_t{9},
                                    static_cast<std::size_t>(-1)}) {
      fs::remove(file);
      try {
        (void)lmc_fuzz::run_checkpointed(file.string(), per_document, 0, limit);
      } catch (const lmc::Error&) {  // the interruption
      }
      if (!fs::exists(file)) continue;  // interrupted before the first window ended
      const std::string name = (per_document ? "per_document_" : "total_") +
                               (limit == static_cast<std::size_t>(-1) ? std::string("finished")
                                                                      : std::to_string(limit)) +
                               ".json";
      put("fuzz_eval_checkpoint", name, read(file));
    }
  }
  fs::remove(file);
}

void copy_seeds(const fs::path& source) {
  for (const char* name : {"shard0of2.json", "shard1of2.json"}) {
    put("fuzz_bpc_result_json", name, read(source / "tests/eval/data" / name));
  }
  for (const char* name : {"study_example.csv", "bad_study.csv"}) {
    put("fuzz_stats_csv", name, read(source / "tests/stats" / name));
  }
  put("fuzz_stats_csv", "quoted.csv",
      "model,\"bpc, cc\",score\r\n\"a \"\"quoted\"\" name\",0.5,\"1e1\"\r\nb,,NaN\r\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <corpus folder> <source folder>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  try {
    gguf_seeds();
    safetensors_seeds();
    hf_config_seeds();
    container_seeds();
    tokenizer_seeds();
    corpus_seeds();
    index_seeds();
    tokenizer_config_seeds();
    tiktoken_seeds();
    gguf_tokenizer_seeds();
    model_seeds();
    checkpoint_seeds();
    copy_seeds(argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
