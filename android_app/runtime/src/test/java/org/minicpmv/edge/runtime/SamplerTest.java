package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class SamplerTest {
  @Test
  void penaltyTopKTopPDistributionAndGreedyChoiceMatchPython() throws Exception {
    JSONArray cases = RuntimeVectors.array("sampler.json");
    int sampled = 0;
    for (int i = 0; i < cases.length(); i++) {
      JSONObject c = cases.getJSONObject(i);
      JSONArray l = c.getJSONArray("logits");
      float[] logits = new float[l.length()];
      for (int j = 0; j < logits.length; j++) {
        logits[j] = (float) l.getDouble(j);
      }
      int[] history = RuntimeVectors.intArray(c.getJSONArray("history"));
      Sampling cfg = new Sampling();
      cfg.temperature = c.getDouble("temperature");
      cfg.topP = c.getDouble("top_p");
      cfg.topK = c.getInt("top_k");
      cfg.repetitionPenalty = c.getDouble("repetition_penalty");
      Sampler s = new Sampler(cfg);
      if (cfg.temperature <= 0) {
        assertEquals(c.getInt("chosen"), s.next(logits, history, history.length), "case " + i);
        continue;
      }
      JSONObject want = c.getJSONObject("candidates");
      Sampler.Candidates got = s.candidates(logits, history, history.length);
      assertArrayEquals(RuntimeVectors.intArray(want.getJSONArray("ids")), got.ids, "case " + i + " ids");
      JSONArray p = want.getJSONArray("probs");
      for (int j = 0; j < got.probs.length; j++) {
        assertEquals(p.getDouble(j), got.probs[j], 1e-9, "case " + i + " prob " + j);
      }
      int pick = s.next(logits, history, history.length);
      boolean member = false;
      for (int id : got.ids) {
        member |= id == pick;
      }
      assertTrue(member, "a sampled id comes from the kept candidates");
      sampled++;
    }
    assertTrue(sampled >= 10, "sampled cases: " + sampled);
  }
}
