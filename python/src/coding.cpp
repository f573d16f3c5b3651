// lmc.Compressor, lmc.inspect_container and the compressors' baselines.
#include "common.hpp"

namespace lmcpy {

namespace {

// A compressor and the model it codes with: the Python object of the model is kept alive by
// the binding (keep_alive), this holds the C++ model alive as well.
struct PyCompressor {
  std::shared_ptr<PyModel> model;
  lmc::Compressor compressor;
};

}  // namespace

void bind_coding(py::module_& m) {
  {
    Record<lmc::ChunkInfo> chunk(m, "ChunkInfo", "One chunk of a container.");
    chunk
        .field("original_offset", &lmc::ChunkInfo::original_offset,
               "where its bytes start in the original data")
        .field("original_size", &lmc::ChunkInfo::original_size, "bytes of original data")
        .field("compressed_offset", &lmc::ChunkInfo::compressed_offset,
               "where its coded bytes start in the container")
        .field("compressed_size", &lmc::ChunkInfo::compressed_size, "bytes of coded data")
        .field("original_crc32c", &lmc::ChunkInfo::original_crc32c, "CRC32C of its original bytes");
  }
  {
    Record<lmc::ContainerInfo> info(m, "ContainerInfo",
                                    "What a container says about itself (inspect_container).");
    info.field("format_version", &lmc::ContainerInfo::format_version, "container format version")
        .field("fingerprint", &lmc::ContainerInfo::fingerprint,
               "fingerprint of the model that made it")
        .field("numeric_profile", &lmc::ContainerInfo::numeric_profile,
               "numeric profile of that model")
        .field("vocab_size", &lmc::ContainerInfo::vocab_size, "its vocabulary size")
        .field("context", &lmc::ContainerInfo::context, "tokens per model context")
        .field("chunk_bytes", &lmc::ContainerInfo::chunk_bytes, "bytes of input per chunk")
        .field("original_size", &lmc::ContainerInfo::original_size, "bytes of original data")
        .field("container_size", &lmc::ContainerInfo::container_size, "bytes of the container")
        .field("chunks", &lmc::ContainerInfo::chunks, "the chunk table (ChunkInfo)");
  }
  {
    Record<lmc::SizeEstimate> estimate(m, "SizeEstimate",
                                       "Sizes a compression would have (Compressor.estimate).");
    estimate.field("original_bytes", &lmc::SizeEstimate::original_bytes, "bytes of input")
        .field("characters", &lmc::SizeEstimate::characters, "Unicode code points")
        .field("tokens", &lmc::SizeEstimate::tokens, "tokens coded with the model")
        .field("escaped_bytes", &lmc::SizeEstimate::escaped_bytes,
               "bytes coded through the escape path")
        .field("ideal_token_bits", &lmc::SizeEstimate::ideal_token_bits,
               "sum of -log2 p(token) under the model's softmax")
        .field("coded_bits", &lmc::SizeEstimate::coded_bits,
               "sum of -log2(frequency/total) of every coded symbol")
        .field("container_bytes", &lmc::SizeEstimate::container_bytes, "expected container size");
  }
  {
    Record<lmc::BaselineSizes> sizes(m, "BaselineSizes",
                                     "Sizes of the same data with general-purpose compressors.");
    sizes.field("original", &lmc::BaselineSizes::original, "bytes of input")
        .field("gzip9", &lmc::BaselineSizes::gzip9, "gzip -9")
        .field("zstd19_long", &lmc::BaselineSizes::zstd19_long, "zstd -19 --long=27")
        .field("xz9e", &lmc::BaselineSizes::xz9e, "xz -9e");
  }

  py::class_<PyCompressor>(
      m, "Compressor",
      "Lossless compression of any bytes with a model driving a range coder (the container "
      "format of docs/container.md). The output does not depend on the thread count; "
      "decompress() returns the original bytes exactly or raises. Methods may run from several "
      "threads at once; the GIL is released while they code.")
      .def(py::init([](const std::shared_ptr<PyModel>& model, std::size_t threads,
                       std::size_t chunk_bytes, std::size_t batch_tokens, std::size_t context,
                       bool verify, bool choose_by_cost) {
             lmc::CompressorOptions options;
             options.threads = threads;
             options.chunk_bytes = chunk_bytes;
             options.batch_tokens = batch_tokens;
             options.context = context;
             options.verify = verify;
             options.choose_by_cost = choose_by_cost;
             py::gil_scoped_release release;  // the constructor computes the fingerprint
             return std::make_unique<PyCompressor>(
                 PyCompressor{model, lmc::Compressor(model->model, options)});
           }),
           py::arg("model"), py::kw_only(), py::arg("threads") = 0,
           py::arg("chunk_bytes") = std::size_t{1} << 15, py::arg("batch_tokens") = 512,
           py::arg("context") = 0, py::arg("verify") = false, py::arg("choose_by_cost") = true,
           "A compressor driven by `model` and its tokenizer. threads: chunks coded in parallel "
           "(0: one per hardware thread). chunk_bytes and context are recorded in the "
           "container. UnsupportedError when the model has no tokenizer or no BOS token.")
      .def(
          "compress",
          [](const PyCompressor& self, const py::handle& data) {
            const ByteView view = bytes_of(data);
            std::vector<std::byte> out;
            {
              py::gil_scoped_release release;
              out = self.compressor.compress(view.span());
            }
            return to_bytes(out);
          },
          py::arg("data"), "A container holding `data` (bytes or any buffer), as bytes.")
      .def(
          "decompress",
          [](const PyCompressor& self, const py::handle& container, const std::string& source) {
            const ByteView view = bytes_of(container);
            std::vector<std::byte> out;
            {
              py::gil_scoped_release release;
              out = self.compressor.decompress(view.span(), source);
            }
            return to_bytes(out);
          },
          py::arg("container"), py::arg("source") = "container",
          "The original bytes of a container made with the same model. FormatError, "
          "UnsupportedError, CorruptDataError or ModelMismatchError otherwise (`source` names "
          "the container in the message). Never returns wrong data.")
      .def(
          "estimate",
          [](const PyCompressor& self, const py::handle& data) {
            const ByteView view = bytes_of(data);
            py::gil_scoped_release release;
            return self.compressor.estimate(view.span());
          },
          py::arg("data"), "What compress(data) would produce, without range coding.")
      .def_property_readonly(
          "model", [](const PyCompressor& self) { return self.model; }, "The model it codes with.");

  m.def(
      "inspect_container",
      [](const py::handle& container, const std::string& source) {
        const ByteView view = bytes_of(container);
        py::gil_scoped_release release;
        return lmc::inspect(view.span(), source);
      },
      py::arg("container"), py::arg("source") = "container",
      "A container's header, chunk table and checksums, read without a model. FormatError, "
      "UnsupportedError or CorruptDataError for a bad container.");

  m.def(
      "baseline_sizes",
      [](const py::handle& data) {
        const ByteView view = bytes_of(data);
        py::gil_scoped_release release;
        return lmc::baseline_sizes(view.span());
      },
      py::arg("data"), "Compressed sizes of `data` with gzip -9, zstd -19 --long and xz -9e.");
}

}  // namespace lmcpy
