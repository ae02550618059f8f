package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * N timed runs -> the JSON that {@code minicpmv-edge bench --import FILE} reads
 * (minicpmv_edge/bench/schemas/android_benchmark.schema.json). The caller says where the numbers come from:
 * "device-measured" in the app on a phone, "host-measured" on a desktop JVM.
 */
public final class BenchmarkWriter {
  public static final String SCHEMA = "minicpmv-edge/android-benchmark";
  public static final int SCHEMA_VERSION = 1;

  private final String provenance;
  private JSONObject app;
  private JSONObject device;
  private JSONObject bundle;
  private String encoderBackend;
  private JSONObject settings;
  private String note;
  private final List<Timings> runs = new ArrayList<Timings>();

  public BenchmarkWriter(String provenance) {
    if (!provenance.equals("device-measured") && !provenance.equals("host-measured")) {
      throw new IllegalArgumentException("provenance must be device-measured or host-measured, got " + provenance);
    }
    this.provenance = provenance;
  }

  public BenchmarkWriter app(String name, String version, int versionCode) {
    app = obj("name", name, "version", version, "version_code", versionCode);
    return this;
  }

  public BenchmarkWriter device(
      String manufacturer, String model, String soc, String androidVersion, int apiLevel, double ramGib) {
    device = obj("manufacturer", manufacturer, "model", model, "soc", soc, "android_version", androidVersion,
        "api_level", apiLevel, "ram_gib", ramGib);
    return this;
  }

  /** Preset and synthetic flag from the manifest; precisions and the compiled build (may be null) from the caller. */
  public BenchmarkWriter bundle(Bundle b, String visionPrecision, String llmPrecision, String compiledBuild) {
    bundle = obj("preset", b.preset(), "synthetic", b.synthetic(),
        "precision", obj("vision", visionPrecision, "llm", llmPrecision));
    if (compiledBuild != null) {
      put(bundle, "compiled_build", compiledBuild);
    }
    return this;
  }

  public BenchmarkWriter encoderBackend(String name) {
    encoderBackend = name;
    return this;
  }

  /** @param promptTextTokens tokens of the question text alone (no BOS, template or image tokens) */
  public BenchmarkWriter settings(
      String mode, int promptTextTokens, int maxNewTokens, int threads, int warmup, String image) {
    settings = obj("mode", mode, "prompt_text_tokens", promptTextTokens, "max_new_tokens", maxNewTokens,
        "warmup", warmup, "image", image);
    if (threads > 0) {
      put(settings, "threads", threads);
    }
    return this;
  }

  public BenchmarkWriter note(String text) {
    note = text;
    return this;
  }

  /** One timed run (warm-ups excluded), in order. */
  public void addRun(Timings t) {
    runs.add(t);
  }

  /** The document; a missing required part is an error naming it. */
  public JSONObject toJson() throws EdgeException {
    String missing = app == null ? "app" : device == null ? "device" : bundle == null ? "bundle"
        : encoderBackend == null ? "encoder backend" : runs.isEmpty() ? "runs" : null;
    if (missing != null) {
      throw new EdgeException("benchmark result has no " + missing);
    }
    JSONArray rs = new JSONArray();
    double peak = 0;
    for (Timings t : runs) {
      JSONObject r = obj("preprocess_s", t.preprocessS, "encode_s", t.encodeS,
          "encode_per_input_s", new JSONArray(t.encodePerInputS), "encode_shapes", new JSONArray(t.encodeShapes),
          "prefill_s", t.prefillS, "prefill_tokens", t.prefillTokens, "ttft_s", t.ttftS,
          "decode_tok_s", t.decodeTokS(), "decode_tokens", t.tokensGenerated,
          "token_latencies_s", new JSONArray(t.tokenLatenciesS));
      rs.put(r);
      peak = Math.max(peak, t.peakRssMb);
    }
    SimpleDateFormat iso = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'", java.util.Locale.ROOT);
    iso.setTimeZone(TimeZone.getTimeZone("UTC"));
    JSONObject doc = obj("schema", SCHEMA, "schema_version", SCHEMA_VERSION, "provenance", provenance,
        "created_at", iso.format(new Date()), "app", app, "device", device, "bundle", bundle,
        "encoder_backend", encoderBackend, "runs", rs, "peak_memory_mb", peak);
    if (settings != null) {
      put(doc, "settings", settings);
    }
    if (note != null) {
      put(doc, "note", note);
    }
    return doc;
  }

  /** Write {@link #toJson()} to {@code out} atomically (temp file, then rename). */
  public void write(File out) throws EdgeException {
    try {
      Io.writeAtomic(out, toJson().toString(2).getBytes(StandardCharsets.UTF_8));
    } catch (IOException | JSONException e) {
      throw new EdgeException("cannot write " + out + ": " + Bundle.oneLine(e));
    }
  }

  private static JSONObject obj(Object... kv) {
    JSONObject o = new JSONObject();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        put(o, (String) kv[i], kv[i + 1]);
      }
    }
    return o;
  }

  private static void put(JSONObject o, String key, Object value) {
    try {
      o.put(key, value);
    } catch (JSONException e) {
      throw new IllegalArgumentException("benchmark field " + key + " is not a finite number", e);
    }
  }
}
