package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class PromptsTest {
  @Test
  void promptTextIdsAndImageBoundsMatchPythonForAllThreeLayouts() throws Exception {
    JSONArray cases = RuntimeVectors.array("prompts.json");
    Map<String, Tokenizer> tokenizers = new HashMap<String, Tokenizer>();
    Set<String> styles = new HashSet<String>();
    for (int i = 0; i < cases.length(); i++) {
      JSONObject c = cases.getJSONObject(i);
      PromptSpec spec = spec(c.getJSONObject("spec"));
      styles.add(spec.style);
      String name = c.getString("tokenizer");
      if (!tokenizers.containsKey(name)) {
        tokenizers.put(name, Tokenizer.fromFile(new File(RuntimeVectors.dir(), name), null));
      }
      int[] grid = RuntimeVectors.intArray(c.optJSONArray("grid"));
      String where = c.getString("preset") + " q=" + JSONObject.quote(c.getString("question")) + " grid="
          + Arrays.toString(grid);
      if (c.has("refused")) { // Python refuses this question (it types an image marker): Java says the same line
        EdgeException err = assertThrows(EdgeException.class,
            () -> Prompts.promptIds(spec, tokenizers.get(name), c.getString("question"), grid), where);
        assertEquals(c.getString("refused"), err.getMessage(), where);
        continue;
      }
      assertEquals(c.getString("text"), Prompts.buildPrompt(spec, c.getString("question"), grid, true), where);
      int[] ids = Prompts.promptIds(spec, tokenizers.get(name), c.getString("question"), grid);
      assertArrayEquals(RuntimeVectors.ints(c.getString("ids")), ids, where + " ids");
      JSONArray want = c.optJSONArray("bounds");
      if (want == null) { // Python refuses this prompt (the question types an image token): so must Java
        assertThrows(EdgeException.class, () -> Prompts.imageBounds(spec, ids), where);
        continue;
      }
      int[][] bounds = Prompts.imageBounds(spec, ids);
      assertEquals(want.length(), bounds.length, where + " bounds");
      for (int b = 0; b < bounds.length; b++) {
        assertArrayEquals(RuntimeVectors.intArray(want.getJSONArray(b)), bounds[b], where + " bound " + b);
      }
    }
    assertEquals(new HashSet<String>(Arrays.asList("minicpm-v2", "llama3", "chatml")), styles);
  }

  @Test
  void spliceReplacesExactlyThePlaceholderRows() throws Exception {
    float[] text = new float[6 * 2];
    Arrays.fill(text, 7f);
    float[] img = {1, 2, 3, 4};
    float[] out = Prompts.splice(text, 2, new int[][] {{2, 4}}, Arrays.asList(img));
    assertArrayEquals(new float[] {7, 7, 7, 7, 1, 2, 3, 4, 7, 7, 7, 7}, out);
    assertThrows(EdgeException.class, () -> Prompts.splice(text, 2, new int[][] {{2, 4}}, Arrays.<float[]>asList()));
  }

  @Test
  void wrongPlaceholderCountIsAnError() {
    Map<String, Integer> special = new HashMap<String, Integer>();
    special.put("<image>", 10);
    special.put("</image>", 11);
    PromptSpec spec = new PromptSpec("minicpm-v2", 2, 1, 0, special);
    EdgeException e = assertThrows(EdgeException.class, () -> Prompts.imageBounds(spec, new int[] {1, 10, 0, 11}));
    assertTrue(e.getMessage().contains("placeholder"));
  }

  @Test
  void stripFollowsPythonWhitespace() {
    assertEquals("a b", Prompts.pythonStrip("\u3000\u00a0\t a b\u2029\u001f"));
    assertEquals("\u200ba", Prompts.pythonStrip("\u200ba"));
  }

  static PromptSpec spec(JSONObject s) throws Exception {
    Map<String, Integer> special = new HashMap<String, Integer>();
    JSONObject t = s.getJSONObject("special_tokens");
    for (Iterator<String> it = t.keys(); it.hasNext(); ) {
      String k = it.next();
      special.put(k, t.getInt(k));
    }
    return new PromptSpec(s.getString("style"), s.getInt("query_num"), s.getInt("bos_id"), s.getInt("unk_id"), special);
  }
}
