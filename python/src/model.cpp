// lmc.Model, lmc.Tokenizer, lmc.Session and lmc.ModelInfo.
#include "common.hpp"

#include <mutex>
#include <optional>

namespace lmcpy {

namespace {

std::string bundled_model_path() {
  return py::module_::import("lmc").attr("bundled_model_path")().cast<std::string>();
}

lmc::Outputs parse_outputs(const std::string& outputs) {
  if (outputs == "all") return lmc::Outputs::all;
  if (outputs == "last") return lmc::Outputs::last;
  fail(lmc::ErrorCode::invalid_argument,
       "outputs must be \"all\" or \"last\", not \"" + outputs + "\"");
}

// Python's negative indices for output rows: -1 is the last fed token.
std::size_t output_row(const lmc::Session& session, std::int64_t i) {
  const auto n = static_cast<std::int64_t>(session.n_outputs());
  const std::int64_t row = i < 0 ? i + n : i;
  if (row < 0 || row >= n) {
    fail(lmc::ErrorCode::out_of_range, "output row " + std::to_string(i) + " of a session with " +
                                           std::to_string(n) + " rows of logits");
  }
  return static_cast<std::size_t>(row);
}

// A session shared by Python threads: every call holds the mutex, taken with the GIL released
// so that a thread waiting for a long feed() does not stop the others.
struct PySession {
  explicit PySession(const lmc::Model& model) : session(model) {}
  lmc::Session session;
  std::mutex mutex;

  template <class R>
  R locked(R (lmc::Session::*getter)() const noexcept) {
    py::gil_scoped_release release;
    const std::lock_guard lock(mutex);
    return (session.*getter)();
  }
};

std::string text_bytes(const py::handle& text) {
  if (py::isinstance<py::str>(text)) return text.cast<std::string>();
  if (py::isinstance<py::bytes>(text)) return text.cast<std::string>();
  const ByteView view = bytes_of(text);
  const auto span = view.span();
  return {reinterpret_cast<const char*>(span.data()), span.size()};
}

}  // namespace

void bind_model(py::module_& m) {
  {
    Record<lmc::ModelInfo> info(m, "ModelInfo", "What a loaded model is (Model.info).");
    info.field("architecture", &lmc::ModelInfo::architecture,
               "lmc's architecture name: \"llama\", \"qwen2\", \"gpt2\", ...")
        .field("name", &lmc::ModelInfo::name, "general.name or the folder name")
        .field("format", &lmc::ModelInfo::format, "\"gguf\" or \"safetensors\"")
        .field("vocab_size", &lmc::ModelInfo::vocab_size, "rows of the output layer")
        .field("n_embd", &lmc::ModelInfo::n_embd, "embedding width")
        .field("n_layers", &lmc::ModelInfo::n_layers, "layers")
        .field("n_heads", &lmc::ModelInfo::n_heads, "attention heads")
        .field("n_kv_heads", &lmc::ModelInfo::n_kv_heads, "key/value heads")
        .field("head_dim", &lmc::ModelInfo::head_dim, "width of one head")
        .field("n_ff", &lmc::ModelInfo::n_ff, "feed-forward width")
        .field("n_experts", &lmc::ModelInfo::n_experts, "experts (0 for a dense model)")
        .field("n_experts_used", &lmc::ModelInfo::n_experts_used, "experts used per token")
        .field("trained_context", &lmc::ModelInfo::trained_context,
               "context the model was trained with (0: not stated)")
        .field("n_parameters", &lmc::ModelInfo::n_parameters,
               "elements of every weight tensor the model uses")
        .field("weight_bytes", &lmc::ModelInfo::weight_bytes, "bytes of those tensors as stored")
        .field("weight_type", &lmc::ModelInfo::weight_type,
               "the matrices' type (\"F32\", \"Q8_0\", ...) or \"mixed\"")
        .field("copied_weight_bytes", &lmc::ModelInfo::copied_weight_bytes,
               "bytes of weights held as F32 copies outside the file's mapping");
  }

  py::class_<lmc::Tokenizer>(m, "Tokenizer",
                             "Text <-> token ids, exactly as the model's own tokenizer splits "
                             "them. Immutable; safe to use from several threads.")
      .def_static(
          "from_file",
          [](const py::object& path) {
            const std::string p = path_of(path);
            py::gil_scoped_release release;
            return lmc::Tokenizer::from_file(p);
          },
          py::arg("path"),
          "Loads a tokenizer from a .gguf file, a tokenizer.json, a folder holding one, or a "
          "tiktoken rank file.")
      .def(
          "encode",
          [](const lmc::Tokenizer& tokenizer, const py::handle& text, bool add_special,
             bool parse_special) {
            const std::string bytes = text_bytes(text);
            std::vector<lmc::Token> ids;
            {
              py::gil_scoped_release release;
              ids = tokenizer.encode(bytes,
                                     {.add_special = add_special, .parse_special = parse_special});
            }
            return ids;
          },
          py::arg("text"), py::arg("add_special") = false, py::arg("parse_special") = false,
          "Token ids of `text` (str, encoded as UTF-8, or bytes). add_special adds the "
          "tokenizer's own BOS/EOS as its configuration says; parse_special recognises the text "
          "of special tokens such as \"<s>\" inside the input.")
      .def(
          "decode",
          [](const lmc::Tokenizer& tokenizer, const py::handle& ids) {
            const std::vector<lmc::Token> tokens = token_ids(ids);
            const std::string bytes = tokenizer.decode(tokens);
            return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(
                bytes.data(), static_cast<py::ssize_t>(bytes.size()), "replace"));
          },
          py::arg("ids"),
          "The text `ids` stand for (invalid UTF-8, such as half of a character, becomes "
          "U+FFFD; decode_bytes gives the exact bytes).")
      .def(
          "decode_bytes",
          [](const lmc::Tokenizer& tokenizer, const py::handle& ids) {
            return py::bytes(tokenizer.decode(token_ids(ids)));
          },
          py::arg("ids"), "The bytes `ids` stand for.")
      .def(
          "token_bytes",
          [](const lmc::Tokenizer& tokenizer, lmc::Token id) {
            return py::bytes(tokenizer.token_bytes(id));
          },
          py::arg("id"), "The bytes one token stands for on its own.")
      .def(
          "token_text",
          [](const lmc::Tokenizer& tokenizer, lmc::Token id) {
            return std::string(tokenizer.token_text(id));
          },
          py::arg("id"), "The token's string as the vocabulary stores it (\"▁the\", \"<s>\").")
      .def(
          "find_token",
          [](const lmc::Tokenizer& tokenizer, const std::string& text) {
            return tokenizer.find_token(text);
          },
          py::arg("text"), "Id of a vocabulary string, or None.")
      .def_property_readonly("vocab_size", &lmc::Tokenizer::vocab_size, "Number of ids.")
      .def_property_readonly("bos", &lmc::Tokenizer::bos, "BOS id or None.")
      .def_property_readonly("eos", &lmc::Tokenizer::eos, "EOS id or None.")
      .def_property_readonly("unk", &lmc::Tokenizer::unk, "Unknown-token id or None.")
      .def_property_readonly("pad", &lmc::Tokenizer::pad, "Padding id or None.")
      .def_property_readonly("add_bos_by_default", &lmc::Tokenizer::add_bos_by_default,
                             "Whether encode(add_special=True) puts a BOS first.")
      .def_property_readonly("add_eos_by_default", &lmc::Tokenizer::add_eos_by_default,
                             "Whether encode(add_special=True) puts an EOS last.")
      .def("is_special", &lmc::Tokenizer::is_special, py::arg("id"),
           "Whether the id is a special (control) token.")
      .def_property_readonly(
          "model_type", [](const lmc::Tokenizer& t) { return std::string(t.model_type()); },
          "\"sentencepiece-bpe\", \"byte-level-bpe\" or \"wordpiece\".")
      .def_property_readonly(
          "family", [](const lmc::Tokenizer& t) { return std::string(t.family()); },
          "The family / pre-tokenizer name.")
      .def_property_readonly("lossless", &lmc::Tokenizer::lossless,
                             "True when decode(encode(x)) == x for every valid UTF-8 x.")
      .def("__len__", &lmc::Tokenizer::vocab_size);

  py::class_<PyModel, std::shared_ptr<PyModel>>(
      m, "Model",
      "A decoder-only language model loaded from a GGUF file or a Hugging Face folder. Weights "
      "stay memory-mapped. Every method may be called from several Python threads at once: the "
      "GIL is released during forward passes.")
      .def(py::init([](const std::optional<py::object>& path, std::size_t threads,
                       std::size_t context, bool memory_map) {
             const std::string p = path && !path->is_none() ? path_of(*path) : bundled_model_path();
             py::gil_scoped_release release;
             return std::make_shared<PyModel>(
                 PyModel{lmc::Model::load(
                             p, {.threads = threads, .context = context, .memory_map = memory_map}),
                         p});
           }),
           py::arg("path") = py::none(), py::arg("threads") = 0, py::arg("context") = 0,
           py::arg("memory_map") = true,
           "Loads `path` (a .gguf file or a Hugging Face folder; None: lmc's bundled model "
           "lmc-tiny). threads: threads of the forward pass, counting the caller (0: one per "
           "hardware thread). context: positions a forward pass may hold (0: the model's "
           "trained context). Raises IoError, FormatError or UnsupportedError.")
      .def_readonly("path", &PyModel::path, "The path the model was loaded from.")
      .def_property_readonly(
          "info", [](const PyModel& self) { return self.model.info(); },
          "What the model is (a ModelInfo; .to_dict() for a dict).")
      .def_property_readonly(
          "has_tokenizer", [](const PyModel& self) { return self.model.has_tokenizer(); },
          "Whether the model files carry a tokenizer lmc can use.")
      .def_property_readonly(
          "tokenizer", [](const PyModel& self) { return self.model.tokenizer(); },
          "The model's tokenizer (UnsupportedError when it has none).")
      .def_property_readonly(
          "context", [](const PyModel& self) { return self.model.context(); },
          "Positions a forward pass may hold.")
      .def_property_readonly(
          "threads", [](const PyModel& self) { return self.model.threads(); },
          "Threads of the forward pass.")
      .def_property_readonly(
          "fingerprint",
          [](const PyModel& self) {
            py::gil_scoped_release release;
            return self.model.fingerprint();
          },
          "Identifies the model exactly (\"lmc-model/1 <architecture> <16 hex digits>\"); "
          "computed on first use.")
      .def_property_readonly(
          "numeric_profile", [](const PyModel& self) { return self.model.numeric_profile(); },
          "The numeric recipe of the logits (kernel numerics version and weight type).")
      .def(
          "token_logprobs",
          [](const PyModel& self, const py::handle& ids) {
            const std::vector<lmc::Token> tokens = token_ids(ids);
            std::vector<float> logprobs;
            {
              py::gil_scoped_release release;
              logprobs = self.model.token_logprobs(tokens);
            }
            return to_numpy(std::move(logprobs));
          },
          py::arg("ids"),
          "ln p(ids[i] | ids[:i]) for i = 1..n-1 as a float32 NumPy array of n-1 values, from "
          "one batched forward pass (bit-identical to the C++ API). InvalidArgumentError for an "
          "id outside the vocabulary, OutOfRangeError when the n-1 positions it feeds exceed the "
          "context.")
      .def(
          "session", [](const PyModel& self) { return std::make_unique<PySession>(self.model); },
          py::keep_alive<0, 1>(),
          "A new Session: incremental scoring with a KV cache (one per thread).")
      .def("__repr__", [](const PyModel& self) {
        return "lmc.Model(" + py::repr(py::str(self.path)).cast<std::string>() + ", " +
               self.model.info().architecture + ", " +
               std::to_string(self.model.info().n_parameters) + " parameters)";
      });

  py::class_<PySession>(
      m, "Session",
      "Incremental scoring: a KV cache over the tokens fed so far. Results equal "
      "Model.token_logprobs bit for bit, however the tokens are split. One session per thread "
      "is the way to score in parallel; a session shared by threads is safe but serialised "
      "(each call waits for the one in progress).")
      .def(
          "feed",
          [](PySession& self, const py::handle& ids, const std::string& outputs) {
            const lmc::Outputs which = parse_outputs(outputs);
            const std::vector<lmc::Token> tokens =
                PyLong_Check(ids.ptr()) ? token_ids(py::make_tuple(ids)) : token_ids(ids);
            py::gil_scoped_release release;
            const std::lock_guard lock(self.mutex);
            self.session.feed(tokens, which);
          },
          py::arg("ids"), py::arg("outputs") = "all",
          "Appends token ids (one int or a sequence) and runs them in one pass, keeping the "
          "logits of every fed position (outputs=\"all\") or of the last (\"last\"). "
          "OutOfRangeError past the context, InvalidArgumentError for a bad id (the session is "
          "then unchanged).")
      .def_property_readonly(
          "position", [](PySession& self) { return self.locked(&lmc::Session::position); },
          "Tokens held.")
      .def_property_readonly(
          "context", [](PySession& self) { return self.locked(&lmc::Session::context); },
          "Positions the session can hold.")
      .def_property_readonly(
          "n_outputs", [](PySession& self) { return self.locked(&lmc::Session::n_outputs); },
          "Rows of logits kept from the last feed.")
      .def_property_readonly(
          "vocab_size", [](PySession& self) { return self.locked(&lmc::Session::vocab_size); },
          "Length of each row.")
      .def(
          "logits",
          [](PySession& self, std::int64_t i) {
            std::vector<float> row;
            {
              py::gil_scoped_release release;
              const std::lock_guard lock(self.mutex);
              const std::span<const float> logits =
                  self.session.logits(output_row(self.session, i));
              row.assign(logits.begin(), logits.end());
            }
            return to_numpy(std::move(row));
          },
          py::arg("i") = -1,
          "Logits of output row i of the last feed (-1: the last fed token), float32 array.")
      .def(
          "log_probs",
          [](PySession& self, std::int64_t i) {
            std::vector<float> row;
            {
              py::gil_scoped_release release;
              const std::lock_guard lock(self.mutex);
              row = self.session.logprobs(output_row(self.session, i));
            }
            return to_numpy(std::move(row));
          },
          py::arg("i") = -1, "ln softmax of output row i (-1: the last), float32 array.")
      .def(
          "logprob",
          [](PySession& self, std::int64_t i, lmc::Token next) {
            py::gil_scoped_release release;
            const std::lock_guard lock(self.mutex);
            return self.session.logprob(output_row(self.session, i), next);
          },
          py::arg("i"), py::arg("next"), "ln p(next | everything up to output row i).")
      .def(
          "reset",
          [](PySession& self) {
            py::gil_scoped_release release;
            const std::lock_guard lock(self.mutex);
            self.session.reset();
          },
          "Forgets every position.")
      .def(
          "truncate",
          [](PySession& self, std::size_t n) {
            py::gil_scoped_release release;
            const std::lock_guard lock(self.mutex);
            self.session.truncate(n);
          },
          py::arg("n"),
          "Keeps the first n positions (a model with state-space layers: only n = 0).");
}

}  // namespace lmcpy
