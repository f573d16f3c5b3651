// Shared pieces of the Python bindings: the model wrapper, conversions from Python values to the
// C++ API's arguments, and result records exposed as read-only objects with to_dict().
#pragma once

#include <lmc/lmc.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace lmcpy {

/// A loaded model and the path it was loaded from (evaluate_bpc's default model name, as
/// lmc-bpc writes it).
struct PyModel {
  lmc::Model model;
  std::string path;
};

/// os.fspath(value) as a string: paths may be str or any os.PathLike.
std::string path_of(const py::handle& value);

/// Token ids from a sequence of ints or an integer NumPy array; an id outside int32 is
/// lmc.InvalidArgumentError, as an id outside the vocabulary is.
std::vector<lmc::Token> token_ids(const py::handle& ids);

/// Numbers from any sequence or NumPy array of one dimension (converted to float64).
std::vector<double> doubles(const py::handle& values, const char* what);

/// The bytes of any object with the buffer protocol (bytes, bytearray, memoryview, NumPy).
/// The span stays valid while `owner` lives; resizing it is blocked while the view exists.
struct ByteView {
  py::buffer_info info;
  std::span<const std::byte> span() const {
    return {static_cast<const std::byte*>(info.ptr), static_cast<std::size_t>(info.size)};
  }
};
ByteView bytes_of(const py::handle& data);

py::bytes to_bytes(const std::vector<std::byte>& data);

/// A NumPy array that owns `values` (no copy of the data).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& values) {
  auto owned = std::make_unique<std::vector<T>>(std::move(values));
  const auto size = static_cast<py::ssize_t>(owned->size());
  T* data = owned->data();
  py::capsule owner(owned.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owned.release();
  return py::array_t<T>({size}, {static_cast<py::ssize_t>(sizeof(T))}, data, owner);
}

/// Raises the lmc.Error subclass of `code` with `message` (for checks made in the bindings).
[[noreturn]] void fail(lmc::ErrorCode code, const std::string& message);

/// A bound C++ result type with read-only fields. Every field name goes into the class's
/// `_fields`, which to_dict() and repr() walk (nested records become dicts too).
template <class T>
class Record {
 public:
  Record(py::handle scope, const char* name, const char* doc) : cls_(scope, name, doc) {}
  ~Record() noexcept(false) {
    cls_.attr("_fields") = py::tuple(py::cast(names_));
    if (!py::hasattr(cls_, "to_dict")) {
      cls_.def("to_dict", &record_to_dict, "The fields as a dict (nested results as dicts).");
    }
    cls_.def("__repr__", &record_repr);
  }
  Record(const Record&) = delete;
  Record& operator=(const Record&) = delete;

  template <class M>
  Record& field(const char* name, M T::*member, const char* doc) {
    cls_.def_readonly(name, member, doc);
    names_.emplace_back(name);
    return *this;
  }
  template <class Getter>
  Record& property(const char* name, Getter&& getter, const char* doc) {
    cls_.def_property_readonly(name, std::forward<Getter>(getter), doc);
    names_.emplace_back(name);
    return *this;
  }
  py::class_<T>& cls() { return cls_; }

  static py::dict record_to_dict(const py::object& self);
  static std::string record_repr(const py::object& self);

 private:
  py::class_<T> cls_;
  std::vector<std::string> names_;
};

py::object record_value(const py::object& value);
py::dict any_record_to_dict(const py::object& self);
std::string any_record_repr(const py::object& self);

template <class T>
py::dict Record<T>::record_to_dict(const py::object& self) {
  return any_record_to_dict(self);
}
template <class T>
std::string Record<T>::record_repr(const py::object& self) {
  return any_record_repr(self);
}

void register_errors(py::module_& m);
void bind_model(py::module_& m);
void bind_eval(py::module_& m);
void bind_coding(py::module_& m);
void bind_stats(py::module_& stats);

}  // namespace lmcpy
