package org.minicpmv.edge.app;

import android.app.ActivityManager;
import android.app.Notification;
import android.app.NotificationManager;
import android.app.Service;
import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.ServiceInfo;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.os.Build;
import android.os.IBinder;

import org.minicpmv.edge.runtime.BenchmarkWriter;
import org.minicpmv.edge.runtime.Bundle;
import org.minicpmv.edge.runtime.EdgeException;
import org.minicpmv.edge.runtime.Images;
import org.minicpmv.edge.runtime.Pipeline;
import org.minicpmv.edge.runtime.RgbImage;
import org.minicpmv.edge.runtime.Sampling;
import org.minicpmv.edge.runtime.Timings;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Locale;

/**
 * N timed runs after warm-up on the shipped sample photo with the fixed 96-token question, as a foreground service
 * with a progress notification (a benchmark outlives the screen), written as the JSON `minicpmv-edge bench --import`
 * reads. The Activity only starts it and listens.
 */
public final class BenchmarkService extends Service {
    static final String EXTRA_RUNS = "runs";
    static final String EXTRA_WARMUP = "warmup";
    static final int PROMPT_TOKENS = 96;
    private static final String CHANNEL = "benchmark";
    private static final int NOTIFICATION_ID = 96;

    /** What the Activity shows; called on the UI thread. */
    interface Listener {
        void onProgress(String line, int done, int total);
        void onFinished(File json, String summary);
        void onFailed(String line);
    }

    static volatile Listener listener;
    static volatile boolean running;
    private Notification.Builder notification;

    /**
     * Android 14+ requires a foregroundServiceType in the manifest (both builds write it; the aapt1 build through
     * a re-pointed placeholder attribute). Should it be missing, the benchmark runs as a plain started service.
     */
    static boolean canRunInForeground(Context c) {
        if (Build.VERSION.SDK_INT < 34) {
            return true;
        }
        try {
            ServiceInfo info = c.getPackageManager().getServiceInfo(new ComponentName(c, BenchmarkService.class), 0);
            Object type = ServiceInfo.class.getMethod("getForegroundServiceType").invoke(info);
            return type instanceof Integer && (Integer) type != 0;
        } catch (ReflectiveOperationException | PackageManager.NameNotFoundException e) {
            return false;
        }
    }

    static void start(Context c, int runs, int warmup) {
        Intent i = new Intent(c, BenchmarkService.class).putExtra(EXTRA_RUNS, runs).putExtra(EXTRA_WARMUP, warmup);
        if (Build.VERSION.SDK_INT >= 26 && canRunInForeground(c)) {
            try {
                Context.class.getMethod("startForegroundService", Intent.class).invoke(c, i);
                return;
            } catch (ReflectiveOperationException e) {
                // fall through to a started service
            }
        }
        c.startService(i);
    }

    @Override
    public IBinder onBind(Intent intent) {
        return null;
    }

    @Override
    public int onStartCommand(Intent intent, int flags, int startId) {
        if (notification == null) {
            notification = newNotification();
        }
        // every start through startForegroundService must reach startForeground, even a duplicate one
        if (canRunInForeground(this)) {
            try {
                startForeground(NOTIFICATION_ID, notification.build());
            } catch (RuntimeException e) { // e.g. no type allowed: keep going with a plain notification
                notify("Benchmark running (not in the foreground: " + Errors.oneLine(e) + ")", 0, 0);
            }
        } else {
            notify("Benchmark running", 0, 0);
        }
        if (running || intent == null) {
            return START_NOT_STICKY;
        }
        running = true;
        final int runs = intent.getIntExtra(EXTRA_RUNS, 5);
        final int warmup = intent.getIntExtra(EXTRA_WARMUP, 1);
        Background.run(() -> benchmark(runs, warmup), this::finished, this::failed);
        return START_NOT_STICKY;
    }

    private File benchmark(int runs, int warmup) throws EdgeException, IOException {
        AppSettings s = new AppSettings(this);
        Engine engine = Engine.get(this);
        Pipeline pipe = engine.pipeline();
        RgbImage image = samplePhoto();
        BenchPrompt prompt = BenchPrompt.build(pipe.tokenizer(), PROMPT_TOKENS);
        Sampling greedy = Sampling.greedy();
        String mode = s.mode();
        Bundle.CompiledBuild build = engine.requestedBuild();
        boolean npu = build != null && pipe.encoder().fallbackReason() == null;
        BenchmarkWriter w = new BenchmarkWriter(Timings.machineProvenance())
                .app(getPackageName(), versionName(), versionCode())
                .device(Build.MANUFACTURER, Build.MODEL, socOrUnknown(s), Build.VERSION.RELEASE, Build.VERSION.SDK_INT,
                        ramGib())
                .bundle(pipe.bundle(), pipe.encoder().precision(), "int4", npu ? build.name : null)
                .encoderBackend(pipe.encoder().name())
                .settings(mode, prompt.tokens, s.maxNewTokens(), s.threads(), warmup, "sample.jpg")
                .note("encoder: " + engine.encoderChoice());
        int total = warmup + runs;
        for (int i = 0; i < total; i++) {
            boolean timed = i >= warmup;
            String what = timed ? "run " + (i - warmup + 1) + " of " + runs : "warm-up " + (i + 1) + " of " + warmup;
            progress(what, i, total);
            Pipeline.Result r = pipe.generate(image, prompt.text, mode, s.maxNewTokens(), greedy, null);
            if (r.cancelled) {
                throw new EdgeException("Benchmark stopped.");
            }
            if (timed) {
                w.addRun(r.timings);
            }
        }
        progress("writing the result", total, total);
        String stamp = new SimpleDateFormat("yyyyMMdd-HHmmss", Locale.ROOT).format(new Date());
        File out = new File(FilesProvider.benchmarkDir(this), "bench-" + stamp + ".json");
        w.write(out);
        return out;
    }

    private RgbImage samplePhoto() throws IOException, EdgeException {
        Bitmap b;
        try (InputStream in = getAssets().open("sample.jpg")) {
            b = BitmapFactory.decodeStream(in);
        }
        if (b == null) {
            throw new IOException("the APK's sample.jpg cannot be decoded");
        }
        int[] argb = new int[b.getWidth() * b.getHeight()];
        b.getPixels(argb, 0, b.getWidth(), 0, 0, b.getWidth(), b.getHeight());
        return Images.fromArgb(argb, b.getWidth(), b.getHeight(), Images.DEFAULT_MAX_PIXELS);
    }

    private void progress(final String line, final int done, final int total) {
        notify("Benchmark: " + line, done, total);
        Background.ui(() -> {
            Listener l = listener;
            if (l != null) {
                l.onProgress(line, done, total);
            }
        });
    }

    private void finished(File json) {
        running = false;
        notify("Benchmark done: " + json.getName(), 1, 1);
        stopSelf();
        Listener l = listener;
        if (l != null) {
            l.onFinished(json, "Written to " + json.getAbsolutePath());
        }
    }

    private void failed(String line) {
        running = false;
        notify("Benchmark failed: " + line, 0, 0);
        stopSelf();
        Listener l = listener;
        if (l != null) {
            l.onFailed(line);
        }
    }

    @SuppressWarnings("deprecation")
    private Notification.Builder newNotification() {
        Notification.Builder b = null;
        if (Build.VERSION.SDK_INT >= 26) { // notification channels: API 26 classes, reached by reflection
            try {
                Class<?> channelClass = Class.forName("android.app.NotificationChannel");
                Object channel = channelClass.getConstructor(String.class, CharSequence.class, int.class)
                        .newInstance(CHANNEL, "Benchmark", 2 /* IMPORTANCE_LOW */);
                NotificationManager nm = (NotificationManager) getSystemService(NOTIFICATION_SERVICE);
                NotificationManager.class.getMethod("createNotificationChannel", channelClass).invoke(nm, channel);
                b = Notification.Builder.class.getConstructor(Context.class, String.class).newInstance(this, CHANNEL);
            } catch (ReflectiveOperationException e) {
                b = null;
            }
        }
        if (b == null) {
            b = new Notification.Builder(this);
        }
        return b.setSmallIcon(android.R.drawable.stat_sys_download).setContentTitle("MiniCPM-V benchmark")
                .setOngoing(true).setOnlyAlertOnce(true);
    }

    private void notify(String text, int done, int total) {
        NotificationManager nm = (NotificationManager) getSystemService(NOTIFICATION_SERVICE);
        notification.setContentText(text).setProgress(total, done, total == 0).setOngoing(running);
        try {
            nm.notify(NOTIFICATION_ID, notification.build());
        } catch (RuntimeException e) {
            // notifications off or not permitted (Android 13+): the Activity still shows progress
        }
    }

    private static String socOrUnknown(AppSettings s) {
        String chip = Soc.chip(s);
        return chip == null ? "unknown" : chip.toUpperCase(Locale.ROOT);
    }

    private double ramGib() {
        ActivityManager am = (ActivityManager) getSystemService(ACTIVITY_SERVICE);
        ActivityManager.MemoryInfo mi = new ActivityManager.MemoryInfo();
        am.getMemoryInfo(mi);
        return Math.round(mi.totalMem / (1024.0 * 1024 * 1024) * 10) / 10.0;
    }

    private String versionName() {
        try {
            PackageInfo pi = getPackageManager().getPackageInfo(getPackageName(), 0);
            return pi.versionName == null ? "unknown" : pi.versionName;
        } catch (PackageManager.NameNotFoundException e) {
            return "unknown";
        }
    }

    @SuppressWarnings("deprecation")
    private int versionCode() {
        try {
            return getPackageManager().getPackageInfo(getPackageName(), 0).versionCode;
        } catch (PackageManager.NameNotFoundException e) {
            return 0;
        }
    }
}
