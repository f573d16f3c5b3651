// Fuzz target: encode arbitrary bytes with a small byte-level BPE tokenizer (regex
// pre-tokenizer, added tokens; once more with NFC) and a SentencePiece-style one. Encode must never
// throw, and decode(encode(x)) == x where the tokenizer promises it.
#include <lmc/error.hpp>
#include <lmc/tokenizer.hpp>

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string byte_char(int b) {
  // GPT-2's mapping: printable Latin-1 bytes stand for themselves, the rest from U+0100 on.
  static int next[256] = {};
  static bool ready = false;
  if (!ready) {
    int n = 0;
    for (int i = 0; i < 256; ++i) {
      const bool printable =
          (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
      next[i] = printable ? i : 256 + n++;
    }
    ready = true;
  }
  const int c = next[b];
  std::string out;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return out;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

lmc::Tokenizer make(bool byte_level, bool nfc) {
  std::string vocab;
  int id = 0;
  auto add = [&](const std::string& token) {
    if (id > 0) vocab += ", ";
    vocab += "\"" + json_escape(token) + "\": " + std::to_string(id);
    ++id;
  };
  std::string json;
  if (byte_level) {
    for (int b = 0; b < 256; ++b) add(byte_char(b));
    add(byte_char(' ') + "t");
    add("th");
    json = std::string("{") + (nfc ? R"("normalizer": {"type": "NFC"}, )" : "") +
           R"("pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
      "decoder": {"type": "ByteLevel"}, "added_tokens": [{"id": 258, "content": "<|end|>", "special": true}],
      "model": {"type": "BPE", "vocab": {)" +
           vocab + R"(, "<|end|>": 258}, "merges": [")" + json_escape(byte_char(' ')) +
           R"( t", "t h"]}})";
  } else {
    add("<unk>");
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      add(name);
    }
    add("\u2581");
    add("a");
    add("\u2581a");
    json =
        R"({"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
      "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
      "model": {"type": "BPE", "byte_fallback": true, "fuse_unk": true, "unk_token": "<unk>", "vocab": {)" +
        vocab + R"(}, "merges": ["\u2581 a"]}})";
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("lmc_fuzz_encode_" + std::to_string(getpid()) + (byte_level ? "_bl" : "_spm") +
                     (nfc ? "_nfc" : "") + ".json");
  std::ofstream(path, std::ios::binary) << json;
  return lmc::Tokenizer::from_tokenizer_json(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lmc::Tokenizer byte_level = make(true, false);
  static const lmc::Tokenizer normalizing = make(true, true);
  static const lmc::Tokenizer spm = make(false, false);
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)normalizing.decode(normalizing.encode(text, {.parse_special = true}));
  for (const lmc::Tokenizer* t : {&byte_level, &spm}) {
    const auto ids = t->encode(text);
    (void)t->encode(text, {.add_special = true, .parse_special = true});
    const std::string back = t->decode(ids);
    const bool promised = t == &spm ? text.find("\u2581") == std::string::npos : t->lossless();
    if (promised && back != text) std::abort();
  }
  return 0;
}
