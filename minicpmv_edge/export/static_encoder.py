"""Export quirks, all in one place: how the reference encoder becomes a static graph an NPU compiler accepts.

- Every position term is computed once for the fixed shape with the exact upstream torch code and baked in as a
  constant: the 2.0 bicubic+antialias resampled timm table (ONNX `Resize` cannot reproduce antialias), the
  2.5/2.6 bucketized rows of the 70x70 table (already gathered, so no `Gather`), and the resampler's sin-cos
  key table. With no runtime `tgt_sizes`, no Shape/Range/NonZero subgraph is left to export.
- Batch is fixed at 1 and the resampler's attention has no key-padding mask: a static slice has no padding.
- Attention uses separate q/k/v/o linears (split from the packed checkpoint tensors at load time) because QNN's
  quantizer rejects per-channel weights on `MultiheadAttention`'s fused projection.
"""

from __future__ import annotations

import torch
from torch import nn

from minicpmv_edge.model.encoder import VisionEncoder


class StaticVisionEncoder(nn.Module):
    def __init__(self, encoder: VisionEncoder, size: int) -> None:
        super().__init__()
        patch = encoder.preset.vision.patch_size
        if size % patch:
            raise ValueError(f"encoder shape {size} is not a multiple of the patch size {patch}")
        self.encoder = encoder
        self.size = size
        self.grid = (size // patch, size // patch)
        with torch.no_grad():
            self.register_buffer("patch_pos", encoder.vision.position_embedding(*self.grid).detach().clone())
            self.register_buffer("key_pos", encoder.resampler.key_pos(*self.grid))

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """`pixel_values` float32 `[1, 3, S, S]` NCHW RGB in [-1, 1] -> `image_embeds` float32 `[1, Q, D]`."""
        features = self.encoder.vision(pixel_values, pos=self.patch_pos)
        return self.encoder.resampler(features, self.grid, key_pos=self.key_pos)
