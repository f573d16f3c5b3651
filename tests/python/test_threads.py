"""Two Python threads scoring at once (the GIL is released during forward passes), a session
shared by threads, Ctrl-C during a long evaluation, and resuming an interrupted one."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np

import lmc


def test_two_threads_score_at_once(tiny, prose_path):
    with open(prose_path, encoding="utf-8") as f:
        text = f.read()
    ids = tiny.tokenizer.encode(text, add_special=True)
    expected = tiny.token_logprobs(ids)
    results = [None, None]
    barrier = threading.Barrier(2)

    def score(slot):
        barrier.wait()
        results[slot] = [tiny.token_logprobs(ids) for _ in range(3)]

    workers = [threading.Thread(target=score, args=(slot,)) for slot in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for runs in results:
        for logprobs in runs:
            np.testing.assert_array_equal(logprobs, expected)


def test_the_gil_is_released_while_scoring(tiny, prose_path):
    # While one thread is inside token_logprobs, this thread keeps running Python. Were the GIL
    # held through the forward pass, the main loop would stall for the whole call; it may stall
    # for a scheduler slice, never for most of the call.
    with open(prose_path, encoding="utf-8") as f:
        ids = tiny.tokenizer.encode(f.read(), add_special=True)
    span = {}

    def score():
        span["start"] = time.perf_counter()
        for _ in range(4):
            tiny.token_logprobs(ids)
        span["end"] = time.perf_counter()

    worker = threading.Thread(target=score)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    inside = [t for t in ticks if span["start"] <= t <= span["end"]]
    duration = span["end"] - span["start"]
    points = [span["start"]] + inside + [span["end"]]
    longest_stall = max(b - a for a, b in zip(points, points[1:]))
    assert longest_stall < 0.5 * duration, (longest_stall, duration, len(inside))


def test_threads_evaluate_and_compress_at_once(tiny, prose_path):
    expected_bpc = lmc.evaluate_bpc(tiny, prose_path, context=128, stride=64).bpc
    with open(prose_path, "rb") as f:
        data = f.read()[:1500]
    compressor = lmc.Compressor(tiny, threads=1)
    expected_container = compressor.compress(data)
    out = {}

    def evaluate():
        out["bpc"] = lmc.evaluate_bpc(tiny, prose_path, context=128, stride=64).bpc

    def compress():
        out["container"] = compressor.compress(data)

    workers = [threading.Thread(target=evaluate), threading.Thread(target=compress)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert out["bpc"] == expected_bpc
    assert out["container"] == expected_container


def test_ctrl_c_interrupts_a_long_evaluation(tmp_path):
    # A corpus far longer than the test waits for; SIGINT once the evaluation has started.
    corpus = tmp_path / "long.txt"
    corpus.write_text("All work and no play makes Jack a dull boy. " * 20000)
    script = textwrap.dedent("""
        import sys, lmc
        model = lmc.Model(threads=1)
        def progress(p):
            if p.windows_done == 1:
                print("started", flush=True)
        try:
            lmc.evaluate_bpc(model, sys.argv[1], context=256, stride=16, progress=progress)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
        print("finished", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script, str(corpus)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "started"
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 3, (out, err)
    assert out.strip() == "interrupted"


def test_a_session_shared_by_threads_is_serialised(stories, stories_reference):
    # Not the way to score in parallel (one session per thread is), but never a crash: every
    # call holds the session's lock. Each thread feeds whole windows and reads them back.
    ids = stories_reference["cases"][0]["tokens"][:40]
    expected = stories.token_logprobs(ids)
    session = stories.session()
    errors = []

    def work():
        try:
            for _ in range(20):
                session.reset()
                session.feed(ids)
                session.log_probs(-1)
        except lmc.Error as error:  # another thread's reset() between the two calls
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(isinstance(e, lmc.OutOfRangeError) for e in errors)
    session.reset()
    session.feed(ids)
    got = [session.logprob(i, ids[i + 1]) for i in range(len(ids) - 1)]
    np.testing.assert_array_equal(np.array(got, dtype=np.float32), expected)


def test_an_interrupted_evaluation_resumes_from_its_checkpoint(stories, tmp_path,
                                                               stories_reference):
    corpus = tmp_path / "stories.txt"
    corpus.write_text(" ".join(case["text"] for case in stories_reference["cases"]) * 4)
    options = dict(context=48, stride=16)
    whole = lmc.evaluate_bpc(stories, corpus, **options)

    class Stop(Exception):
        pass

    def stop_after_three(figures):
        if figures.windows_done == 3:
            raise Stop()

    checkpoint = tmp_path / "eval.checkpoint"
    try:
        lmc.evaluate_bpc(stories, corpus, checkpoint=checkpoint, checkpoint_seconds=0,
                         progress=stop_after_three, **options)
        raise AssertionError("the evaluation was not stopped")
    except Stop:
        pass
    assert checkpoint.exists()
    resumed = lmc.evaluate_bpc(stories, corpus, checkpoint=checkpoint, checkpoint_seconds=0,
                               **options)
    timings = ("seconds", "tokens_per_second", "forward_tokens_per_second")
    assert ({k: v for k, v in resumed.to_dict().items() if k not in timings} ==
            {k: v for k, v in whole.to_dict().items() if k not in timings})
