package org.minicpmv.edge.app;

import android.content.Context;
import android.system.ErrnoException;
import android.system.Os;

import org.minicpmv.edge.runtime.Bundle;
import org.minicpmv.edge.runtime.EdgeException;
import org.minicpmv.edge.runtime.EncoderOptions;
import org.minicpmv.edge.runtime.Pipeline;

import java.io.File;

/**
 * The one open Pipeline, reopened when the bundle or a setting it depends on changes. Opening and generating run on
 * the worker thread; `cancel()` may be called from the UI thread. The encoder choice is the only decision made here:
 * Auto = the bundle's QNN build for this phone's SoC when it has one, else the CPU graph.
 */
final class Engine {
    private static Engine instance;

    private final Context context;
    private Pipeline pipeline;
    private String key;
    private String choice = "";
    private Bundle.CompiledBuild build;

    private Engine(Context context) {
        this.context = context.getApplicationContext();
    }

    static synchronized Engine get(Context context) {
        if (instance == null) {
            instance = new Engine(context);
        }
        return instance;
    }

    /** The pipeline for the current settings (worker thread only). */
    synchronized Pipeline pipeline() throws EdgeException {
        AppSettings s = new AppSettings(context);
        if (pipeline != null && s.pipelineKey().equals(key)) {
            return pipeline;
        }
        close();
        BundleStore store = new BundleStore(context);
        Bundle bundle = store.open(s.bundleName());
        EncoderOptions enc = encoderOptions(bundle, s);
        Pipeline.Options options = new Pipeline.Options();
        options.encoder = enc;
        options.threads = s.threads();
        options.maxContext = s.maxContext();
        options.cacheDir = new File(context.getCacheDir(), "runtime");
        pipeline = new Pipeline(bundle, options);
        key = s.pipelineKey();
        return pipeline;
    }

    /** Why the encoder runs where it runs, for the UI (e.g. "Auto: no NPU build for sm8550 in this bundle"). */
    synchronized String encoderChoice() {
        String fallback = pipeline == null ? null : pipeline.encoder().fallbackReason();
        return fallback == null ? choice : choice + "; fell back to CPU: " + fallback;
    }

    /** The compiled build the encoder was asked to use (null = CPU graph), for benchmark files. */
    synchronized Bundle.CompiledBuild requestedBuild() {
        return build;
    }

    void cancel() {
        Pipeline p;
        synchronized (this) {
            p = pipeline;
        }
        if (p != null) {
            p.cancel();
        }
    }

    /** Worker thread only (a pipeline must not be closed under a running generate). */
    private synchronized void close() {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
        }
    }

    private EncoderOptions encoderOptions(Bundle bundle, AppSettings s) throws EdgeException {
        EncoderOptions enc = new EncoderOptions();
        enc.backend = "cpu";
        enc.threads = s.threads();
        enc.performanceMode = s.performanceMode();
        String wanted = s.encoder();
        build = null;
        if (AppSettings.ENCODER_CPU.equals(wanted)) {
            choice = "CPU (forced in Settings)";
            return enc;
        }
        String chip = Soc.chip(s);
        boolean auto = AppSettings.ENCODER_AUTO.equals(wanted);
        for (Bundle.CompiledBuild b : bundle.compiledBuilds()) {
            boolean fits = auto ? chip != null && chip.equalsIgnoreCase(b.chip) && "qnn".equals(b.runtime)
                    : b.name.equals(wanted);
            if (fits && build == null) {
                build = b;
            }
        }
        if (build == null || build.runtime == null) {
            choice = build != null ? "CPU: build " + wanted + " has no runtime on phones"
                    : !auto ? "CPU: the bundle has no build named " + wanted
                    : chip == null ? "CPU: this phone's SoC is unknown (enter it in Settings)"
                    : "CPU: no NPU build for " + chip + " in this bundle";
            return enc;
        }
        enc.backend = build.runtime;
        enc.chip = build.chip;
        enc.precision = build.precision;
        choice = build.name + (auto ? " (Auto: matches " + chip + ")" : " (forced in Settings)");
        qnnLibraryPath();
        return enc;
    }

    /** The HTP skel libraries are loaded by the DSP from ADSP_LIBRARY_PATH: point it at our native library dir. */
    private void qnnLibraryPath() {
        String libDir = context.getApplicationInfo().nativeLibraryDir;
        try {
            Os.setenv("ADSP_LIBRARY_PATH", libDir + ";/vendor/dsp/cdsp;/vendor/lib/rfsa/adsp;/system/lib/rfsa/adsp",
                    true);
        } catch (ErrnoException e) {
            choice += " (could not set ADSP_LIBRARY_PATH: " + e.getMessage() + ")";
        }
    }
}
