package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A pure-Java reader of a Hugging Face {@code tokenizer.json} (BPE model), giving the same ids and text as the Python
 * {@code tokenizers} library: {@code encode(text, add_special_tokens=False)} and
 * {@code decode(ids, skip_special_tokens=False)}.
 *
 * <p>Covers byte-level BPE (Llama-3, Qwen2, our synthetic presets) and SentencePiece-style BPE with byte fallback
 * (MiniCPM 2.0): normalizers NFC/NFD/NFKC/NFKD, Lowercase, Strip, Prepend, Replace, Sequence; pre-tokenizers Split,
 * ByteLevel, Metaspace, Sequence; decoders ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence. Anything
 * else is refused at load with the unsupported type named. Parsing a 150k-entry file with org.json takes seconds on a
 * phone, so {@link #fromFile} keeps a compact binary copy in a cache directory (see {@link TokenizerCache}).
 */
public final class Tokenizer {
    private static final Logger LOG = Logger.getLogger(Tokenizer.class.getName());

    private final BpeModel model;
    private final TokenizerNormalizer normalizer;
    private final TokenizerPreTokenizer preTokenizer;
    private final TokenizerDecoder decoder;
    private final TokenizerAddedTokens added;
    private final int vocabSize;
    /** Set when the instance came from the binary cache (for tests and load-time logs). */
    final boolean fromCache;

    Tokenizer(JSONObject config, BpeModel model, boolean fromCache) throws JSONException {
        this.model = model;
        this.normalizer = TokenizerNormalizer.fromJson(config.opt("normalizer"));
        this.preTokenizer = TokenizerPreTokenizer.fromJson(config.opt("pre_tokenizer"));
        this.decoder = TokenizerDecoder.fromJson(config.opt("decoder"));
        this.added = new TokenizerAddedTokens(config.optJSONArray("added_tokens"), normalizer);
        int overlapping = 0;
        for (String content : added.contentToId.keySet()) {
            if (model.tokenToId(content) >= 0) {
                overlapping++;
            }
        }
        this.vocabSize = model.vocab.size() + added.contentToId.size() - overlapping;
        this.fromCache = fromCache;
    }

    /**
     * Loads {@code tokenizerJson}; with a non-null {@code cacheDir} a compact copy keyed by the file's sha256 is read
     * from (or written to) that directory, so later loads skip JSON parsing.
     *
     * @throws IOException when the file cannot be read or is not a supported tokenizer.json
     */
    public static Tokenizer fromFile(File tokenizerJson, File cacheDir) throws IOException {
        if (!tokenizerJson.isFile()) {
            throw new IOException("tokenizer " + tokenizerJson + " does not exist");
        }
        byte[] sha = cacheDir == null ? null : TokenizerCache.sourceSha(tokenizerJson, cacheDir);
        File cached = cacheDir == null ? null : TokenizerCache.cacheFile(cacheDir, sha);
        if (cached != null && cached.isFile()) {
            try {
                return TokenizerCache.read(cached, sha);
            } catch (IOException | RuntimeException | JSONException e) {
                LOG.log(Level.WARNING, "tokenizer cache " + cached + " unusable, re-reading the JSON: " + e);
            }
        }
        Tokenizer tokenizer;
        JSONObject config;
        try {
            config = new JSONObject(new String(TokenizerText.readAll(tokenizerJson), StandardCharsets.UTF_8));
            BpeModel model = parseModel(config.getJSONObject("model"));
            config.getJSONObject("model").remove("vocab"); // the cache keeps them in binary form
            config.getJSONObject("model").remove("merges");
            tokenizer = new Tokenizer(config, model, false);
        } catch (JSONException | RuntimeException e) {
            throw new IOException("cannot read tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
        if (cached != null) {
            try {
                TokenizerCache.write(cached, sha, config, tokenizer.model);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot write tokenizer cache " + cached + ": " + e);
            }
        }
        return tokenizer;
    }

    static BpeModel.Options parseOptions(JSONObject m) throws JSONException {
        String type = m.optString("type", "BPE");
        if (!type.equals("BPE")) {
            throw new JSONException("unsupported model type " + type + " (only BPE)");
        }
        if (!m.isNull("dropout") && m.optDouble("dropout", 0) != 0) {
            throw new JSONException("BPE dropout is not supported");
        }
        BpeModel.Options o = new BpeModel.Options();
        o.unkToken = m.isNull("unk_token") ? null : m.optString("unk_token", null);
        o.continuingSubwordPrefix = m.isNull("continuing_subword_prefix") ? null
                : m.optString("continuing_subword_prefix", null);
        o.endOfWordSuffix = m.isNull("end_of_word_suffix") ? null : m.optString("end_of_word_suffix", null);
        o.fuseUnk = m.optBoolean("fuse_unk");
        o.byteFallback = m.optBoolean("byte_fallback");
        o.ignoreMerges = m.optBoolean("ignore_merges");
        return o;
    }

    private static BpeModel parseModel(JSONObject m) throws JSONException {
        BpeModel.Options options = parseOptions(m);
        JSONObject vocab = m.getJSONObject("vocab");
        String[] tokens = new String[vocab.length()];
        int[] tokenIds = new int[tokens.length];
        Iterator<String> keys = vocab.keys();
        for (int i = 0; keys.hasNext(); i++) {
            tokens[i] = keys.next();
            tokenIds[i] = vocab.getInt(tokens[i]);
            if (tokenIds[i] < 0) {
                throw new JSONException("negative id for token " + tokens[i]);
            }
        }
        BpeVocab ids = BpeVocab.build(tokens, tokenIds);
        JSONArray merges = m.optJSONArray("merges");
        int n = merges == null ? 0 : merges.length();
        int[] left = new int[n];
        int[] right = new int[n];
        for (int i = 0; i < n; i++) {
            String a;
            String b;
            Object item = merges.get(i);
            if (item instanceof JSONArray) {
                a = ((JSONArray) item).getString(0);
                b = ((JSONArray) item).getString(1);
            } else {
                String line = (String) item;
                int space = line.indexOf(' ');
                if (space < 0 || line.indexOf(' ', space + 1) >= 0) {
                    throw new JSONException("merge '" + line + "' is not two tokens separated by one space");
                }
                a = line.substring(0, space);
                b = line.substring(space + 1);
            }
            int ia = ids.get(a);
            int ib = ids.get(b);
            if (ia < 0 || ib < 0) {
                throw new JSONException("merge '" + a + " " + b + "' uses a token missing from the vocabulary");
            }
            left[i] = ia;
            right[i] = ib;
        }
        return new BpeModel(options, ids, left, right, null);
    }

    BpeModel model() {
        return model;
    }

    /** Ids of {@code text}: no BOS, no template; added and special tokens inside the text are recognised. */
    public int[] encode(String text) {
        List<TokenizerPreTokenizer.Piece> pieces = added.extract(text, normalizer);
        if (preTokenizer != null) {
            pieces = preTokenizer.apply(pieces);
        }
        int[] out = new int[Math.max(16, text.length())];
        int count = 0;
        for (TokenizerPreTokenizer.Piece p : pieces) {
            int[] ids = p.id >= 0 ? new int[] {p.id} : model.tokenize(p.text);
            if (count + ids.length > out.length) {
                out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, count + ids.length));
            }
            System.arraycopy(ids, 0, out, count, ids.length);
            count += ids.length;
        }
        return java.util.Arrays.copyOf(out, count);
    }

    /** Text of {@code ids}, special tokens included; ids outside the vocabulary are skipped (as Python does). */
    public String decode(int[] ids) {
        return decode(ids, 0, ids.length, false);
    }

    /**
     * Text of {@code ids}; with {@code skipSpecialTokens} tokens spelled like a special token are left out, as
     * Python's {@code decode(ids, skip_special_tokens=True)} (what the Python runtime's TextTokenizer uses).
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            TokenizerAddedTokens.Token t = added.byId.get(ids[i]);
            String s = t != null ? t.decodeForm : model.idToToken(ids[i]);
            if (s != null && !(skipSpecialTokens && added.specialContents.contains(s))) {
                tokens.add(s);
            }
        }
        return decoder == null ? TokenizerText.join(" ", tokens) : decoder.decode(tokens);
    }

    /** Id of a token (added tokens first, then the model vocabulary), or -1 when it has none. */
    public int tokenToId(String token) {
        Integer id = added.contentToId.get(token);
        return id != null ? id : model.tokenToId(token);
    }

    /** Distinct tokens in the vocabulary plus added tokens (Python's {@code get_vocab_size()}). */
    public int vocabSize() {
        return vocabSize;
    }

    /** A decoder for generated ids, one at a time, special tokens included. */
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this, false);
    }

    /** A decoder for generated ids, one at a time; see {@link #decode(int[], boolean)}. */
    public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
        return new StreamDecoder(this, skipSpecialTokens);
    }

    /**
     * Incremental decoding for streamed generation: {@link #push} returns only text that is complete, never half a
     * UTF-8 character or half a byte-fallback sequence, and never text a later token would change (e.g. the leading
     * space a Metaspace decoder strips). The algorithm is the one of Python's {@code tokenizers.decoders.DecodeStream}:
     * decode a short window of ids, hold while it ends in U+FFFD, emit what extends the previously emitted prefix.
     * Where Python raises (the window's text no longer starts with what was emitted), this emits the differing tail
     * and goes on.
     */
    public static final class StreamDecoder {
        private final Tokenizer tokenizer;
        private final boolean skipSpecialTokens;
        private int[] ids = new int[16];
        private int count;
        private String prefix = "";
        private int prefixIndex;

        StreamDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
            this.tokenizer = tokenizer;
            this.skipSpecialTokens = skipSpecialTokens;
        }

        /** Adds one id; returns the newly completed text, "" while a character is still incomplete. */
        public String push(int id) {
            if (prefix.isEmpty() && count > 0) {
                String newPrefix = tokenizer.decode(ids, 0, count, skipSpecialTokens);
                if (!newPrefix.endsWith("\uFFFD")) {
                    prefix = newPrefix;
                    prefixIndex = count;
                }
            }
            if (count == ids.length) {
                ids = java.util.Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = id;
            String text = tokenizer.decode(ids, 0, count, skipSpecialTokens);
            if (text.length() <= prefix.length() || text.endsWith("\uFFFD")) {
                return "";
            }
            // Python raises InvalidPrefix when the window no longer starts with the emitted prefix (a decoder that
            // strips or rewrites depending on later tokens); a phone must keep streaming, so emit what differs.
            String fresh = text.substring(commonPrefixLength(text, prefix));
            int newPrefixIndex = count - prefixIndex;
            System.arraycopy(ids, prefixIndex, ids, 0, count - prefixIndex);
            count -= prefixIndex;
            prefix = tokenizer.decode(ids, 0, count, skipSpecialTokens);
            prefixIndex = newPrefixIndex;
            return fresh;
        }

        private static int commonPrefixLength(String a, String b) {
            int n = 0;
            int max = Math.min(a.length(), b.length());
            while (n < max && a.charAt(n) == b.charAt(n)) {
                n++;
            }
            if (n > 0 && n < a.length() && Character.isHighSurrogate(a.charAt(n - 1))) {
                n--; // never cut a surrogate pair
            }
            return n;
        }

        /** Whatever is still held back (an incomplete trailing sequence decodes to U+FFFD), then resets. */
        public String flush() {
            String text = tokenizer.decode(ids, 0, count, skipSpecialTokens);
            String rest = text.startsWith(prefix) ? text.substring(prefix.length()) : "";
            count = 0;
            prefix = "";
            prefixIndex = 0;
            return rest;
        }
    }
}
