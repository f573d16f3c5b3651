// The extension module lmc._lmc: errors, conversions, and the module itself. lmc/__init__.py
// re-exports it as the package `lmc`.
#include "common.hpp"

#include <array>
#include <limits>

namespace lmcpy {

namespace {

struct ErrorClass {
  lmc::ErrorCode code;
  const char* name;
  const char* doc;
};

constexpr std::array<ErrorClass, 8> error_classes{{
    {lmc::ErrorCode::io, "IoError", "A file could not be opened, read, written or mapped."},
    {lmc::ErrorCode::format, "FormatError",
     "A file is not in the format it claims (bad magic, bad field, bad JSON)."},
    {lmc::ErrorCode::unsupported, "UnsupportedError",
     "A valid file uses a feature lmc does not implement."},
    {lmc::ErrorCode::invalid_argument, "InvalidArgumentError",
     "An option or value outside the function's contract."},
    {lmc::ErrorCode::corrupt_data, "CorruptDataError",
     "Data failed a checksum or an internal consistency check."},
    {lmc::ErrorCode::model_mismatch, "ModelMismatchError",
     "Data was made by another model or numeric profile than the one given."},
    {lmc::ErrorCode::out_of_range, "OutOfRangeError",
     "An index, offset or size lies outside what the object holds."},
    {lmc::ErrorCode::internal, "InternalError", "A bug in lmc: please report it."},
}};

// The Python classes, indexed by lmc::ErrorCode. Created once at import and kept for the life
// of the interpreter (the module holds a reference too).
std::array<PyObject*, error_classes.size()> error_objects{};

PyObject* error_object(lmc::ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  return index < error_objects.size() && error_objects[index] != nullptr
             ? error_objects[index]
             : error_objects[static_cast<std::size_t>(lmc::ErrorCode::internal)];
}

}  // namespace

void fail(lmc::ErrorCode code, const std::string& message) { throw lmc::Error(code, message); }

void register_errors(py::module_& m) {
  PyObject* base = PyErr_NewExceptionWithDoc(
      "lmc.Error",
      "Base class of every error lmc raises. str(error) is lmc's message, unchanged: it names "
      "the file and the field or offset. `code` is lmc::ErrorCode's name (\"io\", \"format\", "
      "...); each code has its own subclass.",
      PyExc_Exception, nullptr);
  if (base == nullptr) throw py::error_already_set();
  m.attr("Error") = py::reinterpret_steal<py::object>(base);
  for (const ErrorClass& entry : error_classes) {
    const std::string qualified = std::string("lmc.") + entry.name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), entry.doc, base, nullptr);
    if (cls == nullptr) throw py::error_already_set();
    py::object object = py::reinterpret_steal<py::object>(cls);
    object.attr("code") = std::string(lmc::to_string(entry.code));
    m.attr(entry.name) = object;
    error_objects[static_cast<std::size_t>(entry.code)] = object.inc_ref().ptr();
  }
  m.attr("Error").attr("code") = py::none();

  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const lmc::Error& e) {
      PyErr_SetString(error_object(e.code()), e.what());
    }
  });
}

std::string path_of(const py::handle& value) {
  // str or bytes, as os.fspath returns them.
  return py::module_::import("os").attr("fspath")(value).cast<std::string>();
}

std::vector<lmc::Token> token_ids(const py::handle& ids) {
  py::array array = py::array::ensure(ids);
  if (!array) throw py::type_error("token ids must be a sequence of ints or an integer array");
  if (array.ndim() != 1) {
    throw py::value_error("token ids must have one dimension, not " + std::to_string(array.ndim()));
  }
  if (array.size() == 0) return {};
  const char kind = array.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error("token ids must be integers, not an array of dtype " +
                         py::str(array.dtype()).cast<std::string>());
  }
  // Every integer dtype is read as int64 and checked, so that no id wraps around into range.
  // uint64 values above 2^63 turn negative here and are refused as ids too.
  auto wide = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!wide) throw py::error_already_set();
  std::vector<lmc::Token> out(static_cast<std::size_t>(wide.size()));
  const std::int64_t* data = wide.data();
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (data[i] < 0 || data[i] > std::numeric_limits<lmc::Token>::max()) {
      fail(lmc::ErrorCode::invalid_argument, "token id " + std::to_string(data[i]) + " at index " +
                                                 std::to_string(i) + " is outside the vocabulary");
    }
    out[i] = static_cast<lmc::Token>(data[i]);
  }
  return out;
}

std::vector<double> doubles(const py::handle& values, const char* what) {
  auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!array) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + " must be a sequence of numbers or a numeric array");
  }
  if (array.ndim() != 1) {
    throw py::value_error(std::string(what) + " must have one dimension, not " +
                          std::to_string(array.ndim()));
  }
  return {array.data(), array.data() + array.size()};
}

ByteView bytes_of(const py::handle& data) {
  if (!PyObject_CheckBuffer(data.ptr())) {
    throw py::type_error("expected bytes or another object with the buffer protocol, not " +
                         py::str(py::type::handle_of(data)).cast<std::string>());
  }
  py::buffer buffer = py::reinterpret_borrow<py::buffer>(data);
  py::buffer_info info = buffer.request();
  if (info.ndim > 1 && !PyBuffer_IsContiguous(info.view(), 'C')) {
    throw py::value_error("the buffer must be contiguous");
  }
  info.size *= info.itemsize;
  return {std::move(info)};
}

py::bytes to_bytes(const std::vector<std::byte>& data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

py::object record_value(const py::object& value) {
  if (py::hasattr(value, "_fields") && py::hasattr(value, "to_dict")) {
    return value.attr("to_dict")();
  }
  if (py::isinstance<py::list>(value)) {
    py::list out;
    for (const py::handle item : value) {
      out.append(record_value(py::reinterpret_borrow<py::object>(item)));
    }
    return py::object(out);
  }
  return value;
}

py::dict any_record_to_dict(const py::object& self) {
  py::dict out;
  for (const py::handle name : self.attr("_fields")) {
    out[name] = record_value(self.attr(name));
  }
  return out;
}

std::string any_record_repr(const py::object& self) {
  std::string out = py::type::handle_of(self).attr("__name__").cast<std::string>() + "(";
  bool first = true;
  for (const py::handle name : self.attr("_fields")) {
    if (!first) out += ", ";
    first = false;
    out += name.cast<std::string>() + "=" + py::repr(self.attr(name)).cast<std::string>();
  }
  return out + ")";
}

}  // namespace lmcpy

PYBIND11_MODULE(_lmc, m) {
  m.doc() =
      "lmc: large language models as lossless compressors (the C++ library's Python binding). "
      "Load a model, tokenize and score text, measure bits per character of a corpus, compress "
      "and decompress bytes, and correlate BPC with benchmark scores (lmc.stats).";
  m.attr("__version__") = std::string(lmc::version());
  m.attr("_data_from_package") = LMC_DATA_FROM_PACKAGE;
  m.attr("_source_data_dir") = LMC_SOURCE_DATA_DIR;
  lmcpy::register_errors(m);
  lmcpy::bind_model(m);
  lmcpy::bind_eval(m);
  lmcpy::bind_coding(m);
  py::module_ stats = m.def_submodule(
      "stats",
      "Does compression predict ability? Correlation, regression, resampling and study tables "
      "over any paired numbers (sequences or NumPy arrays), as lmc::stats computes them.");
  lmcpy::bind_stats(stats);
}
