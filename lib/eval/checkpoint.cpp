// Checkpoint files: BpcResult's JSON members (the loss as an exact integer) and a
// "checkpoint" object with the evaluator's position and the evaluation's identity.
#include "eval/checkpoint.hpp"

#include <lmc/json.hpp>

#include "base/fail.hpp"
#include "base/json.hpp"
#include "eval/bpc_result_impl.hpp"

#include <rapidjson/document.h>

#include <charconv>

LMC_BEGIN_NAMESPACE
namespace eval {
namespace {

constexpr std::string_view kFormat = "lmc-bpc-checkpoint";
constexpr std::uint64_t kVersion = 1;

}  // namespace

void CorpusDigest::mix(unsigned char byte) noexcept {
  hash_ ^= byte;
  hash_ *= 0x100000001b3ULL;
}

void CorpusDigest::add(std::string_view text) noexcept {
  std::uint64_t size = text.size();
  for (int i = 0; i < 8; ++i, size >>= 8) mix(static_cast<unsigned char>(size & 0xff));
  for (char c : text) mix(static_cast<unsigned char>(c));
}

std::string checkpoint_to_json(const Checkpoint& checkpoint) {
  JsonWriter writer(JsonWriter::Style::indented, 2);
  writer.begin_object();
  write_result_members(writer, checkpoint.partial);
  writer.key("checkpoint").begin_object();
  writer.member("format", kFormat);
  writer.member("version", kVersion);
  writer.member("model_fingerprint", checkpoint.model_fingerprint);
  writer.member("documents_read", checkpoint.documents_read);
  writer.member("corpus_digest", fmt::format("{:016x}", checkpoint.corpus_digest));
  writer.member("stream_tokens", checkpoint.stream_tokens);
  writer.member("next_window", checkpoint.next_window);
  writer.member("last_end", checkpoint.last_end);
  writer.end_object();
  writer.end_object();
  return writer.str() + "\n";
}

Checkpoint checkpoint_from_json(std::string_view json, std::string_view source) {
  const rapidjson::Document document = base::parse_json(json, source);
  if (!document.IsObject()) base::fail(ErrorCode::format, "{}: not a JSON object", source);
  const auto found = document.FindMember("checkpoint");
  if (found == document.MemberEnd() || !found->value.IsObject()) {
    base::fail(ErrorCode::format, "{}: not an lmc-bpc checkpoint (no \"checkpoint\" object)",
               source);
  }
  const rapidjson::Value& object = found->value;
  auto member = [&](const char* key) -> const rapidjson::Value& {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
      base::fail(ErrorCode::format, "{}: missing key \"checkpoint.{}\"", source, key);
    }
    return it->value;
  };
  auto text = [&](const char* key) {
    const rapidjson::Value& value = member(key);
    if (!value.IsString()) {
      base::fail(ErrorCode::format, "{}: key \"checkpoint.{}\": expected a string", source, key);
    }
    return std::string(value.GetString(), value.GetStringLength());
  };
  auto count = [&](const char* key) {
    const rapidjson::Value& value = member(key);
    if (!value.IsUint64()) {
      base::fail(ErrorCode::format, "{}: key \"checkpoint.{}\": expected a non-negative integer",
                 source, key);
    }
    return value.GetUint64();
  };
  if (text("format") != kFormat) {
    base::fail(ErrorCode::format, "{}: key \"checkpoint.format\": expected \"{}\"", source,
               kFormat);
  }
  if (const std::uint64_t version = count("version"); version != kVersion) {
    base::fail(ErrorCode::unsupported, "{}: checkpoint version {} (this lmc reads version {})",
               source, version, kVersion);
  }
  Checkpoint checkpoint;
  checkpoint.partial = BpcResult::from_json(json, source);
  checkpoint.model_fingerprint = text("model_fingerprint");
  checkpoint.documents_read = count("documents_read");
  const std::string digest = text("corpus_digest");
  const auto [end, error] =
      std::from_chars(digest.data(), digest.data() + digest.size(), checkpoint.corpus_digest, 16);
  if (digest.size() != 16 || error != std::errc() || end != digest.data() + digest.size()) {
    base::fail(ErrorCode::format, "{}: key \"checkpoint.corpus_digest\": expected 16 hex digits",
               source);
  }
  checkpoint.stream_tokens = count("stream_tokens");
  checkpoint.next_window = count("next_window");
  checkpoint.last_end = count("last_end");
  return checkpoint;
}

}  // namespace eval
LMC_END_NAMESPACE
