// lmc-bpc: bits per character of a corpus under a language model, the way "Compression
// Represents Intelligence Linearly" measures it (docs/bpc.md).
//
//   lmc-bpc --model M --corpus C [--context 1900] [--stride 512] [--mode exact|paper]
//           [--score-bos] [--threads N] [--shard i/n] [--json OUT] [--dump-tokens OUT.tsv]
//           [--max-docs K] [--text-field NAME] [--skip-bad-records] [--per-document]
//           [--progress] [--checkpoint FILE [--checkpoint-seconds 60]]
//   lmc-bpc --merge A.json B.json ... [--json OUT]
//
// Without --model it uses the bundled model; without --corpus it runs the demo on the bundled
// samples (examples/bpc_demo.hpp).
#include <lmc/lmc.hpp>

#include "bpc_demo.hpp"
#include "bundled.hpp"
#include "cli.hpp"
#if defined(LMC_WITH_MPI)
#include "bpc_mpi.hpp"
#endif

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

namespace {

const char* const kUsage =
    "usage: lmc-bpc [--model M] [--corpus C] [--context 1900] [--stride 512] [--mode exact|paper]\n"
    "               [--score-bos] [--threads N] [--shard i/n] [--json OUT]\n"
    "               [--dump-tokens OUT.tsv] [--max-docs K] [--text-field NAME]\n"
    "               [--skip-bad-records] [--per-document] [--progress]\n"
    "               [--checkpoint FILE [--checkpoint-seconds 60]]\n"
    "       lmc-bpc --merge A.json B.json ... [--json OUT]\n"
    "Without --model: the bundled model. Without --corpus: the demo on the bundled samples.\n";

// Progress on stderr: on a terminal one line redrawn at most twice a second; otherwise (with
// --progress, e.g. into a log) one line every 30 seconds.
class ProgressLine {
 public:
  explicit ProgressLine(bool terminal) : terminal_(terminal) {}
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void operator()(const lmc::EvalProgress& progress) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < (terminal_ ? std::chrono::milliseconds(500) : std::chrono::seconds(30))) {
      return;
    }
    last_ = now;
    std::fprintf(stderr, "%s%llu / %llu tokens  %.0f tokens/s  ETA %s%s", terminal_ ? "\r" : "",
                 static_cast<unsigned long long>(progress.scored_tokens_done),
                 static_cast<unsigned long long>(progress.scored_tokens_total),
                 progress.tokens_per_second, cli::format_duration(progress.eta_seconds).c_str(),
                 terminal_ ? "   " : "\n");
    std::fflush(stderr);
    drawn_ = true;
  }
  ~ProgressLine() {
    if (drawn_ && terminal_) std::fputs("\n", stderr);
  }

 private:
  bool terminal_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

void print_summary(const lmc::BpcResult& result) {
  std::string shards;
  for (std::size_t shard : result.shards()) {
    if (!shards.empty()) shards += ',';
    shards += std::to_string(shard);
  }
  std::printf("model        %s\n", result.model_name().c_str());
  std::printf("corpus       %s: %llu documents, %llu characters, %llu bytes\n",
              result.corpus().c_str(), static_cast<unsigned long long>(result.documents()),
              static_cast<unsigned long long>(result.characters()),
              static_cast<unsigned long long>(result.bytes()));
  std::printf("windows      %s mode, context %zu, stride %zu%s, shard %s of %zu%s\n",
              std::string(lmc::to_string(result.mode())).c_str(), result.context(), result.stride(),
              result.score_bos() ? ", BOS scored" : "", shards.c_str(), result.shard_count(),
              result.complete() ? "" : " (incomplete)");
  std::printf("tokens       %llu, scored %llu in %llu windows (%llu read by the model)\n",
              static_cast<unsigned long long>(result.tokens()),
              static_cast<unsigned long long>(result.scored_tokens()),
              static_cast<unsigned long long>(result.windows()),
              static_cast<unsigned long long>(result.forward_tokens()));
  std::printf("BPC          %.6f\n", result.bpc());
  std::printf("bits/byte    %.6f\n", result.bits_per_byte());
  std::printf("bits/token   %.6f (perplexity %.4f)\n", result.bits_per_token(),
              result.token_perplexity());
  std::printf("time         %.2f s, %.1f scored tokens/s, %.1f forward tokens/s\n",
              result.seconds(), result.tokens_per_second(), result.forward_tokens_per_second());
  if (result.skipped_records() > 0) {
    std::printf("skipped      %llu bad records\n",
                static_cast<unsigned long long>(result.skipped_records()));
  }
}

int merge_main(const cli::Arguments& args) {
  if (args.positional().empty()) throw std::invalid_argument("--merge needs result files");
  lmc::BpcResult merged;
  bool first = true;
  for (const std::string& path : args.positional()) {
    lmc::BpcResult shard = lmc::BpcResult::from_json(cli::read_text(path), path);
    if (first) {
      merged = std::move(shard);
      first = false;
    } else {
      merged.merge(shard);
    }
  }
  print_summary(merged);
  if (auto json = args.get("json")) lmc::write_file_atomically(*json, merged.to_json());
  return 0;
}

// Where this process stands in an MPI run (rank 0 of 1 without MPI).
struct Process {
  int rank = 0;
  int size = 1;
};

lmc::BpcResult evaluate(const cli::Arguments& args, const Process& process) {
  if (!args.positional().empty()) {
    throw std::invalid_argument("unexpected argument '" + args.positional().front() + "'");
  }
  lmc::BpcOptions options;
  options.context = args.integer<std::size_t>("context", 1900);
  options.stride = args.integer<std::size_t>("stride", 512);
  options.mode = lmc::parse_window_mode(args.get("mode").value_or("exact"));
  options.score_bos = args.flag("score-bos");
  if (options.mode == lmc::WindowMode::paper && options.score_bos) {
    throw std::invalid_argument("--score-bos is for --mode exact (paper mode always scores BOS)");
  }
  if (auto shard = args.get("shard")) {
    if (process.size > 1) throw std::invalid_argument("--shard cannot be used under mpirun");
    const lmc::Shard parsed = lmc::parse_shard(*shard);
    options.shard_index = parsed.index;
    options.shard_count = parsed.count;
  } else {
    options.shard_index = static_cast<std::size_t>(process.rank);
    options.shard_count = static_cast<std::size_t>(process.size);
  }
  options.max_documents = args.integer<std::uint64_t>("max-docs", 0);
  options.per_document = args.flag("per-document");
  const std::string model_path = args.get("model").value_or(bundled::model_path());
  const std::string corpus_path = args.required("corpus");
  options.model_name = model_path;
  const auto threads = args.integer<std::size_t>("threads", 0);

  lmc::CorpusOptions corpus_options;
  corpus_options.text_field = args.get("text-field").value_or("content");
  corpus_options.skip_bad_records = args.flag("skip-bad-records");
  lmc::Corpus corpus = lmc::Corpus::open(corpus_path, corpus_options);

  // The model holds exactly one window: it reads at most `context` tokens at a time.
  lmc::ModelOptions model_options;
  model_options.threads = threads;
  model_options.context = options.context;
  const lmc::Model model = lmc::Model::load(model_path, model_options);

  std::optional<lmc::AtomicFile> dump;
  if (auto path = args.get("dump-tokens")) {
    // Under MPI each rank writes its own targets to OUT.tsv.<rank>.
    dump.emplace(process.size > 1 ? *path + "." + std::to_string(process.rank) : *path);
    options.token_dump = &dump->stream();
  }
  if (auto checkpoint = args.get("checkpoint")) {
    // Under MPI each rank keeps its own shard's state in FILE.<rank>.
    options.checkpoint =
        process.size > 1 ? *checkpoint + "." + std::to_string(process.rank) : *checkpoint;
    options.checkpoint_seconds = args.number("checkpoint-seconds", 60);
    if (options.checkpoint_seconds < 0) {
      throw std::invalid_argument("option --checkpoint-seconds needs a number >= 0, got '" +
                                  *args.get("checkpoint-seconds") + "'");
    }
  } else if (args.get("checkpoint-seconds")) {
    throw std::invalid_argument("--checkpoint-seconds needs --checkpoint");
  }
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  ProgressLine progress_line(terminal);
  if (process.rank == 0 && (terminal || args.flag("progress"))) {
    options.progress = [&](const lmc::EvalProgress& progress) { progress_line(progress); };
  }
  lmc::BpcResult result = lmc::evaluate_bpc(model, corpus, options);
  if (dump) dump->commit();
  return result;
}

// Once the result is reported, its checkpoint has served: a later run starts afresh.
void remove_checkpoint(const cli::Arguments& args, const Process& process) {
  if (auto checkpoint = args.get("checkpoint")) {
    std::error_code ignored;
    std::filesystem::remove(
        process.size > 1 ? *checkpoint + "." + std::to_string(process.rank) : *checkpoint, ignored);
  }
}

int demo_main(const cli::Arguments& args) {
  lmc::BpcOptions options;
  options.context = args.integer<std::size_t>("context", 1900);
  options.stride = args.integer<std::size_t>("stride", 512);
  options.mode = lmc::parse_window_mode(args.get("mode").value_or("exact"));
  const std::string model_path = args.get("model").value_or(bundled::model_path());
  options.model_name = model_path;
  lmc::ModelOptions model_options;
  model_options.threads = args.integer<std::size_t>("threads", 0);
  model_options.context = options.context;
  const lmc::Model model = lmc::Model::load(model_path, model_options);
  return bpc_demo::run(model, model_path, options);
}

void report(const cli::Arguments& args, const lmc::BpcResult& result) {
  print_summary(result);
  if (auto json = args.get("json")) lmc::write_file_atomically(*json, result.to_json());
}

}  // namespace

int main(int argc, char** argv) {
#if defined(LMC_WITH_MPI)
  bpc_mpi::Session mpi(argc, argv);
  const Process process{mpi.rank(), mpi.size()};
#else
  const Process process;
#endif
  try {
    const cli::Arguments args(
        argc, argv,
        {"model", "corpus", "context", "stride", "mode", "threads", "shard", "json", "dump-tokens",
         "max-docs", "text-field", "checkpoint", "checkpoint-seconds"},
        {"merge", "score-bos", "skip-bad-records", "per-document", "progress", "help"});
    if (args.flag("help")) {
      if (process.rank == 0) std::fputs(kUsage, stdout);
      return 0;
    }
    if (args.flag("merge")) return process.rank == 0 ? merge_main(args) : 0;
    if (!args.get("corpus")) return process.rank == 0 ? demo_main(args) : 0;
#if defined(LMC_WITH_MPI)
    if (process.size > 1) {
      std::optional<lmc::BpcResult> mine;
      try {
        mine = evaluate(args, process);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "lmc-bpc: rank %d: %s\n", process.rank, error.what());
      }
      // Rank 0 can fail after the other ranks have finished (a rank failed, the shards do not
      // merge, the result cannot be written); it must still join the last collective, or the
      // others would wait for it forever.
      bool reported = true;
      try {
        const std::optional<lmc::BpcResult> merged = bpc_mpi::reduce(mine);
        if (merged) report(args, *merged);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "lmc-bpc: %s\n", error.what());
        reported = false;
      }
      // Every rank's checkpoint stays until rank 0 has reported, and all of them stay when it
      // could not: the run can then be resumed.
      const bool succeeded = bpc_mpi::all_true(mine.has_value() && reported);
      if (succeeded) remove_checkpoint(args, process);
      return succeeded ? 0 : 1;
    }
#endif
    report(args, evaluate(args, process));
    remove_checkpoint(args, process);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "lmc-bpc: %s\n", error.what());
    return 1;
  }
}
