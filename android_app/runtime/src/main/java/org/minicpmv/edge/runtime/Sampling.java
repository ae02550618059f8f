package org.minicpmv.edge.runtime;

/** Next-token choice settings (Python: runtime/sampling.py Sampling; upstream's chat defaults). */
public final class Sampling {
  /** 0 = greedy. */
  public double temperature = 0.0;

  public double topP = 0.8;
  public int topK = 100;
  public double repetitionPenalty = 1.0;
  public long seed = 0;

  public static Sampling greedy() {
    return new Sampling();
  }
}
