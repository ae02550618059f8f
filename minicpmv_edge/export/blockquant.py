"""Block-wise symmetric weight quantization in ONNX Runtime's `com.microsoft.MatMulNBits` layout.

One packing for every MatMulNBits graph: the int4 decoder (export/decoder_onnx.py) and the int8 CPU encoder
(export/cpu_encoder.py).
"""

from __future__ import annotations

import numpy as np

_ROWS_PER_CHUNK = 4096  # rows quantized at once: bounds the fp32 temporaries to a few tens of MB


def quantize_blocks(
    w: np.ndarray, block_size: int = 32, factor: float = 1.0, bits: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric block-wise `bits`-bit (4 or 8) codes of a linear weight, in MatMulNBits layout.

    `w` float `[N, K]` (out x in, as torch stores it), times `factor` first -> `packed` uint8
    `[N, ceil(K/block_size), block_size*bits/8]` (4-bit: element 2j in the low nibble of byte j, 2j+1 in the high
    nibble) and `scales` float32 `[N, ceil(K/block_size)]`. Per block, the value of largest magnitude v maps to code
    0 (scale = v / -2^(bits-1)), so the block uses the full range (llama.cpp Q4_0 / MLAS rule); code c means
    (c - 2^(bits-1)) * scale, MatMulNBits' implicit zero point. K is zero-padded to a block multiple. Rows go in
    chunks, so the temporaries stay small.
    """
    if bits not in (4, 8):
        raise ValueError(f"bits must be 4 or 8, got {bits}")
    n, k = w.shape
    blocks = -(-k // block_size)
    half = 2 ** (bits - 1)
    packed = np.empty((n, blocks, block_size * bits // 8), dtype=np.uint8)
    scales = np.empty((n, blocks), dtype=np.float32)
    for r0 in range(0, n, _ROWS_PER_CHUNK):
        r1 = min(n, r0 + _ROWS_PER_CHUNK)
        chunk = np.zeros((r1 - r0, blocks * block_size), dtype=np.float32)
        chunk[:, :k] = w[r0:r1]
        if factor != 1.0:
            chunk *= np.float32(factor)
        chunk = chunk.reshape(r1 - r0, blocks, block_size)
        idx = np.abs(chunk).argmax(axis=-1)[..., None]
        scale = np.take_along_axis(chunk, idx, axis=-1) / np.float32(-half)
        inv = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
        codes = np.clip(np.rint(chunk * inv) + half, 0, 2 * half - 1).astype(np.uint8)
        packed[r0:r1] = codes if bits == 8 else codes[..., 0::2] | (codes[..., 1::2] << 4)
        scales[r0:r1] = scale[..., 0]
    return packed, scales


def dequantize_blocks(packed: np.ndarray, scales: np.ndarray, k: int, bits: int = 4) -> np.ndarray:
    """Inverse of `quantize_blocks`: float32 `[N, K]` (for checks; the runtime never dequantizes)."""
    if bits == 8:
        codes = packed.astype(np.float32)
    else:
        codes = np.empty((*packed.shape[:2], packed.shape[2] * 2), dtype=np.float32)
        codes[..., 0::2] = packed & 0x0F
        codes[..., 1::2] = packed >> 4
    return ((codes - 2.0 ** (bits - 1)) * scales[..., None]).reshape(packed.shape[0], -1)[:, :k]
