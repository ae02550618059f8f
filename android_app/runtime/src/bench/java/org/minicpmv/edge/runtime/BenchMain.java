package org.minicpmv.edge.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The Java side of benchmarks/java_vs_python_runtime.py: generate on a bundle through {@link Pipeline} and print
 * one JSON object (timings of each run as Python's Timings.as_dict(), peak RSS). With {@code --kv-compare} it also
 * times decode steps with the in-place KV cache ({@link Decoder}) against the copying pattern (ORT allocates
 * present_* each step and the cache is copied back into fresh past_* tensors), on the same session settings.
 *
 * <p>Usage: BenchMain BUNDLE RGB_FILE WIDTH HEIGHT PROMPT MODE TOKENS RUNS THREADS MAX_CONTEXT [--kv-compare]
 *
 * <p>Decoder only (a bundle exported with --parts llm): BenchMain decoder BUNDLE PROMPT_ROWS TOKENS RUNS THREADS
 * MAX_CONTEXT [--kv-compare]: prefill the embeddings of ids 0..PROMPT_ROWS-1, then TOKENS greedy steps.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] a) throws Exception {
    if (a[0].equals("decoder")) {
      decoderOnly(a);
      return;
    }
    File bundleDir = new File(a[0]);
    byte[] rgb = Files.readAllBytes(new File(a[1]).toPath());
    RgbImage image = Images.fromRgb(rgb, Integer.parseInt(a[2]), Integer.parseInt(a[3]), Images.DEFAULT_MAX_PIXELS);
    String prompt = a[4];
    String mode = a[5];
    int tokens = Integer.parseInt(a[6]);
    int runs = Integer.parseInt(a[7]);
    int threads = Integer.parseInt(a[8]);
    int maxContext = Integer.parseInt(a[9]);
    boolean kvCompare = a.length > 10 && a[10].equals("--kv-compare");

    long t0 = System.nanoTime();
    Bundle bundle = Bundle.open(bundleDir, null);
    Pipeline.Options o = new Pipeline.Options();
    o.threads = threads;
    o.maxContext = maxContext;
    JSONObject out = new JSONObject();
    JSONArray timings = new JSONArray();
    try (Pipeline pipe = new Pipeline(bundle, o)) {
      out.put("load_s", (System.nanoTime() - t0) / 1e9);
      for (int r = 0; r < runs; r++) {
        Pipeline.Result res = pipe.generate(image, prompt, mode, tokens, Sampling.greedy(), null);
        timings.put(res.timings.asDict());
        out.put("token_ids", new JSONArray(toList(res.tokenIds)));
      }
      out.put("runs", timings);
      out.put("peak_rss_mb", Timings.peakRssMb());
      if (kvCompare) {
        out.put("kv_step_ms", kvCompare(bundle, pipe.decoder(), threads, maxContext, 64, 32));
      }
    }
    System.out.println(out.toString());
  }

  private static void decoderOnly(String[] a) throws Exception {
    Bundle bundle = Bundle.open(new File(a[1]), null);
    int rows = Integer.parseInt(a[2]);
    int tokens = Integer.parseInt(a[3]);
    int runs = Integer.parseInt(a[4]);
    int threads = Integer.parseInt(a[5]);
    int maxContext = Integer.parseInt(a[6]);
    boolean kvCompare = a.length > 7 && a[7].equals("--kv-compare");
    JSONObject out = new JSONObject();
    JSONArray timings = new JSONArray();
    try (Decoder d = new Decoder(bundle, maxContext, threads)) {
      int[] ids = new int[rows];
      for (int i = 0; i < rows; i++) {
        ids[i] = i % d.vocabSize();
      }
      Sampler greedy = new Sampler(Sampling.greedy());
      for (int r = 0; r < runs; r++) {
        d.reset();
        long t0 = System.nanoTime();
        float[] logits = d.prefill(d.embed(ids), rows);
        double prefill = (System.nanoTime() - t0) / 1e9;
        int token = greedy.next(logits, ids, 0);
        long t1 = System.nanoTime();
        for (int s = 1; s < tokens; s++) {
          logits = d.step(d.embed(new int[] {token}));
          token = greedy.next(logits, ids, 0);
        }
        double decode = (System.nanoTime() - t1) / 1e9;
        timings.put(new JSONObject().put("prefill_s", prefill).put("prefill_tokens", rows)
            .put("decode_s", decode).put("decode_steps", tokens - 1).put("decode_tok_s", (tokens - 1) / decode));
      }
      out.put("runs", timings);
      out.put("peak_rss_mb", Timings.peakRssMb());
      if (kvCompare) {
        out.put("kv_step_ms", kvCompare(bundle, d, threads, maxContext, 64, 8));
      }
    }
    System.out.println(out.toString());
  }

  private static java.util.List<Integer> toList(int[] ids) {
    java.util.List<Integer> l = new java.util.ArrayList<Integer>();
    for (int id : ids) {
      l.add(id);
    }
    return l;
  }

  /** Mean ms per decode step: in place (the Decoder) vs copying the whole cache in and out every step. */
  private static JSONObject kvCompare(Bundle bundle, Decoder decoder, int threads, int maxContext, int prompt,
      int steps) throws Exception {
    JSONObject llm = bundle.section("llm");
    int hidden = decoder.hiddenSize();
    Random rng = new Random(0);
    float[] embeds = new float[prompt * hidden];
    for (int i = 0; i < embeds.length; i++) {
      embeds[i] = (float) rng.nextGaussian() * 0.1f;
    }
    float[] one = new float[hidden];
    System.arraycopy(embeds, 0, one, 0, hidden);

    decoder.reset();
    decoder.prefill(embeds, prompt);
    decoder.step(one);
    long t = System.nanoTime();
    for (int s = 0; s < steps; s++) {
      decoder.step(one);
    }
    double inPlace = (System.nanoTime() - t) / 1e6 / steps;

    int layers = llm.getInt("num_layers");
    long[] shape = {1, llm.getInt("num_kv_heads"), decoder.maxContext(), llm.getInt("head_dim")};
    boolean fp16 = decoder.kvDtype().equals("float16");
    int cacheBytes = (int) (shape[1] * shape[2] * shape[3]) * (fp16 ? 2 : 4);
    JSONObject in = llm.getJSONObject("inputs");
    JSONObject outNames = llm.getJSONObject("outputs");
    Map<String, byte[]> past = new HashMap<String, byte[]>();
    Map<String, String> presentToPast = new HashMap<String, String>();
    for (int i = 0; i < layers; i++) {
      for (String[] pair : new String[][] {{"past_key", "present_key"}, {"past_value", "present_value"}}) {
        String p = in.getString(pair[0]).replace("{}", Integer.toString(i));
        past.put(p, new byte[cacheBytes]);
        presentToPast.put(outNames.getString(pair[1]).replace("{}", Integer.toString(i)), p);
      }
    }
    Set<String> requested = new HashSet<String>(presentToPast.keySet());
    requested.add(outNames.getString("logits"));
    try (OrtSession session = Ort.env().createSession(
        bundle.file(bundle.llmPath(llm.getString("onnx"))).getPath(), Ort.cpuOptions(threads))) {
      int position = 0;
      runCopying(session, in, past, presentToPast, requested, shape, fp16, embeds, prompt, hidden, position);
      position += prompt;
      runCopying(session, in, past, presentToPast, requested, shape, fp16, one, 1, hidden, position++);
      t = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        runCopying(session, in, past, presentToPast, requested, shape, fp16, one, 1, hidden, position++);
      }
    }
    double copying = (System.nanoTime() - t) / 1e6 / steps;
    JSONObject r = new JSONObject();
    r.put("in_place", inPlace);
    r.put("copying", copying);
    r.put("kv_cache_mb", Decoder.kvCacheBytes(llm, decoder.maxContext()) / 1048576.0);
    r.put("prompt_tokens", prompt);
    r.put("steps", steps);
    return r;
  }

  private static void runCopying(OrtSession session, JSONObject in, Map<String, byte[]> past,
      Map<String, String> presentToPast, Set<String> requested, long[] shape, boolean fp16, float[] embeds, int rows,
      int hidden, int position) throws OrtException, org.json.JSONException {
    Map<String, OnnxTensor> inputs = new HashMap<String, OnnxTensor>();
    try {
      for (Map.Entry<String, byte[]> e : past.entrySet()) { // heap buffer: ORT Java copies it into native memory
        ByteBuffer heap = ByteBuffer.wrap(e.getValue()).order(ByteOrder.nativeOrder());
        inputs.put(e.getKey(), fp16
            ? OnnxTensor.createTensor(Ort.env(), heap.asShortBuffer(), shape, OnnxJavaType.FLOAT16)
            : OnnxTensor.createTensor(Ort.env(), heap.asFloatBuffer(), shape));
      }
      int total = position + rows;
      inputs.put(in.getString("inputs_embeds"),
          OnnxTensor.createTensor(Ort.env(), FloatBuffer.wrap(embeds, 0, rows * hidden), new long[] {1, rows, hidden}));
      inputs.put(in.getString("seqlens_k"),
          OnnxTensor.createTensor(Ort.env(), IntBuffer.wrap(new int[] {total - 1}), new long[] {1}));
      inputs.put(in.getString("total_sequence_length"),
          OnnxTensor.createTensor(Ort.env(), IntBuffer.wrap(new int[] {total}), new long[] {}));
      try (OrtSession.Result r = session.run(inputs, requested)) {
        for (Map.Entry<String, String> e : presentToPast.entrySet()) {
          OnnxValue v = r.get(e.getKey()).get();
          ByteBuffer bb = ((OnnxTensor) v).getByteBuffer();
          byte[] dst = past.get(e.getValue());
          bb.get(dst, 0, Math.min(dst.length, bb.remaining()));
        }
      }
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }
}
