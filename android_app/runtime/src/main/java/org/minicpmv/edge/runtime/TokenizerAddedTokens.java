package org.minicpmv.edge.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The {@code added_tokens} of {@code tokenizer.json} and how they are cut out of the input before the model runs:
 * leftmost-longest matching (as the Rust crate's Aho-Corasick), first against the raw text for tokens with
 * {@code normalized: false}, then against the normalized rest for the others; {@code lstrip}/{@code rstrip} swallow
 * neighbouring whitespace, {@code single_word} refuses matches inside words.
 */
final class TokenizerAddedTokens {
    static final class Token {
        final String content;
        final int id;
        final boolean normalized;
        final boolean lstrip;
        final boolean rstrip;
        final boolean singleWord;
        /** What the decoder sees: the normalized form for normalized tokens (as tokenizers >= 0.22). */
        String decodeForm;

        Token(JSONObject o) throws JSONException {
            content = o.getString("content");
            id = o.getInt("id");
            normalized = o.optBoolean("normalized", !o.optBoolean("special"));
            lstrip = o.optBoolean("lstrip");
            rstrip = o.optBoolean("rstrip");
            singleWord = o.optBoolean("single_word");
            decodeForm = content;
        }
    }

    /** A character trie; {@code token} is set where a pattern ends. */
    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        Token token;
    }

    final Map<String, Integer> contentToId = new HashMap<>();
    /** Contents of the special tokens: decoding with skipSpecialTokens drops any token spelled like one. */
    final Set<String> specialContents = new HashSet<>();
    final Map<Integer, Token> byId = new HashMap<>();
    private final Node rawTrie = new Node();
    private final Node normalizedTrie = new Node();
    private boolean hasRaw;
    private boolean hasNormalized;

    TokenizerAddedTokens(JSONArray spec, TokenizerNormalizer normalizer) throws JSONException {
        for (int i = 0; spec != null && i < spec.length(); i++) {
            Token t = new Token(spec.getJSONObject(i));
            contentToId.put(t.content, t.id);
            if (spec.getJSONObject(i).optBoolean("special")) {
                specialContents.add(t.content);
            }
            byId.put(t.id, t);
            if (t.normalized) {
                String pattern = normalizer == null ? t.content : normalizer.normalize(t.content);
                t.decodeForm = pattern;
                hasNormalized |= insert(normalizedTrie, pattern, t);
            } else {
                hasRaw |= insert(rawTrie, t.content, t);
            }
        }
    }

    private static boolean insert(Node root, String pattern, Token t) {
        if (pattern.isEmpty()) {
            return false;
        }
        Node n = root;
        for (int i = 0; i < pattern.length(); i++) {
            Node child = n.children.get(pattern.charAt(i));
            if (child == null) {
                child = new Node();
                n.children.put(pattern.charAt(i), child);
            }
            n = child;
        }
        if (n.token == null) {
            n.token = t;
        }
        return true;
    }

    /** Cuts the whole input into pieces: added tokens (with their id) and normalized text between them. */
    List<TokenizerPreTokenizer.Piece> extract(String text, TokenizerNormalizer normalizer) {
        List<TokenizerPreTokenizer.Piece> out = new ArrayList<>();
        for (TokenizerPreTokenizer.Piece raw : split(new TokenizerPreTokenizer.Piece(text, -1, true), rawTrie, hasRaw)) {
            if (raw.id >= 0 || raw.text.isEmpty()) {
                if (!raw.text.isEmpty()) {
                    out.add(raw);
                }
                continue;
            }
            String norm = normalizer == null ? raw.text : normalizer.normalize(raw.text);
            for (TokenizerPreTokenizer.Piece p : split(new TokenizerPreTokenizer.Piece(norm, -1, raw.atStart),
                    normalizedTrie, hasNormalized)) {
                if (!p.text.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static List<TokenizerPreTokenizer.Piece> split(TokenizerPreTokenizer.Piece piece, Node trie, boolean any) {
        List<TokenizerPreTokenizer.Piece> out = new ArrayList<>();
        String s = piece.text;
        if (!any || s.isEmpty()) {
            out.add(piece);
            return out;
        }
        int startOffset = 0;
        int pos = 0;
        while (pos < s.length()) {
            Token found = null;
            int foundEnd = -1;
            Node n = trie;
            for (int i = pos; i < s.length(); i++) {
                n = n.children.get(s.charAt(i));
                if (n == null) {
                    break;
                }
                if (n.token != null) {
                    found = n.token;
                    foundEnd = i + 1;
                }
            }
            if (found == null) {
                pos++;
                continue;
            }
            int start = pos;
            int stop = foundEnd;
            pos = foundEnd;
            if (found.singleWord) {
                boolean startOk = start == 0 || !TokenizerText.isWordChar(s.codePointBefore(start));
                boolean stopOk = stop == s.length() || !TokenizerText.isWordChar(s.codePointAt(stop));
                if (!startOk || !stopOk) {
                    continue;
                }
            }
            if (found.lstrip) {
                int newStart = start;
                while (newStart > 0 && TokenizerText.isWhitespace(s.codePointBefore(newStart))) {
                    newStart -= Character.charCount(s.codePointBefore(newStart));
                }
                start = Math.max(newStart, startOffset);
            }
            if (found.rstrip) {
                while (stop < s.length() && TokenizerText.isWhitespace(s.codePointAt(stop))) {
                    stop += Character.charCount(s.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                out.add(new TokenizerPreTokenizer.Piece(s.substring(startOffset, start), -1,
                        piece.atStart && startOffset == 0));
            }
            out.add(new TokenizerPreTokenizer.Piece(s.substring(start, stop), found.id, piece.atStart && start == 0));
            startOffset = stop;
        }
        if (startOffset < s.length()) {
            out.add(new TokenizerPreTokenizer.Piece(s.substring(startOffset), -1, piece.atStart && startOffset == 0));
        }
        return out;
    }
}
