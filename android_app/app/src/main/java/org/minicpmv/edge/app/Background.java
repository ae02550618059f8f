package org.minicpmv.edge.app;

import android.os.Handler;
import android.os.Looper;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** One worker thread for model work (never the UI thread) and a way back to the UI thread. */
final class Background {
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor();
    private static final Handler MAIN = new Handler(Looper.getMainLooper());

    /** A job that may fail; its failure is shown as one line, never thrown into the UI. */
    interface Job<T> {
        T run() throws Exception;
    }

    interface Done<T> {
        void onDone(T value);
    }

    interface Failed {
        void onError(String oneLine);
    }

    private Background() {}

    static <T> void run(final Job<T> job, final Done<T> done, final Failed failed) {
        WORKER.execute(() -> {
            try {
                final T value = job.run();
                MAIN.post(() -> done.onDone(value));
            } catch (Throwable t) { // OutOfMemoryError and runtime errors included: the app must not crash
                final String line = Errors.oneLine(t);
                MAIN.post(() -> failed.onError(line));
            }
        });
    }

    static void ui(Runnable r) {
        MAIN.post(r);
    }
}
