package org.minicpmv.edge.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The BPE model of a Hugging Face {@code tokenizer.json}: vocabulary, ranked merges, byte fallback, unk handling.
 *
 * <p>Merges are applied lowest rank first, ties broken by the leftmost position, one pair at a time, exactly as the
 * Rust {@code tokenizers} crate does; that order (not GPT-2's "merge every occurrence") is what makes ids match.
 */
final class BpeModel {
    /** Configuration fields of the {@code model} object, everything except the vocabulary and merges. */
    static final class Options {
        String unkToken;
        String continuingSubwordPrefix;
        String endOfWordSuffix;
        boolean fuseUnk;
        boolean byteFallback;
        boolean ignoreMerges;
    }

    private static final int WORD_CACHE_LIMIT = 20000;

    final Options options;
    final BpeVocab vocab;
    /** Merge k (its rank) joins {@code mergeLeft[k]} and {@code mergeRight[k]} into {@code mergeNew[k]}. */
    final int[] mergeLeft;
    final int[] mergeRight;
    final int[] mergeNew;
    /** (left, right) -> rank. */
    final LongIntMap pairRank;
    private final int[] byteFallbackIds = new int[256];
    private final int unkId;
    private final Map<String, int[]> wordCache = new HashMap<>();

    /**
     * @param mergeNew the id of each merge's result, or null to look it up (first load)
     */
    BpeModel(Options options, BpeVocab vocab, int[] mergeLeft, int[] mergeRight, int[] mergeNew) {
        this.options = options;
        this.vocab = vocab;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        int maxId = vocab.maxId();
        if (mergeNew == null) {
            mergeNew = new int[mergeLeft.length];
            int prefixLength = options.continuingSubwordPrefix == null ? 0 : options.continuingSubwordPrefix.length();
            for (int rank = 0; rank < mergeLeft.length; rank++) {
                String right = vocab.token(mergeRight[rank]);
                String merged = vocab.token(mergeLeft[rank]) + right.substring(Math.min(prefixLength, right.length()));
                mergeNew[rank] = vocab.get(merged);
                if (mergeNew[rank] < 0) {
                    throw new IllegalArgumentException("merge result '" + merged + "' is not in the vocabulary");
                }
            }
        }
        this.mergeNew = mergeNew;
        if (mergeRight.length != mergeLeft.length || mergeNew.length != mergeLeft.length) {
            throw new IllegalArgumentException("merge arrays differ in length");
        }
        for (int rank = 0; rank < mergeLeft.length; rank++) {
            if (mergeNew[rank] < 0 || mergeNew[rank] > maxId || mergeLeft[rank] < 0 || mergeLeft[rank] > maxId
                    || mergeRight[rank] < 0 || mergeRight[rank] > maxId) {
                throw new IllegalArgumentException("merge " + rank + " has an id outside the vocabulary");
            }
        }
        this.pairRank = new LongIntMap(mergeLeft.length);
        for (int rank = 0; rank < mergeLeft.length; rank++) {
            pairRank.put(pairKey(mergeLeft[rank], mergeRight[rank]), rank); // a repeated pair: the later rank wins
        }
        for (int b = 0; b < 256; b++) {
            byteFallbackIds[b] = vocab.get(String.format("<0x%02X>", b));
        }
        unkId = options.unkToken == null ? -1 : vocab.get(options.unkToken);
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    /** Id of a vocabulary token, -1 when absent. */
    int tokenToId(String token) {
        return vocab.get(token);
    }

    String idToToken(int id) {
        return vocab.token(id);
    }

    /** Ids of one pre-tokenized word; empty for an empty word. */
    synchronized int[] tokenize(String word) {
        if (word.isEmpty()) {
            return new int[0];
        }
        if (options.ignoreMerges) {
            int id = vocab.get(word);
            if (id >= 0) {
                return new int[] {id};
            }
        }
        int[] cached = wordCache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] ids = mergeWord(word);
        if (wordCache.size() >= WORD_CACHE_LIMIT) {
            wordCache.clear();
        }
        wordCache.put(word, ids);
        return ids;
    }

    private int[] mergeWord(String word) {
        int[] symbols = new int[word.length() * 4 + 4];
        int count = 0;
        int pendingUnk = -1; // an unk not yet added, so that consecutive unks can fuse
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int end = i + Character.charCount(cp);
            String piece = word.substring(i, end);
            if (i > 0 && options.continuingSubwordPrefix != null) {
                piece = options.continuingSubwordPrefix + piece;
            }
            if (end == word.length() && options.endOfWordSuffix != null) {
                piece = piece + options.endOfWordSuffix;
            }
            i = end;
            int id = vocab.get(piece);
            if (id >= 0) {
                if (pendingUnk >= 0) {
                    symbols[count++] = pendingUnk;
                    pendingUnk = -1;
                }
                symbols[count++] = id;
                continue;
            }
            if (options.byteFallback) {
                byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    all &= byteFallbackIds[b & 0xff] >= 0;
                }
                if (all) {
                    if (count + bytes.length > symbols.length) {
                        symbols = Arrays.copyOf(symbols, (count + bytes.length) * 2);
                    }
                    for (byte b : bytes) {
                        symbols[count++] = byteFallbackIds[b & 0xff];
                    }
                    continue;
                }
            }
            if (options.unkToken != null) {
                if (unkId < 0) {
                    throw new IllegalStateException("unk token '" + options.unkToken + "' is not in the vocabulary");
                }
                if (pendingUnk >= 0 && !options.fuseUnk) {
                    symbols[count++] = pendingUnk;
                }
                pendingUnk = unkId;
            }
        }
        if (pendingUnk >= 0) {
            symbols[count++] = pendingUnk;
        }
        return mergeAll(Arrays.copyOf(symbols, count));
    }

    /** Applies merges by (rank, position) priority over a linked list of symbols. */
    private int[] mergeAll(int[] ids) {
        int n = ids.length;
        if (n < 2 || mergeLeft.length == 0) {
            return ids;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] removed = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            int rank = pairRank.get(pairKey(ids[i], ids[i + 1]));
            if (rank >= 0) {
                queue.add(((long) rank << 32) | i);
            }
        }
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (removed[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            if (pairRank.get(pairKey(ids[pos], ids[right])) != rank) {
                continue; // stale entry: the pair at pos changed since it was queued
            }
            ids[pos] = mergeNew[rank];
            removed[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                int r = pairRank.get(pairKey(ids[prev[pos]], ids[pos]));
                if (r >= 0) {
                    queue.add(((long) r << 32) | prev[pos]);
                }
            }
            if (next[pos] >= 0) {
                int r = pairRank.get(pairKey(ids[pos], ids[next[pos]]));
                if (r >= 0) {
                    queue.add(((long) r << 32) | pos);
                }
            }
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (!removed[i]) {
                ids[kept++] = ids[i];
            }
        }
        return Arrays.copyOf(ids, kept);
    }

    /** Open-addressing long -> int map (no boxing; value -1 marks an empty slot). */
    static final class LongIntMap {
        private final long[] keys;
        private final int[] values;
        private final int mask;

        LongIntMap(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
            keys = new long[capacity];
            values = new int[capacity];
            Arrays.fill(values, -1);
            mask = capacity - 1;
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            int i = (int) (h ^ (h >>> 29)) & mask;
            while (values[i] >= 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        void put(long key, int value) {
            int i = slot(key);
            keys[i] = key;
            values[i] = value;
        }

        int get(long key) {
            return values[slot(key)];
        }
    }
}
