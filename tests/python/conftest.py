"""Fixtures of the Python module's tests (run by CTest: tests/python/CMakeLists.txt passes the
programs and folders in the environment).

References: the C++ API through the example programs (lmc-score, lmc-bpc, lmc-zip,
lmc-correlate, which print what the C++ API returns), llama.cpp's log-probabilities of
stories260K in the shared test data, and the PyTorch reference of the bundled model."""

import json
import os
import subprocess

import pytest

import lmc


def _env_path(name):
    value = os.environ.get(name, "")
    return value if value and os.path.exists(value) else None


@pytest.fixture(scope="session")
def source_dir():
    return os.environ.get("LMC_SOURCE_DIR") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def testdata():
    folder = os.environ.get("LMC_TESTDATA_DIR", "")
    if not folder or not os.path.isdir(folder):
        pytest.skip("the shared test data is missing (LMC_TESTDATA_DIR=%r)" % folder)
    return folder


def _program(name):
    path = _env_path("LMC_PROGRAM_" + name.upper().replace("-", "_"))
    if path is None:
        pytest.skip("%s is not built (LMC_BUILD_EXAMPLES)" % name)
    return path


@pytest.fixture(scope="session")
def run_program():
    """run_program(name, *args) -> stdout of an example program, which must succeed."""

    def run(name, *args, input=None):
        done = subprocess.run([_program(name), *map(str, args)], input=input,
                              capture_output=True, check=False)
        assert done.returncode == 0, "%s %s failed: %s" % (name, args, done.stderr.decode())
        return done.stdout

    return run


@pytest.fixture(scope="session")
def run_json(run_program):
    def run(name, *args):
        return json.loads(run_program(name, *args))

    return run


@pytest.fixture(scope="session")
def tiny():
    """The bundled model, one thread (results do not depend on it)."""
    return lmc.Model(threads=1)


@pytest.fixture(scope="session")
def stories_path(testdata):
    return os.path.join(testdata, "models", "stories260K.gguf")


@pytest.fixture(scope="session")
def stories(stories_path):
    return lmc.Model(stories_path, threads=2)


@pytest.fixture(scope="session")
def stories_reference(testdata):
    with open(os.path.join(testdata, "models", "stories260K.ref.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def prose_path(source_dir):
    return os.path.join(source_dir, "models", "demo", "prose.txt")


def pytest_sessionfinish(session, exitstatus):
    """Exit 77 (CTest's SKIP_RETURN_CODE) when every test was skipped: a run without its
    references says so instead of passing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0:
        return
    if reporter.stats.get("skipped") and not reporter.stats.get("passed"):
        session.exitstatus = 77
