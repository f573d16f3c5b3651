// A small, fast CodingModel for the coding tests: a word-and-byte tokenizer that does not
// round-trip everything (like real ones) and a fixed bigram model trained on a sample text.
//
// Tokenizer: ids 0 = start, 1..256 = single bytes, then words (with their leading space, as
// BPE vocabularies hold them). encode() normalizes first — CR LF becomes LF, NUL bytes are
// dropped, runs of spaces become one space, bytes of invalid UTF-8 become '?' — then adds a
// dummy-prefix space (as SentencePiece does) and matches greedily, longest first.
// decode() joins the pieces and drops the dummy prefix.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/error.hpp>

#include "base/utf8.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace lmc_test {

struct FakeModelOptions {
  std::size_t context = 1 << 20;
  std::string fingerprint = "fake-bigram-v1";
  std::uint32_t numeric_profile = 7;
  /// Break the determinism contract: logits_batch perturbs rows when fed more than one token.
  bool batch_differs = false;
  /// Extra vocabulary entries that are never produced (to test large vocabularies).
  std::size_t padding_tokens = 0;
};

class FakeModel final : public lmc::CodingModel {
 public:
  explicit FakeModel(const std::string& training_text, FakeModelOptions options = {})
      : options_(std::move(options)) {
    pieces_.push_back("");  // start token
    for (int byte = 0; byte < 256; ++byte)
      pieces_.push_back(std::string(1, static_cast<char>(byte)));
    std::map<std::string, int> counts;
    std::istringstream words(training_text);
    for (std::string word; words >> word;) ++counts[word.insert(0, 1, ' ')];
    for (const auto& [word, count] : counts) {
      if (count >= 2 && word.size() > 2 && lmc::base::utf8::is_valid(word)) add_word(word);
    }
    for (const char* word : {" the", " and", " of", " to", " a", " in", "the", "The"})
      add_word(word);
    vocab_ = pieces_.size() + options_.padding_tokens;
    // Bigram counts with add-0.1 smoothing; logits are log-probabilities.
    std::vector<double> pair_counts(vocab_ * vocab_, 0.1);
    std::vector<lmc::Token> tokens = encode(training_text);
    lmc::Token previous = 0;
    for (lmc::Token token : tokens) {
      pair_counts[static_cast<std::size_t>(previous) * vocab_ + static_cast<std::size_t>(token)] +=
          1;
      previous = token;
    }
    logits_.resize(vocab_ * vocab_);
    for (std::size_t row = 0; row < vocab_; ++row) {
      double sum = 0;
      for (std::size_t j = 0; j < vocab_; ++j) sum += pair_counts[row * vocab_ + j];
      for (std::size_t j = 0; j < vocab_; ++j) {
        logits_[row * vocab_ + j] =
            static_cast<float>(std::log(pair_counts[row * vocab_ + j] / sum));
      }
    }
  }

  std::size_t vocab_size() const override { return vocab_; }
  std::size_t context() const override { return options_.context; }
  lmc::Token start_token() const override { return 0; }
  std::string fingerprint() const override { return options_.fingerprint; }
  std::uint32_t numeric_profile() const override { return options_.numeric_profile; }

  std::vector<lmc::Token> encode(std::string_view raw) const override {
    std::string text(1, ' ');  // the dummy prefix
    text += normalize(raw);
    std::vector<lmc::Token> tokens;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t best_length = 1;
      lmc::Token best = 1 + static_cast<unsigned char>(text[pos]);
      for (std::size_t id : words_by_first_byte_[static_cast<unsigned char>(text[pos])]) {
        const std::string& piece = pieces_[id];
        if (piece.size() > best_length && text.compare(pos, piece.size(), piece) == 0) {
          best_length = piece.size();
          best = static_cast<lmc::Token>(id);
        }
      }
      tokens.push_back(best);
      pos += best_length;
    }
    return tokens;
  }

  std::string decode(std::span<const lmc::Token> tokens) const override {
    std::string text;
    for (lmc::Token token : tokens) {
      if (static_cast<std::size_t>(token) < pieces_.size())
        text += pieces_[static_cast<std::size_t>(token)];
    }
    if (!text.empty() && text[0] == ' ') text.erase(0, 1);
    return text;
  }

  std::unique_ptr<lmc::CodingSession> new_session() const override {
    return std::make_unique<Session>(*this);
  }

  /// Number of logits_batch calls with more than one token, over all sessions.
  std::size_t batched_calls() const { return batched_calls_; }

 private:
  class Session final : public lmc::CodingSession {
   public:
    explicit Session(const FakeModel& model) : model_(model) {}
    void reset() override { fed_ = 0; }
    void logits_batch(std::span<const lmc::Token> tokens, std::span<float> logits) override {
      std::size_t vocab = model_.vocab_;
      if (logits.size() != tokens.size() * vocab) {
        throw lmc::Error(lmc::ErrorCode::internal, "fake model: logits span has the wrong size");
      }
      fed_ += tokens.size();
      if (fed_ > model_.options_.context) {
        throw lmc::Error(lmc::ErrorCode::internal, "fake model: context overflow");
      }
      if (tokens.size() > 1) ++model_.batched_calls_;
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        auto row = static_cast<std::size_t>(tokens[i]);
        std::copy_n(model_.logits_.begin() + static_cast<std::ptrdiff_t>(row * vocab), vocab,
                    logits.begin() + static_cast<std::ptrdiff_t>(i * vocab));
        if (model_.options_.batch_differs && tokens.size() > 1) {
          for (std::size_t j = 0; j < vocab; j += 3) logits[i * vocab + j] += 0.25f;
        }
      }
    }

   private:
    const FakeModel& model_;
    std::size_t fed_ = 0;
  };

  void add_word(const std::string& word) {
    if (std::find(pieces_.begin(), pieces_.end(), word) != pieces_.end()) return;
    words_by_first_byte_[static_cast<unsigned char>(word[0])].push_back(pieces_.size());
    pieces_.push_back(word);
  }

  static std::string normalize(std::string_view raw) {
    std::string text;
    std::size_t pos = 0;
    while (pos < raw.size()) {
      std::size_t length = lmc::base::utf8::sequence_length(raw, pos);
      if (length == 0) {
        text += '?';
        ++pos;
        continue;
      }
      char c = raw[pos];
      if (c == '\0' || (c == '\r' && pos + 1 < raw.size() && raw[pos + 1] == '\n') ||
          (c == ' ' && !text.empty() && text.back() == ' ')) {
        ++pos;
        continue;
      }
      text.append(raw.substr(pos, length));
      pos += length;
    }
    return text;
  }

  FakeModelOptions options_;
  std::vector<std::string> pieces_;
  std::array<std::vector<std::size_t>, 256> words_by_first_byte_;
  std::size_t vocab_ = 0;
  std::vector<float> logits_;
  mutable std::atomic<std::size_t> batched_calls_{0};
};

/// A few paragraphs of English (the start of Alice's Adventures in Wonderland, public domain).
inline const std::string& english_sample() {
  static const std::string text =
      "Alice was beginning to get very tired of sitting by her sister on the bank, and of having "
      "nothing to do: once or twice she had peeped into the book her sister was reading, but it "
      "had no pictures or conversations in it, 'and what is the use of a book,' thought Alice "
      "'without pictures or conversations?'\n\n"
      "So she was considering in her own mind (as well as she could, for the hot day made her "
      "feel very sleepy and stupid), whether the pleasure of making a daisy-chain would be worth "
      "the trouble of getting up and picking the daisies, when suddenly a White Rabbit with pink "
      "eyes ran close by her.\n\n"
      "There was nothing so very remarkable in that; nor did Alice think it so very much out of "
      "the way to hear the Rabbit say to itself, 'Oh dear! Oh dear! I shall be late!' (when she "
      "thought it over afterwards, it occurred to her that she ought to have wondered at this, "
      "but at the time it all seemed quite natural); but when the Rabbit actually took a watch "
      "out of its waistcoat-pocket, and looked at it, and then hurried on, Alice started to her "
      "feet, for it flashed across her mind that she had never before seen a rabbit with either "
      "a waistcoat-pocket, or a watch to take out of it, and burning with curiosity, she ran "
      "across the field after it, and fortunately was just in time to see it pop down a large "
      "rabbit-hole under the hedge.\n\n"
      "In another moment down went Alice after it, never once considering how in the world she "
      "was to get out again.\n";
  return text;
}

inline std::vector<std::byte> as_bytes(std::string_view text) {
  auto* begin = reinterpret_cast<const std::byte*>(text.data());
  return {begin, begin + text.size()};
}

}  // namespace lmc_test
