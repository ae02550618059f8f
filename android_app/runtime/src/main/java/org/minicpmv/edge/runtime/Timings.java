package org.minicpmv.edge.runtime;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Stage timings of one generate call (Python: runtime/timings.py). {@link #asDict()} has exactly the keys of
 * Python's {@code Timings.as_dict()}, so reports from both runtimes read the same. Seconds; memory in MiB.
 *
 * <p>One difference by design: Python's preprocess_s includes decoding the image file; here the caller decodes
 * (BitmapFactory), so preprocess_s covers resampling and normalisation only.
 */
public final class Timings {
  public double preprocessS;
  public double encodeS;
  /** Overview first, then slices. */
  public final List<Double> encodePerInputS = new ArrayList<Double>();

  public final List<Integer> encodeShapes = new ArrayList<Integer>();
  public double prefillS;
  public int prefillTokens;
  /** Image in -> first answer token chosen (preprocess + encode + prefill + sampling). */
  public double ttftS;
  /** The decode steps after the first token. */
  public double decodeS;

  public int decodeSteps;
  public int tokensGenerated;
  public final List<Double> tokenLatenciesS = new ArrayList<Double>();
  public double peakRssMb;
  public String encoderBackend = "cpu";
  /** Chip key of the encoder's compiled build; null: this machine's CPU. */
  public String encoderChip;

  public String encoderPrecision = "fp32";
  /** host-measured | emulated | device-measured. */
  public String encoderProvenance = machineProvenance();

  public String llmProvenance = machineProvenance();
  /** What ran the LLM (Python also has "llama.cpp"; the Java runtime runs the int4 ONNX decoder). */
  public String decoderBackend = "onnxruntime-int4";

  public double decodeTokS() {
    return decodeS > 0 ? decodeSteps / decodeS : 0.0;
  }

  public JSONObject asDict() {
    try {
      return new JSONObject()
          .put("preprocess_s", preprocessS)
          .put("encode_s", encodeS)
          .put("encode_per_input_s", new JSONArray(encodePerInputS))
          .put("encode_shapes", new JSONArray(encodeShapes))
          .put("prefill_s", prefillS)
          .put("prefill_tokens", prefillTokens)
          .put("ttft_s", ttftS)
          .put("decode_s", decodeS)
          .put("decode_steps", decodeSteps)
          .put("tokens_generated", tokensGenerated)
          .put("token_latencies_s", new JSONArray(tokenLatenciesS))
          .put("peak_rss_mb", peakRssMb)
          .put("encoder_backend", encoderBackend)
          .put("encoder_chip", encoderChip == null ? JSONObject.NULL : encoderChip)
          .put("encoder_precision", encoderPrecision)
          .put("encoder_provenance", encoderProvenance)
          .put("llm_provenance", llmProvenance)
          .put("decoder_backend", decoderBackend)
          .put("decode_tok_s", decodeTokS());
    } catch (JSONException e) {
      throw new IllegalStateException("a timing is not a finite number", e);
    }
  }

  /** "device-measured" on Android (ART), "host-measured" on any other JVM. */
  public static String machineProvenance() {
    return "Dalvik".equals(System.getProperty("java.vm.name")) ? "device-measured" : "host-measured";
  }

  /** Peak resident set size of this process so far in MiB (VmHWM of /proc/self/status; 0 where unreadable). */
  public static double peakRssMb() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(new FileInputStream("/proc/self/status"), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux: report 0 rather than a guess.
    }
    return 0.0;
  }
}
