package org.minicpmv.edge.app;

import android.content.Context;
import android.content.SharedPreferences;

import org.minicpmv.edge.runtime.Sampling;

/** What the Settings screen edits, stored in SharedPreferences; defaults match `minicpmv-edge run`. */
final class AppSettings {
    static final String ENCODER_AUTO = "auto";
    static final String ENCODER_CPU = "cpu";
    static final String[] MODES = {"fixed-280", "fixed-448", "uhd"};

    private final SharedPreferences prefs;

    AppSettings(Context context) {
        prefs = context.getSharedPreferences("settings", Context.MODE_PRIVATE);
    }

    /** "auto" (the NPU build for this SoC if the bundle has one, else CPU), "cpu", or a compiled build's name. */
    String encoder() { return prefs.getString("encoder", ENCODER_AUTO); }
    String mode() { return prefs.getString("mode", "fixed-280"); }
    int maxSlices() { return prefs.getInt("max_slices", 9); }
    /** 0 = ONNX Runtime's default (all big cores). */
    int threads() { return prefs.getInt("threads", 0); }
    int maxNewTokens() { return prefs.getInt("max_new_tokens", 64); }
    float temperature() { return prefs.getFloat("temperature", 0f); }
    float topP() { return prefs.getFloat("top_p", 0.8f); }
    /** 0 = the bundle's default context. */
    int maxContext() { return prefs.getInt("max_context", 0); }
    /** The SoC typed by the user on phones older than Android 12 (no Build.SOC_MODEL), e.g. "SM8550". */
    String socOverride() { return prefs.getString("soc", ""); }
    String performanceMode() { return prefs.getString("htp_performance_mode", "burst"); }
    String bundleName() { return prefs.getString("bundle", ""); }

    Sampling sampling() {
        Sampling s = new Sampling();
        s.temperature = temperature();
        s.topP = topP();
        return s;
    }

    SharedPreferences.Editor edit() {
        return prefs.edit();
    }

    /** A string that changes whenever a setting that needs a new Pipeline changes. */
    String pipelineKey() {
        return bundleName() + "|" + encoder() + "|" + threads() + "|" + maxContext() + "|" + socOverride() + "|"
                + performanceMode();
    }
}
