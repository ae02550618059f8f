package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A bundle as the runtime sees it (Python: runtime/bundle_view.py + bundle.py's reading side): the manifest, and
 * files that are confined to the bundle and sha256-verified before their first use.
 *
 * <p>Why verify lazily and cache: a phone opens the same multi-GB bundle on every app start. Each file is hashed
 * (streamed, 1 MiB at a time) the first time it is used; what was verified is remembered by size + mtime in
 * {@code verifyCacheDir}, so a second open costs a stat per file. A file changed in place with the same size and
 * mtime is not re-hashed: that is the trade-off the cache makes (delete the cache file to force a full check).
 */
public final class Bundle {
  public static final String MANIFEST_NAME = "manifest.json";

  private final File root;
  private final String canonicalRoot;
  private final JSONObject manifest;
  private final Map<String, FileRecord> files;
  private final Set<String> verified = new HashSet<String>();
  private final File cacheFile;
  private final Map<String, JSONObject> cache;
  private final List<CompiledBuild> builds;

  private static final class FileRecord {
    final long bytes;
    final String sha256;

    FileRecord(long bytes, String sha256) {
      this.bytes = bytes;
      this.sha256 = sha256;
    }
  }

  /** A compiled NPU build from the manifest's {@code compiled} section. */
  public static final class CompiledBuild {
    public final String name;
    public final String backend;
    public final String chip;
    public final String precision;
    /** The session that runs it ("qnn", "axengine", "tvm"), or null while nothing in it can run yet. */
    public final String runtime;

    public final String dir;
    /** Bundle-relative path of its report.json. */
    public final String report;

    private final Map<Integer, String> encoders;

    CompiledBuild(
        String name, String backend, String chip, String precision, String runtime, String dir, String report,
        Map<Integer, String> encoders) {
      this.name = name;
      this.backend = backend;
      this.chip = chip;
      this.precision = precision;
      this.runtime = runtime;
      this.dir = dir;
      this.report = report;
      this.encoders = encoders;
    }

    /** Bundle-relative path of this build's encoder for side x side inputs, or null when it has none. */
    public String encoderFile(int side) {
      return encoders.get(side);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private Bundle(File root, JSONObject manifest, Map<String, FileRecord> files, File cacheFile)
      throws BundleException {
    this.root = root;
    this.manifest = manifest;
    this.files = files;
    this.cacheFile = cacheFile;
    this.cache = readCache(cacheFile);
    this.builds = readBuilds();
    try {
      this.canonicalRoot = root.getCanonicalPath() + File.separator;
    } catch (IOException e) {
      throw new BundleException("bundle " + root + " is unreadable: " + e.getMessage());
    }
  }

  /**
   * Reads {@code root/manifest.json} (manifest v1 or v2) and checks that every path it names is bundle-relative,
   * listed in {@code files} and stays inside the bundle. No file is hashed yet (see {@link #file}).
   *
   * @param verifyCacheDir where to remember verified files (the app's cache dir); null keeps it in memory only
   */
  public static Bundle open(File root, File verifyCacheDir) throws EdgeException {
    if (!root.isDirectory()) {
      throw new BundleException("bundle " + root + " does not exist");
    }
    File path = new File(root, MANIFEST_NAME);
    if (!path.isFile()) {
      throw new BundleException(root + " is not a bundle: no " + MANIFEST_NAME);
    }
    JSONObject manifest;
    try {
      manifest = new JSONObject(new String(Io.readAll(path), StandardCharsets.UTF_8));
    } catch (IOException | JSONException e) {
      throw new BundleException(path + " is unreadable: " + oneLine(e));
    }
    if (manifest.optInt("manifest_version", -1) != 2) {
      throw new BundleException(path + " is not a manifest_version 2 minicpmv-edge bundle (re-export it)");
    }
    Map<String, FileRecord> files = new LinkedHashMap<String, FileRecord>();
    JSONArray records = manifest.optJSONArray("files");
    if (records == null) {
      throw new BundleException(path + " lists no files");
    }
    try {
      for (int i = 0; i < records.length(); i++) {
        JSONObject r = records.getJSONObject(i);
        String rel = r.getString("path");
        checkRelative(root, rel);
        files.put(rel, new FileRecord(r.getLong("bytes"), r.getString("sha256").toLowerCase()));
      }
    } catch (JSONException e) {
      throw new BundleException(path + " has a malformed files list: " + oneLine(e));
    }
    File cacheFile = null;
    if (verifyCacheDir != null) {
      String key;
      try {
        key = hex(sha256Bytes(root.getCanonicalPath().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
      } catch (IOException e) {
        throw new BundleException("bundle " + root + " is unreadable: " + e.getMessage());
      }
      cacheFile = new File(verifyCacheDir, "verified-" + key + ".json");
    }
    Bundle bundle = new Bundle(root, manifest, files, cacheFile);
    try {
      for (String rel : bundle.referencedPaths()) {
        bundle.resolve(rel);
      }
    } catch (JSONException e) {
      throw new BundleException(path + " is malformed: " + oneLine(e));
    }
    return bundle;
  }

  public File root() {
    return root;
  }

  public JSONObject manifest() {
    return manifest;
  }

  public String preset() {
    return manifest.optJSONObject("model") == null ? "" : manifest.optJSONObject("model").optString("preset");
  }

  /** "2.0", "2.5" or "2.6" (model.version). */
  public String modelVersion() {
    return manifest.optJSONObject("model") == null ? "" : manifest.optJSONObject("model").optString("version");
  }

  public boolean synthetic() {
    return manifest.optJSONObject("model") != null && manifest.optJSONObject("model").optBoolean("synthetic");
  }

  public int queryNum() throws BundleException {
    return section("model").optInt("query_num");
  }

  /** A top-level manifest section ("llm", "tokenizer", "prompt", "vision", ...), or a one-line error naming it. */
  public JSONObject section(String name) throws BundleException {
    JSONObject s = manifest.optJSONObject(name);
    if (s == null) {
      throw new BundleException("bundle " + root + " has no " + name + " part; export it with --parts " + name);
    }
    return s;
  }

  /** The file at bundle-relative {@code relPath}, confined to the bundle and sha256-verified before first use. */
  public File file(String relPath) throws BundleException {
    File f = resolve(relPath);
    verify(relPath, f);
    return f;
  }

  /** Bundle-relative paths of the listed files under {@code dir} (e.g. a compiled build's folder). */
  public List<String> filesUnder(String dir) {
    List<String> out = new ArrayList<String>();
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    for (String rel : files.keySet()) {
      if (rel.startsWith(prefix)) {
        out.add(rel);
      }
    }
    return out;
  }

  /** Hash-checks every listed file (streamed; files already verified by size + mtime are skipped). */
  public void verifyAll() throws BundleException {
    for (String rel : files.keySet()) {
      file(rel);
    }
  }

  /** The exported fp32 encoder for side x side inputs, verified. */
  public File encoderFile(int side) throws BundleException {
    JSONObject encoders = encodersSection();
    JSONObject entry = encoders.optJSONObject(Integer.toString(side));
    if (entry == null) {
      StringBuilder have = new StringBuilder();
      for (int s : encoderShapes()) {
        have.append(have.length() > 0 ? ", " : "").append(s);
      }
      throw new BundleException(
          "bundle " + root + " has no " + side + "x" + side + " encoder (it has "
              + (have.length() > 0 ? have : "none") + "); export it with --shapes " + side);
    }
    return file(entry.optString("file"));
  }

  /** Sides S of the exported fp32 encoders, ascending. */
  public int[] encoderShapes() {
    JSONObject encoders = encodersSection();
    List<Integer> sides = new ArrayList<Integer>();
    for (Iterator<String> it = encoders.keys(); it.hasNext(); ) {
      sides.add(Integer.parseInt(it.next()));
    }
    Collections.sort(sides);
    int[] out = new int[sides.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = sides.get(i);
    }
    return out;
  }

  public File tokenizerFile() throws BundleException {
    return file(section("tokenizer").optString("file"));
  }

  /** Bundle-relative path of an llm file named in the llm section ({@code onnx}, {@code embedding.table}, ...). */
  public String llmPath(String name) throws BundleException {
    String dir = section("llm").optString("dir", ".");
    return dir.isEmpty() || dir.equals(".") ? name : dir + "/" + name;
  }

  public PromptSpec promptSpec() throws BundleException {
    JSONObject p = section("prompt");
    try {
      Map<String, Integer> special = new HashMap<String, Integer>();
      JSONObject tokens = p.getJSONObject("special_tokens");
      for (Iterator<String> it = tokens.keys(); it.hasNext(); ) {
        String k = it.next();
        special.put(k, tokens.getInt(k));
      }
      return new PromptSpec(p.getString("style"), queryNum(), p.getInt("bos_id"), p.getInt("unk_id"), special);
    } catch (JSONException e) {
      throw new BundleException("bundle " + root + " has a malformed prompt section: " + oneLine(e));
    }
  }

  public int[] eosIds() throws BundleException {
    JSONArray a = section("prompt").optJSONArray("eos_ids");
    if (a == null) {
      throw new BundleException("bundle " + root + " has no prompt.eos_ids");
    }
    int[] out = new int[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.optInt(i);
    }
    return out;
  }

  /** The manifest's compiled NPU builds, by name (docs/bundle-format.md, "Builds"); checked when the bundle opened. */
  public List<CompiledBuild> compiledBuilds() {
    return Collections.unmodifiableList(builds);
  }

  private List<CompiledBuild> readBuilds() throws BundleException {
    List<CompiledBuild> out = new ArrayList<CompiledBuild>();
    JSONObject compiled = manifest.optJSONObject("compiled");
    if (compiled == null) {
      return out;
    }
    List<String> names = new ArrayList<String>();
    for (Iterator<String> it = compiled.keys(); it.hasNext(); ) {
      names.add(it.next());
    }
    Collections.sort(names);
    for (String name : names) {
      try {
        JSONObject b = compiled.getJSONObject(name);
        Map<Integer, String> encoders = new HashMap<Integer, String>();
        JSONObject enc = b.getJSONObject("encoders");
        for (Iterator<String> it = enc.keys(); it.hasNext(); ) {
          String side = it.next();
          encoders.put(Integer.parseInt(side), enc.getJSONObject(side).getString("file"));
        }
        String runtime = b.isNull("runtime") ? null : b.getString("runtime");
        out.add(new CompiledBuild(name, b.getString("backend"), b.getString("chip"), b.getString("precision"),
            runtime, b.getString("dir"), b.getString("report"), encoders));
      } catch (JSONException | NumberFormatException e) {
        throw new BundleException("bundle " + root + " field compiled." + name + ": " + oneLine(e));
      }
    }
    return out;
  }

  // --- confinement and verification ----------------------------------------------------------------------------

  private JSONObject encodersSection() {
    JSONObject vision = manifest.optJSONObject("vision");
    JSONObject encoders = vision == null ? null : vision.optJSONObject("encoders");
    return encoders == null ? new JSONObject() : encoders;
  }

  /** Every path the runtime may load, so a bad manifest fails at open rather than mid-generation. */
  private List<String> referencedPaths() throws BundleException, JSONException {
    List<String> out = new ArrayList<String>();
    JSONObject encoders = encodersSection();
    for (Iterator<String> it = encoders.keys(); it.hasNext(); ) {
      JSONObject e = encoders.optJSONObject(it.next());
      if (e != null) {
        out.add(e.optString("file"));
      }
    }
    JSONObject llm = manifest.optJSONObject("llm");
    if (llm != null) {
      out.add(llmPath(llm.optString("onnx")));
      if (llm.has("onnx_data")) {
        out.add(llmPath(llm.optString("onnx_data")));
      }
      JSONObject emb = llm.optJSONObject("embedding");
      if (emb != null) {
        out.add(llmPath(emb.optString("table")));
        if (emb.has("scales") && !emb.isNull("scales")) {
          out.add(llmPath(emb.optString("scales")));
        }
      }
      JSONArray llmFiles = llm.optJSONArray("files");
      for (int i = 0; llmFiles != null && i < llmFiles.length(); i++) {
        out.add(llmPath(llmFiles.optString(i)));
      }
    }
    JSONObject tok = manifest.optJSONObject("tokenizer");
    if (tok != null) {
      out.add(tok.optString("file"));
    }
    JSONObject compiled = manifest.optJSONObject("compiled");
    for (CompiledBuild b : compiledBuilds()) {
      out.addAll(b.encoders.values());
      out.add(b.report);
      JSONArray buildFiles = compiled.getJSONObject(b.name).optJSONArray("files");
      for (int i = 0; buildFiles != null && i < buildFiles.length(); i++) {
        out.add(b.dir + "/" + buildFiles.optString(i));
      }
    }
    return out;
  }

  private File resolve(String rel) throws BundleException {
    checkRelative(root, rel);
    if (!files.containsKey(rel)) {
      throw new BundleException("bundle " + root + " manifest lists no file " + rel);
    }
    File f = new File(root, rel);
    try {
      if (f.exists() && !f.getCanonicalPath().startsWith(canonicalRoot)) {
        throw new BundleException("bundle file " + rel + " resolves outside the bundle " + root + " (symlink)");
      }
    } catch (IOException e) {
      throw new BundleException("bundle file " + f + " is unreadable: " + e.getMessage());
    }
    return f;
  }

  private static void checkRelative(File root, String rel) throws BundleException {
    boolean bad = rel.isEmpty() || rel.startsWith("/") || rel.contains("\\") || rel.contains(":");
    for (String part : rel.split("/", -1)) {
      bad |= part.isEmpty() || part.equals("..") || part.equals(".");
    }
    if (bad) {
      throw new BundleException(
          "bundle " + root + " names the path '" + rel + "', which is not a plain path inside the bundle");
    }
  }

  private void verify(String rel, File f) throws BundleException {
    if (verified.contains(rel)) {
      return;
    }
    FileRecord record = files.get(rel);
    if (!f.isFile()) {
      throw new BundleException("bundle file " + f + " is missing");
    }
    long size = f.length();
    long mtime = f.lastModified();
    JSONObject hit = cache.get(rel);
    boolean cached =
        hit != null
            && hit.optLong("bytes", -1) == size
            && hit.optLong("mtime", -1) == mtime
            && record.sha256.equals(hit.optString("sha256"));
    if (size != record.bytes || (!cached && !record.sha256.equals(sha256File(f)))) {
      throw new BundleException("bundle file " + f + " does not match its manifest sha256 (modified or corrupt)");
    }
    verified.add(rel);
    if (!cached) {
      JSONObject entry = new JSONObject();
      try {
        entry.put("bytes", size).put("mtime", mtime).put("sha256", record.sha256);
      } catch (JSONException e) {
        throw new IllegalStateException(e);
      }
      cache.put(rel, entry);
      writeCache();
    }
  }

  private static Map<String, JSONObject> readCache(File cacheFile) {
    Map<String, JSONObject> out = new HashMap<String, JSONObject>();
    if (cacheFile == null || !cacheFile.isFile()) {
      return out;
    }
    try {
      JSONObject all = new JSONObject(new String(Io.readAll(cacheFile), StandardCharsets.UTF_8));
      for (Iterator<String> it = all.keys(); it.hasNext(); ) {
        String k = it.next();
        JSONObject v = all.optJSONObject(k);
        if (v != null) {
          out.put(k, v);
        }
      }
    } catch (IOException | JSONException e) {
      // An unreadable cache only costs a re-hash.
    }
    return out;
  }

  private void writeCache() {
    if (cacheFile == null) {
      return;
    }
    try {
      JSONObject all = new JSONObject();
      for (Map.Entry<String, JSONObject> e : cache.entrySet()) {
        all.put(e.getKey(), e.getValue());
      }
      Io.writeAtomic(cacheFile, all.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException | JSONException e) {
      // Not fatal: the file is verified for this session; the next open hashes it again.
    }
  }

  static String sha256File(File f) throws BundleException {
    MessageDigest digest = sha256();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = new FileInputStream(f)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        digest.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new BundleException("bundle file " + f + " is unreadable: " + e.getMessage());
    }
    return hex(digest.digest());
  }

  private static byte[] sha256Bytes(byte[] data) {
    return sha256().digest(data);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.trim().replaceAll("\\s+", " ");
  }
}
