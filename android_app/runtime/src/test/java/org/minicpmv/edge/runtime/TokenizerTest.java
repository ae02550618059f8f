package org.minicpmv.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Java tokenizer == Python {@code tokenizers}, on vectors written at test time by
 * {@code python android_app/runtime/vectors/tokenizer_vectors.py DIR} (into {@code DIR/tokenizer/}), read from the
 * directory given as {@code -Dvectors.dir=DIR}.
 * A missing directory fails the run: nothing is skipped.
 */
class TokenizerTest {
    private static final long SECOND_LOAD_BUDGET_MS = 300;

    static File vectorsDir() {
        String dir = System.getProperty("vectors.dir");
        File sub = new File(dir == null ? "." : dir, "tokenizer");
        if (dir == null || !new File(sub, "index.json").isFile()) {
            fail("-Dvectors.dir must name the directory tokenizer_vectors.py wrote (its tokenizer/ part); got " + dir);
        }
        return sub;
    }

    static Stream<String> tokenizers() throws IOException, JSONException {
        JSONArray index = new JSONArray(read(new File(vectorsDir(), "index.json")));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < index.length(); i++) {
            names.add(index.getString(i));
        }
        return names.stream();
    }

    private static String read(File f) throws IOException {
        return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
    }

    private static JSONObject vectors(String name) throws IOException, JSONException {
        return new JSONObject(read(new File(vectorsDir(), name + ".vectors.json")));
    }

    private static File tokenizerJson(String name) {
        return new File(vectorsDir(), name + ".tokenizer.json");
    }

    private static int[] ints(JSONArray a) throws JSONException {
        int[] out = new int[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getInt(i);
        }
        return out;
    }

    private static String show(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }

    /** Checks every string's ids and decode; returns how many were compared. */
    private static int checkCases(Tokenizer tok, JSONObject v, String label) throws JSONException {
        JSONArray cases = v.getJSONArray("cases");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.length(); i++) {
            JSONObject c = cases.getJSONObject(i);
            String text = c.getString("text");
            int[] want = ints(c.getJSONArray("ids"));
            int[] got = tok.encode(text);
            if (!Arrays.equals(want, got)) {
                failures.add("encode '" + show(text) + "': python " + Arrays.toString(want) + " java "
                        + Arrays.toString(got));
            }
            String decoded = tok.decode(want);
            if (!decoded.equals(c.getString("decode"))) {
                failures.add("decode of '" + show(text) + "': python '" + show(c.getString("decode")) + "' java '"
                        + show(decoded) + "'");
            }
            String skipped = tok.decode(want, true);
            if (!skipped.equals(c.getString("decode_skip"))) {
                failures.add("decode (skip special) of '" + show(text) + "': python '"
                        + show(c.getString("decode_skip")) + "' java '" + show(skipped) + "'");
            }
        }
        if (!failures.isEmpty()) {
            fail(label + ": " + failures.size() + " mismatches of " + cases.length() + " strings, first: "
                    + String.join("\n  ", failures.subList(0, Math.min(8, failures.size()))));
        }
        return cases.length();
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void encodeAndDecodeEqualPython(String name) throws Exception {
        JSONObject v = vectors(name);
        Tokenizer tok = Tokenizer.fromFile(tokenizerJson(name), null);
        int n = checkCases(tok, v, name);
        assertTrue(n >= (name.equals("qwen2-sized") ? 500 : 2000), name + " has only " + n + " strings");
        assertEquals(v.getInt("vocab_size"), tok.vocabSize(), "vocab size");
        JSONObject ids = v.getJSONObject("token_to_id");
        for (Iterator<String> it = ids.keys(); it.hasNext(); ) {
            String token = it.next();
            assertEquals(ids.getInt(token), tok.tokenToId(token), "tokenToId " + show(token));
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void streamingEqualsPythonAndNeverSplitsACharacter(String name) throws Exception {
        JSONObject v = vectors(name);
        Tokenizer tok = Tokenizer.fromFile(tokenizerJson(name), null);
        JSONArray streams = v.getJSONArray("streams");
        for (int s = 0; s < streams.length(); s++) {
            JSONObject st = streams.getJSONObject(s);
            int[] ids = ints(st.getJSONArray("ids"));
            if (st.has("decode")) {
                assertEquals(st.getString("decode"), tok.decode(ids), "decode of random ids " + Arrays.toString(ids));
            }
            checkStream(tok, ids, st.getJSONArray("steps"), st.getInt("error_at"), false, name + " stream " + s);
            checkStream(tok, ids, st.getJSONArray("steps_skip"), st.getInt("error_at_skip"), true,
                    name + " stream " + s + " (skip special)");
        }
    }

    private static void checkStream(Tokenizer tok, int[] ids, JSONArray steps, int errorAt, boolean skip, String label)
            throws JSONException {
        Tokenizer.StreamDecoder sd = tok.streamDecoder(skip);
        StringBuilder all = new StringBuilder();
        StringBuilder python = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            String chunk = sd.push(ids[i]);
            if (errorAt < 0 || i < errorAt) { // from errorAt on Python raised; Java must go on with whole chars
                assertEquals(steps.getString(i), chunk, label + " step " + i + " ids " + Arrays.toString(ids));
                python.append(chunk);
            }
            assertWholeCharacters(chunk);
            all.append(chunk);
        }
        // Where Python's chunks are a prefix of the full decode (not so for a byte run that never completes a
        // character, or a Strip decoder seeing a shorter window), pushes + flush must complete it exactly.
        String full = tok.decode(ids, skip);
        if (errorAt < 0 && full.startsWith(python.toString())) {
            all.append(sd.flush());
            assertEquals(full, all.toString(), label + ": pushes + flush == decode");
        }
    }

    /** A chunk never ends inside a character: no lone surrogate, no trailing replacement char of a cut sequence. */
    private static void assertWholeCharacters(String chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < chunk.length() && Character.isLowSurrogate(chunk.charAt(i + 1)), "lone high surrogate");
                i++;
            } else {
                assertFalse(Character.isLowSurrogate(c), "lone low surrogate");
            }
        }
        assertFalse(chunk.endsWith("\uFFFD"), "chunk ends with U+FFFD (a cut UTF-8 sequence)");
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void cachedFormGivesTheSameIds(String name, @TempDir File cache) throws Exception {
        Tokenizer first = Tokenizer.fromFile(tokenizerJson(name), cache);
        assertFalse(first.fromCache);
        Tokenizer second = Tokenizer.fromFile(tokenizerJson(name), cache);
        assertTrue(second.fromCache, "second load must come from the cache");
        checkCases(second, vectors(name), name + " (cached)");
        assertEquals(first.vocabSize(), second.vocabSize());
    }

    /**
     * The second load comes from the binary cache. Reported: the first load and five cached loads, wall clock and CPU
     * time of the loading thread, in this JVM. The CI host is shared, so the budget applies to the best of five:
     * that is the load's own cost rather than its neighbours'.
     */
    @Test
    void secondLoadOfAQwen2SizedTokenizerIsFast(@TempDir File cache) throws Exception {
        File json = tokenizerJson("qwen2-sized");
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime();
        long c0 = cpu.getCurrentThreadCpuTime();
        Tokenizer first = Tokenizer.fromFile(json, cache);
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        long firstCpuMs = (cpu.getCurrentThreadCpuTime() - c0) / 1_000_000;
        long bestMs = Long.MAX_VALUE;
        List<String> loads = new ArrayList<>();
        Tokenizer second = null;
        for (int i = 0; i < 5; i++) {
            long t1 = System.nanoTime();
            long c1 = cpu.getCurrentThreadCpuTime();
            second = Tokenizer.fromFile(json, cache);
            long ms = (System.nanoTime() - t1) / 1_000_000;
            loads.add(ms + "/" + (cpu.getCurrentThreadCpuTime() - c1) / 1_000_000);
            bestMs = Math.min(bestMs, ms);
            assertTrue(second.fromCache);
        }
        System.out.printf("tokenizer load (host-measured, synthetic Qwen2-sized: %d tokens, %d merges, %d-byte JSON):"
                        + " first %d ms wall / %d ms cpu (JSON + cache write), cached loads wall/cpu ms %s, best %d ms%n",
                second.vocabSize(), second.model().mergeLeft.length, json.length(), firstMs, firstCpuMs, loads, bestMs);
        assertTrue(second.model().mergeLeft.length > 150000, "the timing needs a Qwen2-sized merge list");
        assertTrue(bestMs < SECOND_LOAD_BUDGET_MS, "cached loads took " + loads + " ms (wall/cpu)");
        assertArrayEquals(first.encode("Hello 世界 😀 <|im_start|>"), second.encode("Hello 世界 😀 <|im_start|>"));
    }

    @Test
    void aCorruptCacheIsRebuiltFromTheJson(@TempDir File cache) throws Exception {
        File json = tokenizerJson("v26");
        Tokenizer.fromFile(json, cache);
        File[] written = cache.listFiles((d, n) -> n.endsWith(".bin"));
        assertEquals(1, written.length, "one cache file");
        assertEquals(0, cache.listFiles((d, n) -> n.contains(".tmp-")).length, "no temporaries left");
        byte[] bytes = Files.readAllBytes(written[0].toPath());
        Files.write(written[0].toPath(), Arrays.copyOf(bytes, bytes.length / 2));
        Tokenizer reread = Tokenizer.fromFile(json, cache);
        assertFalse(reread.fromCache, "a truncated cache must not be used");
        checkCases(reread, vectors("v26"), "v26 after corrupt cache");
        assertTrue(Tokenizer.fromFile(json, cache).fromCache, "the cache is rewritten");
    }

    @Test
    void anUnusableCacheDirectoryStillLoads(@TempDir File dir) throws Exception {
        File notADirectory = new File(dir, "cache");
        Files.write(notADirectory.toPath(), new byte[] {1});
        Tokenizer tok = Tokenizer.fromFile(tokenizerJson("v2-legacy"), notADirectory);
        checkCases(tok, vectors("v2-legacy"), "v2-legacy with an unusable cache directory");
    }

    @Test
    void aMissingOrUnsupportedFileIsAnIOException(@TempDir File dir) throws Exception {
        assertThrows(IOException.class, () -> Tokenizer.fromFile(new File(dir, "absent.json"), null));
        File wordPiece = new File(dir, "wp.json");
        Files.write(wordPiece.toPath(), "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{}}}".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> Tokenizer.fromFile(wordPiece, null));
        assertTrue(e.getMessage().contains("WordPiece"), e.getMessage());
    }

    @Test
    void onigurumaShorthandsAreUnicode() {
        assertEquals("\\p{IsWhite_Space}+(?!\\P{IsWhite_Space})", TokenizerRegex.translate("\\s+(?!\\S)"));
        assertEquals("[^\\p{IsWhite_Space}\\p{L}]", TokenizerRegex.translate("[^\\s\\p{L}]"));
        TokenizerRegex ws = TokenizerRegex.ofRegex("\\s+");
        for (String space : new String[] {"\u00a0", "\u3000", "\u2028", "\u2029", "\u0085", "\u1680", "\u202f"}) {
            assertEquals(1, ws.findMatches("a" + space + "b").stream().filter(m -> m[2] == 1).count(), show(space));
        }
        assertEquals(0, ws.findMatches("a\u200bb").stream().filter(m -> m[2] == 1).count(), "ZWSP is not a space");
    }
}
