package org.minicpmv.edge.app;

import android.app.Activity;
import android.content.ActivityNotFoundException;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.os.Build;
import android.os.Bundle;
import android.text.InputType;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ProgressBar;
import android.widget.TextView;

import java.io.File;

/** Starts the benchmark service, shows its progress, and offers the JSON through the share sheet. */
public final class BenchmarkActivity extends Activity implements BenchmarkService.Listener {
    private static final String POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS";

    private EditText runs;
    private EditText warmup;
    private ProgressBar progress;
    private TextView status;
    private TextView error;
    private Button share;
    private File result;

    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        AppSettings s = new AppSettings(this);
        LinearLayout root = Ui.column(this);
        root.addView(Ui.text(this, "Runs the shipped sample photo with a fixed " + BenchmarkService.PROMPT_TOKENS
                + "-token question (greedy, " + s.maxNewTokens() + " new tokens, mode " + s.mode()
                + ", bundle " + s.bundleName() + "). Figures are device-measured on this phone; import the JSON "
                + "with `minicpmv-edge bench --import FILE`.", 14));
        root.addView(Ui.text(this, "Timed runs", 13));
        runs = number("5");
        root.addView(runs);
        root.addView(Ui.text(this, "Warm-up runs (not timed)", 13));
        warmup = number("1");
        root.addView(warmup);
        LinearLayout actions = Ui.row(this);
        actions.addView(Ui.button(this, "Start", v -> start()), Ui.weight(1));
        actions.addView(Ui.button(this, "Stop", v -> Engine.get(this).cancel()), Ui.weight(1));
        share = Ui.button(this, "Share JSON", v -> share());
        share.setEnabled(false);
        actions.addView(share, Ui.weight(1));
        root.addView(actions);
        progress = new ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal);
        root.addView(progress);
        status = Ui.text(this, "", 14);
        root.addView(status);
        error = Ui.error(this);
        root.addView(error);
        setContentView(root);
        if (Build.VERSION.SDK_INT >= 33 && checkSelfPermission(POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED) {
            requestPermissions(new String[] {POST_NOTIFICATIONS}, 1);
        }
    }

    @Override
    protected void onResume() {
        super.onResume();
        BenchmarkService.listener = this;
        if (BenchmarkService.running) {
            status.setText("A benchmark is running.");
        }
    }

    @Override
    protected void onPause() {
        BenchmarkService.listener = null;
        super.onPause();
    }

    private EditText number(String value) {
        EditText e = new EditText(this);
        e.setSingleLine(true);
        e.setInputType(InputType.TYPE_CLASS_NUMBER);
        e.setText(value);
        return e;
    }

    private void start() {
        if (BenchmarkService.running) {
            Ui.showError(error, "A benchmark is already running.");
            return;
        }
        int n;
        int w;
        try {
            n = Integer.parseInt(runs.getText().toString().trim());
            w = Integer.parseInt(warmup.getText().toString().trim());
        } catch (NumberFormatException e) {
            Ui.showError(error, "Runs and warm-up must be whole numbers.");
            return;
        }
        if (n < 1 || n > 100 || w < 0 || w > 10) {
            Ui.showError(error, "Runs must be 1-100 and warm-up 0-10.");
            return;
        }
        Ui.showError(error, null);
        share.setEnabled(false);
        status.setText("Starting...");
        BenchmarkService.start(this, n, w);
    }

    private void share() {
        if (result == null) {
            return;
        }
        Intent send = new Intent(Intent.ACTION_SEND).setType("application/json")
                .putExtra(Intent.EXTRA_STREAM, FilesProvider.benchmarkUri(result))
                .putExtra(Intent.EXTRA_SUBJECT, result.getName())
                .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION);
        try {
            startActivity(Intent.createChooser(send, "Share benchmark JSON"));
        } catch (ActivityNotFoundException e) {
            Ui.showError(error, "No app can receive the file; it is at " + result.getAbsolutePath());
        }
    }

    @Override
    public void onProgress(String line, int done, int total) {
        progress.setMax(Math.max(1, total));
        progress.setProgress(done);
        status.setText(line);
    }

    @Override
    public void onFinished(File json, String summary) {
        result = json;
        progress.setProgress(progress.getMax());
        status.setText(summary);
        share.setEnabled(true);
    }

    @Override
    public void onFailed(String line) {
        status.setText("");
        Ui.showError(error, line);
    }
}
