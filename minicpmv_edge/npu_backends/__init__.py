"""npu_backends."""
