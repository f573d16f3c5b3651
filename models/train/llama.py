"""A Llama decoder in PyTorch, laid out as llama.cpp's GGUF "llama" architecture computes it.

RMSNorm before attention and feed-forward, SwiGLU feed-forward, rotary position embedding on
adjacent pairs (q[2i], q[2i+1]) — llama.cpp's "normal" RoPE, so the weights go into GGUF
without the Q/K permutation that Hugging Face checkpoints need — and the output projection
tied to the token embedding (GGUF without output.weight).
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Config:
    def __init__(self, vocab, dim, layers, heads, ffn, rope_base=10000.0, eps=1e-5):
        self.vocab, self.dim, self.layers, self.heads, self.ffn = vocab, dim, layers, heads, ffn
        self.rope_base, self.eps = rope_base, eps
        self.head_dim = dim // heads

    def as_dict(self):
        return dict(vocab=self.vocab, dim=self.dim, layers=self.layers, heads=self.heads,
                    ffn=self.ffn, rope_base=self.rope_base, eps=self.eps)


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rope_tables(n, head_dim, base):
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = torch.arange(n, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(angles).float(), torch.sin(angles).float()


def apply_rope(x, cos, sin):
    # x: (B, H, T, D); pairs (2i, 2i+1) rotate by angle t * base^(-2i/D).
    x0, x1 = x[..., 0::2], x[..., 1::2]
    r0 = x0 * cos - x1 * sin
    r1 = x0 * sin + x1 * cos
    return torch.stack((r0, r1), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.attn_norm = nn.Parameter(torch.ones(c.dim))
        self.wq = nn.Linear(c.dim, c.dim, bias=False)
        self.wk = nn.Linear(c.dim, c.dim, bias=False)
        self.wv = nn.Linear(c.dim, c.dim, bias=False)
        self.wo = nn.Linear(c.dim, c.dim, bias=False)
        self.ffn_norm = nn.Parameter(torch.ones(c.dim))
        self.w_gate = nn.Linear(c.dim, c.ffn, bias=False)
        self.w_up = nn.Linear(c.dim, c.ffn, bias=False)
        self.w_down = nn.Linear(c.ffn, c.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        c = self.c
        B, T, D = x.shape
        y = rms_norm(x, self.attn_norm, c.eps)
        q = self.wq(y).view(B, T, c.heads, c.head_dim).transpose(1, 2)
        k = self.wk(y).view(B, T, c.heads, c.head_dim).transpose(1, 2)
        v = self.wv(y).view(B, T, c.heads, c.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(c.head_dim))
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        x = x + self.wo((att @ v).transpose(1, 2).reshape(B, T, D))
        y = rms_norm(x, self.ffn_norm, c.eps)
        return x + self.w_down(F.silu(self.w_gate(y)) * self.w_up(y))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c.vocab, c.dim)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.out_norm = nn.Parameter(torch.ones(c.dim))
        std = 0.02
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, std)
                if name.endswith("wo.weight") or name.endswith("w_down.weight"):
                    p.data.mul_(1.0 / math.sqrt(2 * c.layers))

    def forward(self, ids):
        T = ids.shape[1]
        cos, sin = rope_tables(T, self.c.head_dim, self.c.rope_base)
        mask = torch.ones(T, T, dtype=torch.bool).triu(1)
        x = self.embed(ids)
        for b in self.blocks:
            x = b(x, cos, sin, mask)
        x = rms_norm(x, self.out_norm, self.c.eps)
        return x @ self.embed.weight.t()

    def gguf_tensors(self):
        """(GGUF name, tensor) in llama.cpp's naming; matrices as (out, in) like torch."""
        out = [("token_embd.weight", self.embed.weight)]
        for i, b in enumerate(self.blocks):
            p = f"blk.{i}."
            out += [(p + "attn_norm.weight", b.attn_norm), (p + "attn_q.weight", b.wq.weight),
                    (p + "attn_k.weight", b.wk.weight), (p + "attn_v.weight", b.wv.weight),
                    (p + "attn_output.weight", b.wo.weight),
                    (p + "ffn_norm.weight", b.ffn_norm), (p + "ffn_gate.weight", b.w_gate.weight),
                    (p + "ffn_up.weight", b.w_up.weight),
                    (p + "ffn_down.weight", b.w_down.weight)]
        out.append(("output_norm.weight", self.out_norm))
        return out

    def round_matrices_to_f16(self):
        """What the shipped file holds: matrices in F16, norms in F32."""
        with torch.no_grad():
            for _, p in self.gguf_tensors():
                if p.dim() == 2:
                    p.copy_(p.half().float())


def from_gguf(path):
    """The Llama of a GGUF file written by train.py (float32 parameters; F16 matrices are
    widened exactly), for checks that must not depend on the training checkpoint."""
    import gguf_file

    meta, tensors = gguf_file.read(path)
    c = Config(meta["llama.vocab_size"], meta["llama.embedding_length"],
               meta["llama.block_count"], meta["llama.attention.head_count"],
               meta["llama.feed_forward_length"], meta["llama.rope.freq_base"],
               meta["llama.attention.layer_norm_rms_epsilon"])
    model = Llama(c)
    with torch.no_grad():
        for name, p in model.gguf_tensors():
            p.copy_(torch.from_numpy(tensors[name].astype("float32")))
    return model.eval(), meta
