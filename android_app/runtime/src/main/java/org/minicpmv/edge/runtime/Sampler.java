package org.minicpmv.edge.runtime;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Picks the next token (Python: runtime/sampling.py Sampler): repetition penalty on ids seen, then greedy, or
 * temperature + top-k + top-p. Everything up to the random draw matches Python value for value (see {@link
 * #candidates}); the draw itself uses java.util.Random, so sampled (non-greedy) text differs from Python's for the
 * same seed.
 */
public final class Sampler {
  private final Sampling cfg;
  private final Random rng;

  public Sampler(Sampling cfg) {
    this.cfg = cfg;
    this.rng = new Random(cfg.seed);
  }

  /** Ids kept after top-k and top-p, most likely first, with their renormalised probabilities. */
  public static final class Candidates {
    public final int[] ids;
    public final double[] probs;

    Candidates(int[] ids, double[] probs) {
      this.ids = ids;
      this.probs = probs;
    }
  }

  /** Pick a token id from unnormalised logits [V], penalising the first {@code historyLength} ids of history. */
  public int next(float[] logits, int[] history, int historyLength) {
    if (cfg.temperature <= 0) {
      double[] scores = penalised(logits, history, historyLength);
      int best = 0;
      for (int i = 1; i < scores.length; i++) {
        if (scores[i] > scores[best]) {
          best = i;
        }
      }
      return best;
    }
    Candidates c = candidates(logits, history, historyLength);
    double u = rng.nextDouble();
    double acc = 0;
    for (int i = 0; i < c.ids.length; i++) {
      acc += c.probs[i];
      if (u < acc) {
        return c.ids[i];
      }
    }
    return c.ids[c.ids.length - 1];
  }

  /** The sampling distribution (temperature > 0): penalty, temperature, top-k, softmax, top-p, renormalise. */
  public Candidates candidates(float[] logits, int[] history, int historyLength) {
    double[] scores = penalised(logits, history, historyLength);
    for (int i = 0; i < scores.length; i++) {
      scores[i] /= cfg.temperature;
    }
    int k = cfg.topK > 0 ? Math.min(cfg.topK, scores.length) : scores.length;
    final double[] s = scores;
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, new Comparator<Integer>() {
      @Override
      public int compare(Integer a, Integer b) {
        return Double.compare(s[b], s[a]);
      }
    });
    double[] probs = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      probs[i] = Math.exp(s[order[i]] - s[order[0]]);
      sum += probs[i];
    }
    double cum = 0;
    int keep = k;
    for (int i = 0; i < k; i++) {
      probs[i] /= sum;
      cum += probs[i];
      if (cum >= cfg.topP && keep == k) {
        keep = i + 1;
      }
    }
    double kept = 0;
    for (int i = 0; i < keep; i++) {
      kept += probs[i];
    }
    int[] ids = new int[keep];
    double[] out = new double[keep];
    for (int i = 0; i < keep; i++) {
      ids[i] = order[i];
      out[i] = probs[i] / kept;
    }
    return new Candidates(ids, out);
  }

  private double[] penalised(float[] logits, int[] history, int historyLength) {
    double[] scores = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      scores[i] = logits[i];
    }
    if (cfg.repetitionPenalty != 1.0 && historyLength > 0) {
      Set<Integer> seen = new HashSet<Integer>();
      for (int i = 0; i < historyLength; i++) {
        if (seen.add(history[i])) {
          double v = scores[history[i]];
          scores[history[i]] = v > 0 ? v / cfg.repetitionPenalty : v * cfg.repetitionPenalty;
        }
      }
    }
    return scores;
  }
}
