package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class PreprocessTest {
  /** One 8-bit level after (x/255 - 0.5) / 0.5. */
  private static final double ONE_LEVEL = 2.0 / 255.0;

  @Test
  void pixelTensorsMatchPythonWithinOneLevelInEveryMode() throws Exception {
    JSONArray images = RuntimeVectors.object("images.json").getJSONArray("images");
    int compared = 0;
    int exact = 0;
    for (int i = 0; i < images.length(); i++) {
      JSONObject entry = images.getJSONObject(i);
      RgbImage img = RuntimeVectors.image(entry);
      JSONArray modes = entry.getJSONArray("modes");
      for (int m = 0; m < modes.length(); m++) {
        JSONObject want = modes.getJSONObject(m);
        String where = entry.getString("name") + " " + want.getString("mode");
        Preprocess.PreprocessedImage got = Preprocess.preprocess(img, want.getString("mode"), 448, 9);
        assertArrayEquals(RuntimeVectors.intArray(want.optJSONArray("grid")), got.grid, where + " grid");
        JSONArray inputs = want.getJSONArray("inputs");
        assertEquals(inputs.length(), got.inputs.size(), where + " inputs");
        float[] pixels = RuntimeVectors.floats(want.getString("pixels"));
        int offset = 0;
        for (int k = 0; k < inputs.length(); k++) {
          JSONObject wi = inputs.getJSONObject(k);
          Preprocess.EncoderInput gi = got.inputs.get(k);
          assertEquals(wi.getInt("side"), gi.side, where + " side");
          assertEquals(wi.getString("role"), gi.role, where + " role");
          assertEquals(wi.getInt("row"), gi.row, where + " row");
          assertEquals(wi.getInt("col"), gi.col, where + " col");
          double maxDiff = 0;
          for (int j = 0; j < gi.pixelValues.length; j++) {
            maxDiff = Math.max(maxDiff, Math.abs(gi.pixelValues[j] - pixels[offset + j]));
          }
          offset += gi.pixelValues.length;
          assertTrue(maxDiff <= ONE_LEVEL + 1e-6, where + " input " + k + ": max abs diff " + maxDiff);
          compared++;
          exact += maxDiff == 0 ? 1 : 0;
        }
        assertEquals(pixels.length, offset, where + " total values");
      }
    }
    assertTrue(compared >= 15, "compared " + compared + " tensors");
    System.out.println("pixel tensors: " + exact + "/" + compared + " bit-identical to Python");
  }

  @Test
  void alphaIsFlattenedOntoWhiteExactlyAsPillow() throws Exception {
    JSONObject a = RuntimeVectors.object("images.json").getJSONObject("alpha");
    RgbImage got = Images.fromArgb(RuntimeVectors.ints(a.getString("argb")), a.getInt("width"), a.getInt("height"),
        Images.DEFAULT_MAX_PIXELS);
    assertArrayEquals(RuntimeVectors.bytes(a.getString("rgb")), got.rgb);
  }

  @Test
  void badImagesGiveOneLineErrors() {
    ImageException empty = assertThrows(ImageException.class, () -> Images.fromArgb(new int[0], 0, 5, 100));
    assertTrue(empty.getMessage().contains("empty"));
    ImageException huge = assertThrows(ImageException.class, () -> Images.fromArgb(new int[0], 20_000, 20_000,
        Images.DEFAULT_MAX_PIXELS));
    assertTrue(huge.getMessage().contains("over the limit"));
    assertThrows(ImageException.class, () -> Images.fromRgb(new byte[5], 2, 2, 100));
    EdgeException mode = assertThrows(EdgeException.class,
        () -> Preprocess.preprocess(new RgbImage(2, 2, new byte[12]), "fixed-300", 448, 9));
    assertTrue(mode.getMessage().contains("unknown preprocessing mode"));
  }

  @Test
  void resamplingKernelIsKeysCubicWithAMinusHalf() {
    assertEquals(1.0, Resample.filter(0.0), 0.0);
    assertEquals(0.0, Resample.filter(1.0), 0.0);
    assertEquals(0.5625, Resample.filter(-0.5), 1e-12);
    assertEquals(-0.0625, Resample.filter(1.5), 1e-12);
    assertEquals(0.0, Resample.filter(2.0), 0.0);
  }
}
