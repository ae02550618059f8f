package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The compact binary form of a tokenizer, kept in a cache directory under the sha256 of its {@code tokenizer.json}.
 *
 * <p>It stores the arrays the tokenizer works on (see {@link BpeVocab}), so a load is one file read plus
 * bulk array copies, with no parsing or string hashing per token (only the merge pair table is rebuilt). Layout (big-endian): magic
 * {@code "MCVTOK"}, u16 format version, the 32-byte sha256 of the source JSON; the tokenizer.json without
 * {@code model.vocab}/{@code model.merges} as int length + UTF-8 (normalizer, pre-tokenizer, decoder, added
 * tokens, model options); the vocabulary: blob, offsets, entry ids, hashes, id-to-entry, hash table; the merges:
 * left, right and result ids in rank order (each array as int length + elements); finally the CRC32 of everything before it. Written to a temporary file and renamed.
 */
final class TokenizerCache {
    private static final byte[] MAGIC = "MCVTOK".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;

    private TokenizerCache() {}

    static byte[] sha256(File file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = new FileInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }

    /**
     * The sha256 of {@code json}, remembered in {@code cacheDir} against its size and mtime so that an unchanged file
     * is not hashed again (12 MB cost ~100 ms cold); the bundle reader verifies the same file the same way.
     */
    static byte[] sourceSha(File json, File cacheDir) throws IOException {
        File stamp = new File(cacheDir, "tokenizer-source-" + hex(sha256(json.getCanonicalPath().getBytes(
                StandardCharsets.UTF_8))).substring(0, 16) + ".stamp");
        String key = json.length() + " " + json.lastModified() + " ";
        if (stamp.isFile() && stamp.canRead()) {
            String line = new String(TokenizerText.readAll(stamp), StandardCharsets.UTF_8);
            if (line.startsWith(key) && line.length() == key.length() + 64) {
                byte[] sha = new byte[32];
                for (int i = 0; i < 32; i++) {
                    sha[i] = (byte) Integer.parseInt(line.substring(key.length() + 2 * i, key.length() + 2 * i + 2), 16);
                }
                return sha;
            }
        }
        byte[] sha = sha256(json);
        File tmp = new File(cacheDir, stamp.getName() + ".tmp-" + System.nanoTime());
        try { // best effort: an unwritable cache directory only costs the rehash next time
            if (cacheDir.isDirectory() || cacheDir.mkdirs()) {
                TokenizerText.writeAll(tmp, (key + hex(sha)).getBytes(StandardCharsets.UTF_8));
                if (!tmp.renameTo(stamp)) {
                    tmp.delete();
                }
            }
        } catch (IOException e) {
            tmp.delete();
        }
        return sha;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }

    static File cacheFile(File cacheDir, byte[] sha) {
        return new File(cacheDir, "tokenizer-" + hex(sha) + ".bin");
    }

    static void write(File target, byte[] sha, JSONObject config, BpeModel model) throws IOException {
        BpeVocab v = model.vocab;
        byte[] json = config.toString().getBytes(StandardCharsets.UTF_8);
        int[][] ints = {v.offsets, v.entryIds, v.hashes, v.idToEntry, v.table, model.mergeLeft, model.mergeRight,
            model.mergeNew};
        long size = MAGIC.length + 2 + sha.length + 4 + json.length + 4 + v.blob.length + 8;
        for (int[] a : ints) {
            size += 4 + 4L * a.length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IOException("tokenizer too large to cache");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.put(MAGIC).putShort((short) VERSION).put(sha);
        out.putInt(json.length).put(json);
        out.putInt(v.blob.length).put(v.blob);
        for (int[] a : ints) {
            putInts(out, a);
        }
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());

        File dir = target.getParentFile();
        if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        File tmp = new File(dir, target.getName() + ".tmp-" + System.nanoTime());
        try (FileOutputStream f = new FileOutputStream(tmp)) {
            f.write(out.array());
        } catch (IOException e) {
            tmp.delete();
            throw e;
        }
        if (!tmp.renameTo(target)) {
            tmp.delete();
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    private static void putInts(ByteBuffer out, int[] a) {
        out.putInt(a.length);
        out.asIntBuffer().put(a);
        out.position(out.position() + 4 * a.length);
    }

    static Tokenizer read(File file, byte[] sha) throws IOException, JSONException {
        byte[] bytes = TokenizerText.readAll(file);
        if (bytes.length < MAGIC.length + 2 + 32 + 8) {
            throw new IOException("tokenizer cache too short");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getLong(bytes.length - 8) != crc.getValue()) {
            throw new IOException("tokenizer cache checksum mismatch");
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC) || in.getShort() != VERSION) {
            throw new IOException("not a tokenizer cache of format " + VERSION);
        }
        byte[] storedSha = new byte[32];
        in.get(storedSha);
        if (!Arrays.equals(storedSha, sha)) {
            throw new IOException("cache was written for another tokenizer.json");
        }
        JSONObject config = new JSONObject(new String(readBytes(in), StandardCharsets.UTF_8));
        byte[] blob = readBytes(in);
        BpeVocab vocab = new BpeVocab(blob, readInts(in), readInts(in), readInts(in), readInts(in), readInts(in));
        int[] left = readInts(in);
        int[] right = readInts(in);
        int[] merged = readInts(in);
        if (in.remaining() != 8) {
            throw new IOException("unexpected length of tokenizer cache");
        }
        BpeModel model = new BpeModel(Tokenizer.parseOptions(config.getJSONObject("model")), vocab, left, right, merged);
        return new Tokenizer(config, model, true);
    }

    private static int[] readInts(ByteBuffer in) {
        int[] out = new int[in.getInt()];
        in.asIntBuffer().get(out);
        in.position(in.position() + 4 * out.length);
        return out;
    }

    private static byte[] readBytes(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b;
    }
}
