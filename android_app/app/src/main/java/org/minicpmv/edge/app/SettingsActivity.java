package org.minicpmv.edge.app;

import android.app.Activity;
import android.os.Bundle;
import android.text.InputType;
import android.widget.ArrayAdapter;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.Spinner;
import android.widget.TextView;

import org.minicpmv.edge.runtime.EdgeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Encoder (Auto / CPU / a compiled build), image mode, threads, generation length and sampling, context, SoC. */
public final class SettingsActivity extends Activity {
    private static final String[] PERFORMANCE_MODES = {"burst", "sustained_high_performance", "high_performance",
        "balanced", "power_saver"};

    private AppSettings settings;
    private Spinner encoder;
    private Spinner mode;
    private Spinner performance;
    private EditText threads;
    private EditText maxNewTokens;
    private EditText temperature;
    private EditText topP;
    private EditText maxContext;
    private EditText soc;
    private TextView error;
    private final List<String> encoders = new ArrayList<>(Arrays.asList(AppSettings.ENCODER_AUTO, AppSettings.ENCODER_CPU));

    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        settings = new AppSettings(this);
        LinearLayout form = Ui.column(this);
        encoder = spinner(form, "Encoder (auto = the NPU build for this SoC if the bundle has one, else CPU)",
                encoders, settings.encoder());
        mode = spinner(form, "Image mode", Arrays.asList(AppSettings.MODES), settings.mode());
        performance = spinner(form, "HTP performance mode (QNN builds)", Arrays.asList(PERFORMANCE_MODES),
                settings.performanceMode());
        threads = number(form, "CPU threads (0 = ONNX Runtime's choice)", settings.threads(), false);
        maxNewTokens = number(form, "Max new tokens", settings.maxNewTokens(), false);
        temperature = number(form, "Temperature (0 = greedy)", settings.temperature(), true);
        topP = number(form, "Top-p", settings.topP(), true);
        maxContext = number(form, "Max context in tokens (0 = the bundle's)", settings.maxContext(), false);
        String reported = Soc.reported();
        form.addView(Ui.text(this, reported != null ? "SoC (this phone reports " + reported + "; type to override)"
                : "SoC, e.g. SM8650 (Android < 12 does not report it)", 13));
        soc = new EditText(this);
        soc.setSingleLine(true);
        soc.setText(settings.socOverride());
        form.addView(soc);
        error = Ui.error(this);
        form.addView(error);
        form.addView(Ui.button(this, "Save", v -> save()));
        ScrollView scroll = new ScrollView(this);
        scroll.addView(form);
        setContentView(scroll);
        loadBuilds();
    }

    /** Adds the selected bundle's compiled builds to the encoder choices. */
    private void loadBuilds() {
        final BundleStore store = new BundleStore(this);
        final String name = settings.bundleName();
        if (name.isEmpty()) {
            return;
        }
        Background.run(() -> {
            List<String> names = new ArrayList<>();
            for (org.minicpmv.edge.runtime.Bundle.CompiledBuild b : store.open(name).compiledBuilds()) {
                names.add(b.name);
            }
            return names;
        }, names -> {
            encoders.addAll(names);
            setChoices(encoder, encoders, settings.encoder());
        }, line -> Ui.showError(error, line));
    }

    private void save() {
        try {
            int nThreads = parseInt(threads, "CPU threads", 0, 64);
            int nNew = parseInt(maxNewTokens, "Max new tokens", 1, 4096);
            float temp = parseFloat(temperature, "Temperature", 0f, 5f);
            float p = parseFloat(topP, "Top-p", 0.01f, 1f);
            int ctx = parseInt(maxContext, "Max context", 0, 131072);
            settings.edit()
                    .putString("encoder", (String) encoder.getSelectedItem())
                    .putString("mode", (String) mode.getSelectedItem())
                    .putString("htp_performance_mode", (String) performance.getSelectedItem())
                    .putInt("threads", nThreads)
                    .putInt("max_new_tokens", nNew)
                    .putFloat("temperature", temp)
                    .putFloat("top_p", p)
                    .putInt("max_context", ctx)
                    .putString("soc", soc.getText().toString().trim())
                    .apply();
            finish();
        } catch (EdgeException e) {
            Ui.showError(error, e.getMessage());
        }
    }

    private Spinner spinner(LinearLayout form, String label, List<String> items, String selected) {
        form.addView(Ui.text(this, label, 13));
        Spinner s = new Spinner(this);
        setChoices(s, items, selected);
        form.addView(s);
        return s;
    }

    private void setChoices(Spinner s, List<String> items, String selected) {
        ArrayAdapter<String> a = new ArrayAdapter<>(this, android.R.layout.simple_spinner_item, items);
        a.setDropDownViewResource(android.R.layout.simple_spinner_dropdown_item);
        s.setAdapter(a);
        s.setSelection(Math.max(0, items.indexOf(selected)));
    }

    private EditText number(LinearLayout form, String label, Number value, boolean decimal) {
        form.addView(Ui.text(this, label, 13));
        EditText e = new EditText(this);
        e.setSingleLine(true);
        e.setInputType(InputType.TYPE_CLASS_NUMBER | (decimal ? InputType.TYPE_NUMBER_FLAG_DECIMAL : 0));
        e.setText(String.valueOf(value));
        form.addView(e);
        return e;
    }

    private static int parseInt(EditText e, String what, int min, int max) throws EdgeException {
        try {
            int v = Integer.parseInt(e.getText().toString().trim());
            if (v < min || v > max) {
                throw new EdgeException(what + " must be between " + min + " and " + max + ".");
            }
            return v;
        } catch (NumberFormatException x) {
            throw new EdgeException(what + " must be a whole number.");
        }
    }

    private static float parseFloat(EditText e, String what, float min, float max) throws EdgeException {
        try {
            float v = Float.parseFloat(e.getText().toString().trim());
            if (!(v >= min && v <= max)) {
                throw new EdgeException(what + " must be between " + min + " and " + max + ".");
            }
            return v;
        } catch (NumberFormatException x) {
            throw new EdgeException(what + " must be a number.");
        }
    }
}
