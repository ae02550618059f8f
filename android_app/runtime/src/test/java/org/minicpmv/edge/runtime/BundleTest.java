package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
  @TempDir Path tmp;
  private int copies;

  private File copyTiny() throws IOException {
    Path src = RuntimeVectors.tinyBundle().toPath();
    Path dst = tmp.resolve("bundle" + copies++);
    try (Stream<Path> paths = Files.walk(src)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return dst.toFile();
  }

  @Test
  void readsTheManifestAndVerifiesEveryFile() throws Exception {
    Bundle b = Bundle.open(RuntimeVectors.tinyBundle(), null);
    b.verifyAll();
    assertEquals("tiny", b.preset());
    assertTrue(b.synthetic());
    assertArrayEquals(new int[] {280, 448}, b.encoderShapes());
    assertEquals("minicpm-v2", b.promptSpec().style);
    assertEquals(64, b.promptSpec().queryNum);
    assertArrayEquals(new int[] {2}, b.eosIds());
    assertTrue(b.encoderFile(280).getPath().endsWith("encoder_280.onnx"));
    assertEquals(1, b.compiledBuilds().size());
    Bundle.CompiledBuild qnn = b.compiledBuilds().get(0);
    assertEquals("qnn", qnn.backend);
    assertEquals("sm8650", qnn.chip);
    assertEquals("w8a16", qnn.precision);
    assertTrue(qnn.encoderFile(280).endsWith("encoder_280_ctx.onnx"));
    assertEquals("qnn", qnn.runtime);
    BundleException e = assertThrows(BundleException.class, () -> b.encoderFile(336));
    assertTrue(e.getMessage().contains("--shapes 336"), e.getMessage());
  }

  @Test
  void tamperedFileIsRefusedBeforeUse() throws Exception {
    File dir = copyTiny();
    File tok = new File(dir, "tokenizer/tokenizer.json");
    try (RandomAccessFile f = new RandomAccessFile(tok, "rw")) {
      f.seek(100);
      f.write('#');
    }
    Bundle b = Bundle.open(dir, null);
    BundleException e = assertThrows(BundleException.class, b::tokenizerFile);
    assertTrue(e.getMessage().contains("does not match its manifest sha256"), e.getMessage());
    b.encoderFile(280); // other files are still usable
  }

  @Test
  void secondOpenTrustsTheVerifiedCacheBySizeAndMtime() throws Exception {
    File dir = copyTiny();
    File cache = tmp.resolve("cache").toFile();
    Bundle.open(dir, cache).verifyAll();
    assertEquals(1, cache.listFiles().length);
    File tok = new File(dir, "tokenizer/tokenizer.json");
    long mtime = tok.lastModified();
    try (RandomAccessFile f = new RandomAccessFile(tok, "rw")) {
      f.seek(100);
      f.write('#');
    }
    assertTrue(tok.setLastModified(mtime));
    long t0 = System.nanoTime();
    Bundle.open(dir, cache).verifyAll(); // same size + mtime: not hashed again (the documented trade-off)
    double cachedMs = (System.nanoTime() - t0) / 1e6;
    assertTrue(tok.setLastModified(mtime + 2000));
    BundleException e = assertThrows(BundleException.class, () -> Bundle.open(dir, cache).verifyAll());
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    System.out.println("cached re-open + verifyAll of the tiny bundle: " + cachedMs + " ms");
  }

  @Test
  void pathsLeavingTheBundleAreRefused() throws Exception {
    for (String bad : new String[] {"../escape.json", "/etc/passwd", "tokenizer/../../x.json", "a\\b.json"}) {
      File dir = copyTiny();
      setManifest(dir, m -> m.getJSONObject("tokenizer").put("file", bad));
      BundleException e = assertThrows(BundleException.class, () -> Bundle.open(dir, null), bad);
      assertTrue(e.getMessage().contains("not a plain path inside the bundle"), e.getMessage());
      deleteTree(dir);
    }
  }

  @Test
  void unlistedFilesAndSymlinkEscapesAreRefused() throws Exception {
    File dir = copyTiny();
    setManifest(dir, m -> m.getJSONObject("tokenizer").put("file", "tokenizer/other.json"));
    BundleException unlisted = assertThrows(BundleException.class, () -> Bundle.open(dir, null));
    assertTrue(unlisted.getMessage().contains("lists no file"), unlisted.getMessage());

    File dir2 = tmp.resolve("b2").toFile();
    assertTrue(copyTiny().renameTo(dir2));
    File outside = tmp.resolve("outside.json").toFile();
    Files.copy(new File(dir2, "tokenizer/tokenizer.json").toPath(), outside.toPath());
    File link = new File(dir2, "tokenizer/tokenizer.json");
    assertTrue(link.delete());
    Files.createSymbolicLink(link.toPath(), outside.toPath());
    BundleException escape = assertThrows(BundleException.class, () -> Bundle.open(dir2, null));
    assertTrue(escape.getMessage().contains("outside the bundle"), escape.getMessage());
  }

  @Test
  void notABundle() throws Exception {
    BundleException missing = assertThrows(BundleException.class, () -> Bundle.open(tmp.toFile(), null));
    assertTrue(missing.getMessage().contains("no manifest.json"));
    File dir = copyTiny();
    setManifest(dir, m -> m.put("manifest_version", 7));
    BundleException v7 = assertThrows(BundleException.class, () -> Bundle.open(dir, null));
    assertTrue(v7.getMessage().contains("manifest_version 2"), v7.getMessage());
    File dir2 = copyTiny();
    setManifest(dir2, m -> m.put("schema_version", 1).remove("manifest_version"));
    assertThrows(BundleException.class, () -> Bundle.open(dir2, null)); // version-1 bundles are re-exported
  }

  @Test
  void compiledBuildsAreReadAndConfined() throws Exception {
    File dir = copyTiny();
    Bundle.CompiledBuild b = Bundle.open(dir, null).compiledBuilds().get(0);
    assertEquals("qnn-sm8650-w8a16", b.name);
    assertEquals("qnn", b.runtime);
    assertTrue(b.dir.startsWith("compiled/qnn-sm8650-w8a16"), b.dir);
    assertEquals(b.dir + "/encoder_280_ctx.onnx", b.encoderFile(280));
    assertEquals(null, b.encoderFile(448));
    assertTrue(b.report.endsWith("report.json"));

    setManifest(dir, m -> m.getJSONObject("compiled").getJSONObject("qnn-sm8650-w8a16").put("runtime", JSONObject.NULL));
    Bundle notRunnable = Bundle.open(dir, null);
    assertEquals(null, notRunnable.compiledBuilds().get(0).runtime);
    EdgeException none = assertThrows(EdgeException.class, () -> QnnEncoder.pickBuild(notRunnable, "sm8650", null));
    assertTrue(none.getMessage().contains("no QNN build"), none.getMessage());

    setManifest(dir, m -> m.getJSONObject("compiled").getJSONObject("qnn-sm8650-w8a16").getJSONObject("encoders")
        .getJSONObject("280").put("file", "compiled/../../outside.onnx"));
    BundleException e = assertThrows(BundleException.class, () -> Bundle.open(dir, null));
    assertTrue(e.getMessage().contains("not a plain path inside the bundle"), e.getMessage());

    File dir2 = copyTiny();
    setManifest(dir2, m -> m.getJSONObject("compiled").getJSONObject("qnn-sm8650-w8a16").remove("chip"));
    BundleException field = assertThrows(BundleException.class, () -> Bundle.open(dir2, null));
    assertTrue(field.getMessage().contains("compiled.qnn-sm8650-w8a16"), field.getMessage());
  }

  private interface Edit {
    void apply(JSONObject manifest) throws Exception;
  }

  private static void setManifest(File bundle, Edit edit) throws Exception {
    File m = new File(bundle, "manifest.json");
    JSONObject manifest = new JSONObject(new String(Files.readAllBytes(m.toPath()), StandardCharsets.UTF_8));
    edit.apply(manifest);
    Files.write(m.toPath(), manifest.toString(2).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void halfFloatsDecodeExactly() {
    assertEquals(1.0f, Npy.halfToFloat((short) 0x3c00), 0f);
    assertEquals(-2.0f, Npy.halfToFloat((short) 0xc000), 0f);
    assertEquals(65504f, Npy.halfToFloat((short) 0x7bff), 0f);
    assertEquals(5.9604645e-8f, Npy.halfToFloat((short) 0x0001), 0f);
    assertEquals(6.097555e-5f, Npy.halfToFloat((short) 0x03ff), 0f);
    assertEquals(Float.POSITIVE_INFINITY, Npy.halfToFloat((short) 0x7c00), 0f);
    assertTrue(Float.isNaN(Npy.halfToFloat((short) 0x7e00)));
    assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(Npy.halfToFloat((short) 0x8000)));
  }

  private static void deleteTree(File f) {
    File[] kids = f.listFiles();
    if (kids != null) {
      for (File k : kids) {
        deleteTree(k);
      }
    }
    f.delete();
  }
}
