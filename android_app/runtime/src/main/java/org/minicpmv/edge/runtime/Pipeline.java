package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The orchestrator: image -> slices -> encoder -> prefill -> decode, timing each stage (Python:
 * runtime/pipeline.py). The encoder comes in through {@link EncoderSession}, so the same loop runs on the CPU
 * graph or the phone's HTP. One Pipeline holds one decoder (one conversation at a time); {@link #cancel()} may be
 * called from another thread (the app's Stop button).
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Pipeline.class.getName());

  /** How to open a pipeline. */
  public static final class Options {
    public EncoderOptions encoder = new EncoderOptions();
    /** ORT intra-op threads for the decoder (and the CPU encoder unless encoder.threads is set); 0 = ORT's choice. */
    public int threads;
    /** KV positions; 0 = min(2048, the model's). */
    public int maxContext;
    /** Where the tokenizer's compact form and the verified-files record are cached (app cache dir); may be null. */
    public File cacheDir;
  }

  /** Receives answer text as it is decoded (whole UTF-8 characters only). */
  public interface TokenCallback {
    void onText(String piece);
  }

  /** Sees every decode step: its index (0 = after prefill), the logits [V] and the chosen id. */
  public interface StepListener {
    void onStep(int step, float[] logits, int tokenId);
  }

  /** The answer, its ids (EOS excluded), the stage timings, and whether {@link #cancel()} stopped it. */
  public static final class Result {
    public final String text;
    public final int[] tokenIds;
    public final Timings timings;
    public final boolean cancelled;

    Result(String text, int[] tokenIds, Timings timings, boolean cancelled) {
      this.text = text;
      this.tokenIds = tokenIds;
      this.timings = timings;
      this.cancelled = cancelled;
    }
  }

  private final Bundle bundle;
  private final PromptSpec spec;
  private final Tokenizer tokenizer;
  private final EncoderSession encoder;
  private final Decoder decoder;
  private final Set<Integer> eos = new HashSet<Integer>();
  private volatile boolean cancelRequested;
  private volatile StepListener stepListener;

  public Pipeline(Bundle bundle, Options options) throws EdgeException {
    this.bundle = bundle;
    this.spec = bundle.promptSpec();
    for (int id : bundle.eosIds()) {
      eos.add(id);
    }
    File tokenizerFile = bundle.tokenizerFile();
    try {
      this.tokenizer = Tokenizer.fromFile(tokenizerFile, options.cacheDir);
    } catch (IOException | RuntimeException e) {
      throw new BundleException("cannot load tokenizer " + tokenizerFile + ": " + Bundle.oneLine(e));
    }
    EncoderOptions enc = options.encoder.copy();
    if (enc.threads == 0) {
      enc.threads = options.threads;
    }
    this.encoder = Encoders.open(bundle, enc);
    try {
      this.decoder = new Decoder(bundle, options.maxContext, options.threads);
    } catch (EdgeException e) {
      encoder.close();
      throw e;
    }
  }

  public Bundle bundle() {
    return bundle;
  }

  public EncoderSession encoder() {
    return encoder;
  }

  public Decoder decoder() {
    return decoder;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public void setStepListener(StepListener listener) {
    this.stepListener = listener;
  }

  /** Ask a running {@link #generate} to stop after its current step (any thread). */
  public void cancel() {
    cancelRequested = true;
  }

  /**
   * Answer {@code prompt} about {@code image}.
   *
   * @param mode "fixed-280", "fixed-448" or "uhd" (uhd slices at 448, the official grid)
   * @param onToken receives text pieces as they are decoded; may be null
   */
  public Result generate(
      RgbImage image, String prompt, String mode, int maxNewTokens, Sampling sampling, TokenCallback onToken)
      throws EdgeException {
    if (maxNewTokens < 1) {
      throw new EdgeException("max_new_tokens must be at least 1, got " + maxNewTokens);
    }
    cancelRequested = false;
    Timings t = new Timings();
    t.encoderBackend = encoder.name();
    t.encoderProvenance = encoder.provenance();
    t.encoderChip = encoder.chip();
    t.encoderPrecision = encoder.precision();
    long start = System.nanoTime();
    Preprocess.PreprocessedImage pre = Preprocess.preprocess(image, mode, 448, Slicing.MAX_SLICE_NUMS);
    t.preprocessS = seconds(start);

    int[] ids = Prompts.promptIds(spec, tokenizer, prompt, pre.grid);
    if (ids.length + maxNewTokens > decoder.maxContext()) {
      throw new ContextOverflowException("prompt plus image tokens (" + ids.length + ") and " + maxNewTokens
          + " new tokens exceed the context length " + decoder.maxContext());
    }
    int[][] bounds = Prompts.imageBounds(spec, ids);

    List<float[]> imageEmbeds = new ArrayList<float[]>();
    for (Preprocess.EncoderInput in : pre.inputs) {
      long t0 = System.nanoTime();
      imageEmbeds.add(encoder.encode(in.pixelValues, in.side));
      t.encodePerInputS.add(seconds(t0));
      t.encodeShapes.add(in.side);
    }
    for (double s : t.encodePerInputS) {
      t.encodeS += s;
    }
    LOG.fine(String.format("encoded %d image input(s) in %.3f s", pre.inputs.size(), t.encodeS));

    float[] embeds = Prompts.splice(decoder.embed(ids), decoder.hiddenSize(), bounds, imageEmbeds);
    decoder.reset();
    long t0 = System.nanoTime();
    float[] logits = decoder.prefill(embeds, ids.length);
    t.prefillS = seconds(t0);
    t.prefillTokens = ids.length;

    Sampler sampler = new Sampler(sampling == null ? Sampling.greedy() : sampling);
    Tokenizer.StreamDecoder stream = tokenizer.streamDecoder(true); // skip_special_tokens, as Python decodes
    int[] history = new int[ids.length + maxNewTokens];
    System.arraycopy(ids, 0, history, 0, ids.length);
    int historyLength = ids.length;
    int[] generated = new int[maxNewTokens];
    int count = 0;
    int token = sampler.next(logits, history, historyLength);
    t.ttftS = seconds(start);
    StepListener listener = stepListener;
    if (listener != null) {
      listener.onStep(0, logits, token);
    }
    while (!eos.contains(token) && !cancelRequested) {
      generated[count++] = token;
      history[historyLength++] = token;
      emit(onToken, stream.push(token));
      if (count >= maxNewTokens) {
        break;
      }
      long s0 = System.nanoTime();
      logits = decoder.step(decoder.embed(new int[] {token}));
      token = sampler.next(logits, history, historyLength);
      t.tokenLatenciesS.add(seconds(s0));
      if (listener != null) {
        listener.onStep(t.tokenLatenciesS.size(), logits, token);
      }
    }
    emit(onToken, stream.flush());
    t.decodeSteps = t.tokenLatenciesS.size();
    for (double s : t.tokenLatenciesS) {
      t.decodeS += s;
    }
    t.tokensGenerated = count;
    t.peakRssMb = Timings.peakRssMb();
    int[] out = new int[count];
    System.arraycopy(generated, 0, out, 0, count);
    return new Result(tokenizer.decode(out, true), out, t, cancelRequested);
  }

  private static void emit(TokenCallback onToken, String piece) {
    if (onToken != null && piece != null && !piece.isEmpty()) {
      onToken.onText(piece);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @Override
  public void close() {
    encoder.close();
    decoder.close();
  }
}
