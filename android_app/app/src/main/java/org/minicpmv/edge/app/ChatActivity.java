package org.minicpmv.edge.app;

import android.app.Activity;
import android.content.ActivityNotFoundException;
import android.content.Intent;
import android.graphics.Color;
import android.net.Uri;
import android.os.Build;
import android.os.Bundle;
import android.provider.MediaStore;
import android.view.View;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.TextView;

import org.json.JSONObject;
import org.minicpmv.edge.runtime.Pipeline;

/** Pick or take a photo, see how it will be sliced, ask, watch the answer stream in with what each stage cost. */
public final class ChatActivity extends Activity {
    private static final int PICK_PHOTO = 1;
    private static final int TAKE_PHOTO = 2;
    /** MediaStore.ACTION_PICK_IMAGES, API 33+ (the system photo picker). */
    private static final String ACTION_PICK_IMAGES = "android.provider.action.PICK_IMAGES";

    private AppSettings settings;
    private SlicePlanView plan;
    private TextView planText;
    private TextView status;
    private TextView error;
    private LinearLayout transcript;
    private ScrollView scroll;
    private EditText prompt;
    private Button ask;
    private Photos.Photo photo;
    private boolean running;

    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        settings = new AppSettings(this);
        LinearLayout root = Ui.column(this);
        LinearLayout nav = Ui.row(this);
        nav.addView(Ui.button(this, "Photo", v -> pickPhoto()), Ui.weight(1));
        nav.addView(Ui.button(this, "Camera", v -> takePhoto()), Ui.weight(1));
        nav.addView(Ui.button(this, "Bundles", v -> startActivity(new Intent(this, BundlesActivity.class))), Ui.weight(1));
        nav.addView(Ui.button(this, "Settings", v -> startActivity(new Intent(this, SettingsActivity.class))), Ui.weight(1));
        nav.addView(Ui.button(this, "Bench", v -> startActivity(new Intent(this, BenchmarkActivity.class))), Ui.weight(1));
        root.addView(nav);
        status = Ui.text(this, "", 13);
        root.addView(status);
        error = Ui.error(this);
        root.addView(error);

        LinearLayout content = Ui.column(this);
        plan = new SlicePlanView(this);
        content.addView(plan);
        planText = Ui.text(this, "Pick a photo or take one.", 13);
        content.addView(planText);
        transcript = Ui.column(this);
        content.addView(transcript);
        scroll = new ScrollView(this);
        scroll.addView(content);
        root.addView(scroll, new LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1));

        LinearLayout input = Ui.row(this);
        prompt = new EditText(this);
        prompt.setHint("Ask about the photo");
        prompt.setText("Describe the image.");
        input.addView(prompt, Ui.weight(1));
        ask = Ui.button(this, "Ask", v -> askOrStop());
        input.addView(ask);
        root.addView(input);
        setContentView(root);
        installEmbeddedBundle();
    }

    @Override
    protected void onResume() {
        super.onResume();
        refreshStatus();
    }

    private void refreshStatus() {
        String name = settings.bundleName();
        status.setText(name.isEmpty() ? "No bundle selected: open Bundles." : "Bundle " + name + " · mode "
                + settings.mode() + " · encoder " + settings.encoder() + " · SoC "
                + (Soc.chip(settings) == null ? "unknown" : Soc.chip(settings)));
        if (photo != null) {
            showPlan();
        }
    }

    /** An APK built with `--bundle` carries a demo bundle: copy it out once and select it if nothing is. */
    private void installEmbeddedBundle() {
        final BundleStore store = new BundleStore(this);
        Background.run(() -> store.installEmbedded((done, total, what) -> { }), name -> {
            if (name != null && settings.bundleName().isEmpty()) {
                settings.edit().putString("bundle", name).apply();
                refreshStatus();
            }
        }, line -> Ui.showError(error, "Could not install the embedded bundle: " + line));
    }

    private void pickPhoto() {
        Intent i;
        if (Build.VERSION.SDK_INT >= 33) {
            i = new Intent(ACTION_PICK_IMAGES).setType("image/*");
        } else {
            i = new Intent(Intent.ACTION_GET_CONTENT).setType("image/*").addCategory(Intent.CATEGORY_OPENABLE);
        }
        try {
            startActivityForResult(i, PICK_PHOTO);
        } catch (ActivityNotFoundException e) {
            Ui.showError(error, "No photo picker on this phone.");
        }
    }

    private void takePhoto() {
        Intent i = new Intent(MediaStore.ACTION_IMAGE_CAPTURE);
        i.putExtra(MediaStore.EXTRA_OUTPUT, FilesProvider.CAMERA_URI);
        i.addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION | Intent.FLAG_GRANT_READ_URI_PERMISSION);
        try {
            startActivityForResult(i, TAKE_PHOTO);
        } catch (ActivityNotFoundException | SecurityException e) {
            Ui.showError(error, "No camera app available: " + Errors.oneLine(e));
        }
    }

    @Override
    protected void onActivityResult(int request, int result, Intent data) {
        super.onActivityResult(request, result, data);
        if (result != RESULT_OK) {
            return;
        }
        final Uri uri = request == TAKE_PHOTO ? Uri.fromFile(FilesProvider.cameraFile(this))
                : data == null ? null : data.getData();
        if (uri == null) {
            Ui.showError(error, "The picker returned no photo.");
            return;
        }
        planText.setText("Reading the photo...");
        Background.run(() -> Photos.load(getContentResolver(), uri), p -> {
            photo = p;
            Ui.showError(error, null);
            showPlan();
        }, line -> {
            planText.setText("");
            Ui.showError(error, line);
        });
    }

    private void showPlan() {
        plan.show(photo.bitmap, settings.mode());
        planText.setText(photo.note + " · " + plan.describe());
    }

    private void askOrStop() {
        if (running) {
            Engine.get(this).cancel();
            ask.setEnabled(false);
            return;
        }
        final String question = prompt.getText().toString().trim();
        if (photo == null) {
            Ui.showError(error, "Pick or take a photo first.");
            return;
        }
        if (question.isEmpty()) {
            Ui.showError(error, "Type a question first.");
            return;
        }
        Ui.showError(error, null);
        TextView q = Ui.text(this, "You: " + question, 15);
        q.setTextColor(Color.rgb(21, 101, 192));
        transcript.addView(q);
        final TextView answer = Ui.text(this, "", 16);
        transcript.addView(answer);
        final TextView stats = Ui.text(this, "opening the bundle...", 12);
        stats.setTextColor(Color.GRAY);
        transcript.addView(stats);
        setRunning(true);
        final Photos.Photo p = photo;
        final String mode = settings.mode();
        final int maxNew = settings.maxNewTokens();
        final Engine engine = Engine.get(this);
        Background.run(() -> {
            Pipeline pipe = engine.pipeline();
            Background.ui(() -> stats.setText("encoder: " + engine.encoderChoice() + " · running..."));
            Pipeline.Result r = pipe.generate(p.image, question, mode, maxNew, settings.sampling(),
                    piece -> Background.ui(() -> {
                        answer.append(piece);
                        scroll.post(() -> scroll.fullScroll(View.FOCUS_DOWN));
                    }));
            JSONObject ref = References.forChip(this, Soc.chip(settings), pipe.bundle().preset());
            return new Object[] {r, pipe.bundle().synthetic(), ref, engine.encoderChoice()};
        }, out -> {
            Pipeline.Result r = (Pipeline.Result) out[0];
            String line = StatsLine.of(r.timings, (Boolean) out[1], r.cancelled) + "\nencoder: " + out[3];
            if (out[2] != null) {
                line += "\n" + References.line((JSONObject) out[2]);
            }
            stats.setText(line);
            setRunning(false);
        }, line -> {
            stats.setText("");
            Ui.showError(error, line);
            setRunning(false);
        });
    }

    private void setRunning(boolean on) {
        running = on;
        ask.setText(on ? "Stop" : "Ask");
        ask.setEnabled(true);
    }
}
