"""PyTorch reference definitions, HF checkpoint loading and synthetic checkpoints (export time only)."""
