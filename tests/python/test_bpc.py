"""lmc.evaluate_bpc against lmc-bpc --json (the C++ evaluation), and BpcResult."""

import json
import os

import pytest

import lmc

# Figures that measure time, not the text: they differ from run to run.
TIMINGS = {"seconds", "tokens_per_second", "forward_tokens_per_second"}


def without_timings(figures):
    return {k: v for k, v in figures.items() if k not in TIMINGS}


def lmc_bpc_json(run_program, tmp_path, *args):
    out = tmp_path / ("bpc-%d.json" % len(list(tmp_path.iterdir())))
    run_program("lmc-bpc", *args, "--json", out)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def cc_like(testdata):
    return os.path.join(testdata, "corpora", "sets", "cc_like.jsonl")


@pytest.mark.parametrize("mode", ["exact", "paper"])
def test_equals_lmc_bpc(stories, stories_path, cc_like, run_program, tmp_path, mode):
    result = lmc.evaluate_bpc(stories, cc_like, context=128, stride=64, mode=mode,
                              max_documents=2)
    cpp = lmc_bpc_json(run_program, tmp_path, "--model", stories_path, "--corpus", cc_like,
                       "--context", 128, "--stride", 64, "--mode", mode, "--max-docs", 2,
                       "--threads", 1)
    assert without_timings(result.to_dict()) == without_timings(cpp)
    assert json.loads(result.to_json()) == result.to_dict()
    # Every figure of the C++ result is an attribute too.
    assert result.bpc == cpp["bpc"] and result.bits_per_byte == cpp["bpb"]
    assert result.bits_per_token == cpp["bits_per_token"]
    assert result.token_perplexity == cpp["token_perplexity"]
    assert (result.total_bits, result.total_nats) == (cpp["total_bits"], cpp["total_nats"])
    for key in ("characters", "bytes", "tokens", "scored_tokens", "documents", "windows",
                "forward_tokens", "skipped_records", "empty_documents", "context", "stride",
                "mode", "score_bos", "corpus", "shard_count", "shards"):
        assert getattr(result, key) == cpp[key], key
    assert result.model_name == cpp["model"] == stories_path
    assert result.complete and result.documents == 2
    assert result.bpc == pytest.approx(result.total_bits / result.characters, rel=1e-15)


def test_bundled_model_on_a_text_file(tiny, prose_path, run_program, tmp_path):
    result = lmc.evaluate_bpc(tiny, prose_path, context=256, stride=128, score_bos=True)
    cpp = lmc_bpc_json(run_program, tmp_path, "--model", tiny.path, "--corpus", prose_path,
                       "--context", 256, "--stride", 128, "--score-bos")
    assert without_timings(result.to_dict()) == without_timings(cpp)


def test_a_path_loads_the_model_as_lmc_bpc_does(stories_path, prose_path, run_program, tmp_path):
    result = lmc.evaluate_bpc(stories_path, prose_path, context=64, stride=32, threads=2)
    cpp = lmc_bpc_json(run_program, tmp_path, "--model", stories_path, "--corpus", prose_path,
                       "--context", 64, "--stride", 32)
    assert without_timings(result.to_dict()) == without_timings(cpp)


def test_shards_merge_to_the_whole(stories, cc_like, run_program, tmp_path, stories_path):
    options = dict(context=96, stride=64, max_documents=2)
    whole = lmc.evaluate_bpc(stories, cc_like, **options)
    shards = [lmc.evaluate_bpc(stories, cc_like, shard=(i, 3), **options) for i in range(3)]
    assert not shards[0].complete and shards[1].shards == [1]
    # The third shard as lmc-bpc writes it, read back with from_json.
    cpp = lmc_bpc_json(run_program, tmp_path, "--model", stories_path, "--corpus", cc_like,
                       "--context", 96, "--stride", 64, "--max-docs", 2, "--shard", "2/3")
    assert without_timings(shards[2].to_dict()) == without_timings(cpp)
    third = lmc.BpcResult.from_json(json.dumps(cpp), "lmc-bpc")
    merged = lmc.BpcResult.merged([shards[0], shards[1], third])
    figures = {k: v for k, v in without_timings(merged.to_dict()).items()
               if k not in ("shards", "shard_count")}
    assert figures == {k: v for k, v in without_timings(whole.to_dict()).items()
                       if k not in ("shards", "shard_count")}
    assert merged.shards == [0, 1, 2] and merged.complete
    in_place = shards[0].merge(shards[1], shards[2])
    assert in_place is shards[0] and in_place.complete
    assert in_place.bpc == whole.bpc
    with pytest.raises(lmc.InvalidArgumentError, match="shard"):
        in_place.merge(shards[1])
    assert lmc.evaluate_bpc(stories, cc_like, shard="1/3", **options).shards == [1]


def test_progress_and_per_document(stories, cc_like):
    seen = []
    result = lmc.evaluate_bpc(stories, cc_like, context=96, stride=48, max_documents=2,
                              per_document=True, progress=seen.append)
    assert len(seen) == result.windows
    assert [p.windows_done for p in seen] == list(range(1, result.windows + 1))
    assert seen[-1].scored_tokens_done == result.scored_tokens
    assert isinstance(seen[-1].to_dict()["eta_seconds"], float)
    figures = result.document_figures
    assert len(figures) == 2
    assert sum(d.characters for d in figures) == result.characters
    assert sum(d.scored_tokens for d in figures) == result.scored_tokens
    assert sum(d.bits for d in figures) == pytest.approx(result.total_bits, rel=1e-9)
    assert figures[0].bpc == pytest.approx(figures[0].bits / figures[0].characters)
    assert figures[0].line == 1 and figures[0].source == cc_like


def test_an_exception_in_progress_stops_the_evaluation(stories, cc_like):
    class Stop(Exception):
        pass

    calls = []

    def progress(figures):
        calls.append(figures.windows_done)
        if len(calls) == 2:
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        lmc.evaluate_bpc(stories, cc_like, context=64, stride=32, progress=progress)
    assert calls == [1, 2]


def test_threads_belong_to_the_model(stories, prose_path):
    with pytest.raises(lmc.InvalidArgumentError, match="threads"):
        lmc.evaluate_bpc(stories, prose_path, threads=stories.threads + 1)
    assert lmc.evaluate_bpc(stories, prose_path, context=64, stride=64,
                            threads=stories.threads).documents == 1
