package org.minicpmv.edge.runtime;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** What the prompt builder needs from a bundle: layout style, ids and the query count Q per image or slice. */
public final class PromptSpec {
  /** "minicpm-v2" (2.0), "llama3" (2.5) or "chatml" (2.6). */
  public final String style;

  public final int queryNum;
  public final int bosId;
  public final int unkId;
  public final Map<String, Integer> specialTokens;

  public PromptSpec(String style, int queryNum, int bosId, int unkId, Map<String, Integer> specialTokens) {
    this.style = style;
    this.queryNum = queryNum;
    this.bosId = bosId;
    this.unkId = unkId;
    this.specialTokens = Collections.unmodifiableMap(new HashMap<String, Integer>(specialTokens));
  }
}
