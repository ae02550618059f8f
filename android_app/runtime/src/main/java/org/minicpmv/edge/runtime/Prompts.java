package org.minicpmv.edge.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompt layouts of MiniCPM-V 2.0 / 2.5 / 2.6 and where the image embeddings go (Python: runtime/prompts.py).
 * The image placeholder is {@code <unk>} x Q per image or slice; the splice replaces exactly those positions, in
 * the order [overview, slice(0,0), slice(0,1), ...].
 */
public final class Prompts {
  public static final String V26_SYSTEM = "You are a helpful assistant.";

  private Prompts() {}

  private static String tile(String start, String end, int q) {
    StringBuilder sb = new StringBuilder(start);
    for (int i = 0; i < q; i++) {
      sb.append("<unk>");
    }
    return sb.append(end).toString();
  }

  private static String gridRows(int[] grid, String tile) {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < grid[1]; r++) {
      if (r > 0) {
        sb.append('\n');
      }
      for (int c = 0; c < grid[0]; c++) {
        sb.append(tile);
      }
    }
    return sb.toString();
  }

  /** The text standing for one image: overview tile, then the slice tiles (if sliced) in raster order. */
  public static String imagePlaceholder(String style, int queryNum, int[] grid) {
    if (style.equals("chatml")) {
      String text = "<image_id>0</image_id>" + tile("<image>", "</image>", queryNum);
      return text + (grid != null ? gridRows(grid, tile("<slice>", "</slice>", queryNum)) : "");
    }
    String text = tile("<image>", "</image>", queryNum);
    return text + (grid != null ? "<slice>" + gridRows(grid, text) + "</slice>" : "");
  }

  /** Tokens that mark where the image goes (prompts.py IMAGE_MARKERS): a question that types one is refused. */
  static final String[] IMAGE_MARKERS = {"<image>", "</image>", "<slice>", "</slice>", "<image_id>", "</image_id>"};

  /** Refuse a question holding an image marker, with the same line as Python's `check_question`. */
  public static void checkQuestion(String question) throws EdgeException {
    for (String marker : IMAGE_MARKERS) {
      if (question.contains(marker)) {
        throw new EdgeException("the prompt contains " + marker
            + ", which marks where the image goes; write it without the angle brackets");
      }
    }
  }

  /** The full prompt text up to where the assistant's answer starts (BOS excluded; see {@link #promptIds}). */
  public static String buildPrompt(PromptSpec spec, String question, int[] grid, boolean withImage)
      throws EdgeException {
    checkQuestion(question);
    String content = (withImage ? imagePlaceholder(spec.style, spec.queryNum, grid) + "\n" : "") + question;
    if (spec.style.equals("minicpm-v2")) {
      return "<用户>" + content + "<AI>";
    }
    if (spec.style.equals("llama3")) {
      return "<|start_header_id|>user<|end_header_id|>\n\n" + pythonStrip(content) + "<|eot_id|>"
          + "<|start_header_id|>assistant<|end_header_id|>\n\n";
    }
    if (spec.style.equals("chatml")) {
      return "<|im_start|>system\n" + V26_SYSTEM + "<|im_end|>\n<|im_start|>user\n" + content + "<|im_end|>\n"
          + "<|im_start|>assistant\n";
    }
    throw new IllegalArgumentException("unknown prompt style '" + spec.style + "'");
  }

  /** Token ids of the prompt. 2.0 and 2.5 start with BOS; 2.6's ChatML adds none (as upstream). */
  public static int[] promptIds(PromptSpec spec, Tokenizer tokenizer, String question, int[] grid)
      throws EdgeException {
    int[] ids = tokenizer.encode(buildPrompt(spec, question, grid, true));
    if (spec.style.equals("chatml")) {
      return ids;
    }
    int[] out = new int[ids.length + 1];
    out[0] = spec.bosId;
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }

  /** [start, end) of each run of Q placeholder tokens, in prompt order (upstream's image_bound). */
  public static int[][] imageBounds(PromptSpec spec, int[] ids) throws EdgeException {
    int image = special(spec, "<image>");
    int imageEnd = special(spec, "</image>");
    boolean chatml = spec.style.equals("chatml");
    int slice = chatml ? special(spec, "<slice>") : Integer.MIN_VALUE;
    int sliceEnd = chatml ? special(spec, "</slice>") : Integer.MIN_VALUE;
    List<Integer> starts = new ArrayList<Integer>();
    List<Integer> ends = new ArrayList<Integer>();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == image || ids[i] == slice) {
        starts.add(i + 1);
      } else if (ids[i] == imageEnd || ids[i] == sliceEnd) {
        ends.add(i);
      }
    }
    if (starts.size() != ends.size()) {
      throw new EdgeException("prompt has " + starts.size() + " image starts but " + ends.size() + " image ends");
    }
    int[][] bounds = new int[starts.size()][];
    for (int b = 0; b < bounds.length; b++) {
      int s = starts.get(b);
      int e = ends.get(b);
      boolean ok = e - s == spec.queryNum;
      for (int i = s; ok && i < e; i++) {
        ok = ids[i] == spec.unkId;
      }
      if (!ok) {
        throw new EdgeException("prompt image span [" + s + "," + e + ") is not " + spec.queryNum + " placeholder tokens");
      }
      bounds[b] = new int[] {s, e};
    }
    return bounds;
  }

  /**
   * Put image embeddings (each [Q, D] row-major, unscaled) into a copy of the text embeddings [S, D] at
   * {@code bounds}, in order.
   */
  public static float[] splice(float[] textEmbeds, int hidden, int[][] bounds, List<float[]> imageEmbeds)
      throws EdgeException {
    if (bounds.length != imageEmbeds.size()) {
      throw new EdgeException(
          "prompt has " + bounds.length + " image spans but " + imageEmbeds.size() + " encoded images/slices");
    }
    float[] out = textEmbeds.clone();
    for (int b = 0; b < bounds.length; b++) {
      float[] emb = imageEmbeds.get(b);
      int n = (bounds[b][1] - bounds[b][0]) * hidden;
      if (emb.length != n) {
        throw new EdgeException("image embedding " + b + " has " + emb.length + " values, expected " + n);
      }
      System.arraycopy(emb, 0, out, bounds[b][0] * hidden, n);
    }
    return out;
  }

  private static int special(PromptSpec spec, String token) throws EdgeException {
    Integer id = spec.specialTokens.get(token);
    if (id == null) {
      throw new EdgeException("bundle prompt section has no special token " + token);
    }
    return id;
  }

  /** Python's str.strip(): removes characters for which str.isspace() is true, from both ends. */
  static String pythonStrip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean isPythonSpace(char c) {
    return (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= ' ') || c == '\u0085' || c == '\u00a0'
        || c == '\u1680' || (c >= '\u2000' && c <= '\u200a') || c == '\u2028' || c == '\u2029' || c == '\u202f'
        || c == '\u205f' || c == '\u3000';
  }
}
