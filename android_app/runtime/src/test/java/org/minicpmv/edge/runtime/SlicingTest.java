package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class SlicingTest {
  @Test
  void slicePlansMatchPythonForTwoThousandSizes() throws Exception {
    JSONArray plans = RuntimeVectors.array("slicing.json");
    assertEquals(2000, plans.length());
    for (int i = 0; i < plans.length(); i++) {
      JSONObject want = plans.getJSONObject(i);
      int[] size = RuntimeVectors.intArray(want.getJSONArray("size"));
      Slicing.SlicePlan got = Slicing.plan(size[0], size[1], Slicing.MAX_SLICE_NUMS);
      String where = size[0] + "x" + size[1];
      assertArrayEquals(RuntimeVectors.intArray(want.getJSONArray("source")), got.source, where + " source");
      assertArrayEquals(RuntimeVectors.intArray(want.optJSONArray("grid")), got.grid, where + " grid");
      assertArrayEquals(RuntimeVectors.intArray(want.optJSONArray("refine")), got.refine, where + " refine");
      assertArrayEquals(RuntimeVectors.intArray(want.optJSONArray("slice")), got.sliceSize, where + " slice");
    }
  }

  @Test
  void roundingIsHalfToEvenLikePython() {
    assertEquals(28, Slicing.ensureDivide(21.0, 14)); // 1.5 -> 2
    assertEquals(28, Slicing.ensureDivide(35.0, 14)); // 2.5 -> 2
    assertEquals(14, Slicing.ensureDivide(3.0, 14)); // at least one patch
  }

  @Test
  void rejectsEmptySizes() {
    assertThrows(IllegalArgumentException.class, () -> Slicing.plan(0, 10, 9));
  }
}
