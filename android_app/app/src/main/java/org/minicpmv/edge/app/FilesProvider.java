package org.minicpmv.edge.app;

import android.content.ContentProvider;
import android.content.ContentValues;
import android.content.Context;
import android.database.Cursor;
import android.net.Uri;
import android.os.ParcelFileDescriptor;

import java.io.File;
import java.io.FileNotFoundException;

/**
 * Two files shared with other apps through content:// URIs and temporary grants (what androidx's FileProvider
 * does, without the dependency): the photo the camera app writes for us, and benchmark JSON files for the share
 * sheet (read-only). Nothing else is served.
 */
public final class FilesProvider extends ContentProvider {
    static final String AUTHORITY = "org.minicpmv.edge.app.files";
    static final Uri CAMERA_URI = Uri.parse("content://" + AUTHORITY + "/camera.jpg");
    private static final String BENCH_PREFIX = "/benchmarks/";

    static File cameraFile(Context c) {
        return new File(c.getCacheDir(), "camera.jpg");
    }

    static File benchmarkDir(Context c) {
        File ext = c.getExternalFilesDir("benchmarks");
        File dir = ext != null ? ext : new File(c.getFilesDir(), "benchmarks");
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IllegalStateException("cannot create " + dir);
        }
        return dir;
    }

    static Uri benchmarkUri(File json) {
        return Uri.parse("content://" + AUTHORITY + BENCH_PREFIX + json.getName());
    }

    @Override
    public boolean onCreate() {
        return true;
    }

    @Override
    public ParcelFileDescriptor openFile(Uri uri, String mode) throws FileNotFoundException {
        Context c = getContext();
        String path = uri.getPath();
        if (c == null || path == null) {
            throw new FileNotFoundException(String.valueOf(uri));
        }
        if (CAMERA_URI.equals(uri)) {
            int flags = mode.contains("w") ? ParcelFileDescriptor.MODE_READ_WRITE | ParcelFileDescriptor.MODE_CREATE
                    | ParcelFileDescriptor.MODE_TRUNCATE : ParcelFileDescriptor.MODE_READ_ONLY;
            return ParcelFileDescriptor.open(cameraFile(c), flags);
        }
        String name = path.startsWith(BENCH_PREFIX) ? path.substring(BENCH_PREFIX.length()) : "";
        if (name.isEmpty() || name.contains("/") || name.startsWith(".") || !name.endsWith(".json")
                || mode.contains("w")) {
            throw new FileNotFoundException(String.valueOf(uri));
        }
        return ParcelFileDescriptor.open(new File(benchmarkDir(c), name), ParcelFileDescriptor.MODE_READ_ONLY);
    }

    @Override
    public String getType(Uri uri) {
        return CAMERA_URI.equals(uri) ? "image/jpeg" : "application/json";
    }

    @Override
    public Cursor query(Uri uri, String[] projection, String selection, String[] args, String sortOrder) {
        return null;
    }

    @Override
    public Uri insert(Uri uri, ContentValues values) {
        return null;
    }

    @Override
    public int delete(Uri uri, String selection, String[] args) {
        return 0;
    }

    @Override
    public int update(Uri uri, ContentValues values, String selection, String[] args) {
        return 0;
    }
}
