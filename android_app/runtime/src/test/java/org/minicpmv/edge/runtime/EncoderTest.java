package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class EncoderTest {
  @Test
  void cpuEncoderOutputsMatchPython() throws Exception {
    Bundle bundle = Bundle.open(RuntimeVectors.tinyBundle(), null);
    JSONArray cases = RuntimeVectors.array("encoder.json");
    assertTrue(cases.length() >= 4);
    try (EncoderSession enc = Encoders.open(bundle, new EncoderOptions())) {
      assertEquals("cpu", enc.name());
      assertEquals("host-measured", enc.provenance());
      assertNull(enc.fallbackReason());
      for (int i = 0; i < cases.length(); i++) {
        JSONObject c = cases.getJSONObject(i);
        float[] want = RuntimeVectors.floats(c.getString("output"));
        float[] got = enc.encode(RuntimeVectors.floats(c.getString("input")), c.getInt("side"));
        assertEquals(want.length, got.length);
        double cos = RuntimeVectors.cosine(got, 0, want, 0, want.length);
        assertTrue(cos >= 0.99999, "case " + i + ": cosine " + cos);
      }
    }
  }

  @Test
  void npuUnavailableFallsBackToCpuWithTheReason() throws Exception {
    Bundle bundle = Bundle.open(RuntimeVectors.tinyBundle(), null);
    EncoderOptions opts = new EncoderOptions();
    opts.backend = "qnn";
    opts.chip = "sm8650";
    opts.performanceMode = "sustained_high_performance";
    assertEquals("qnn-sm8650-w8a16", QnnEncoder.pickBuild(bundle, "sm8650", null).name);
    try (EncoderSession enc = Encoders.open(bundle, opts)) {
      assertEquals("cpu", enc.name());
      String reason = enc.fallbackReason();
      assertTrue(reason != null && reason.contains("QNN"), "reason: " + reason);
      assertTrue(reason.contains("not supported in this build"), "reason: " + reason);
      float[] x = new float[3 * 280 * 280];
      assertEquals(64 * 256, enc.encode(x, 280).length);
    }
    opts.chip = "sm8550";
    try (EncoderSession enc = Encoders.open(bundle, opts)) {
      assertTrue(enc.fallbackReason().contains("not compiled for sm8550"), enc.fallbackReason());
    }
  }

  @Test
  void unknownBackendAndWrongInputAreErrors() throws Exception {
    Bundle bundle = Bundle.open(RuntimeVectors.tinyBundle(), null);
    EncoderOptions opts = new EncoderOptions();
    opts.backend = "tpu";
    assertThrows(EdgeException.class, () -> Encoders.open(bundle, opts));
    try (EncoderSession enc = Encoders.open(bundle, new EncoderOptions())) {
      assertThrows(EdgeException.class, () -> enc.encode(new float[10], 280));
      EdgeException e = assertThrows(EdgeException.class, () -> enc.encode(new float[3 * 336 * 336], 336));
      assertTrue(e.getMessage().contains("no 336x336 encoder"), e.getMessage());
    }
  }
}
