// hello MODEL TEXT_FILE: lmc's public API in one page. Load a model, tokenize, score, measure
// bits per character, compress and decompress, correlate.
#include <lmc/lmc.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

int main(int argc, char** argv) try {
  if (argc != 3) return std::fprintf(stderr, "usage: hello MODEL TEXT_FILE\n"), 2;
  lmc::Model model = lmc::Model::load(argv[1]);  // a .gguf file or a Hugging Face folder
  std::ifstream in(argv[2], std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), {}};

  std::vector<lmc::Token> ids = model.tokenizer().encode(text, {.add_special = true});
  std::vector<float> logprobs = model.token_logprobs(ids);  // ln p(ids[i] | ids[<i]), i >= 1
  double nats = 0;
  for (float lp : logprobs) nats -= lp;
  std::printf("tokens %zu, -ln p %.3f nats\n", ids.size(), nats);

  lmc::Corpus corpus = lmc::Corpus::open(argv[2], {.format = lmc::CorpusFormat::text});
  lmc::BpcResult bpc = lmc::evaluate_bpc(model, corpus);  // the paper's windows: 1900 / 512
  std::printf("bits per character %.5f\n", bpc.bpc());

  lmc::Compressor zip(model);
  const std::span<const std::byte> bytes = std::as_bytes(std::span(text));
  std::vector<std::byte> packed = zip.compress(bytes);
  const bool same = std::ranges::equal(zip.decompress(packed), bytes);
  std::printf("compressed %zu -> %zu bytes, round trip %s\n", bytes.size(), packed.size(),
              same ? "ok" : "FAILED");

  const std::vector<double> model_bpc{0.8, 0.9, 1.0}, benchmark_score{60, 40, 50};
  lmc::stats::PearsonResult r = lmc::stats::pearson(model_bpc, benchmark_score);
  std::printf("pearson r %.4f, p-value %.4f\n", r.r, r.pvalue);
  return same ? 0 : 1;
} catch (const lmc::Error& error) {
  std::fprintf(stderr, "hello: %s\n", error.what());
  return 1;
}
