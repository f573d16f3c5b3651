// tokenizer.json texts for the tokenizer fuzz targets and their seeds: a small byte-level BPE
// (GPT-2 byte mapping, regex pre-tokenizer, an added special token), a SentencePiece-style BPE
// (byte fallback, unknown token, "\u2581" spaces), a WordPiece vocabulary and a BPE with a
// TemplateProcessing post-processor. Written here, not copied from any real tokenizer.
#pragma once

#include <cstdio>
#include <string>

namespace lmc_fuzz {

inline std::string byte_char(int b) {
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

inline std::string json_escape(const std::string& s) {
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

namespace detail {
inline void add_token(std::string& vocab, int& id, const std::string& token) {
  if (id > 0) vocab += ", ";
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on the chained operator+.
  vocab += '"';
  vocab += json_escape(token);
  vocab += "\": ";
  vocab += std::to_string(id);
  ++id;
}
}  // namespace detail

/// Byte-level BPE: the 256 byte tokens, " t" and "th" merged, "<|end|>" special (id 258).
inline std::string byte_level_tokenizer_json(bool nfc) {
  std::string vocab;
  int id = 0;
  for (int b = 0; b < 256; ++b) detail::add_token(vocab, id, byte_char(b));
  detail::add_token(vocab, id, byte_char(' ') + "t");
  detail::add_token(vocab, id, "th");
  return std::string("{") + (nfc ? R"("normalizer": {"type": "NFC"}, )" : "") +
         R"("pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
      "decoder": {"type": "ByteLevel"}, "added_tokens": [{"id": 258, "content": "<|end|>", "special": true}],
      "model": {"type": "BPE", "vocab": {)" +
         vocab + R"(, "<|end|>": 258}, "merges": [")" + json_escape(byte_char(' ')) +
         R"( t", "t h"]}})";
}

/// SentencePiece-style BPE: <unk>, the 256 <0xNN> byte tokens, "\u2581", "a", "\u2581a".
inline std::string spm_tokenizer_json() {
  std::string vocab;
  int id = 0;
  detail::add_token(vocab, id, "<unk>");
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    detail::add_token(vocab, id, name);
  }
  detail::add_token(vocab, id, "\u2581");
  detail::add_token(vocab, id, "a");
  detail::add_token(vocab, id, "\u2581a");
  return R"({"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
      "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
      "model": {"type": "BPE", "byte_fallback": true, "fuse_unk": true, "unk_token": "<unk>", "vocab": {)" +
         vocab + R"(}, "merges": ["\u2581 a"]}})";
}

/// WordPiece with a BERT pre-tokenizer, lower-casing and [CLS]/[SEP] around the text.
inline std::string wordpiece_tokenizer_json() {
  return R"({"normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
    "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
    "decoder": {"type": "WordPiece", "prefix": "##"},
    "added_tokens": [{"id": 0, "content": "[PAD]", "special": true}, {"id": 1, "content": "[UNK]", "special": true},
                     {"id": 2, "content": "[CLS]", "special": true}, {"id": 3, "content": "[SEP]", "special": true}],
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
              "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "##s": 6, "h": 7, "##e": 8, ",": 9}}})";
}

/// BPE with a Metaspace pre-tokenizer, digit splitting and a TemplateProcessing BOS.
inline std::string templated_tokenizer_json() {
  return R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
       {"type": "Split", "pattern": {"Regex": "\s+"}, "behavior": "Isolated", "invert": false},
       {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}]},
    "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                       "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
    "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"},
    "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}],
    "model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "<s>": 1, "▁": 2, "a": 3, "b": 4, "1": 5, "▁a": 6, "ab": 7},
              "merges": [["▁", "a"], ["a", "b"]]}})";
}

}  // namespace lmc_fuzz
