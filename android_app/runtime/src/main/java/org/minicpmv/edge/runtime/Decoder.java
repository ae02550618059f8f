package org.minicpmv.edge.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The int4 ONNX decoder with an in-place KV cache (Python: runtime/decoder.py).
 *
 * <p>One Decoder holds one conversation: a KV buffer per layer and K/V as direct (native) buffers of the bundle's
 * KV dtype (float16 or float32; never read by Java), and {@link #position()}. Each run passes the same {@link
 * OnnxTensor} over that buffer as {@code past_*} input and as a pinned {@code present_*} output, so
 * GroupQueryAttention writes only the new positions into it and no cache is copied between steps (ORT Java's
 * pinned outputs play the part of Python's IOBinding). {@code seqlens_k = total - 1} and {@code
 * total_sequence_length = total} say how many positions are valid. KV memory: see {@link #kvCacheBytes}.
 *
 * <p>The buffers hold {@link #kvCapacity()} positions: {@code kvChunk} (default {@value #DEFAULT_KV_CHUNK}) at first,
 * grown by whole chunks up to {@code maxContext} when a run needs more (the filled rows are copied into the new
 * buffers), and back to one chunk on {@link #reset()}; ORT makes a whole bound buffer resident on the first run, so
 * a preallocated cache would cost its full size (755 MB at 2.0 size, fp16, 2048 positions) from the first token.
 * kvChunk 0 preallocates maxContext.
 *
 * <p>Token embeddings come from the memory-mapped table beside the graph (int8 per-row or fp16), times {@code
 * scale_emb} here; image embeddings passed to {@link #prefill} are used as given (unscaled, as the official models
 * splice them).
 */
public final class Decoder implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Decoder.class.getName());
  public static final int DEFAULT_MAX_CONTEXT = 2048;
  public static final int DEFAULT_KV_CHUNK = 256;

  private final int maxContext;
  private final int hidden;
  private final int vocab;
  private final float scaleEmb;
  private final Npy table;
  private final float[] rowScales;
  private final boolean fp16Table;
  private final OrtSession session;
  private final String nameEmbeds;
  private final String nameSeqlens;
  private final String nameTotal;
  /** Inputs bound for every run: the KV tensors, seqlens_k and total_sequence_length over direct buffers. */
  private final Map<String, OnnxTensor> inputs = new HashMap<String, OnnxTensor>();
  private final Map<String, OnnxValue> pinnedOutputs = new HashMap<String, OnnxValue>();
  private final List<ByteBuffer> cache = new ArrayList<ByteBuffer>();
  /** (past input, present output) names per cache buffer, in {@link #kvCache()} order. */
  private final List<String[]> cacheNames = new ArrayList<String[]>();
  private final String kvDtype;
  private final int kvChunk;
  private final int kvHeads;
  private final int headDim;
  private int capacity;
  private final FloatBuffer logits;
  private final FloatBuffer stepInput;
  private final OnnxTensor stepTensor;
  private final IntBuffer seqlens;
  private final IntBuffer totalLength;
  private int position;

  /**
   * @param maxContext KV positions, at most the model's max_position_embeddings; 0 = min(2048, that)
   * @param threads ORT intra-op threads; 0 lets ORT choose
   */
  public Decoder(Bundle bundle, int maxContext, int threads) throws EdgeException {
    this(bundle, maxContext, threads, DEFAULT_KV_CHUNK);
  }

  /**
   * @param maxContext KV positions, at most the model's max_position_embeddings; 0 = min(2048, that)
   * @param threads ORT intra-op threads; 0 lets ORT choose
   * @param kvChunk KV positions allocated at a time (the cache grows by it); 0 preallocates maxContext
   */
  public Decoder(Bundle bundle, int maxContext, int threads, int kvChunk) throws EdgeException {
    if (kvChunk < 0) {
      throw new EdgeException("kv_chunk must be at least 1 position (0: preallocate max_context), got " + kvChunk);
    }
    this.kvChunk = kvChunk;
    JSONObject s = bundle.section("llm");
    try {
      int limit = s.getInt("max_position_embeddings");
      this.maxContext = maxContext == 0 ? Math.min(DEFAULT_MAX_CONTEXT, limit) : maxContext;
      if (this.maxContext < 1 || this.maxContext > limit) {
        throw new EdgeException(
            "max_context " + this.maxContext + " must be between 1 and the model's " + limit + " positions");
      }
      this.hidden = s.getInt("hidden_size");
      this.vocab = s.getInt("vocab_size");
      this.scaleEmb = (float) s.getDouble("scale_emb");
      this.kvDtype = kvDtype(s);
      JSONObject emb = s.getJSONObject("embedding");
      String storage = emb.getString("storage");
      this.table = Npy.map(bundle.file(bundle.llmPath(emb.getString("table"))));
      this.fp16Table = storage.equals("fp16");
      if (storage.equals("int8-per-row")) {
        Npy scales = Npy.map(bundle.file(bundle.llmPath(emb.getString("scales"))));
        this.rowScales = new float[vocab];
        scales.data.asFloatBuffer().get(rowScales);
      } else if (fp16Table) {
        this.rowScales = null;
      } else {
        throw new EdgeException("embedding storage " + storage + " is not supported (int8-per-row or fp16)");
      }
      String want = fp16Table ? "<f2" : "|i1";
      if (!table.dtype.equals(want) || table.shape.length != 2 || table.shape[0] != vocab || table.shape[1] != hidden) {
        throw new EdgeException("embedding table " + emb.getString("table") + " is not " + want + " [" + vocab + ", "
            + hidden + "]");
      }
      if (s.has("onnx_data")) {
        bundle.file(bundle.llmPath(s.getString("onnx_data")));
      }
      LOG.info(String.format("opening %s (max_context %d: up to %.0f MB of KV cache, %s; threads %s)",
          s.getString("onnx"), this.maxContext, kvCacheBytes(s, this.maxContext) / 1e6,
          kvChunk == 0 ? "preallocated" : "grown in chunks of " + kvChunk + " positions",
          threads > 0 ? Integer.toString(threads) : "auto"));
      this.session = Ort.open(bundle.file(bundle.llmPath(s.getString("onnx"))), Ort.cpuOptions(threads));

      JSONObject in = s.getJSONObject("inputs");
      JSONObject out = s.getJSONObject("outputs");
      this.nameEmbeds = in.getString("inputs_embeds");
      this.nameSeqlens = in.getString("seqlens_k");
      this.nameTotal = in.getString("total_sequence_length");
      int layers = s.getInt("num_layers");
      this.kvHeads = s.getInt("num_kv_heads");
      this.headDim = s.getInt("head_dim");
      for (int i = 0; i < layers; i++) {
        String[][] pairs = {{"past_key", "present_key"}, {"past_value", "present_value"}};
        for (String[] pair : pairs) {
          cacheNames.add(new String[] {layerName(in.getString(pair[0]), i), layerName(out.getString(pair[1]), i)});
        }
      }
      allocate(initialCapacity());
      this.logits = Ort.directFloats(vocab);
      pinnedOutputs.put(out.getString("logits"), Ort.tensor(logits, new long[] {1, 1, vocab}));
      this.stepInput = Ort.directFloats(hidden);
      this.stepTensor = Ort.tensor(stepInput, new long[] {1, 1, hidden});
      this.seqlens = Ort.directInts(1);
      this.totalLength = Ort.directInts(1);
      inputs.put(nameSeqlens, OnnxTensor.createTensor(Ort.env(), seqlens, new long[] {1}));
      inputs.put(nameTotal, OnnxTensor.createTensor(Ort.env(), totalLength, new long[] {}));
    } catch (JSONException e) {
      throw new BundleException("bundle llm section is malformed: " + Bundle.oneLine(e));
    } catch (OrtException e) {
      throw new EdgeException("cannot set up the decoder: " + Ort.firstLine(e));
    }
  }

  private static String layerName(String pattern, int layer) {
    return pattern.replace("{}", Integer.toString(layer));
  }

  private int initialCapacity() {
    return kvChunk == 0 ? maxContext : Math.min(kvChunk, maxContext);
  }

  /**
   * (Re)bind KV buffers of {@code positions} positions, keeping the first {@link #position()} rows of each head.
   * One buffer is copied and the old one released at a time, so growing holds at most one extra K or V.
   */
  private void allocate(int positions) throws OrtException {
    int item = kvDtype.equals("float16") ? 2 : 4;
    int rowBytes = headDim * item;
    long[] shape = {1, kvHeads, positions, headDim};
    for (int j = 0; j < cacheNames.size(); j++) {
      ByteBuffer buf = ByteBuffer.allocateDirect(kvHeads * positions * rowBytes).order(ByteOrder.nativeOrder());
      if (position > 0) {
        ByteBuffer old = cache.get(j);
        for (int h = 0; h < kvHeads; h++) {
          ByteBuffer rows = old.duplicate();
          rows.position(h * capacity * rowBytes).limit(h * capacity * rowBytes + position * rowBytes);
          buf.position(h * positions * rowBytes);
          buf.put(rows);
        }
        buf.clear();
      }
      OnnxTensor t = OnnxTensor.createTensor(Ort.env(), buf, shape,
          kvDtype.equals("float16") ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
      String[] names = cacheNames.get(j);
      OnnxValue previous = pinnedOutputs.put(names[1], t);
      inputs.put(names[0], t);
      if (previous != null) {
        previous.close();
      }
      if (j < cache.size()) {
        cache.set(j, buf);
      } else {
        cache.add(buf);
      }
    }
    capacity = positions;
  }

  /**
   * Grow the KV buffers to hold {@code total} positions now (the next multiple of kvChunk, at most maxContext), as
   * {@link #prefill} and {@link #step} do when they need to.
   */
  public void reserve(int total) throws EdgeException {
    if (total > maxContext) {
      throw new ContextOverflowException(total + " positions exceed the context length " + maxContext);
    }
    if (total <= capacity) {
      return;
    }
    int chunk = kvChunk == 0 ? maxContext : kvChunk;
    int grown = (int) Math.min(maxContext, ((long) total + chunk - 1) / chunk * chunk);
    try {
      allocate(grown);
    } catch (OrtException e) {
      throw new EdgeException("cannot grow the KV cache to " + grown + " positions: " + Ort.firstLine(e));
    }
  }

  /** Positions the KV buffers hold now (maxContext when preallocated). */
  public int kvCapacity() {
    return capacity;
  }

  /** Bytes of the KV buffers for {@code maxContext} positions (all resident once the decoder has run). */
  public static long kvCacheBytes(JSONObject llm, int maxContext) throws EdgeException {
    long itemSize = kvDtype(llm).equals("float16") ? 2 : 4;
    return 2L * llm.optInt("num_layers") * llm.optInt("num_kv_heads") * maxContext * llm.optInt("head_dim") * itemSize;
  }

  /** The KV cache's element type from {@code llm.kv_cache.dtype}: "float16" or "float32" (older bundles: float32). */
  static String kvDtype(JSONObject llm) throws EdgeException {
    JSONObject kv = llm.optJSONObject("kv_cache");
    String dtype = kv == null ? "float32" : kv.optString("dtype", "float32");
    if (!dtype.equals("float32") && !dtype.equals("float16")) {
      throw new EdgeException("KV cache dtype " + dtype + " is not supported (float16 or float32)");
    }
    return dtype;
  }

  public int maxContext() {
    return maxContext;
  }

  /** Positions already in the KV cache (the next token's position). */
  public int position() {
    return position;
  }

  public int hiddenSize() {
    return hidden;
  }

  public int vocabSize() {
    return vocab;
  }

  /** "float16" or "float32". */
  public String kvDtype() {
    return kvDtype;
  }

  public float scaleEmb() {
    return scaleEmb;
  }

  /** The bound KV buffers [key_0, value_0, key_1, ...], each [1, kv_heads, kvCapacity, head_dim] of kvDtype. */
  List<ByteBuffer> kvCache() {
    return Collections.unmodifiableList(cache);
  }

  /**
   * Forget the conversation. A grown cache goes back to one chunk; otherwise stale rows stay, never read (only
   * {@link #position()} rows are valid).
   */
  public void reset() throws EdgeException {
    position = 0;
    if (capacity > initialCapacity()) {
      try {
        allocate(initialCapacity());
      } catch (OrtException e) {
        throw new EdgeException("cannot shrink the KV cache: " + Ort.firstLine(e));
      }
    }
  }

  /** Token ids [n] -> text embeddings float32 [n, H] row-major, dequantized and times scale_emb (float32 math). */
  public float[] embed(int[] ids) throws EdgeException {
    float[] out = new float[ids.length * hidden];
    for (int r = 0; r < ids.length; r++) {
      int id = ids[r];
      if (id < 0 || id >= vocab) {
        throw new EdgeException("token ids must be in [0, " + vocab + "), got " + id);
      }
      int base = r * hidden;
      if (fp16Table) {
        long off = (long) id * hidden * 2;
        for (int j = 0; j < hidden; j++) {
          out[base + j] = Npy.halfToFloat(table.data.getShort((int) (off + 2L * j))) * scaleEmb;
        }
      } else {
        float scale = rowScales[id] * scaleEmb;
        int off = id * hidden;
        for (int j = 0; j < hidden; j++) {
          out[base + j] = table.data.get(off + j) * scale;
        }
      }
    }
    return out;
  }

  /**
   * Append {@code rows} embeddings float32 [rows, H] (text rows from {@link #embed}, image rows unscaled) at
   * {@link #position()}; returns float32 logits [V] of the last row.
   */
  public float[] prefill(float[] embeds, int rows) throws EdgeException {
    if (rows < 1 || embeds.length != rows * hidden) {
      throw new EdgeException("prefill needs embeddings [S, " + hidden + "] with S >= 1, got " + embeds.length
          + " values for " + rows + " rows");
    }
    if (position + rows > maxContext) {
      throw new ContextOverflowException(
          "prompt plus image tokens (" + (position + rows) + ") exceed the context length " + maxContext);
    }
    FloatBuffer in = Ort.directFloats((long) rows * hidden);
    in.put(embeds).flip();
    try (OnnxTensor x = Ort.tensor(in, new long[] {1, rows, hidden})) {
      return run(x, rows);
    } catch (OrtException e) {
      throw new EdgeException("decoder prefill failed: " + Ort.firstLine(e));
    }
  }

  /** One token: {@code embed} float32 [H] -> logits float32 [V] of its position. */
  public float[] step(float[] embed) throws EdgeException {
    if (embed.length != hidden) {
      throw new EdgeException("step needs one embedding of " + hidden + " values, got " + embed.length);
    }
    if (position >= maxContext) {
      throw new ContextOverflowException(
          "prompt plus generated tokens (" + (position + 1) + ") exceed the context length " + maxContext);
    }
    stepInput.clear();
    stepInput.put(embed).flip();
    return run(stepTensor, 1);
  }

  /** One session run over the bound buffers: nothing is allocated or copied but the logits read back. */
  private float[] run(OnnxTensor embeds, int rows) throws EdgeException {
    int total = position + rows;
    reserve(total);
    seqlens.put(0, total - 1);
    totalLength.put(0, total);
    inputs.put(nameEmbeds, embeds);
    try {
      session.run(inputs, pinnedOutputs).close();
    } catch (OrtException e) {
      throw new EdgeException("decoder run failed: " + Ort.firstLine(e));
    } finally {
      inputs.remove(nameEmbeds);
    }
    position = total;
    float[] out = new float[vocab];
    logits.clear();
    logits.get(out);
    return out;
  }

  @Override
  public void close() {
    for (OnnxValue v : pinnedOutputs.values()) {
      v.close();
    }
    inputs.get(nameSeqlens).close();
    inputs.get(nameTotal).close();
    stepTensor.close();
    try {
      session.close();
    } catch (OrtException e) {
      // Native memory is released on a best-effort basis; nothing for the caller to do.
    }
  }
}
