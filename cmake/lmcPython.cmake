# What the Python module (python/) needs: pybind11 and a Python interpreter with its headers and
# NumPy (the module returns NumPy arrays). LMC_BUILD_PYTHON is on by default when both are found
# and lmc is the top-level project (a parent project that adds lmc asks for it explicitly).
#
# The interpreter is LMC_PYTHON_EXECUTABLE when given; otherwise the first `python3` on PATH, then
# in /usr/bin, that can import NumPy (a python3 earlier on PATH without NumPy, such as a bare
# pyenv build, would give a module whose tests cannot run).

set(LMC_PYTHON_EXECUTABLE "" CACHE FILEPATH
    "Python interpreter the module is built for (empty: the first python3 with NumPy)")

if(NOT LMC_PYTHON_EXECUTABLE AND (lmc_top_level OR LMC_BUILD_PYTHON))
  string(REPLACE ":" ";" lmc_path_dirs "$ENV{PATH}")
  foreach(dir IN LISTS lmc_path_dirs ITEMS /usr/bin)
    if(dir AND EXISTS "${dir}/python3")
      execute_process(COMMAND "${dir}/python3" -c "import numpy"
        RESULT_VARIABLE lmc_numpy_result OUTPUT_QUIET ERROR_QUIET TIMEOUT 60)
      if(lmc_numpy_result EQUAL 0)
        set(LMC_PYTHON_EXECUTABLE "${dir}/python3" CACHE FILEPATH
            "Python interpreter the module is built for (empty: the first python3 with NumPy)"
            FORCE)
        break()
      endif()
    endif()
  endforeach()
endif()

set(lmc_python_found OFF)
if(LMC_PYTHON_EXECUTABLE AND (lmc_top_level OR LMC_BUILD_PYTHON))
  set(Python_EXECUTABLE "${LMC_PYTHON_EXECUTABLE}")
  set(PYBIND11_FINDPYTHON ON)
  find_package(pybind11 2.6 CONFIG QUIET)
  if(pybind11_FOUND AND Python_Development.Module_FOUND)
    set(lmc_python_found ON)
  endif()
endif()

set(lmc_python_default OFF)
if(lmc_top_level)
  set(lmc_python_default ${lmc_python_found})
endif()
option(LMC_BUILD_PYTHON "Build the Python module (needs pybind11, Python headers and NumPy)"
       ${lmc_python_default})
if(LMC_BUILD_PYTHON)
  if(NOT lmc_python_found)
    message(FATAL_ERROR "LMC_BUILD_PYTHON is on, but pybind11, the Python headers or an "
            "interpreter with NumPy is missing (Debian: pybind11-dev python3-dev python3-numpy)")
  endif()
  set(LMC_PYTHON_INSTALL_DIR
      "${CMAKE_INSTALL_LIBDIR}/python${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}/site-packages"
      CACHE STRING "Where the Python package is installed, relative to the prefix")
  set(LMC_PYTHON_BUILD_DIR "${PROJECT_BINARY_DIR}/python")
  message(STATUS "lmc: Python module for ${Python_EXECUTABLE} (${Python_VERSION})")
else()
  message(STATUS "lmc: no Python module (LMC_BUILD_PYTHON is off)")
endif()
