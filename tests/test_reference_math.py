"""Our split-projection modules against the upstream formulations they replace."""

import torch
import torch.nn.functional as F

from minicpmv_edge.model.hf_names import vision_rules
from minicpmv_edge.model.resampler import Resampler
from minicpmv_edge.model.vision import SelfAttention
from minicpmv_edge.presets import TINY


def _randomize(module: torch.nn.Module, seed: int = 0) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.2)


def test_resampler_equals_multihead_attention_with_packed_in_proj() -> None:
    """2.0 resampler as upstream writes it: nn.MultiheadAttention(q + query_pos, kv + key_pos, kv)."""
    res = Resampler(TINY.resampler).eval()
    _randomize(res)
    cfg = TINY.resampler
    mha = torch.nn.MultiheadAttention(cfg.embed_dim, cfg.num_heads)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([res.q_proj.weight, res.k_proj.weight, res.v_proj.weight]))
        mha.in_proj_bias.copy_(torch.cat([res.q_proj.bias, res.k_proj.bias, res.v_proj.bias]))
        mha.out_proj.weight.copy_(res.out_proj.weight)
        mha.out_proj.bias.copy_(res.out_proj.bias)
    x = torch.randn(2, 12, cfg.kv_dim)
    with torch.no_grad():
        ours = res(x, (3, 4))
        kv = res.ln_kv(res.kv_proj(x)).permute(1, 0, 2)
        q = res.ln_q(res.query)
        out = mha(
            q.unsqueeze(1).repeat(1, 2, 1) + res.query_pos.unsqueeze(1),
            kv + res.key_pos(3, 4).unsqueeze(1),
            kv,
            need_weights=False,
        )[0]
        upstream = res.ln_post(out.permute(1, 0, 2)) @ res.proj
    assert torch.allclose(ours, upstream, atol=1e-5)


def test_timm_fused_qkv_split_matches_fused_attention() -> None:
    """timm computes qkv(x) fused then splits per head; our loader splits the fused weight into q, k, v."""
    dim, heads = 32, 4
    fused = torch.nn.Linear(dim, 3 * dim)
    proj = torch.nn.Linear(dim, dim)
    attn = SelfAttention(dim, heads)
    rule = next(r for r in vision_rules(TINY) if r.official == "vpm.blocks.0.attn.qkv.weight")
    bias_rule = next(r for r in vision_rules(TINY) if r.official == "vpm.blocks.0.attn.qkv.bias")
    with torch.no_grad():
        for r, t in ((rule, fused.weight), (bias_rule, fused.bias)):
            for name, part in r.to_ours(t).items():
                getattr(attn, name.split(".")[-2]).__getattr__(name.split(".")[-1]).copy_(part)
        attn.o.load_state_dict(proj.state_dict())
        x = torch.randn(1, 10, dim)
        qkv = fused(x).reshape(1, 10, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        timm = proj(out.transpose(1, 2).reshape(1, 10, dim))
        assert torch.allclose(attn(x), timm, atol=1e-6)
