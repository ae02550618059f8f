"""Checkpoint -> bundle: static ONNX vision encoders, manifest."""
