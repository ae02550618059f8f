package org.minicpmv.edge.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** The exported fp32 encoders on ONNX Runtime's CPU provider; one session per shape, opened on first use. */
public final class CpuEncoder extends OrtEncoder {
  private final Bundle bundle;
  private final int threads;
  private final String fallbackReason;

  CpuEncoder(Bundle bundle, int threads, String fallbackReason) {
    this.bundle = bundle;
    this.threads = threads;
    this.fallbackReason = fallbackReason;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String chip() {
    return null;
  }

  @Override
  public String precision() {
    return "fp32";
  }

  @Override
  public String provenance() {
    return Timings.machineProvenance();
  }

  @Override
  public String fallbackReason() {
    return fallbackReason;
  }

  @Override
  protected OrtSession openSession(int side) throws EdgeException {
    try {
      return Ort.open(bundle.encoderFile(side), Ort.cpuOptions(threads));
    } catch (OrtException e) {
      throw new EdgeException("cannot set up the CPU encoder: " + Ort.firstLine(e));
    }
  }
}
