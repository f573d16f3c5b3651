// lmc.evaluate_bpc, lmc.BpcResult and lmc.EvalProgress.
#include "common.hpp"

#include <limits>
#include <optional>

namespace lmcpy {

namespace {

lmc::CorpusFormat parse_format(const std::string& format) {
  if (format == "auto" || format == "automatic") return lmc::CorpusFormat::automatic;
  if (format == "jsonl") return lmc::CorpusFormat::jsonl;
  if (format == "text") return lmc::CorpusFormat::text;
  fail(lmc::ErrorCode::invalid_argument,
       "format must be \"auto\", \"jsonl\" or \"text\", not \"" + format + "\"");
}

lmc::Shard parse_shard(const py::handle& shard) {
  if (py::isinstance<py::str>(shard)) return lmc::parse_shard(shard.cast<std::string>());
  const auto pair = shard.cast<std::pair<std::int64_t, std::int64_t>>();
  if (pair.first < 0 || pair.second < 1 || pair.first >= pair.second) {
    fail(lmc::ErrorCode::invalid_argument, "shard (" + std::to_string(pair.first) + ", " +
                                               std::to_string(pair.second) +
                                               ") is not (i, n) with 0 <= i < n");
  }
  return {static_cast<std::size_t>(pair.first), static_cast<std::size_t>(pair.second)};
}

py::object json_loads(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

lmc::BpcResult evaluate(const py::object& model_or_path, const py::object& corpus_path,
                        std::size_t context, std::size_t stride, const std::string& mode,
                        bool score_bos, const std::optional<std::size_t>& threads,
                        const py::object& shard, std::uint64_t max_documents, bool per_document,
                        const std::optional<std::string>& model_name, const py::object& progress,
                        const std::optional<py::object>& checkpoint, double checkpoint_seconds,
                        const std::string& format, const std::string& text_field,
                        bool skip_bad_records) {
  std::shared_ptr<PyModel> model;
  if (py::isinstance<PyModel>(model_or_path)) {
    model = model_or_path.cast<std::shared_ptr<PyModel>>();
    if (threads && *threads != model->model.threads()) {
      fail(lmc::ErrorCode::invalid_argument,
           "threads=" + std::to_string(*threads) + " for a model loaded with " +
               std::to_string(model->model.threads()) +
               " threads: a model's threads are set when it is loaded (lmc.Model(path, "
               "threads=N)), or pass the model's path here");
    }
  } else {
    // A path: loaded as lmc-bpc loads it, holding exactly one window.
    const std::string path = path_of(model_or_path);
    py::gil_scoped_release release;
    model = std::make_shared<PyModel>(PyModel{
        lmc::Model::load(path, {.threads = threads.value_or(0), .context = context}), path});
  }

  lmc::BpcOptions options;
  options.context = context;
  options.stride = stride;
  options.mode = lmc::parse_window_mode(mode);
  options.score_bos = score_bos;
  const lmc::Shard which = parse_shard(shard);
  options.shard_index = which.index;
  options.shard_count = which.count;
  options.max_documents = max_documents;
  options.per_document = per_document;
  options.model_name = model_name ? *model_name : model->path;
  if (checkpoint && !checkpoint->is_none()) options.checkpoint = path_of(*checkpoint);
  options.checkpoint_seconds = checkpoint_seconds;
  // After every window, with the GIL held for a moment: a pending Ctrl-C (or any signal
  // handler that raises) ends the evaluation there, as does an exception from `progress`;
  // both reach the caller unchanged.
  const bool has_progress = !progress.is_none();
  options.progress = [&progress, has_progress](const lmc::EvalProgress& figures) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (has_progress) progress(figures);
  };

  lmc::CorpusOptions corpus_options;
  corpus_options.format = parse_format(format);
  corpus_options.text_field = text_field;
  corpus_options.skip_bad_records = skip_bad_records;
  const std::string corpus_name = path_of(corpus_path);

  py::gil_scoped_release release;
  lmc::Corpus corpus = lmc::Corpus::open(corpus_name, corpus_options);
  return lmc::evaluate_bpc(model->model, corpus, options);
}

}  // namespace

void bind_eval(py::module_& m) {
  {
    Record<lmc::EvalProgress> progress(m, "EvalProgress",
                                       "Progress of an evaluation, passed to the progress "
                                       "callable of evaluate_bpc after each window.");
    progress.field("windows_done", &lmc::EvalProgress::windows_done, "windows scored")
        .field("scored_tokens_done", &lmc::EvalProgress::scored_tokens_done,
               "targets scored so far")
        .field("forward_tokens_done", &lmc::EvalProgress::forward_tokens_done,
               "tokens the model has read so far")
        .field("tokens_read", &lmc::EvalProgress::tokens_read, "corpus tokens tokenized so far")
        .field("scored_tokens_total", &lmc::EvalProgress::scored_tokens_total,
               "estimated scored tokens at the end")
        .field("seconds", &lmc::EvalProgress::seconds, "since the evaluation started")
        .field("tokens_per_second", &lmc::EvalProgress::tokens_per_second,
               "scored tokens per second")
        .field("eta_seconds", &lmc::EvalProgress::eta_seconds, "estimated seconds left");
  }
  {
    Record<lmc::DocumentFigures> doc(m, "DocumentFigures",
                                     "Figures of one document (evaluate_bpc(per_document=True)).");
    doc.field("source", &lmc::DocumentFigures::source, "file it came from")
        .field("line", &lmc::DocumentFigures::line, "line of a JSONL record, 0 for a whole file")
        .field("characters", &lmc::DocumentFigures::characters, "Unicode code points")
        .field("bytes", &lmc::DocumentFigures::bytes, "UTF-8 bytes")
        .field("tokens", &lmc::DocumentFigures::tokens, "tokens, BOS included")
        .field("scored_tokens", &lmc::DocumentFigures::scored_tokens, "targets counted")
        .field("bits", &lmc::DocumentFigures::bits, "their -log2 p, summed")
        // DocumentFigures::bpc() is not exported from liblmc: the same ratio, computed here.
        .property(
            "bpc",
            [](const lmc::DocumentFigures& d) {
              return d.scored_tokens > 0 && d.characters > 0
                         ? d.bits / static_cast<double>(d.characters)
                         : std::numeric_limits<double>::quiet_NaN();
            },
            "bits per character (NaN when nothing was scored)");
  }

  Record<lmc::BpcResult> result(
      m, "BpcResult",
      "The outcome of an evaluation, or of several shards merged. to_json() is what lmc-bpc "
      "--json writes; to_dict() is that JSON as a dict.");
  result
      .property("bpc", &lmc::BpcResult::bpc,
                "bits per character (Unicode code points); NaN when nothing was scored")
      .property("bits_per_byte", &lmc::BpcResult::bits_per_byte, "bits per UTF-8 byte")
      .property("bits_per_token", &lmc::BpcResult::bits_per_token, "bits per counted target")
      .property("token_perplexity", &lmc::BpcResult::token_perplexity,
                "exp(nats per counted target)")
      .property("total_bits", &lmc::BpcResult::total_bits, "sum of -log2 p over counted targets")
      .property("total_nats", &lmc::BpcResult::total_nats, "sum of -ln p over counted targets")
      .property("characters", &lmc::BpcResult::characters, "Unicode code points of the corpus")
      .property("bytes", &lmc::BpcResult::bytes, "UTF-8 bytes of the corpus")
      .property("tokens", &lmc::BpcResult::tokens, "tokens of the corpus, BOS included")
      .property("scored_tokens", &lmc::BpcResult::scored_tokens, "targets counted in the loss")
      .property("documents", &lmc::BpcResult::documents, "documents read")
      .property("windows", &lmc::BpcResult::windows, "windows scored")
      .property("forward_tokens", &lmc::BpcResult::forward_tokens, "tokens the model read")
      .property("skipped_records", &lmc::BpcResult::skipped_records, "bad records skipped")
      .property("empty_documents", &lmc::BpcResult::empty_documents, "empty documents dropped")
      .property("seconds", &lmc::BpcResult::seconds, "evaluation time, summed over shards")
      .property("tokens_per_second", &lmc::BpcResult::tokens_per_second, "scored tokens per second")
      .property("forward_tokens_per_second", &lmc::BpcResult::forward_tokens_per_second,
                "tokens the model read per second")
      .property("context", &lmc::BpcResult::context, "tokens per window")
      .property("stride", &lmc::BpcResult::stride, "tokens between window starts")
      .property(
          "mode", [](const lmc::BpcResult& r) { return std::string(lmc::to_string(r.mode())); },
          "\"exact\" or \"paper\"")
      .property("score_bos", &lmc::BpcResult::score_bos, "whether BOS targets were counted")
      .property("model_name", &lmc::BpcResult::model_name, "the model's label")
      .property("corpus", &lmc::BpcResult::corpus, "the corpus path")
      .property("shard_count", &lmc::BpcResult::shard_count, "shards of the evaluation")
      .property("shards", &lmc::BpcResult::shards, "shards included, ascending")
      .property("complete", &lmc::BpcResult::complete, "whether every shard is included")
      .property("document_figures", &lmc::BpcResult::document_figures,
                "per-document figures (with per_document=True)");
  // to_dict() is the JSON's own object, so that it has exactly lmc-bpc --json's keys.
  result.cls()
      .def(py::init<>(), "An empty result (merge shards into it).")
      .def(
          "merge",
          [](lmc::BpcResult& self, const py::args& others) -> lmc::BpcResult& {
            for (const py::handle other : others) self.merge(other.cast<const lmc::BpcResult&>());
            return self;
          },
          py::return_value_policy::reference_internal,
          "Adds the shards of the other results to this one, in place, and returns it. "
          "InvalidArgumentError when they are not shards of one evaluation or share a shard.")
      .def_static(
          "merged",
          [](const std::vector<lmc::BpcResult>& shards) {
            if (shards.empty()) fail(lmc::ErrorCode::invalid_argument, "no results to merge");
            lmc::BpcResult out = shards.front();
            for (std::size_t i = 1; i < shards.size(); ++i) out.merge(shards[i]);
            return out;
          },
          py::arg("results"), "A new result: the shards of every result merged.")
      .def("to_json", &lmc::BpcResult::to_json, "One JSON object, as lmc-bpc --json writes it.")
      .def(
          "to_dict", [](const lmc::BpcResult& self) { return json_loads(self.to_json()); },
          "The JSON of to_json() as a dict (lmc-bpc --json's keys; NaN figures are None).")
      .def_static("from_json", &lmc::BpcResult::from_json, py::arg("json"),
                  py::arg("source") = "<json>", "Reads what to_json wrote.")
      .def("set_seconds", &lmc::BpcResult::set_seconds, py::arg("seconds"),
           "Overrides the time (e.g. with the wall-clock time of a parallel run).")
      .def("__copy__", [](const lmc::BpcResult& self) { return lmc::BpcResult(self); })
      .def("__deepcopy__",
           [](const lmc::BpcResult& self, const py::dict&) { return lmc::BpcResult(self); });

  m.def("evaluate_bpc", &evaluate, py::arg("model"), py::arg("corpus"), py::kw_only(),
        py::arg("context") = 1900, py::arg("stride") = 512, py::arg("mode") = "exact",
        py::arg("score_bos") = false, py::arg("threads") = py::none(),
        py::arg("shard") = py::make_tuple(0, 1), py::arg("max_documents") = 0,
        py::arg("per_document") = false, py::arg("model_name") = py::none(),
        py::arg("progress") = py::none(), py::arg("checkpoint") = py::none(),
        py::arg("checkpoint_seconds") = 60.0, py::arg("format") = "auto",
        py::arg("text_field") = "content", py::arg("skip_bad_records") = false,
        "Bits per character of a corpus (a JSONL file with a `content` field, a text file or a "
        "folder, optionally gzip/zstd) under a model, measured as the paper does and as lmc-bpc "
        "does: windows of `context` tokens every `stride` tokens, mode \"exact\" or \"paper\". "
        "`model` is a Model or a path (then loaded with `threads` and a context of `context`). "
        "shard=(i, n) or \"i/n\" scores every n-th window (merge the shards with "
        "BpcResult.merge). progress(EvalProgress) is called after each window. Ctrl-C stops the "
        "evaluation after the window it is in (KeyboardInterrupt). The GIL is released while "
        "windows are scored.");
}

}  // namespace lmcpy
