package org.minicpmv.edge.runtime;

/**
 * One interface for every vision-encoder backend, so the orchestrator never branches on one (Python:
 * runtime/encoders.py's EncoderSession protocol).
 */
public interface EncoderSession extends AutoCloseable {
  /** "cpu" or "qnn". */
  String name();

  /** Chip key of the compiled build it runs (e.g. "sm8650"), or null for this machine's CPU. */
  String chip();

  /** Precision of what runs: "fp32" for the exported graph, the build's (e.g. "w8a16") on an NPU. */
  String precision();

  /** Label of every timing this session produces: "host-measured", "emulated" or "device-measured". */
  String provenance();

  /** Why the requested NPU build is not the one running (shown by the UI), or null when nothing fell back. */
  String fallbackReason();

  /**
   * @param pixelValues float32 [1,3,S,S], NCHW, RGB, values in [-1, 1]
   * @param side S
   * @return image embeddings float32 [Q, D], row-major (unscaled)
   */
  float[] encode(float[] pixelValues, int side) throws EdgeException;

  @Override
  void close();
}
