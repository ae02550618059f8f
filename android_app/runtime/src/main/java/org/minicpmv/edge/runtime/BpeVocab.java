package org.minicpmv.edge.runtime;

import java.nio.charset.StandardCharsets;

/**
 * A BPE vocabulary as flat arrays: token UTF-8 bytes in one blob plus an open-addressing hash table keyed by
 * {@link String#hashCode()} (fixed by the Java language spec, so it can be stored). The arrays are exactly what the
 * cache file holds, so loading a 150k-token vocabulary allocates a handful of arrays instead of 300k objects.
 */
final class BpeVocab {
    final byte[] blob;
    /** Token i is {@code blob[offsets[i] .. offsets[i + 1])}. */
    final int[] offsets;
    final int[] entryIds;
    final int[] hashes;
    /** Id -> entry index, -1 where no token has that id. */
    final int[] idToEntry;
    /** Hash slots holding entry index + 1, 0 when empty; length is a power of two. */
    final int[] table;

    BpeVocab(byte[] blob, int[] offsets, int[] entryIds, int[] hashes, int[] idToEntry, int[] table) {
        this.blob = blob;
        this.offsets = offsets;
        this.entryIds = entryIds;
        this.hashes = hashes;
        this.idToEntry = idToEntry;
        this.table = table;
        if (offsets.length != entryIds.length + 1 || hashes.length != entryIds.length
                || Integer.bitCount(table.length) != 1 || offsets[offsets.length - 1] != blob.length) {
            throw new IllegalArgumentException("inconsistent vocabulary arrays");
        }
    }

    /** Builds the arrays from (token, id) pairs; a token listed twice keeps its last id, as a JSON object would. */
    static BpeVocab build(String[] tokens, int[] ids) {
        int n = tokens.length;
        byte[][] utf8 = new byte[n][];
        int total = 0;
        int maxId = -1;
        for (int i = 0; i < n; i++) {
            utf8[i] = tokens[i].getBytes(StandardCharsets.UTF_8);
            total += utf8[i].length;
            maxId = Math.max(maxId, ids[i]);
        }
        byte[] blob = new byte[total];
        int[] offsets = new int[n + 1];
        int[] hashes = new int[n];
        int[] idToEntry = new int[maxId + 1];
        java.util.Arrays.fill(idToEntry, -1);
        int[] table = new int[Integer.highestOneBit(Math.max(4, n * 2) - 1) << 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(utf8[i], 0, blob, offsets[i], utf8[i].length);
            offsets[i + 1] = offsets[i] + utf8[i].length;
            hashes[i] = tokens[i].hashCode();
            idToEntry[ids[i]] = i;
        }
        BpeVocab v = new BpeVocab(blob, offsets, ids.clone(), hashes, idToEntry, table);
        for (int i = 0; i < n; i++) {
            int slot = v.find(tokens[i], hashes[i]);
            if (table[slot] != 0) {
                throw new IllegalArgumentException("token listed twice in the vocabulary: " + tokens[i]);
            }
            table[slot] = i + 1;
        }
        return v;
    }

    int size() {
        return entryIds.length;
    }

    int maxId() {
        return idToEntry.length - 1;
    }

    /** Id of {@code token}, -1 when absent. */
    int get(String token) {
        int slot = find(token, token.hashCode());
        return table[slot] == 0 ? -1 : entryIds[table[slot] - 1];
    }

    /** Token with this id, null when none. */
    String token(int id) {
        if (id < 0 || id >= idToEntry.length || idToEntry[id] < 0) {
            return null;
        }
        int e = idToEntry[id];
        return new String(blob, offsets[e], offsets[e + 1] - offsets[e], StandardCharsets.UTF_8);
    }

    /** The slot holding {@code token}, or the empty slot where it would go. */
    private int find(String token, int hash) {
        int mask = table.length - 1;
        int h = hash * 0x9E3779B1;
        int i = (h ^ (h >>> 15)) & mask;
        while (table[i] != 0) {
            int e = table[i] - 1;
            if (hashes[e] == hash && sameUtf8(e, token)) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Compares entry e's bytes with the UTF-8 encoding of {@code s} without allocating. */
    private boolean sameUtf8(int e, String s) {
        int p = offsets[e];
        int end = offsets[e + 1];
        for (int k = 0; k < s.length(); ) {
            int cp = s.codePointAt(k);
            k += Character.charCount(cp);
            if (cp >= 0xd800 && cp <= 0xdfff) {
                cp = '?'; // a lone surrogate encodes as '?' in getBytes
            }
            if (cp < 0x80) {
                if (p >= end || blob[p++] != (byte) cp) {
                    return false;
                }
            } else if (cp < 0x800) {
                if (p + 2 > end || blob[p++] != (byte) (0xc0 | cp >> 6) || blob[p++] != (byte) (0x80 | cp & 0x3f)) {
                    return false;
                }
            } else if (cp < 0x10000) {
                if (p + 3 > end || blob[p++] != (byte) (0xe0 | cp >> 12)
                        || blob[p++] != (byte) (0x80 | cp >> 6 & 0x3f) || blob[p++] != (byte) (0x80 | cp & 0x3f)) {
                    return false;
                }
            } else {
                if (p + 4 > end || blob[p++] != (byte) (0xf0 | cp >> 18) || blob[p++] != (byte) (0x80 | cp >> 12 & 0x3f)
                        || blob[p++] != (byte) (0x80 | cp >> 6 & 0x3f) || blob[p++] != (byte) (0x80 | cp & 0x3f)) {
                    return false;
                }
            }
        }
        return p == end;
    }
}
