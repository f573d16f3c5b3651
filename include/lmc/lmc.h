/* lmc's C API: load a model, tokenize, score, measure the bits per character of a corpus and
 * compress or decompress a buffer, from C or through any language's foreign-function interface.
 *
 * Conventions, the same for every function:
 *  - Handles are opaque and come in create/free pairs (lmc_model_load / lmc_model_free,
 *    lmc_compressor_create / lmc_compressor_free). A free function accepts NULL.
 *  - Every function that can fail returns an lmc_status: LMC_OK (0) on success, otherwise the
 *    kind of failure. Then lmc_last_error() returns the message (naming the file, the field or
 *    offset, and what was expected), and every output argument is left as it was.
 *    No C++ exception ever crosses this interface.
 *  - Arrays the library returns (token ids, log-probabilities, bytes, text, JSON) are
 *    allocated by the library and released with lmc_free().
 *  - Token ids are int32_t; log-probabilities are natural logarithms (float).
 *  - A model may be used from several threads at once (scoring, tokenizing, evaluating,
 *    compressing); a handle must not be freed while another thread uses it, and a compressor
 *    must be freed before the model it was created from.
 *
 * The C++ API (<lmc/lmc.hpp>) has the full surface; this is the part other languages need.
 * C99, no other header of lmc needed. */
#ifndef LMC_LMC_H
#define LMC_LMC_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define LMC_C_API __attribute__((visibility("default")))
#else
#define LMC_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** What a call returned. The codes after LMC_OK are lmc::ErrorCode's, in its order. */
typedef enum lmc_status {
  LMC_OK = 0,
  LMC_ERROR_IO = 1,               /**< a file could not be opened, read, written or mapped */
  LMC_ERROR_FORMAT = 2,           /**< a file is not in the format it claims */
  LMC_ERROR_UNSUPPORTED = 3,      /**< a valid file uses a feature lmc does not implement */
  LMC_ERROR_INVALID_ARGUMENT = 4, /**< an argument outside the function's contract (NULL, ...) */
  LMC_ERROR_CORRUPT_DATA = 5,     /**< data failed a checksum or a consistency check */
  LMC_ERROR_MODEL_MISMATCH = 6,   /**< data was made by another model or numeric profile */
  LMC_ERROR_OUT_OF_RANGE = 7,     /**< an index, id or size outside what the object holds */
  LMC_ERROR_INTERNAL = 8,         /**< a bug in lmc: please report it */
  LMC_ERROR_OUT_OF_MEMORY = 9     /**< an allocation failed */
} lmc_status;

/** Short lowercase name of a status ("ok", "io", "format", ..., "out_of_memory"); "unknown"
 *  for a value outside the enumeration. Static storage. */
LMC_C_API const char* lmc_status_name(lmc_status status);

/** The message of the last call that failed in this thread ("" when none has). Valid until the
 *  next failing call in the same thread. */
LMC_C_API const char* lmc_last_error(void);

/** lmc's release version, e.g. "0.1.0". Static storage. */
LMC_C_API const char* lmc_version(void);

/** Releases an array returned by any lmc function (NULL is accepted). */
LMC_C_API void lmc_free(void* data);

/* ---- models ------------------------------------------------------------------------------ */

typedef struct lmc_model lmc_model;

/** Loads a `.gguf` file or a Hugging Face folder. `threads`: threads of the forward pass,
 *  counting the caller (0: one per hardware thread). `context`: positions a forward pass may
 *  hold (0: the model's trained context, or 4096 when the file does not state one).
 *  On success *model is a new handle. Errors: IO, FORMAT, UNSUPPORTED, INVALID_ARGUMENT. */
LMC_C_API lmc_status lmc_model_load(const char* path, size_t threads, size_t context,
                                    lmc_model** model);

LMC_C_API void lmc_model_free(lmc_model* model);

/** What a loaded model is. Strings belong to the model and live as long as it. */
typedef struct lmc_model_info {
  const char* architecture; /**< "llama", "qwen2", "gpt2", ... */
  const char* name;         /**< general.name or the folder name */
  const char* format;       /**< "gguf" or "safetensors" */
  const char* weight_type;  /**< "F32", "Q8_0", ... or "mixed" */
  const char* fingerprint;  /**< "lmc-model/1 <architecture> <16 hex digits>" */
  int64_t vocab_size;       /**< rows of the output layer */
  int64_t n_embd;
  int64_t n_layers;
  int64_t n_heads;
  int64_t n_kv_heads;
  int64_t head_dim;
  int64_t n_ff;
  int64_t n_experts; /**< 0 for a dense model */
  int64_t n_experts_used;
  int64_t trained_context; /**< 0 when the file does not state it */
  int64_t n_parameters;
  uint64_t weight_bytes;
  uint64_t context;      /**< positions a forward pass may hold (the `context` of load) */
  uint64_t threads;      /**< threads of the forward pass */
  int32_t has_tokenizer; /**< 1 when the model files carry a tokenizer lmc can use */
  int32_t bos;           /**< the tokenizer's BOS id, -1 when there is none */
  int32_t eos;           /**< the tokenizer's EOS id, -1 when there is none */
} lmc_model_info;

/** Fills *info. The fingerprint is computed on the first call (about 0.2 s per GB of weights).
 *  Errors: INVALID_ARGUMENT for NULL. */
LMC_C_API lmc_status lmc_model_get_info(const lmc_model* model, lmc_model_info* info);

/* ---- tokenizer --------------------------------------------------------------------------- */

/** Splits `text` (`length` bytes, normally UTF-8; need not end in NUL) into token ids with the
 *  model's tokenizer. `add_special` non-zero adds the tokenizer's own BOS/EOS as its
 *  configuration says. On success *ids (release with lmc_free; NULL when *n_ids is 0) holds
 *  *n_ids ids. Errors: UNSUPPORTED when the model has no tokenizer, INVALID_ARGUMENT for NULL. */
LMC_C_API lmc_status lmc_tokenize(const lmc_model* model, const char* text, size_t length,
                                  int add_special, int32_t** ids, size_t* n_ids);

/** The bytes `ids` stand for. On success *text (release with lmc_free) holds *length bytes
 *  followed by a NUL that *length does not count. Errors: OUT_OF_RANGE for an id outside the
 *  vocabulary, UNSUPPORTED when the model has no tokenizer. */
LMC_C_API lmc_status lmc_detokenize(const lmc_model* model, const int32_t* ids, size_t n_ids,
                                    char** text, size_t* length);

/* ---- scoring ----------------------------------------------------------------------------- */

/** ln p(ids[i] | ids[0..i-1]) for i = 1..n_ids-1, from one batched forward pass: on success
 *  *logprobs (release with lmc_free; NULL when *n_logprobs is 0) holds *n_logprobs =
 *  max(n_ids - 1, 0) values. Errors: INVALID_ARGUMENT for an id outside the vocabulary,
 *  OUT_OF_RANGE when n_ids exceeds the model's context. */
LMC_C_API lmc_status lmc_token_logprobs(const lmc_model* model, const int32_t* ids, size_t n_ids,
                                        float** logprobs, size_t* n_logprobs);

/* ---- bits per character of a corpus ------------------------------------------------------ */

/** How windows are accounted (docs/bpc.md). */
typedef enum lmc_window_mode {
  LMC_WINDOW_EXACT = 0, /**< every token after the first scored once, the tail included */
  LMC_WINDOW_PAPER = 1  /**< the paper's released code, quirks included */
} lmc_window_mode;

typedef struct lmc_bpc_options {
  size_t context; /**< tokens per window (1 or more) */
  size_t stride;  /**< tokens between window starts, 1..context */
  lmc_window_mode mode;
  int score_bos;          /**< exact mode: count BOS targets */
  size_t shard_index;     /**< score windows k with k mod shard_count == shard_index */
  size_t shard_count;     /**< 1 or more */
  uint64_t max_documents; /**< 0 reads them all */
} lmc_bpc_options;

/** The defaults of the paper: context 1900, stride 512, exact mode, one shard. */
LMC_C_API lmc_bpc_options lmc_bpc_default_options(void);

/** The figures of an evaluation (NaN for a ratio when nothing was scored). */
typedef struct lmc_bpc_result {
  double bpc;            /**< bits per character (Unicode code points) */
  double bits_per_byte;  /**< bits per UTF-8 byte */
  double bits_per_token; /**< bits per scored token */
  double total_bits;     /**< sum of -log2 p over scored tokens */
  uint64_t characters;
  uint64_t bytes;
  uint64_t tokens; /**< tokens of the corpus, BOS included */
  uint64_t scored_tokens;
  uint64_t documents;
  uint64_t windows;
  double seconds;
} lmc_bpc_result;

/** Bits per character of the corpus at `corpus_path` (a JSONL file with a "content" field, a
 *  text file or a folder, optionally gzip/zstd) under `model`, as lmc::evaluate_bpc measures it.
 *  `options` NULL means lmc_bpc_default_options(). On success *result holds the figures and,
 *  when `json` is not NULL, *json (release with lmc_free) the result as lmc-bpc --json writes
 *  it. The model must hold options->context positions (`context` of lmc_model_load).
 *  Errors: those of the corpus and the model; UNSUPPORTED without a tokenizer; INVALID_ARGUMENT
 *  for bad options. */
LMC_C_API lmc_status lmc_evaluate_bpc(const lmc_model* model, const char* corpus_path,
                                      const lmc_bpc_options* options, lmc_bpc_result* result,
                                      char** json);

/* ---- compression ------------------------------------------------------------------------- */

typedef struct lmc_compressor lmc_compressor;

/** A compressor driven by `model` (which must outlive it) and its tokenizer, coding chunks on
 *  `threads` threads (0: one per hardware thread; the output does not depend on it).
 *  Errors: UNSUPPORTED when the model has no tokenizer or no BOS token. */
LMC_C_API lmc_status lmc_compressor_create(const lmc_model* model, size_t threads,
                                           lmc_compressor** compressor);

LMC_C_API void lmc_compressor_free(lmc_compressor* compressor);

/** Compresses `size` bytes (any bytes; `data` may be NULL when size is 0) into a container
 *  (docs/container.md): on success *out (release with lmc_free) holds *out_size bytes. */
LMC_C_API lmc_status lmc_compress(const lmc_compressor* compressor, const void* data, size_t size,
                                  uint8_t** out, size_t* out_size);

/** The original bytes of a container made with the same model, byte-exact: on success *out
 *  (release with lmc_free; NULL when *out_size is 0) holds *out_size bytes. Errors: FORMAT (not
 *  a container, truncated), UNSUPPORTED (newer format), CORRUPT_DATA (a checksum fails),
 *  MODEL_MISMATCH (made by another model). Never returns wrong data. */
LMC_C_API lmc_status lmc_decompress(const lmc_compressor* compressor, const void* container,
                                    size_t size, uint8_t** out, size_t* out_size);

#ifdef __cplusplus
}
#endif

#endif /* LMC_LMC_H */
