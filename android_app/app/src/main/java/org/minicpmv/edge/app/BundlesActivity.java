package org.minicpmv.edge.app;

import android.app.Activity;
import android.content.ActivityNotFoundException;
import android.content.Intent;
import android.net.Uri;
import android.os.Bundle;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.ProgressBar;
import android.widget.ScrollView;
import android.widget.TextView;

/**
 * The bundles in the app's external files folder (where `adb push` puts them) or imported as a .zip through the
 * system file picker; select one, verify every file's sha256 with a progress bar, read an `inspect`-like summary.
 */
public final class BundlesActivity extends Activity {
    private static final int IMPORT_ZIP = 1;

    private AppSettings settings;
    private BundleStore store;
    private LinearLayout list;
    private TextView summary;
    private TextView error;
    private ProgressBar progress;
    private TextView progressText;

    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        settings = new AppSettings(this);
        store = new BundleStore(this);
        LinearLayout root = Ui.column(this);
        root.addView(Ui.text(this, "Push bundles with\n  adb push BUNDLE " + store.root().getAbsolutePath()
                + "/\nor minicpmv-edge android push BUNDLE, or import a .zip of a bundle folder.", 13));
        LinearLayout actions = Ui.row(this);
        actions.addView(Ui.button(this, "Import .zip", v -> importZip()), Ui.weight(1));
        actions.addView(Ui.button(this, "Verify", v -> verifySelected()), Ui.weight(1));
        actions.addView(Ui.button(this, "Refresh", v -> refresh()), Ui.weight(1));
        root.addView(actions);
        progress = new ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal);
        progress.setMax(1000);
        root.addView(progress);
        progressText = Ui.text(this, "", 12);
        root.addView(progressText);
        error = Ui.error(this);
        root.addView(error);
        list = Ui.column(this);
        root.addView(list);
        summary = Ui.text(this, "", 14);
        ScrollView scroll = new ScrollView(this);
        scroll.addView(summary);
        root.addView(scroll, new LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1));
        setContentView(root);
        refresh();
    }

    private void refresh() {
        list.removeAllViews();
        String selected = settings.bundleName();
        for (final String name : store.names()) {
            Button b = Ui.button(this, (name.equals(selected) ? "● " : "○ ") + name, v -> select(name));
            list.addView(b);
        }
        if (store.names().isEmpty()) {
            list.addView(Ui.text(this, "No bundles yet.", 14));
        }
        if (!selected.isEmpty()) {
            showSummary(selected);
        }
    }

    /** The Engine reopens its pipeline on the worker thread when it sees the new name: never closed under a run. */
    private void select(String name) {
        settings.edit().putString("bundle", name).apply();
        refresh();
    }

    private void showSummary(final String name) {
        final String chip = Soc.chip(settings);
        Background.run(() -> BundleStore.summary(store.open(name), chip), s -> {
            summary.setText(s);
            Ui.showError(error, null);
        }, line -> Ui.showError(error, line));
    }

    private BundleStore.Progress progressUi() {
        return (done, total, what) -> Background.ui(() -> {
            progress.setIndeterminate(total <= 0);
            if (total > 0) {
                progress.setProgress((int) (1000 * done / total));
            }
            progressText.setText(what);
        });
    }

    private void verifySelected() {
        final String name = settings.bundleName();
        final BundleStore.Progress p = progressUi();
        Background.run(() -> {
            store.verify(store.openForFullCheck(name), p);
            return name;
        }, n -> {
            progressText.setText("All files of " + n + " match their sha256.");
            Ui.showError(error, null);
        }, line -> {
            progressText.setText("");
            Ui.showError(error, line);
        });
    }

    private void importZip() {
        Intent i = new Intent(Intent.ACTION_OPEN_DOCUMENT).addCategory(Intent.CATEGORY_OPENABLE)
                .setType("application/zip");
        try {
            startActivityForResult(i, IMPORT_ZIP);
        } catch (ActivityNotFoundException e) {
            Ui.showError(error, "No file picker on this phone.");
        }
    }

    @Override
    protected void onActivityResult(int request, int result, Intent data) {
        super.onActivityResult(request, result, data);
        if (request != IMPORT_ZIP || result != RESULT_OK || data == null || data.getData() == null) {
            return;
        }
        final Uri uri = data.getData();
        final BundleStore.Progress p = progressUi();
        Background.run(() -> store.importZip(uri, p), name -> {
            progressText.setText("Imported and verified " + name + ".");
            select(name);
        }, line -> {
            progressText.setText("");
            Ui.showError(error, line);
        });
    }
}
