// The C API of include/lmc/lmc.h, over the public C++ API only: every entry point catches
// whatever the C++ side throws and turns it into a status plus a thread-local message.
#include <lmc/lmc.h>
#include <lmc/compressor.hpp>
#include <lmc/corpus.hpp>
#include <lmc/error.hpp>
#include <lmc/eval.hpp>
#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>
#include <lmc/version.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct lmc_model {
  lmc::Model model;
  std::string path;
  // The fingerprint costs a pass over the weights: computed on the first lmc_model_get_info.
  std::once_flag fingerprint_once;
  std::string fingerprint;
};

struct lmc_compressor {
  lmc::Compressor compressor;
};

namespace {

thread_local std::string last_message;
// Points into last_message, or at a static text when even copying the message failed.
thread_local const char* last_message_ptr = "";

lmc_status fail(lmc_status status, const char* message) noexcept {
  try {
    last_message = message;
    last_message_ptr = last_message.c_str();
  } catch (...) {
    last_message_ptr = "out of memory while recording an lmc error message";
  }
  return status;
}

lmc_status status_of(lmc::ErrorCode code) noexcept {
  switch (code) {
    case lmc::ErrorCode::io: return LMC_ERROR_IO;
    case lmc::ErrorCode::format: return LMC_ERROR_FORMAT;
    case lmc::ErrorCode::unsupported: return LMC_ERROR_UNSUPPORTED;
    case lmc::ErrorCode::invalid_argument: return LMC_ERROR_INVALID_ARGUMENT;
    case lmc::ErrorCode::corrupt_data: return LMC_ERROR_CORRUPT_DATA;
    case lmc::ErrorCode::model_mismatch: return LMC_ERROR_MODEL_MISMATCH;
    case lmc::ErrorCode::out_of_range: return LMC_ERROR_OUT_OF_RANGE;
    case lmc::ErrorCode::internal: return LMC_ERROR_INTERNAL;
  }
  return LMC_ERROR_INTERNAL;
}

// Runs `body`; any exception becomes a status and the thread's last message. No exception
// leaves this function, whatever `body` throws.
template <class Body>
lmc_status guarded(Body&& body) noexcept {
  try {
    body();
    return LMC_OK;
  } catch (const lmc::Error& e) {
    return fail(status_of(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(LMC_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(LMC_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(LMC_ERROR_INTERNAL, "unknown exception inside lmc");
  }
}

[[noreturn]] void invalid(const std::string& message) {
  throw lmc::Error(lmc::ErrorCode::invalid_argument, message);
}

void require(const void* pointer, const char* function, const char* argument) {
  if (pointer == nullptr) invalid(std::string(function) + ": " + argument + " is NULL");
}

// A malloc'ed copy of `values` (released with lmc_free), NULL for none.
template <class T>
T* copy_out(std::span<const T> values) {
  if (values.empty()) return nullptr;
  void* memory = std::malloc(values.size_bytes());
  if (memory == nullptr) throw std::bad_alloc();
  std::memcpy(memory, values.data(), values.size_bytes());
  return static_cast<T*>(memory);
}

// A malloc'ed NUL-terminated copy of `text`.
char* copy_text(std::string_view text) {
  char* memory = static_cast<char*>(std::malloc(text.size() + 1));
  if (memory == nullptr) throw std::bad_alloc();
  std::memcpy(memory, text.data(), text.size());
  memory[text.size()] = '\0';
  return memory;
}

int32_t id_or_minus_one(std::optional<lmc::Token> token) { return token ? *token : -1; }

}  // namespace

extern "C" {

const char* lmc_status_name(lmc_status status) {
  switch (status) {
    case LMC_OK: return "ok";
    case LMC_ERROR_IO: return "io";
    case LMC_ERROR_FORMAT: return "format";
    case LMC_ERROR_UNSUPPORTED: return "unsupported";
    case LMC_ERROR_INVALID_ARGUMENT: return "invalid_argument";
    case LMC_ERROR_CORRUPT_DATA: return "corrupt_data";
    case LMC_ERROR_MODEL_MISMATCH: return "model_mismatch";
    case LMC_ERROR_OUT_OF_RANGE: return "out_of_range";
    case LMC_ERROR_INTERNAL: return "internal";
    case LMC_ERROR_OUT_OF_MEMORY: return "out_of_memory";
  }
  return "unknown";
}

const char* lmc_last_error(void) { return last_message_ptr; }

const char* lmc_version(void) { return LMC_VERSION_STRING; }

void lmc_free(void* data) { std::free(data); }

lmc_status lmc_model_load(const char* path, size_t threads, size_t context, lmc_model** model) {
  return guarded([&] {
    require(path, "lmc_model_load", "path");
    require(model, "lmc_model_load", "model");
    lmc::ModelOptions options;
    options.threads = threads;
    options.context = context;
    lmc::Model loaded = lmc::Model::load(path, options);
    *model = new lmc_model{std::move(loaded), path, {}, {}};
  });
}

void lmc_model_free(lmc_model* model) { delete model; }

lmc_status lmc_model_get_info(const lmc_model* model, lmc_model_info* info) {
  return guarded([&] {
    require(model, "lmc_model_get_info", "model");
    require(info, "lmc_model_get_info", "info");
    // The handle is const to the caller; the cached fingerprint is the one thing that changes,
    // once, under its once_flag.
    auto* mutable_model = const_cast<lmc_model*>(model);
    std::call_once(mutable_model->fingerprint_once,
                   [&] { mutable_model->fingerprint = model->model.fingerprint(); });
    const lmc::ModelInfo& m = model->model.info();
    lmc_model_info out{};
    out.architecture = m.architecture.c_str();
    out.name = m.name.c_str();
    out.format = m.format.c_str();
    out.weight_type = m.weight_type.c_str();
    out.fingerprint = model->fingerprint.c_str();
    out.vocab_size = m.vocab_size;
    out.n_embd = m.n_embd;
    out.n_layers = m.n_layers;
    out.n_heads = m.n_heads;
    out.n_kv_heads = m.n_kv_heads;
    out.head_dim = m.head_dim;
    out.n_ff = m.n_ff;
    out.n_experts = m.n_experts;
    out.n_experts_used = m.n_experts_used;
    out.trained_context = m.trained_context;
    out.n_parameters = m.n_parameters;
    out.weight_bytes = m.weight_bytes;
    out.context = model->model.context();
    out.threads = model->model.threads();
    out.has_tokenizer = model->model.has_tokenizer() ? 1 : 0;
    out.bos = model->model.has_tokenizer() ? id_or_minus_one(model->model.tokenizer().bos()) : -1;
    out.eos = model->model.has_tokenizer() ? id_or_minus_one(model->model.tokenizer().eos()) : -1;
    *info = out;
  });
}

lmc_status lmc_tokenize(const lmc_model* model, const char* text, size_t length, int add_special,
                        int32_t** ids, size_t* n_ids) {
  return guarded([&] {
    require(model, "lmc_tokenize", "model");
    if (length > 0) require(text, "lmc_tokenize", "text");
    require(ids, "lmc_tokenize", "ids");
    require(n_ids, "lmc_tokenize", "n_ids");
    lmc::EncodeOptions options;
    options.add_special = add_special != 0;
    const std::vector<lmc::Token> tokens =
        model->model.tokenizer().encode(std::string_view(length > 0 ? text : "", length), options);
    *ids = copy_out(std::span<const lmc::Token>(tokens));
    *n_ids = tokens.size();
  });
}

lmc_status lmc_detokenize(const lmc_model* model, const int32_t* ids, size_t n_ids, char** text,
                          size_t* length) {
  return guarded([&] {
    require(model, "lmc_detokenize", "model");
    if (n_ids > 0) require(ids, "lmc_detokenize", "ids");
    require(text, "lmc_detokenize", "text");
    require(length, "lmc_detokenize", "length");
    const std::string bytes =
        model->model.tokenizer().decode(std::span<const lmc::Token>(ids, n_ids));
    *text = copy_text(bytes);
    *length = bytes.size();
  });
}

lmc_status lmc_token_logprobs(const lmc_model* model, const int32_t* ids, size_t n_ids,
                              float** logprobs, size_t* n_logprobs) {
  return guarded([&] {
    require(model, "lmc_token_logprobs", "model");
    if (n_ids > 0) require(ids, "lmc_token_logprobs", "ids");
    require(logprobs, "lmc_token_logprobs", "logprobs");
    require(n_logprobs, "lmc_token_logprobs", "n_logprobs");
    const std::vector<float> values =
        model->model.token_logprobs(std::span<const lmc::Token>(ids, n_ids));
    *logprobs = copy_out(std::span<const float>(values));
    *n_logprobs = values.size();
  });
}

lmc_bpc_options lmc_bpc_default_options(void) {
  const lmc::BpcOptions defaults;
  lmc_bpc_options options{};
  options.context = defaults.context;
  options.stride = defaults.stride;
  options.mode = LMC_WINDOW_EXACT;
  options.score_bos = defaults.score_bos ? 1 : 0;
  options.shard_index = defaults.shard_index;
  options.shard_count = defaults.shard_count;
  options.max_documents = defaults.max_documents;
  return options;
}

lmc_status lmc_evaluate_bpc(const lmc_model* model, const char* corpus_path,
                            const lmc_bpc_options* options, lmc_bpc_result* result, char** json) {
  return guarded([&] {
    require(model, "lmc_evaluate_bpc", "model");
    require(corpus_path, "lmc_evaluate_bpc", "corpus_path");
    require(result, "lmc_evaluate_bpc", "result");
    const lmc_bpc_options given = options != nullptr ? *options : lmc_bpc_default_options();
    lmc::BpcOptions bpc;
    bpc.context = given.context;
    bpc.stride = given.stride;
    switch (given.mode) {
      case LMC_WINDOW_EXACT: bpc.mode = lmc::WindowMode::exact; break;
      case LMC_WINDOW_PAPER: bpc.mode = lmc::WindowMode::paper; break;
      default:
        invalid("lmc_evaluate_bpc: mode " + std::to_string(static_cast<long long>(given.mode)) +
                " is neither LMC_WINDOW_EXACT nor LMC_WINDOW_PAPER");
    }
    bpc.score_bos = given.score_bos != 0;
    bpc.shard_index = given.shard_index;
    bpc.shard_count = given.shard_count;
    bpc.max_documents = given.max_documents;
    // The label lmc-bpc stores, so that results of the two merge.
    bpc.model_name = model->path;

    lmc::Corpus corpus = lmc::Corpus::open(corpus_path);
    const lmc::BpcResult r = lmc::evaluate_bpc(model->model, corpus, bpc);
    char* json_text = json != nullptr ? copy_text(r.to_json()) : nullptr;

    lmc_bpc_result out{};
    out.bpc = r.bpc();
    out.bits_per_byte = r.bits_per_byte();
    out.bits_per_token = r.bits_per_token();
    out.total_bits = r.total_bits();
    out.characters = r.characters();
    out.bytes = r.bytes();
    out.tokens = r.tokens();
    out.scored_tokens = r.scored_tokens();
    out.documents = r.documents();
    out.windows = r.windows();
    out.seconds = r.seconds();
    *result = out;
    if (json != nullptr) *json = json_text;
  });
}

lmc_status lmc_compressor_create(const lmc_model* model, size_t threads,
                                 lmc_compressor** compressor) {
  return guarded([&] {
    require(model, "lmc_compressor_create", "model");
    require(compressor, "lmc_compressor_create", "compressor");
    lmc::CompressorOptions options;
    options.threads = threads;
    *compressor = new lmc_compressor{lmc::Compressor(model->model, options)};
  });
}

void lmc_compressor_free(lmc_compressor* compressor) { delete compressor; }

lmc_status lmc_compress(const lmc_compressor* compressor, const void* data, size_t size,
                        uint8_t** out, size_t* out_size) {
  return guarded([&] {
    require(compressor, "lmc_compress", "compressor");
    if (size > 0) require(data, "lmc_compress", "data");
    require(out, "lmc_compress", "out");
    require(out_size, "lmc_compress", "out_size");
    const std::vector<std::byte> container =
        compressor->compressor.compress(std::span(static_cast<const std::byte*>(data), size));
    *out = reinterpret_cast<uint8_t*>(copy_out(std::span<const std::byte>(container)));
    *out_size = container.size();
  });
}

lmc_status lmc_decompress(const lmc_compressor* compressor, const void* container, size_t size,
                          uint8_t** out, size_t* out_size) {
  return guarded([&] {
    require(compressor, "lmc_decompress", "compressor");
    if (size > 0) require(container, "lmc_decompress", "container");
    require(out, "lmc_decompress", "out");
    require(out_size, "lmc_decompress", "out_size");
    const std::vector<std::byte> original = compressor->compressor.decompress(
        std::span(static_cast<const std::byte*>(container), size));
    *out = reinterpret_cast<uint8_t*>(copy_out(std::span<const std::byte>(original)));
    *out_size = original.size();
  });
}

}  // extern "C"
