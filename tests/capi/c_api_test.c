/* The C API from C99: load the bundled model, score a demo sample against the training
 * script's PyTorch reference (models/lmc-tiny.reference.json), compress and decompress, measure
 * BPC, and read the error of a bad file. Compiled with -std=c99 -pedantic -Werror.
 *
 * usage: lmc_c_api_test MODEL.gguf SAMPLE.txt WORK_DIR */
#include <lmc/lmc.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(condition)                                                            \
  do {                                                                              \
    if (!(condition)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

#define CHECK_OK(call)                                                          \
  do {                                                                          \
    lmc_status status_ = (call);                                                \
    if (status_ != LMC_OK) {                                                    \
      fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #call, \
              lmc_status_name(status_), lmc_last_error());                      \
      exit(1);                                                                  \
    }                                                                           \
  } while (0)

/* Reads a whole file; exits on failure. */
static char* read_file(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  char* data;
  long length;
  if (file == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(file, 0, SEEK_END);
  length = ftell(file);
  fseek(file, 0, SEEK_SET);
  data = malloc((size_t)length + 1);
  if (data == NULL || fread(data, 1, (size_t)length, file) != (size_t)length) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  fclose(file);
  data[length] = '\0';
  *size = (size_t)length;
  return data;
}

static void write_file(const char* path, const void* data, size_t size) {
  FILE* file = fopen(path, "wb");
  if (file == NULL || fwrite(data, 1, size, file) != size || fclose(file) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
}

/* The first ids and log-probabilities of models/demo/prose.txt in
 * models/lmc-tiny.reference.json (PyTorch, float64), and its token count. */
static const int32_t reference_ids[] = {4095, 623, 757};
static const double reference_logprobs[] = {-5.413252916138752, -7.011149504639864,
                                            -10.354391873339733};
static const size_t reference_tokens = 972;

static void test_scoring(const lmc_model* model, const char* text, size_t length) {
  int32_t* ids = NULL;
  size_t n_ids = 0;
  float* logprobs = NULL;
  size_t n_logprobs = 0;
  size_t i;
  char* decoded = NULL;
  size_t decoded_length = 0;

  CHECK_OK(lmc_tokenize(model, text, length, 1, &ids, &n_ids));
  CHECK(n_ids == reference_tokens);
  for (i = 0; i < 3 && i < n_ids; ++i) CHECK(ids[i] == reference_ids[i]);

  CHECK_OK(lmc_token_logprobs(model, ids, n_ids, &logprobs, &n_logprobs));
  CHECK(n_logprobs == n_ids - 1);
  for (i = 0; i < 2 && i < n_logprobs; ++i) {
    if (fabs((double)logprobs[i] - reference_logprobs[i]) > 1e-4) {
      fprintf(stderr, "logprob %lu: %.7f, PyTorch %.7f\n", (unsigned long)i, logprobs[i],
              reference_logprobs[i]);
      ++failures;
    }
  }

  /* Without the BOS the text's own tokens decode back to it. */
  CHECK_OK(lmc_detokenize(model, ids + 1, n_ids - 1, &decoded, &decoded_length));
  CHECK(decoded_length == length);
  CHECK(memcmp(decoded, text, length) == 0);
  CHECK(decoded[decoded_length] == '\0');

  /* An id outside the vocabulary is refused, and the outputs are left alone. */
  {
    int32_t bad[2];
    float* untouched = NULL;
    size_t n_untouched = 12345;
    bad[0] = ids[0];
    bad[1] = 1 << 30;
    CHECK(lmc_token_logprobs(model, bad, 2, &untouched, &n_untouched) ==
          LMC_ERROR_INVALID_ARGUMENT);
    CHECK(untouched == NULL && n_untouched == 12345);
    CHECK(strlen(lmc_last_error()) > 0);
  }

  lmc_free(decoded);
  lmc_free(logprobs);
  lmc_free(ids);
}

static void test_compression(const lmc_model* model, const char* text, size_t length) {
  lmc_compressor* compressor = NULL;
  uint8_t* container = NULL;
  size_t container_size = 0;
  uint8_t* back = NULL;
  size_t back_size = 0;

  CHECK_OK(lmc_compressor_create(model, 1, &compressor));
  CHECK_OK(lmc_compress(compressor, text, length, &container, &container_size));
  CHECK(container_size > 0 && container_size < length);
  CHECK_OK(lmc_decompress(compressor, container, container_size, &back, &back_size));
  CHECK(back_size == length);
  CHECK(back != NULL && memcmp(back, text, length) == 0);
  lmc_free(back);

  /* A flipped byte of coded data fails its checksum. */
  container[container_size - 1] ^= 0x40;
  back = NULL;
  {
    lmc_status status = lmc_decompress(compressor, container, container_size, &back, &back_size);
    CHECK(status == LMC_ERROR_CORRUPT_DATA || status == LMC_ERROR_FORMAT);
    CHECK(back == NULL);
    fprintf(stderr, "damaged container: %s: %s\n", lmc_status_name(status), lmc_last_error());
  }

  /* The empty input round trips too. */
  lmc_free(container);
  CHECK_OK(lmc_compress(compressor, NULL, 0, &container, &container_size));
  CHECK_OK(lmc_decompress(compressor, container, container_size, &back, &back_size));
  CHECK(back_size == 0);

  lmc_free(container);
  lmc_compressor_free(compressor);
}

static void test_bpc(const lmc_model* model, const char* sample_path) {
  lmc_bpc_options options = lmc_bpc_default_options();
  lmc_bpc_result result;
  char* json = NULL;

  CHECK(options.context == 1900 && options.stride == 512 && options.mode == LMC_WINDOW_EXACT);
  options.context = 256;
  options.stride = 128;
  CHECK_OK(lmc_evaluate_bpc(model, sample_path, &options, &result, &json));
  CHECK(result.documents == 1);
  CHECK(result.tokens == reference_tokens);
  CHECK(result.scored_tokens == reference_tokens - 1);
  CHECK(result.bpc > 0 && result.bpc < 8);
  CHECK(fabs(result.bpc - result.total_bits / (double)result.characters) < 1e-12);
  CHECK(json != NULL && strstr(json, "\"bpc\"") != NULL);
  lmc_free(json);

  options.stride = 0;
  CHECK(lmc_evaluate_bpc(model, sample_path, &options, &result, NULL) ==
        LMC_ERROR_INVALID_ARGUMENT);
}

static void test_errors(const char* work_dir) {
  char path[4096];
  lmc_model* model = NULL;
  lmc_status status;

  /* A file that is not a model: the message names it. */
  snprintf(path, sizeof path, "%s/not_a_model.gguf", work_dir);
  write_file(path, "GGUF but not really", 19);
  status = lmc_model_load(path, 1, 0, &model);
  CHECK(status == LMC_ERROR_FORMAT);
  CHECK(model == NULL);
  CHECK(strstr(lmc_last_error(), "not_a_model.gguf") != NULL);
  fprintf(stderr, "bad model file: %s: %s\n", lmc_status_name(status), lmc_last_error());

  /* A missing file. */
  snprintf(path, sizeof path, "%s/no_such_model.gguf", work_dir);
  status = lmc_model_load(path, 1, 0, &model);
  CHECK(status == LMC_ERROR_IO);
  CHECK(strstr(lmc_last_error(), "no_such_model.gguf") != NULL);

  /* NULL arguments are refused, not dereferenced. */
  CHECK(lmc_model_load(NULL, 1, 0, &model) == LMC_ERROR_INVALID_ARGUMENT);
  CHECK(lmc_tokenize(NULL, "a", 1, 0, NULL, NULL) == LMC_ERROR_INVALID_ARGUMENT);
  lmc_model_free(NULL);
  lmc_compressor_free(NULL);
  lmc_free(NULL);

  CHECK(strcmp(lmc_status_name(LMC_ERROR_MODEL_MISMATCH), "model_mismatch") == 0);
  CHECK(strcmp(lmc_status_name((lmc_status)99), "unknown") == 0);
}

int main(int argc, char** argv) {
  lmc_model* model = NULL;
  lmc_model_info info;
  char* text;
  size_t length = 0;

  if (argc != 4) {
    fprintf(stderr, "usage: %s MODEL.gguf SAMPLE.txt WORK_DIR\n", argv[0]);
    return 2;
  }
  CHECK(strlen(lmc_version()) > 0);
  CHECK(strcmp(lmc_last_error(), "") == 0);

  CHECK_OK(lmc_model_load(argv[1], 1, 0, &model));
  CHECK_OK(lmc_model_get_info(model, &info));
  CHECK(strcmp(info.architecture, "llama") == 0);
  CHECK(strcmp(info.format, "gguf") == 0);
  CHECK(strncmp(info.fingerprint, "lmc-model/1 llama ", 18) == 0);
  CHECK(info.has_tokenizer == 1);
  CHECK(info.bos == reference_ids[0]);
  CHECK(info.vocab_size > 0 && info.n_layers > 0);
  CHECK(info.threads == 1);

  text = read_file(argv[2], &length);
  test_scoring(model, text, length);
  test_compression(model, text, length);
  test_bpc(model, argv[2]);
  test_errors(argv[3]);

  free(text);
  lmc_model_free(model);
  if (failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("C API: every check passed\n");
  return 0;
}
