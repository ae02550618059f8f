package org.minicpmv.edge.runtime;

import java.util.logging.Logger;

/** Opens the encoder session a caller asked for; an NPU build that cannot load falls back to the CPU graph. */
public final class Encoders {
  private static final Logger LOG = Logger.getLogger(Encoders.class.getName());

  private Encoders() {}

  /**
   * The requested backend, or for "qnn" the CPU encoder when the QNN build is missing or does not load (no QNN EP
   * in this ONNX Runtime, no libQnnHtp.so, wrong chip): {@link EncoderSession#fallbackReason()} then says why.
   */
  public static EncoderSession open(Bundle bundle, EncoderOptions options) throws EdgeException {
    if (options.backend.equals("cpu")) {
      return new CpuEncoder(bundle, options.threads, null);
    }
    if (options.backend.equals("qnn")) {
      try {
        return new QnnEncoder(bundle, options);
      } catch (EdgeException e) {
        LOG.warning("QNN encoder unavailable, using the CPU encoder: " + e.getMessage());
        return new CpuEncoder(bundle, options.threads, e.getMessage());
      }
    }
    throw new EdgeException("unknown encoder backend '" + options.backend + "'; known: cpu, qnn");
  }
}
