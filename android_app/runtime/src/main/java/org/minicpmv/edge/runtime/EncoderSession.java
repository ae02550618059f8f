package org.minicpmv.edge.runtime;

/**
 * One interface for every vision-encoder backend, so the orchestrator never branches on one (Python:
 * runtime/encoders.py's EncoderSession protocol).
 */
public interface EncoderSession extends AutoCloseable {
  /** "cpu" or "qnn". */
  String name();

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
