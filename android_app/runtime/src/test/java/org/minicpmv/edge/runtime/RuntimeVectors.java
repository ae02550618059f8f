package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/** Reads what android_app/runtime/vectors/runtime_vectors.py wrote (the Python runtime's answers). */
final class RuntimeVectors {
  private RuntimeVectors() {}

  static File dir() {
    String d = System.getProperty("vectors.dir");
    if (d == null) {
      throw new IllegalStateException("-Dvectors.dir is not set: run android_app/scripts/java_tests.sh");
    }
    File f = new File(d, "runtime");
    if (!f.isDirectory()) {
      throw new IllegalStateException(f + " is missing: runtime_vectors.py did not run");
    }
    return f;
  }

  static File outDir() {
    File f = new File(System.getProperty("out.dir", "build/java/out"));
    f.mkdirs();
    return f;
  }

  static File tinyBundle() {
    return new File(dir(), "tiny");
  }

  static JSONObject object(String name) throws IOException, JSONException {
    return new JSONObject(text(name));
  }

  static JSONArray array(String name) throws IOException, JSONException {
    return new JSONArray(text(name));
  }

  private static String text(String name) throws IOException {
    return new String(Files.readAllBytes(new File(dir(), name).toPath()), StandardCharsets.UTF_8);
  }

  private static ByteBuffer raw(String name) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(new File(dir(), name).toPath())).order(ByteOrder.LITTLE_ENDIAN);
  }

  static float[] floats(String name) throws IOException {
    ByteBuffer b = raw(name);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static int[] ints(String name) throws IOException {
    ByteBuffer b = raw(name);
    int[] out = new int[b.remaining() / 4];
    b.asIntBuffer().get(out);
    return out;
  }

  static byte[] bytes(String name) throws IOException {
    return Files.readAllBytes(new File(dir(), name).toPath());
  }

  static int[] intArray(JSONArray a) throws JSONException {
    if (a == null) {
      return null;
    }
    int[] out = new int[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getInt(i);
    }
    return out;
  }

  static double cosine(float[] a, int aOff, float[] b, int bOff, int n) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < n; i++) {
      double x = a[aOff + i];
      double y = b[bOff + i];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / Math.sqrt(na * nb);
  }

  static RgbImage image(JSONObject entry) throws IOException, JSONException, ImageException {
    return Images.fromRgb(bytes(entry.getString("rgb")), entry.getInt("width"), entry.getInt("height"),
        Images.DEFAULT_MAX_PIXELS);
  }
}
