package org.minicpmv.edge.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The bundle's compiled HTP context binaries for this device's chip, through ONNX Runtime's QNN EP
 * ({@code addQnn}: backend_path, htp_performance_mode). Every shape of the build is loaded when the encoder opens,
 * so a missing EP, library or incompatible binary is reported at start (and {@link Encoders#open} falls back),
 * not in the middle of a generation. CPU fallback inside the session stays disabled unless the compile report
 * accepted it, as in Python's runtime.
 */
public final class QnnEncoder extends OrtEncoder {
  private static final Logger LOG = Logger.getLogger(QnnEncoder.class.getName());
  /** Most accurate first, as Python's runtime/bundle_view.py PRECISION_PREFERENCE. */
  static final List<String> PRECISION_PREFERENCE = Arrays.asList("w8a16", "u16", "fp16", "w8a8", "u8", "fp32");

  private final Bundle bundle;
  private final Bundle.CompiledBuild build;
  private final OrtSession.SessionOptions sessionOptions;

  QnnEncoder(Bundle bundle, EncoderOptions options) throws EdgeException {
    this.bundle = bundle;
    this.build = pickBuild(bundle, options.chip, options.precision);
    JSONObject report = report(bundle, build);
    boolean allowCpu = report.optBoolean("allow_cpu_fallback") && !report.optBoolean("whole_graph_on_htp", true);
    Map<String, String> qnn = new HashMap<String, String>();
    qnn.put("backend_path", options.backendPath);
    qnn.put("htp_performance_mode", options.performanceMode);
    qnn.put("enable_htp_fp16_precision", build.precision.equals("fp16") ? "1" : "0");
    qnn.putAll(options.qnnExtra);
    try {
      sessionOptions = new OrtSession.SessionOptions();
      if (!allowCpu) {
        sessionOptions.addConfigEntry("session.disable_cpu_ep_fallback", "1");
      }
      sessionOptions.addQnn(qnn);
    } catch (OrtException e) {
      throw new EdgeException("the QNN execution provider is unavailable here: " + Ort.firstLine(e));
    }
    List<Integer> sides = new ArrayList<Integer>();
    for (int side : bundle.encoderShapes()) {
      if (build.encoderFile(side) != null) {
        sides.add(side);
      }
    }
    if (sides.isEmpty()) {
      throw new EdgeException("QNN build " + build.name + " has no encoder files");
    }
    try {
      for (String rel : bundle.filesUnder(build.dir)) {
        bundle.file(rel); // the context binaries the EP loads beside each *_ctx.onnx are checked too
      }
      for (int side : sides) {
        session(side);
      }
    } catch (EdgeException e) {
      close();
      throw e;
    }
    LOG.info("qnn encoder: " + build.name + " (" + qnn.get("htp_performance_mode") + ")");
  }

  /** (chip, precision) -> the QNN-runnable build: the requested precision, else the most accurate one. */
  static Bundle.CompiledBuild pickBuild(Bundle bundle, String chip, String precision) throws EdgeException {
    List<Bundle.CompiledBuild> qnn = new ArrayList<Bundle.CompiledBuild>();
    List<String> chips = new ArrayList<String>();
    for (Bundle.CompiledBuild b : bundle.compiledBuilds()) {
      if ("qnn".equals(b.runtime)) {
        qnn.add(b);
        if (!chips.contains(b.chip)) {
          chips.add(b.chip);
        }
      }
    }
    if (qnn.isEmpty()) {
      throw new EdgeException(
          "bundle has no QNN build: run `minicpmv-edge compile BUNDLE --target " + (chip == null ? "<chip>" : chip)
              + "` first");
    }
    if (chip == null) {
      if (chips.size() > 1) {
        throw new EdgeException("bundle has QNN builds for " + chips + ": pick this device's chip");
      }
      chip = chips.get(0);
    }
    List<String> order = new ArrayList<String>();
    if (precision != null) {
      order.add(precision.toLowerCase());
    } else {
      order.addAll(PRECISION_PREFERENCE);
      for (Bundle.CompiledBuild b : qnn) {
        order.add(b.precision);
      }
    }
    for (String p : order) {
      for (Bundle.CompiledBuild b : qnn) {
        if (b.chip.equalsIgnoreCase(chip) && b.precision.equals(p)) {
          return b;
        }
      }
    }
    throw new EdgeException(
        "bundle is not compiled for " + chip + (precision != null ? " at " + precision : "") + " (it has QNN builds for "
            + chips + ")");
  }

  private static JSONObject report(Bundle bundle, Bundle.CompiledBuild build) {
    try {
      return new JSONObject(new String(Io.readAll(bundle.file(build.report)), StandardCharsets.UTF_8));
    } catch (EdgeException | java.io.IOException | JSONException e) {
      return new JSONObject();
    }
  }

  /** The compiled build in use, e.g. "qnn-sm8650-w8a16". */
  public String build() {
    return build.name;
  }

  @Override
  public String precision() {
    return build.precision;
  }

  @Override
  public String chip() {
    return build.chip;
  }

  @Override
  public String name() {
    return "qnn";
  }

  @Override
  public String provenance() {
    String arch = System.getProperty("os.arch", "");
    return arch.startsWith("aarch64") || arch.startsWith("arm") ? "device-measured" : "emulated";
  }

  @Override
  public String fallbackReason() {
    return null;
  }

  @Override
  protected OrtSession openSession(int side) throws EdgeException {
    String rel = build.encoderFile(side);
    if (rel == null) {
      throw new EdgeException(build.name + " has no " + side + "x" + side + " encoder: compile it with --shapes " + side);
    }
    try {
      return Ort.env().createSession(bundle.file(rel).getPath(), sessionOptions);
    } catch (OrtException e) {
      throw new EdgeException(rel + " does not load on the QNN HTP: " + Ort.firstLine(e));
    }
  }

  @Override
  public void close() {
    super.close();
    sessionOptions.close();
  }
}
