// BpcResult to and from JSON. The loss travels as an exact integer ("loss_nats_q32", a decimal
// string of 2^-32 nats) so that results merged from JSON files equal results merged in memory;
// the derived figures (bpc, bits, rates) are written for people and ignored when read.
#include "eval/bpc_result_impl.hpp"

#include "base/fail.hpp"
#include "base/json.hpp"

#include <lmc/json.hpp>

#include <rapidjson/document.h>

#include <cmath>

LMC_BEGIN_NAMESPACE
namespace {

void write_number(JsonWriter& writer, const char* key, double value) {
  writer.key(key).value(value);  // NaN (nothing scored) is written as null
}

void write_count(JsonWriter& writer, const char* key, std::uint64_t value) {
  writer.key(key).value(value);
}

void write_string(JsonWriter& writer, const char* key, const std::string& value) {
  writer.key(key).value(value);
}

// Typed reads of one object's members, naming the source and key in errors.
class Reader {
 public:
  Reader(const rapidjson::Value& object, std::string_view source, std::string path)
      : object_(object), source_(source), path_(std::move(path)) {}

  const rapidjson::Value& member(const char* key) const {
    const auto it = object_.FindMember(key);
    if (it == object_.MemberEnd())
      base::fail(ErrorCode::format, "{}: missing key \"{}{}\"", source_, path_, key);
    return it->value;
  }
  std::uint64_t count(const char* key) const {
    const auto& value = member(key);
    if (!value.IsUint64()) bad(key, "a non-negative integer");
    return value.GetUint64();
  }
  double number(const char* key) const {
    const auto& value = member(key);
    if (!value.IsNumber()) bad(key, "a number");
    return value.GetDouble();
  }
  bool boolean(const char* key) const {
    const auto& value = member(key);
    if (!value.IsBool()) bad(key, "true or false");
    return value.GetBool();
  }
  std::string string(const char* key) const {
    const auto& value = member(key);
    if (!value.IsString()) bad(key, "a string");
    return {value.GetString(), value.GetStringLength()};
  }
  eval::FixedLoss loss(const char* key) const {
    auto loss = eval::FixedLoss::from_decimal(string(key));
    if (!loss) bad(key, "a decimal integer string");
    return *loss;
  }
  [[noreturn]] void bad(const char* key, const char* expected) const {
    base::fail(ErrorCode::format, "{}: key \"{}{}\": expected {}", source_, path_, key, expected);
  }

 private:
  const rapidjson::Value& object_;
  std::string_view source_;
  std::string path_;
};

}  // namespace

namespace eval {

void write_result_members(JsonWriter& writer, const BpcResult& result) {
  const Access::State& state = Access::state(result);
  write_string(writer, "lmc_version", LMC_VERSION_STRING);
  write_string(writer, "model", state.model_name);
  write_string(writer, "corpus", state.corpus);
  write_string(writer, "mode", std::string(to_string(state.mode)));
  write_count(writer, "context", state.context);
  write_count(writer, "stride", state.stride);
  writer.key("score_bos").value(state.score_bos);
  write_count(writer, "max_documents", state.max_documents);
  write_count(writer, "shard_count", state.shard_count);
  writer.key("shards").begin_array();
  for (std::size_t shard : state.shards) writer.value(shard);
  writer.end_array();
  write_number(writer, "bpc", result.bpc());
  write_number(writer, "bpb", result.bits_per_byte());
  write_number(writer, "bits_per_token", result.bits_per_token());
  write_number(writer, "token_perplexity", result.token_perplexity());
  write_number(writer, "total_bits", result.total_bits());
  write_number(writer, "total_nats", result.total_nats());
  write_string(writer, "loss_nats_q32", state.loss.to_decimal());
  write_count(writer, "characters", state.characters);
  write_count(writer, "bytes", state.bytes);
  write_count(writer, "tokens", state.tokens);
  write_count(writer, "scored_tokens", state.scored_tokens);
  write_count(writer, "documents", state.documents);
  write_count(writer, "windows", state.windows);
  write_count(writer, "forward_tokens", state.forward_tokens);
  write_count(writer, "skipped_records", state.skipped_records);
  write_count(writer, "empty_documents", state.empty_documents);
  write_number(writer, "seconds", state.seconds);
  write_number(writer, "tokens_per_second", result.tokens_per_second());
  write_number(writer, "forward_tokens_per_second", result.forward_tokens_per_second());
  if (state.per_document) {
    writer.key("per_document").begin_array();
    for (std::size_t i = 0; i < state.documents_figures.size(); ++i) {
      const DocumentFigures& document = state.documents_figures[i];
      writer.begin_object();
      write_string(writer, "source", document.source);
      write_count(writer, "line", document.line);
      write_count(writer, "characters", document.characters);
      write_count(writer, "bytes", document.bytes);
      write_count(writer, "tokens", document.tokens);
      write_count(writer, "scored_tokens", document.scored_tokens);
      write_number(writer, "bits", document.bits);
      write_number(writer, "bpc", document.bpc());
      write_string(writer, "loss_nats_q32", state.document_losses[i].to_decimal());
      writer.end_object();
    }
    writer.end_array();
  }
}

}  // namespace eval

std::string BpcResult::to_json() const {
  JsonWriter writer(JsonWriter::Style::indented, 2);
  writer.begin_object();
  eval::write_result_members(writer, *this);
  writer.end_object();
  return writer.str() + "\n";
}

BpcResult BpcResult::from_json(std::string_view json, std::string_view source) {
  const rapidjson::Document document = base::parse_json(json, source);
  if (!document.IsObject()) base::fail(ErrorCode::format, "{}: not a JSON object", source);
  const Reader read(document, source, "");

  BpcResult result;
  Impl& state = *result.impl_;
  state.model_name = read.string("model");
  state.corpus = read.string("corpus");
  try {
    state.mode = parse_window_mode(read.string("mode"));
  } catch (const Error&) {
    read.bad("mode", "\"exact\" or \"paper\"");
  }
  state.context = read.count("context");
  state.stride = read.count("stride");
  state.score_bos = read.boolean("score_bos");
  state.max_documents = read.count("max_documents");
  state.shard_count = read.count("shard_count");
  const auto& shards = read.member("shards");
  if (!shards.IsArray()) read.bad("shards", "an array");
  state.shards.clear();
  for (const auto& shard : shards.GetArray()) {
    if (!shard.IsUint64() || shard.GetUint64() >= state.shard_count ||
        (!state.shards.empty() && shard.GetUint64() <= state.shards.back())) {
      read.bad("shards", "ascending shard indices below shard_count");
    }
    state.shards.push_back(shard.GetUint64());
  }
  state.loss = read.loss("loss_nats_q32");
  state.characters = read.count("characters");
  state.bytes = read.count("bytes");
  state.tokens = read.count("tokens");
  state.scored_tokens = read.count("scored_tokens");
  state.documents = read.count("documents");
  state.windows = read.count("windows");
  state.forward_tokens = read.count("forward_tokens");
  state.skipped_records = read.count("skipped_records");
  state.empty_documents = read.count("empty_documents");
  state.seconds = read.number("seconds");

  const rapidjson::Value& root = document;
  const auto per_document = root.FindMember("per_document");
  state.per_document = per_document != root.MemberEnd();
  if (state.per_document) {
    if (!per_document->value.IsArray()) read.bad("per_document", "an array");
    std::size_t index = 0;
    for (const auto& entry : per_document->value.GetArray()) {
      const std::string path = fmt::format("per_document[{}].", index++);
      if (!entry.IsObject()) base::fail(ErrorCode::format, "{}: {} is not an object", source, path);
      const Reader item(entry, source, path);
      DocumentFigures figures;
      figures.source = item.string("source");
      figures.line = item.count("line");
      figures.characters = item.count("characters");
      figures.bytes = item.count("bytes");
      figures.tokens = item.count("tokens");
      figures.scored_tokens = item.count("scored_tokens");
      state.documents_figures.push_back(std::move(figures));
      state.document_losses.push_back(item.loss("loss_nats_q32"));
    }
    state.refresh_document_bits();
  }
  return result;
}

LMC_END_NAMESPACE
