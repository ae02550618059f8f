package org.minicpmv.edge.runtime;

import java.util.HashMap;
import java.util.Map;

/** Which encoder backend to open and how (Python: runtime/encoders.py EncoderOptions + the QNN EP options). */
public final class EncoderOptions {
  /** "cpu" (the exported fp32 graphs) or "qnn" (the bundle's compiled HTP build, CPU fallback with a reason). */
  public String backend = "cpu";
  /** Chip key of this device, e.g. "sm8650"; null picks the bundle's only QNN chip. */
  public String chip;
  /** QNN build precision, e.g. "w8a16"; null prefers w8a16 > w8a8 > fp16. */
  public String precision;
  /** QNN EP backend_path: the HTP backend library (found on the app's native library path). */
  public String backendPath = "libQnnHtp.so";
  /** QNN EP htp_performance_mode: burst, sustained_high_performance, balanced, power_saver, ... */
  public String performanceMode = "burst";
  /** ORT intra-op threads for CPU sessions; 0 lets ORT choose. */
  public int threads;
  /** Further QNN EP provider options (soc_model, vtcm_mb, profiling_level, ...), passed through as given. */
  public Map<String, String> qnnExtra = new HashMap<String, String>();

  /** An independent copy (the pipeline fills in defaults without touching the caller's object). */
  public EncoderOptions copy() {
    EncoderOptions c = new EncoderOptions();
    c.backend = backend;
    c.chip = chip;
    c.precision = precision;
    c.backendPath = backendPath;
    c.performanceMode = performanceMode;
    c.threads = threads;
    c.qnnExtra = new HashMap<String, String>(qnnExtra);
    return c;
  }
}
