#!/usr/bin/env python3
"""Trains lmc's bundled model: data from Debian packages, its own byte-level BPE tokenizer, a
small Llama, written as GGUF with PyTorch reference log-probabilities beside it.

    python3 models/train/train.py --recipe full --work DIR [--budget-minutes M] [--resume]

Every stage keeps its result in DIR (documents.jsonl, merges.json, tokens.pt) and is reused
when DIR was made with the same data recipe; training saves a checkpoint every
--checkpoint-every steps, and --resume continues from the last one bit for bit (the batch of
step s is drawn from a generator seeded with (seed, s), and torch runs on a fixed number of
threads with deterministic algorithms). The files (GGUF, reference, training report) go to
--out (default DIR/out). See models/train/README.md.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time

# Idle OpenMP threads sleep instead of spinning: on a shared machine spinning burns CPU-seconds
# (the budget measure) without work, and it changes no result.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import gguf_file  # noqa: E402
import heldout  # noqa: E402
import llama  # noqa: E402
import sources  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)

# Everything that decides the result. Changing any of it changes the model.
RECIPE = dict(
    seed=20260813,
    vocab=4096,                     # 256 bytes + 3839 merges + <|endoftext|>
    tokenizer_chars_per_domain=1_500_000,
    chars_per_domain=dict(prose=6_000_000, python=5_000_000, latex=4_000_000),
    mix=dict(prose=0.45, python=0.30, latex=0.25),
    dim=128, layers=4, heads=2, ffn=384, rope_base=10000.0,
    # (sequence length, sequences per step, steps); the last phase trains the full context.
    phases=[(256, 16, 170), (2048, 2, 12)],
    lr=5e-3, min_lr_ratio=0.1, warmup=20, weight_decay=0.1, betas=(0.9, 0.95), clip=1.0,
    threads=2,
    context_length=2048,
    bf16=True,                      # bfloat16 autocast: what the shipped model was trained with
    sources=["python-docs", "postgresql-docs", "sqlite-docs", "numpy", "sympy", "torch",
             "mpmath", "pygments", "setuptools", "latex-science-doc", "latex-recommended-doc"],
)

# The 90-minute recipe (`--recipe full`; models/train/README.md has the measurements and the
# arithmetic): width 192, 4 layers, 3 heads of 64, ffn 512 (2.56 M parameters, 5.1 MB in F16);
# float32 (emulated bfloat16 is 4.3 times slower on AVX2 CPUs); 2.6 times the shipped data
# (Django's documentation, TeX Live's latex-extra and publishers documentation); about 75 %
# of the time at 256 tokens, then 10 % at 1024 and 15 % at the full context. The step counts
# are those of 80 minutes at the seconds per step measured on this machine (2.29, 4.99 and
# 7.67); --budget-minutes scales all three by one factor from the seconds per step measured
# at the start of the run (the plan is saved in --work).
RECIPE_FULL = dict(
    RECIPE,
    bf16=False,
    sources=RECIPE["sources"] + ["django-docs", "latex-extra-doc", "latex-publishers-doc"],
    chars_per_domain=dict(prose=16_000_000, python=12_000_000, latex=10_000_000),
    dim=192, layers=4, heads=3, ffn=512,
    phases=[(256, 16, 1570), (1024, 4, 96), (2048, 2, 94)],
    lr=4e-3, warmup=60,
)

# A pipeline check in a few minutes (--recipe smoke): the shipped data, a tiny model, a short
# final phase at the full context. Its BPC says nothing of the full recipe's.
RECIPE_SMOKE = dict(
    RECIPE,
    bf16=False,
    dim=64, layers=2, heads=2, ffn=192,
    phases=[(256, 8, 120), (2048, 1, 6)],
    warmup=10,
)
RECIPES = dict(shipped={}, full=RECIPE_FULL, smoke=RECIPE_SMOKE)

# The parts of the recipe that decide the documents, the tokenizer and the token streams.
DATA_KEYS = ["seed", "vocab", "tokenizer_chars_per_domain", "chars_per_domain", "mix", "sources"]
EOT = "<|endoftext|>"


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def sha1(s):
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


# ---- stage 1: documents -------------------------------------------------------------------

def held_out(sets_dir, classic_dir):
    """The texts that training must not see: every evaluation record and demo sample (lines
    and shingles) and every classic corpus file (shingles)."""
    demo = os.path.join(MODELS, "demo")
    sets = heldout.held_out_texts(sets_dir, demo)
    if all(label.startswith("demo/") for label, _ in sets):
        raise SystemExit(f"no evaluation sets in {sets_dir}: pass --sets "
                         "(../shared/testdata/corpora/sets)")
    classic = heldout.classic_texts(classic_dir)
    if not classic:
        raise SystemExit(f"no classic corpus files in {classic_dir}: pass --classic "
                         "(../shared/testdata/corpora/classic)")
    held = heldout.HeldOut(sets + classic, line_texts=sets)
    log(f"held out: {len(sets)} evaluation records and demo samples, {len(classic)} classic "
        f"files; {len(held.keys)} long lines, {len(held)} shingle windows")
    return held


def collect(work, sets_dir, classic_dir):
    path = os.path.join(work, "documents.jsonl")
    if os.path.exists(path):
        return path
    held = held_out(sets_dir, classic_dir)
    by_domain = {}
    stats = []
    for src in sources.SOURCES:
        if src["name"] not in RECIPE["sources"]:
            continue
        docs, dropped, dropped_shingle = [], 0, 0
        for p, text in sources.documents(src):
            if held.overlaps(text):
                dropped += 1
                continue
            hit = held.shared_passage(text)
            if hit is not None:
                dropped_shingle += 1
                log(f"dropped {p}: shares a passage with {hit[0]}")
                continue
            docs.append((sha1(p), src["name"], p, text))
        stats.append(dict(name=src["name"], package=src["package"],
                          version=sources.package_version(src["package"]),
                          licence=src["licence"], domain=src["domain"], documents=len(docs),
                          chars=sum(len(d[3]) for d in docs), dropped_overlap=dropped,
                          dropped_shingle=dropped_shingle))
        log(f"{src['name']}: {len(docs)} documents, {stats[-1]['chars']} chars, "
            f"{dropped} dropped for a line and {dropped_shingle} for a passage shared with "
            "held-out text")
        by_domain.setdefault(src["domain"], []).extend(docs)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for domain, docs in sorted(by_domain.items()):
            docs.sort()  # sha1 of the path: a fixed shuffle that mixes the sources
            budget = RECIPE["chars_per_domain"][domain]
            used = 0
            for _, name, p, text in docs:
                if used >= budget:
                    break
                used += len(text)
                f.write(json.dumps(dict(domain=domain, source=name, path=p, text=text),
                                   ensure_ascii=False) + "\n")
                for s in stats:
                    if s["name"] == name:
                        s["documents_used"] = s.get("documents_used", 0) + 1
                        s["chars_used"] = s.get("chars_used", 0) + len(text)
            for s in stats:
                if s["domain"] == domain:
                    s["domain_chars_used"] = used
    # The written text once more, against the held-out side: no shared passage may remain.
    checked = heldout.verify(tmp, held)
    with open(tmp, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    log(f"training text: {checked} documents, none shares a {heldout.SHINGLE}-character "
        f"passage with held-out text; sha256 {digest}")
    with open(os.path.join(work, "sources.json"), "w") as f:
        json.dump(dict(documents_sha256=digest, documents=checked, sources=stats), f, indent=1)
    os.replace(tmp, path)
    return path


def read_documents(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---- stage 2: tokenizer -------------------------------------------------------------------

def tokenizer(work, docs):
    path = os.path.join(work, "merges.json")
    if os.path.exists(path):
        with open(path) as f:
            return [tuple(m) for m in json.load(f)]
    sample = []
    for domain in sorted(RECIPE["mix"]):
        used = 0
        for d in docs:
            if d["domain"] == domain and used < RECIPE["tokenizer_chars_per_domain"]:
                sample.append(d["text"])
                used += len(d["text"])
    log(f"training BPE on {sum(map(len, sample))} chars")
    merges = bpe.train(sample, RECIPE["vocab"] - 257)
    if len(merges) != RECIPE["vocab"] - 257:
        raise SystemExit(f"only {len(merges)} merges found")
    with open(path + ".tmp", "w") as f:
        json.dump(merges, f)
    os.replace(path + ".tmp", path)
    return merges


# ---- stage 3: token streams ---------------------------------------------------------------

def streams(work, docs, encoder, eot_id):
    path = os.path.join(work, "tokens.pt")
    if os.path.exists(path):
        return torch.load(path)
    out = {}
    for domain in sorted(RECIPE["mix"]):
        ids = []
        chars = 0
        for d in docs:
            if d["domain"] == domain:
                ids.append(eot_id)
                ids.extend(encoder.encode(d["text"]))
                chars += len(d["text"])
        out[domain] = torch.tensor(ids, dtype=torch.int16)
        log(f"{domain}: {len(ids)} tokens, {chars / len(ids):.2f} chars per token")
    torch.save(out, path + ".tmp")
    os.replace(path + ".tmp", path)
    return out


# ---- stage 4: training --------------------------------------------------------------------

def schedule(phases):
    steps = []
    for seq, batch, n in phases:
        steps += [(seq, batch)] * n
    return steps


def seconds_per_step(vocab, data, seq, batch, steps=2):
    """Wall seconds of one training step at (seq, batch), measured on a scratch copy of the
    model after one warm-up step (the model and optimizer of the run are not touched)."""
    model = make_model(vocab)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    times = []
    for i in range(steps + 1):
        x, y = batch_at(i, seq, batch, data)
        t = time.time()
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.time() - t)
    return min(times[1:])


def plan_phases(work, vocab, data):
    """The phases (seq, batch, steps) of this run. Without --budget-minutes: the recipe's.
    With it: the recipe's step counts times one factor, so that the seconds per step measured
    here add up to the budget less a reserve for held-out evaluation, checkpoints and export
    (RESERVE). The plan is saved in work/plan.json and reused by --resume."""
    path = os.path.join(work, "plan.json")
    if os.path.exists(path):
        with open(path) as f:
            return [tuple(p) for p in json.load(f)["phases"]]
    phases = [tuple(p) for p in RECIPE["phases"]]
    report = dict(recipe_phases=phases)
    if ARGS.budget_minutes:
        per_step = [seconds_per_step(vocab, data, seq, batch) for seq, batch, _ in phases]
        planned = sum(t * n for t, (_, _, n) in zip(per_step, phases))
        factor = ARGS.budget_minutes * 60 * (1 - RESERVE) / planned
        phases = [(seq, batch, max(1, round(n * factor))) for seq, batch, n in phases]
        report.update(budget_minutes=ARGS.budget_minutes, reserve=RESERVE,
                      seconds_per_step=per_step, factor=factor)
        for (seq, batch, n), t in zip(phases, per_step):
            log(f"phase {seq} x {batch}: {t:.3f} s per step, "
                f"{seq * batch / t:.0f} tokens/s: {n} steps")
    report["phases"] = phases
    with open(path + ".tmp", "w") as f:
        json.dump(report, f, indent=1)
    os.replace(path + ".tmp", path)
    return phases


# Share of --budget-minutes kept for held-out evaluation, checkpoints and the files.
RESERVE = 0.06
# Held-out sample evaluations per run without --eval-every (each costs about as much wall
# time as training on a third of the sample's tokens).
EVALS_PER_RUN = 8


def lr_at(step, total):
    r = RECIPE
    if step < r["warmup"]:
        return r["lr"] * (step + 1) / r["warmup"]
    t = (step - r["warmup"]) / max(1, total - r["warmup"])
    return r["lr"] * (r["min_lr_ratio"] + (1 - r["min_lr_ratio"]) * 0.5 * (1 + math.cos(math.pi * t)))


def batch_at(step, seq, batch, data):
    g = torch.Generator().manual_seed(RECIPE["seed"] * 1000 + step)
    domains = sorted(RECIPE["mix"])
    weights = torch.tensor([RECIPE["mix"][d] for d in domains], dtype=torch.float64)
    which = torch.multinomial(weights, batch, replacement=True, generator=g)
    rows = []
    for i in range(batch):
        s = data[domains[which[i]]]
        start = int(torch.randint(0, len(s) - seq - 1, (1,), generator=g))
        rows.append(s[start:start + seq + 1].long())
    x = torch.stack(rows)
    return x[:, :-1], x[:, 1:]


def make_model(vocab):
    r = RECIPE
    cfg = llama.Config(vocab, r["dim"], r["layers"], r["heads"], r["ffn"], r["rope_base"])
    torch.manual_seed(r["seed"])
    return llama.Llama(cfg)


HELDOUT_SETS = ["cc_like", "python", "arxiv_math_like"]


def heldout_sample(sets_dir, encoder, eot, tokens_per_set):
    """Whole documents of each evaluation set, in sha1(content) order, until tokens_per_set
    tokens: a cheap, fixed estimate of held-out BPC while training (the sets themselves are
    never trained on). Returns {set: (list of id lists, characters)}."""
    out = {}
    for name in HELDOUT_SETS:
        path = os.path.join(sets_dir, name + ".jsonl")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            texts = [json.loads(line)["content"] for line in f if line.strip()]
        texts.sort(key=sha1)
        docs, chars, n = [], 0, 0
        for t in texts:
            if n >= tokens_per_set:
                break
            ids = [eot] + encoder.encode(t)
            docs.append(ids)
            chars += len(t)
            n += len(ids)
        out[name] = (docs, chars)
    return out


def sample_bpc(model, sample, window=512):
    """{set: {"bpc", "nats_per_token"}} of each set's sample: every token after BOS scored
    once, in windows of `window` tokens that overlap by one (so each window but the first of a
    document starts with no context: a little worse than lmc-bpc at 512/512)."""
    was_training = model.training
    model.eval()
    out = {}
    with torch.no_grad():
        for name, (docs, chars) in sample.items():
            rows, tail_nll = [], 0.0
            scored = sum(len(ids) - 1 for ids in docs)
            for ids in docs:
                t = torch.tensor(ids)
                for s in range(0, len(ids) - 1, window):
                    piece = t[s:s + window + 1]
                    if len(piece) == window + 1:
                        rows.append(piece)
                    else:
                        lg = model(piece[None, :-1])
                        tail_nll += float(F.cross_entropy(lg[0], piece[1:], reduction="sum"))
            nll = tail_nll
            for i in range(0, len(rows), 8):
                x = torch.stack(rows[i:i + 8])
                lg = model(x[:, :-1])
                nll += float(F.cross_entropy(lg.reshape(-1, lg.shape[-1]), x[:, 1:].reshape(-1),
                                             reduction="sum"))
            out[name] = dict(bpc=nll / math.log(2) / chars, nats_per_token=nll / scored)
    model.train(was_training)
    return out


def model_recipe():
    """The recipe less its data keys, as JSON gives it back (tuples become lists)."""
    return json.loads(json.dumps({k: v for k, v in RECIPE.items() if k not in DATA_KEYS}))


def train(work, data, vocab, sample=None):
    final = os.path.join(work, "final.pt")
    if os.path.exists(final):
        state = torch.load(final)
        if state.get("recipe") != model_recipe():
            raise SystemExit(f"{final} was trained with another recipe: use a fresh --work")
        model = make_model(vocab)
        model.load_state_dict(state["model"])
        return model
    model = make_model(vocab)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([dict(params=decay, weight_decay=RECIPE["weight_decay"]),
                             dict(params=no_decay, weight_decay=0.0)],
                            lr=RECIPE["lr"], betas=RECIPE["betas"])
    ckpt = os.path.join(work, "checkpoint.pt")
    step, spent = 0, dict(wall=0.0, cpu=0.0, tokens=0)
    if os.path.exists(ckpt):
        if not ARGS.resume:
            raise SystemExit(f"{ckpt} exists: pass --resume to continue that run, or use a "
                             "fresh --work")
        state = torch.load(ckpt)
        if state.get("recipe") != model_recipe():
            raise SystemExit(f"{ckpt} was trained with another recipe: use a fresh --work")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, spent = state["step"], state["spent"]
        log(f"resumed at step {step}")
    plan = schedule(plan_phases(work, vocab, data))
    log(f"model: {sum(p.numel() for p in model.parameters())} parameters; "
        f"{len(plan)} steps, {sum(s * b for s, b in plan)} tokens")
    t0, c0 = time.time(), time.process_time()
    ema = None
    every = ARGS.checkpoint_every
    eval_every = ARGS.eval_every or max(1, len(plan) // EVALS_PER_RUN)
    last = dict(wall=time.time(), cpu=time.process_time(), tokens=spent["tokens"])

    def save(path):
        now = dict(wall=spent["wall"] + time.time() - t0,
                   cpu=spent["cpu"] + time.process_time() - c0, tokens=spent["tokens"])
        torch.save(dict(model=model.state_dict(), opt=opt.state_dict(), step=step, spent=now,
                        recipe=model_recipe()), path + ".tmp")
        os.replace(path + ".tmp", path)
        return now

    while step < len(plan):
        seq, batch = plan[step]
        x, y = batch_at(step, seq, batch, data)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, len(plan))
        # The shipped model used bfloat16 autocast (oneDNN); on CPUs without native bfloat16
        # (AVX2 Zen 2 here) it is emulated and trains 4.3 times slower than float32 with
        # OpenBLAS (203 against 878 tokens per CPU-second for this model at 16 x 256).
        if RECIPE["bf16"]:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(x)
        else:
            logits = model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), RECIPE["clip"])
        opt.step()
        step += 1
        spent["tokens"] += seq * batch
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 10 == 0 or step == len(plan):
            wall, cpu = time.time(), time.process_time()
            n = spent["tokens"] - last["tokens"]
            log(f"step {step}/{len(plan)} seq {seq} loss {loss.item():.3f} (ema {ema:.3f}) "
                f"tokens {spent['tokens']} cpu {spent['cpu'] + cpu - c0:.0f}s; "
                f"{n / max(wall - last['wall'], 1e-9):.0f} tokens/s, "
                f"{n / max(cpu - last['cpu'], 1e-9):.0f} tokens/CPU-s")
            last = dict(wall=wall, cpu=cpu, tokens=spent["tokens"])
        if sample and (step % eval_every == 0 or step == len(plan)):
            e0, w0 = time.process_time(), time.time()
            bpc = sample_bpc(model, sample)
            c0 += time.process_time() - e0  # evaluation is not training time
            t0 += time.time() - w0
            last["cpu"] += time.process_time() - e0
            last["wall"] += time.time() - w0
            cpu = spent["cpu"] + time.process_time() - c0
            log(f"held-out sample at step {step}, {cpu:.0f} training CPU-s, "
                f"{spent['tokens']} tokens: " +
                " ".join(f"{k} {v['bpc']:.4f} bpc ({v['nats_per_token']:.4f} nats/token)"
                         for k, v in bpc.items()))
            with open(os.path.join(work, "heldout_curve.jsonl"), "a") as f:
                f.write(json.dumps(dict(step=step, cpu=cpu, tokens=spent["tokens"],
                                        bpc={k: v["bpc"] for k, v in bpc.items()},
                                        nats_per_token={k: v["nats_per_token"]
                                                        for k, v in bpc.items()})) + "\n")
        if step % every == 0 or step == len(plan) or (step < len(plan) and plan[step] != plan[step - 1]):
            save(ckpt)
    now = save(final)
    with open(os.path.join(work, "training_time.json"), "w") as f:
        json.dump(now, f)
    return model


# ---- stage 5: files -----------------------------------------------------------------------

def token_texts(merges):
    table = bpe.bytes_to_unicode()
    return ["".join(table[b] for b in tb) for tb in bpe.token_bytes(merges)] + [EOT]


def write_gguf(path, model, merges, name):
    c = model.c
    texts = token_texts(merges)
    types = [1] * (len(texts) - 1) + [3]
    eot = len(texts) - 1
    merge_lines = [texts[a] + " " + texts[b] for a, b in merges]
    A, S, U, F32, I, B = (gguf_file.T_ARRAY, gguf_file.T_STRING, gguf_file.T_UINT32,
                          gguf_file.T_FLOAT32, gguf_file.T_INT32, gguf_file.T_BOOL)
    meta = [
        ("general.architecture", S, "llama"),
        ("general.name", S, name),
        ("general.license", S, "MIT"),
        ("general.alignment", U, gguf_file.ALIGN),
        ("general.file_type", U, 1),
        ("llama.context_length", U, RECIPE["context_length"]),
        ("llama.embedding_length", U, c.dim),
        ("llama.block_count", U, c.layers),
        ("llama.feed_forward_length", U, c.ffn),
        ("llama.attention.head_count", U, c.heads),
        ("llama.attention.head_count_kv", U, c.heads),
        ("llama.attention.layer_norm_rms_epsilon", F32, c.eps),
        ("llama.rope.freq_base", F32, c.rope_base),
        ("llama.rope.dimension_count", U, c.head_dim),
        ("llama.vocab_size", U, c.vocab),
        ("tokenizer.ggml.model", S, "gpt2"),
        ("tokenizer.ggml.pre", S, "gpt-2"),
        ("tokenizer.ggml.tokens", A, (S, texts)),
        ("tokenizer.ggml.token_type", A, (I, types)),
        ("tokenizer.ggml.merges", A, (S, merge_lines)),
        ("tokenizer.ggml.bos_token_id", U, eot),
        ("tokenizer.ggml.eos_token_id", U, eot),
        ("tokenizer.ggml.add_bos_token", B, True),
    ]
    tensors = []
    for name, p in model.gguf_tensors():
        a = p.detach().numpy()
        tensors.append((name, a.astype(np.float16) if a.ndim == 2 else a.astype(np.float32)))
    gguf_file.write(path, meta, tensors)


def demo_texts():
    demo = os.path.join(MODELS, "demo")
    out = []
    for name in sorted(os.listdir(demo)):
        with open(os.path.join(demo, name), encoding="utf-8") as f:
            out.append((name, f.read()))
    return out


def reference_logprobs(path, model, encoder, eot):
    """ln p(token | previous) in float64 for every token of each demo sample (each fits one
    window): the independent reference that tests/bundled compares lmc's forward pass and
    BPC accounting with."""
    m = make_model(model.c.vocab).double()
    m.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    records = []
    with torch.no_grad():
        for name, text in demo_texts():
            ids = [eot] + encoder.encode(text)
            if len(ids) > RECIPE["context_length"]:
                raise SystemExit(f"demo sample {name} is longer than the context")
            logp = torch.log_softmax(m(torch.tensor([ids])), -1)[0]
            lp = [float(logp[i - 1, ids[i]]) for i in range(1, len(ids))]
            records.append(dict(name=name, characters=len(text),
                                bytes=len(text.encode("utf-8")), ids=ids, logprob_next=lp))
    with open(path + ".tmp", "w") as f:
        json.dump(dict(note="ln p(ids[i] | ids[:i]) for i >= 1, PyTorch float64 on the F16 "
                            "weights of the GGUF file; ids[0] is BOS", records=records), f)
    os.replace(path + ".tmp", path)


def paper_bpc(model, ids, n_chars, context=1900, stride=512):
    """Bits per character the paper's way: windows of `context` tokens every `stride` tokens,
    each window scoring the tokens no earlier window scored."""
    nll, scored = 0.0, 1  # ids[0] is BOS, never scored
    with torch.no_grad():
        start = 0
        while scored < len(ids):
            end = min(start + context, len(ids))
            logp = torch.log_softmax(model(torch.tensor([ids[start:end]])), -1)[0]
            for i in range(max(scored, start + 1), end):
                nll -= float(logp[i - 1 - start, ids[i]])
            scored = end
            start += stride
    return nll / math.log(2) / n_chars


def evaluate(model, encoder, eot, sets_dir):
    model.eval()
    out = {}
    for name, text in demo_texts():
        ids = [eot] + encoder.encode(text)
        out["demo/" + name] = paper_bpc(model, ids, len(text))
    return out


def check_work(work):
    """A work folder belongs to one data recipe: its stage results are reused only for it."""
    path = os.path.join(work, "data_recipe.json")
    mine = json.loads(json.dumps({k: RECIPE[k] for k in DATA_KEYS}))
    if os.path.exists(path):
        with open(path) as f:
            if json.load(f) != mine:
                raise SystemExit(f"{work} holds the data of another recipe: use a fresh --work")
    else:
        with open(path, "w") as f:
            json.dump(mine, f, indent=1)


def main():
    global ARGS
    shared = os.path.join(MODELS, "..", "..", "shared", "testdata", "corpora")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True, help="folder for stage results and checkpoints")
    ap.add_argument("--sets", default=os.path.join(shared, "sets"),
                    help="the evaluation sets, kept out of the training data")
    ap.add_argument("--classic", default=os.path.join(shared, "classic"),
                    help="the classic corpus files, kept out of the training data")
    ap.add_argument("--out", default="", help="where the GGUF file and references go "
                    "(default WORK/out; the next model is copied into models/ by hand)")
    ap.add_argument("--name", default="lmc-tiny", help="file names: NAME.gguf, "
                    "NAME.reference.json, NAME.training.json")
    ap.add_argument("--checkpoint-every", type=int, default=25)
    ap.add_argument("--recipe", choices=sorted(RECIPES), default="shipped",
                    help="shipped: the recipe of models/lmc-tiny.gguf; full: the 90-minute "
                    "one; smoke: a pipeline check in minutes")
    ap.add_argument("--override", default="",
                    help="JSON object merged into the recipe (pilot runs)")
    ap.add_argument("--budget-minutes", type=float, default=0,
                    help="scale the recipe's steps to this wall time, from seconds per step "
                    "measured at the start (saved in WORK/plan.json)")
    ap.add_argument("--resume", action="store_true",
                    help="continue from WORK/checkpoint.pt (without it a checkpoint is an error)")
    ap.add_argument("--eval-every", type=int, default=0,
                    help="held-out BPC on a sample of the sets every N steps "
                    "(default: EVALS_PER_RUN times per run)")
    ap.add_argument("--eval-tokens", type=int, default=12000, help="sample size per set")
    ap.add_argument("--train-only", action="store_true",
                    help="stop after training (pilots: no GGUF, no references)")
    ap.add_argument("--stop-after", default="", help="collect|tokenizer|tokens: stop there")
    ARGS = ap.parse_args()
    RECIPE.update(RECIPES[ARGS.recipe])
    if ARGS.override:
        RECIPE.update(json.loads(ARGS.override))
    if RECIPE["vocab"] > 32767:
        raise SystemExit("vocab must fit the int16 token streams")
    torch.set_num_threads(RECIPE["threads"])
    torch.use_deterministic_algorithms(True)
    os.makedirs(ARGS.work, exist_ok=True)
    check_work(ARGS.work)
    docs = read_documents(collect(ARGS.work, ARGS.sets, ARGS.classic))
    if ARGS.stop_after == "collect":
        return
    merges = tokenizer(ARGS.work, docs)
    if ARGS.stop_after == "tokenizer":
        return
    encoder = bpe.Encoder(merges)
    eot = RECIPE["vocab"] - 1
    data = streams(ARGS.work, docs, encoder, eot)
    del docs
    if ARGS.stop_after == "tokens":
        return
    sample = heldout_sample(ARGS.sets, encoder, eot, ARGS.eval_tokens)
    model = train(ARGS.work, data, RECIPE["vocab"], sample)
    if ARGS.train_only:
        return
    model.round_matrices_to_f16()
    out = ARGS.out or os.path.join(ARGS.work, "out")
    os.makedirs(out, exist_ok=True)
    write_gguf(os.path.join(out, ARGS.name + ".gguf"), model, merges, ARGS.name)
    reference_logprobs(os.path.join(out, ARGS.name + ".reference.json"), model, encoder, eot)
    figures = evaluate(model, encoder, eot, ARGS.sets)
    figures.update({f"sample/{k}": v["bpc"] for k, v in sample_bpc(model, sample).items()})
    with open(os.path.join(ARGS.work, "training_time.json")) as f:
        spent = json.load(f)
    with open(os.path.join(ARGS.work, "sources.json")) as f:
        data_sources = json.load(f)
    with open(os.path.join(ARGS.work, "plan.json")) as f:
        plan = json.load(f)
    report = dict(recipe=RECIPE, plan=plan, parameters=sum(p.numel() for p in model.parameters()),
                  spent=spent, heldout_bpc=figures,
                  training_text=dict(documents_sha256=data_sources["documents_sha256"],
                                     documents=data_sources["documents"],
                                     sources=data_sources["sources"]))
    with open(os.path.join(out, ARGS.name + ".training.json"), "w") as f:
        json.dump(report, f, indent=1)
    log(json.dumps(report["heldout_bpc"]))
    log(f"training: {spent['wall']:.0f} s wall, {spent['cpu']:.0f} s CPU, {spent['tokens']} tokens")
    log(f"wrote {out}/{ARGS.name}.gguf, .reference.json, .training.json")


if __name__ == "__main__":
    main()
