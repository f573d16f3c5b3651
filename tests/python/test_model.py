"""lmc.Model, its tokenizer and sessions against llama.cpp, PyTorch and the C++ API."""

import json
import os

import numpy as np
import pytest

import lmc


def test_version_is_the_projects(source_dir):
    # The release version lives in the top-level CMakeLists.txt and nowhere else.
    import re

    with open(os.path.join(source_dir, "CMakeLists.txt"), encoding="utf-8") as f:
        version = re.search(r"project\(lmc VERSION ([0-9.]+)", f.read()).group(1)
    assert lmc.__version__ == version


def test_info(stories, stories_reference):
    info = stories.info
    assert info.architecture == "llama"
    assert info.format == "gguf"
    # stories260K's hyper-parameters (testdata/models/README.md).
    assert (info.n_embd, info.n_layers, info.n_heads, info.n_kv_heads, info.n_ff) == (64, 5, 8, 4, 172)
    assert info.vocab_size == stories_reference["cases"][0]["n_vocab"] == 512
    as_dict = info.to_dict()
    assert as_dict["n_embd"] == 64 and as_dict["architecture"] == "llama"
    assert stories.threads == 2
    assert stories.fingerprint.startswith("lmc-model/1 llama ")
    assert stories.has_tokenizer


def test_tokenizer_matches_llama_cpp(stories, stories_reference):
    tokenizer = stories.tokenizer
    for case in stories_reference["cases"]:
        ids = tokenizer.encode(case["text"], add_special=True)
        assert ids == case["tokens"], case["name"]
        # Without the BOS the text's tokens decode back to it (SentencePiece drops the dummy
        # prefix space again).
        assert tokenizer.decode(ids[1:]) == case["text"]
        assert tokenizer.decode_bytes(np.array(ids[1:])) == case["text"].encode("utf-8")
    assert tokenizer.bos == 1
    assert tokenizer.model_type == "sentencepiece-bpe"
    assert len(tokenizer) == 512


def test_token_logprobs_match_llama_cpp(stories, stories_reference):
    for case in stories_reference["cases"]:
        logprobs = stories.token_logprobs(case["tokens"])
        assert logprobs.dtype == np.float32
        assert logprobs.shape == (len(case["tokens"]) - 1,)
        # The tolerance of testdata/models/README.md for an F32 implementation.
        np.testing.assert_allclose(logprobs, case["logprob_next"], rtol=0, atol=1e-4)


def test_bundled_model_matches_pytorch(tiny, source_dir):
    with open(os.path.join(source_dir, "models", "lmc-tiny.reference.json"), encoding="utf-8") as f:
        reference = json.load(f)
    record = reference["records"][0]
    ids = record["ids"][:600]
    logprobs = tiny.token_logprobs(ids)
    np.testing.assert_allclose(logprobs, record["logprob_next"][: len(ids) - 1], rtol=0, atol=1e-4)


def test_token_logprobs_equal_the_cpp_api(stories, stories_path, stories_reference, run_json):
    # lmc-score prints Model::token_logprobs of the C++ API with 9 significant digits, which
    # read back to the same float32: the two must agree bit for bit.
    for case in stories_reference["cases"]:
        ids = case["tokens"]
        cpp = run_json("lmc-score", "--model", stories_path, "--threads", 1, "--json", "--tokens",
                       ",".join(map(str, ids)))
        assert cpp["tokens"] == ids
        np.testing.assert_array_equal(stories.token_logprobs(ids),
                                      np.array(cpp["logprob_next"], dtype=np.float32))


def test_token_logprobs_accept_any_integer_sequence(stories, stories_reference):
    ids = stories_reference["cases"][0]["tokens"]
    expected = stories.token_logprobs(ids)
    for form in (tuple(ids), np.array(ids, dtype=np.int64), np.array(ids, dtype=np.int32),
                 np.array(ids, dtype=np.uint16)):
        np.testing.assert_array_equal(stories.token_logprobs(form), expected)
    assert stories.token_logprobs([ids[0]]).shape == (0,)
    assert stories.token_logprobs([]).shape == (0,)
    # The array owns the C++ result: no copy was made.
    assert not expected.flags["OWNDATA"] and expected.base is not None
    with pytest.raises(TypeError):
        stories.token_logprobs([1.5, 2.5])


def test_session_equals_token_logprobs(stories, stories_reference):
    ids = stories_reference["cases"][0]["tokens"]
    expected = stories.token_logprobs(ids)
    session = stories.session()
    assert session.position == 0 and session.vocab_size == 512
    session.feed(ids[:10])
    assert session.n_outputs == 10
    got = [session.logprob(i, ids[i + 1]) for i in range(9)]
    # One token at a time after the first ten: the same bits as the batched pass.
    for i in range(10, len(ids)):
        got.append(float(session.log_probs(-1)[ids[i]]))
        session.feed(ids[i])
    np.testing.assert_array_equal(np.array(got, dtype=np.float32), expected)
    assert session.position == len(ids)
    logits = session.logits()
    assert logits.shape == (512,) and logits.dtype == np.float32
    # log_probs is the log-softmax of the logits.
    shifted = logits.astype(np.float64) - logits.max()
    np.testing.assert_allclose(session.log_probs(), shifted - np.log(np.exp(shifted).sum()),
                               atol=1e-5)
    session.feed(ids[:3], outputs="last")
    assert session.n_outputs == 1
    session.reset()
    assert session.position == 0 and session.n_outputs == 0


def _stub_names(path):
    import ast

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign):
                    members.add(item.target.id)
            names[node.name] = members
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = None
    return names


@pytest.mark.parametrize("module", ["lmc", "lmc.stats"])
def test_stubs_and_docstrings_cover_the_module(module):
    import importlib

    mod = importlib.import_module(module)
    stub = os.path.join(os.path.dirname(lmc.__file__),
                        "__init__.pyi" if module == "lmc" else "stats.pyi")
    names = _stub_names(stub)
    public = [name for name in mod.__all__ if name != "stats"]
    assert sorted(set(public) - set(names)) == []
    for name in public:
        value = getattr(mod, name)
        if isinstance(value, type):
            members = {m for m in dir(value) if not m.startswith("_")}
            if issubclass(value, BaseException):
                members = {"code"} & members
            missing = members - names[name] - {"code"}
            assert sorted(missing) == [], name
            for member in members - {"code"}:
                assert getattr(value, member).__doc__, "%s.%s has no docstring" % (name, member)
        if callable(value):
            assert value.__doc__, name
