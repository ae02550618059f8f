package org.minicpmv.edge.app;

import android.content.Context;
import android.content.res.AssetManager;
import android.net.Uri;

import org.json.JSONArray;
import org.json.JSONObject;
import org.minicpmv.edge.runtime.Bundle;
import org.minicpmv.edge.runtime.EdgeException;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Bundles live in the app's external files folder, `Android/data/<package>/files/bundles/<name>/`, which is where
 * `adb push` (and `minicpmv-edge android push`) puts them. Imports and the embedded demo bundle are written to a
 * temporary folder and renamed only once complete and verified: a good bundle is never overwritten.
 */
final class BundleStore {
    static final String EMBEDDED_ASSET_DIR = "bundle";

    /** Progress of a long step, called on the worker thread. */
    interface Progress {
        void update(long done, long total, String what);
    }

    private final Context context;

    BundleStore(Context context) {
        this.context = context.getApplicationContext();
    }

    /** The bundles folder; never throws (a folder that cannot be created fails later, in a worker, as one line). */
    File root() {
        File ext = context.getExternalFilesDir("bundles");
        File dir = ext != null ? ext : new File(context.getFilesDir(), "bundles");
        if (!dir.isDirectory()) {
            dir.mkdirs();
        }
        return dir;
    }

    /** Where Bundle remembers verified files (size + mtime), so a second open costs nothing. */
    File verifyCache() {
        return new File(context.getFilesDir(), "verified");
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        File[] dirs = root().listFiles();
        if (dirs != null) {
            for (File d : dirs) {
                if (d.isDirectory() && !d.getName().startsWith(".") && new File(d, "manifest.json").isFile()) {
                    out.add(d.getName());
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    Bundle open(String name) throws EdgeException {
        if (name == null || name.isEmpty()) {
            throw new EdgeException("No bundle selected: open Bundles and pick one (adb push it or import a .zip).");
        }
        return Bundle.open(new File(root(), name), verifyCache());
    }

    /** The bundle opened without the verified-files record: every file is hashed again on first use. */
    Bundle openForFullCheck(String name) throws EdgeException {
        open(name); // same checks and messages as a normal open
        return Bundle.open(new File(root(), name), null);
    }

    /** Checks the sha256 of every file in the manifest, reporting bytes done. */
    void verify(Bundle bundle, Progress progress) throws EdgeException {
        JSONArray files = bundle.manifest().optJSONArray("files");
        if (files == null) {
            throw new EdgeException("manifest.json of " + bundle.root().getName() + " lists no files");
        }
        long total = 0;
        for (int i = 0; i < files.length(); i++) {
            total += files.optJSONObject(i).optLong("bytes", 0);
        }
        long done = 0;
        for (int i = 0; i < files.length(); i++) {
            JSONObject f = files.optJSONObject(i);
            String path = f.optString("path");
            progress.update(done, total, path);
            bundle.file(path);
            done += f.optLong("bytes", 0);
        }
        progress.update(total, total, "verified");
    }

    /** Copies the bundle embedded by `minicpmv-edge apk --bundle` out of the APK once; returns its name or null. */
    String installEmbedded(Progress progress) throws IOException {
        AssetManager assets = context.getAssets();
        String[] names = assets.list(EMBEDDED_ASSET_DIR);
        if (names == null || names.length == 0) {
            return null;
        }
        String name = names[0];
        File dest = new File(root(), name);
        if (new File(dest, "manifest.json").isFile()) {
            return name;
        }
        File tmp = new File(root(), ".embedded-" + name);
        deleteTree(tmp);
        copyAssetTree(assets, EMBEDDED_ASSET_DIR + "/" + name, tmp, progress);
        if (!tmp.renameTo(dest)) {
            throw new IOException("cannot move the embedded bundle into " + dest);
        }
        return name;
    }

    private static void copyAssetTree(AssetManager assets, String path, File dest, Progress progress)
            throws IOException {
        String[] children = assets.list(path);
        if (children == null || children.length == 0) { // a file
            progress.update(0, 0, path);
            File parent = dest.getParentFile();
            if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
                throw new IOException("cannot create " + parent);
            }
            try (InputStream in = assets.open(path); OutputStream out = new FileOutputStream(dest)) {
                copy(in, out);
            }
            return;
        }
        if (!dest.isDirectory() && !dest.mkdirs()) {
            throw new IOException("cannot create " + dest);
        }
        for (String child : children) {
            copyAssetTree(assets, path + "/" + child, new File(dest, child), progress);
        }
    }

    /**
     * Imports a .zip of a bundle folder picked with the system file picker. Entries must stay inside the bundle;
     * the result is opened and fully verified before it appears under its name.
     */
    String importZip(Uri uri, Progress progress) throws IOException, EdgeException {
        File tmp = new File(root(), ".import-" + System.currentTimeMillis());
        try {
            InputStream raw = context.getContentResolver().openInputStream(uri);
            if (raw == null) {
                throw new IOException("cannot open the picked file");
            }
            try (ZipInputStream zip = new ZipInputStream(raw)) {
                ZipEntry e;
                long n = 0;
                while ((e = zip.getNextEntry()) != null) {
                    File target = confined(tmp, e.getName());
                    if (e.isDirectory()) {
                        continue;
                    }
                    File parent = target.getParentFile();
                    if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
                        throw new IOException("cannot create " + parent);
                    }
                    progress.update(++n, 0, e.getName());
                    try (OutputStream out = new FileOutputStream(target)) {
                        copy(zip, out);
                    }
                }
            }
            File bundleDir = bundleFolder(tmp);
            Bundle bundle = Bundle.open(bundleDir, null);
            verify(bundle, progress);
            String name = bundleDir == tmp ? bundle.preset() : bundleDir.getName();
            File dest = new File(root(), name);
            if (dest.exists()) {
                throw new EdgeException("A bundle named " + name + " already exists: delete it first.");
            }
            if (!bundleDir.renameTo(dest)) {
                throw new IOException("cannot move the imported bundle into " + dest);
            }
            return name;
        } finally {
            deleteTree(tmp);
        }
    }

    /** The folder holding manifest.json: the zip's root or its single top-level folder. */
    private static File bundleFolder(File tmp) throws EdgeException {
        if (new File(tmp, "manifest.json").isFile()) {
            return tmp;
        }
        File[] top = tmp.listFiles();
        if (top != null && top.length == 1 && new File(top[0], "manifest.json").isFile()) {
            return top[0];
        }
        throw new EdgeException("The .zip holds no bundle: manifest.json not found at its top level.");
    }

    private static File confined(File root, String entry) throws EdgeException, IOException {
        File f = new File(root, entry);
        String base = root.getCanonicalPath() + File.separator;
        if (entry.startsWith("/") || !f.getCanonicalPath().startsWith(base)) {
            throw new EdgeException("The .zip entry " + entry + " points outside the bundle: refused.");
        }
        return f;
    }

    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
    }

    static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        if (f.exists() && !f.delete()) {
            f.deleteOnExit();
        }
    }

    /** An `inspect`-like summary; the compiled build for `chip` is marked. */
    static String summary(Bundle bundle, String chip) throws EdgeException {
        StringBuilder sb = new StringBuilder();
        JSONObject model = bundle.manifest().optJSONObject("model");
        sb.append("Model: ").append(bundle.preset());
        if (model != null) {
            sb.append(" (MiniCPM-V ").append(model.optString("version", "?")).append(", ")
                    .append(model.optString("hf_name", "")).append(")");
        }
        sb.append("\nWeights: ").append(bundle.synthetic() ? "SYNTHETIC (answers are meaningless text)" : "real");
        sb.append("\nVision encoders (CPU, fp32): ").append(Arrays.toString(bundle.encoderShapes()));
        JSONObject llm = bundle.manifest().optJSONObject("llm");
        if (llm != null) {
            JSONObject q = llm.optJSONObject("quantization");
            sb.append("\nLLM: ").append(q != null ? q.optString("weights", "int4") : "int4").append(" decoder (CPU)");
        }
        List<Bundle.CompiledBuild> builds = bundle.compiledBuilds();
        sb.append("\nNPU builds: ").append(builds.isEmpty() ? "none (CPU encoder only)" : "");
        boolean match = false;
        for (Bundle.CompiledBuild b : builds) {
            boolean mine = chip != null && chip.equalsIgnoreCase(b.chip);
            match |= mine;
            sb.append("\n  ").append(mine ? "* " : "  ").append(b.name).append(": ").append(b.backend).append(", ")
                    .append(b.chip).append(", ").append(b.precision)
                    .append(b.runtime == null ? " (not runnable on a phone)" : "")
                    .append(mine ? "  <- this phone" : "");
        }
        sb.append("\nThis phone's SoC: ").append(chip == null ? "unknown (enter it in Settings)" : chip);
        if (!builds.isEmpty() && !match) {
            sb.append("\nNo build for this SoC: the encoder runs on the CPU.");
        }
        return sb.toString();
    }
}
