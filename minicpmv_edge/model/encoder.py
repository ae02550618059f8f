"""The vision encoder MiniCPM-V runs per image or slice: SigLIP tower + resampler."""

from __future__ import annotations

import torch
from torch import nn

from minicpmv_edge.model.resampler import Resampler
from minicpmv_edge.model.vision import VisionTower
from minicpmv_edge.presets import ModelPreset


class VisionEncoder(nn.Module):
    def __init__(self, preset: ModelPreset) -> None:
        super().__init__()
        self.preset = preset
        self.vision = VisionTower(preset.vision)
        self.resampler = Resampler(preset.resampler)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """`pixel_values` float32 `[B, 3, H, W]` NCHW RGB in [-1, 1] -> `image_embeds` float32 `[B, Q, D]`."""
        patch = self.preset.vision.patch_size
        grid = (pixel_values.shape[-2] // patch, pixel_values.shape[-1] // patch)
        return self.resampler(self.vision(pixel_values), grid)
