package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineTest {
  private Bundle bundle;
  private Pipeline pipe;
  private JSONArray cases;

  @BeforeAll
  void open() throws Exception {
    bundle = Bundle.open(RuntimeVectors.tinyBundle(), null);
    Pipeline.Options o = new Pipeline.Options();
    o.maxContext = 512;
    pipe = new Pipeline(bundle, o);
    cases = RuntimeVectors.array("generation.json");
  }

  @AfterAll
  void close() {
    pipe.close();
  }

  private RgbImage imageNamed(String name) throws Exception {
    JSONArray images = RuntimeVectors.object("images.json").getJSONArray("images");
    for (int i = 0; i < images.length(); i++) {
      if (images.getJSONObject(i).getString("name").equals(name)) {
        return RuntimeVectors.image(images.getJSONObject(i));
      }
    }
    throw new IllegalArgumentException(name);
  }

  @Test
  void greedyGenerationMatchesPythonIdsAndLogitsAtEveryStep() throws Exception {
    assertEquals(2, cases.length());
    for (int c = 0; c < cases.length(); c++) {
      JSONObject want = cases.getJSONObject(c);
      final List<float[]> logits = new ArrayList<float[]>();
      pipe.setStepListener((step, l, id) -> logits.add(l.clone()));
      final StringBuilder streamed = new StringBuilder();
      Pipeline.Result r = pipe.generate(imageNamed(want.getString("image")), want.getString("prompt"),
          want.getString("mode"), 32, Sampling.greedy(), streamed::append);
      pipe.setStepListener(null);
      String where = want.getString("image") + " " + want.getString("mode");
      assertArrayEquals(RuntimeVectors.intArray(want.getJSONArray("ids")), r.tokenIds, where + " ids");
      assertEquals(32, r.tokenIds.length);
      assertEquals(want.getString("text"), r.text, where + " text");
      assertEquals(r.text, streamed.toString(), where + " streamed text");
      assertEquals(want.getInt("prefill_tokens"), r.timings.prefillTokens);
      float[] pyLogits = RuntimeVectors.floats(want.getString("logits"));
      int vocab = want.getInt("vocab");
      assertEquals(want.getInt("steps"), logits.size(), where + " steps");
      double worst = 1;
      for (int s = 0; s < logits.size(); s++) {
        double cos = RuntimeVectors.cosine(logits.get(s), 0, pyLogits, s * vocab, vocab);
        worst = Math.min(worst, cos);
        assertTrue(cos >= 0.9999, where + " step " + s + ": logits cosine " + cos);
      }
      System.out.println(where + ": 32 ids equal, worst logits cosine " + worst);
      assertFalse(r.cancelled);
      assertEquals(31, r.timings.decodeSteps);
      assertEquals(32, r.timings.tokensGenerated);
    }
  }

  @Test
  void kvCacheIsWrittenInPlaceWithoutCopies() throws Exception {
    Decoder d = pipe.decoder();
    List<ByteBuffer> before = new ArrayList<ByteBuffer>(d.kvCache());
    Pipeline.Result r = pipe.generate(imageNamed("photo"), "What?", "fixed-280", 4, Sampling.greedy(), null);
    List<ByteBuffer> after = d.kvCache();
    assertEquals(before.size(), after.size());
    int filled = r.timings.prefillTokens + 3;
    assertEquals(filled, d.position());
    for (int i = 0; i < after.size(); i++) {
      assertTrue(before.get(i) == after.get(i), "the same direct buffer stays bound");
    }
    // Layout [1, heads, maxContext, headDim]: rows below `position` were written by ORT into our buffer.
    ByteBuffer key0 = after.get(0);
    int rowBytes = bundle.section("llm").getInt("head_dim") * (d.kvDtype().equals("float16") ? 2 : 4);
    int written = 0;
    for (int j = 0; j < rowBytes; j++) {
      written += key0.get((filled - 1) * rowBytes + j) != 0 ? 1 : 0;
    }
    assertTrue(written > 0, "the last filled position holds keys");
  }

  @Test
  void grownKvCacheGivesThePreallocatedLogits() throws Exception {
    // Starts at 8 positions, grows in chunks of 8 through a prefill that jumps two chunks and steps across
    // chunk edges: the same logits, bit for bit, as a cache preallocated for maxContext; reset shrinks it.
    try (Decoder full = new Decoder(bundle, 48, 0, 0); Decoder grown = new Decoder(bundle, 48, 0, 8)) {
      assertEquals(48, full.kvCapacity());
      assertEquals(8, grown.kvCapacity());
      int[] ids = new int[48];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (i * 37 + 11) % full.vocabSize();
      }
      float[] embeds = full.embed(ids);
      int h = full.hiddenSize();
      assertArrayEquals(full.prefill(java.util.Arrays.copyOfRange(embeds, 0, 5 * h), 5),
          grown.prefill(java.util.Arrays.copyOfRange(embeds, 0, 5 * h), 5));
      assertArrayEquals(full.prefill(java.util.Arrays.copyOfRange(embeds, 5 * h, 22 * h), 17),
          grown.prefill(java.util.Arrays.copyOfRange(embeds, 5 * h, 22 * h), 17));
      assertEquals(24, grown.kvCapacity());
      for (int r = 22; r < 48; r++) {
        float[] row = java.util.Arrays.copyOfRange(embeds, r * h, (r + 1) * h);
        assertArrayEquals(full.step(row), grown.step(row), "position " + r);
      }
      assertEquals(48, grown.kvCapacity());
      assertThrows(ContextOverflowException.class, () -> grown.step(new float[h]));
      grown.reset();
      assertEquals(8, grown.kvCapacity());
      JSONObject llm = bundle.section("llm");
      int item = grown.kvDtype().equals("float16") ? 2 : 4;
      assertEquals(8 * llm.getInt("num_kv_heads") * llm.getInt("head_dim") * item, grown.kvCache().get(0).capacity());
    }
  }

  @Test
  void cancelStopsAfterTheCurrentStep() throws Exception {
    pipe.setStepListener((step, logits, id) -> {
      if (step == 2) {
        pipe.cancel();
      }
    });
    Pipeline.Result r = pipe.generate(imageNamed("photo"), "What?", "fixed-280", 32, Sampling.greedy(), null);
    pipe.setStepListener(null);
    assertTrue(r.cancelled);
    assertEquals(2, r.tokenIds.length, "the tokens emitted before step 2's token, which is dropped");
    Pipeline.Result again = pipe.generate(imageNamed("photo"), "What?", "fixed-280", 2, Sampling.greedy(), null);
    assertFalse(again.cancelled, "a new generate starts uncancelled");
  }

  @Test
  void promptLongerThanTheContextIsAOneLineError() throws Exception {
    Pipeline.Options o = new Pipeline.Options();
    o.maxContext = 80;
    try (Pipeline small = new Pipeline(bundle, o)) {
      ContextOverflowException e = assertThrows(ContextOverflowException.class,
          () -> small.generate(imageNamed("photo"), "What?", "fixed-280", 8, Sampling.greedy(), null));
      assertTrue(e.getMessage().contains("exceed the context length 80"), e.getMessage());
      assertThrows(ContextOverflowException.class, () -> small.decoder().prefill(new float[81 * 256], 81));
    }
    EdgeException tooBig = assertThrows(EdgeException.class, () -> new Decoder(bundle, 4096, 0));
    assertTrue(tooBig.getMessage().contains("max_context 4096"), tooBig.getMessage());
  }

  @Test
  void timingsHaveExactlyPythonsKeys() throws Exception {
    Pipeline.Result r = pipe.generate(imageNamed("photo"), "What?", "uhd", 3, Sampling.greedy(), null);
    JSONObject d = r.timings.asDict();
    Set<String> keys = new HashSet<String>();
    for (Iterator<String> it = d.keys(); it.hasNext(); ) {
      keys.add(it.next());
    }
    Set<String> python = new HashSet<String>();
    JSONArray want = RuntimeVectors.object("timings.json").getJSONArray("keys");
    for (int i = 0; i < want.length(); i++) {
      python.add(want.getString(i));
    }
    assertEquals(python, keys);
    assertEquals(r.timings.encodeShapes.size(), r.timings.encodePerInputS.size());
    assertTrue(r.timings.peakRssMb > 0);
    assertTrue(r.timings.ttftS >= r.timings.prefillS + r.timings.encodeS);
  }

  @Test
  void benchmarkWriterWritesTheAndroidBenchmarkJson() throws Exception {
    BenchmarkWriter w = new BenchmarkWriter("host-measured")
        .app("org.minicpmv.edge", "0.1.0", 1)
        .device("host", System.getProperty("os.name"), System.getProperty("os.arch"), "none (host JVM)", 0, 0)
        .bundle(bundle, "fp32", "int4", null)
        .encoderBackend(pipe.encoder().name())
        .settings("fixed-280", 3, 8, 0, 0, "photo")
        .note("written by the Java host tests");
    EdgeException empty = assertThrows(EdgeException.class, w::toJson);
    assertTrue(empty.getMessage().contains("no runs"));
    for (int i = 0; i < 2; i++) {
      w.addRun(pipe.generate(imageNamed("photo"), "What?", "fixed-280", 8, Sampling.greedy(), null).timings);
    }
    File out = new File(RuntimeVectors.outDir(), "java-host-benchmark.json");
    w.write(out);
    JSONObject doc = new JSONObject(new String(java.nio.file.Files.readAllBytes(out.toPath()), "UTF-8"));
    assertEquals("minicpmv-edge/android-benchmark", doc.getString("schema"));
    assertEquals("host-measured", doc.getString("provenance"));
    assertEquals(2, doc.getJSONArray("runs").length());
    assertTrue(doc.getJSONObject("bundle").getBoolean("synthetic"));
    assertThrows(IllegalArgumentException.class, () -> new BenchmarkWriter("estimated"));
  }
}
