package org.minicpmv.edge.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/** A {@code pre_tokenizer} of {@code tokenizer.json}: splits pieces into words (and maps bytes, for ByteLevel). */
abstract class TokenizerPreTokenizer {
    /**
     * A piece of the input on its way to ids: {@code id >= 0} once it is an added token. {@code atStart} says it
     * begins at offset 0 of the original text (Metaspace's {@code prepend_scheme: first} needs it).
     */
    static final class Piece {
        final String text;
        final int id;
        final boolean atStart;

        Piece(String text, int id, boolean atStart) {
            this.text = text;
            this.id = id;
            this.atStart = atStart;
        }
    }

    /** Splits one not-yet-tokenized piece; empty results are dropped by the caller. */
    abstract List<Piece> split(Piece piece);

    /** Runs this pre-tokenizer over every untokenized piece, dropping empty ones (as the Rust crate does). */
    final List<Piece> apply(List<Piece> pieces) {
        List<Piece> out = new ArrayList<>(pieces.size() * 2);
        for (Piece p : pieces) {
            if (p.id >= 0) {
                out.add(p);
                continue;
            }
            for (Piece q : split(p)) {
                if (!q.text.isEmpty()) {
                    out.add(q);
                }
            }
        }
        return out;
    }

    static TokenizerRegex pattern(JSONObject spec) throws JSONException {
        if (spec.has("Regex")) {
            return TokenizerRegex.ofRegex(spec.getString("Regex"));
        }
        return TokenizerRegex.ofLiteral(spec.getString("String"));
    }

    /** The GPT-2 byte-to-character table: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
    static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
        }
    }

    static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    static TokenizerPreTokenizer fromJson(Object spec) throws JSONException {
        if (spec == null || spec == JSONObject.NULL) {
            return null;
        }
        JSONObject o = (JSONObject) spec;
        String type = o.getString("type");
        switch (type) {
            case "Sequence": {
                JSONArray items = o.getJSONArray("pretokenizers");
                final List<TokenizerPreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < items.length(); i++) {
                    TokenizerPreTokenizer step = fromJson(items.get(i));
                    if (step != null) {
                        steps.add(step);
                    }
                }
                return new TokenizerPreTokenizer() {
                    @Override List<Piece> split(Piece piece) {
                        List<Piece> pieces = new ArrayList<>();
                        pieces.add(piece);
                        for (TokenizerPreTokenizer step : steps) {
                            pieces = step.apply(pieces);
                        }
                        return pieces;
                    }
                };
            }
            case "Split":
                return new Split(pattern(o.getJSONObject("pattern")), o.getString("behavior"), o.optBoolean("invert"));
            case "ByteLevel":
                return new ByteLevel(o.optBoolean("add_prefix_space", true), o.optBoolean("use_regex", true));
            case "Metaspace":
                return new Metaspace(o.getString("replacement"), o.has("prepend_scheme")
                        ? o.getString("prepend_scheme") : (o.optBoolean("add_prefix_space", true) ? "always" : "never"),
                        o.optBoolean("split", true));
            default:
                throw new JSONException("unsupported pre_tokenizer type " + type);
        }
    }

    /** Splits on pattern matches; {@code behavior} says where each match goes (Rust SplitDelimiterBehavior). */
    static final class Split extends TokenizerPreTokenizer {
        private final TokenizerRegex pattern;
        private final String behavior;
        private final boolean invert;

        Split(TokenizerRegex pattern, String behavior, boolean invert) {
            this.pattern = pattern;
            this.behavior = behavior;
            this.invert = invert;
            switch (behavior) {
                case "Removed": case "Isolated": case "MergedWithPrevious": case "MergedWithNext": case "Contiguous":
                    break;
                default:
                    throw new IllegalArgumentException("unsupported split behavior " + behavior);
            }
        }

        @Override List<Piece> split(Piece piece) {
            List<int[]> spans = pattern.findMatches(piece.text);
            if (invert) {
                for (int[] s : spans) {
                    s[2] = 1 - s[2];
                }
            }
            return cut(piece, spans, behavior);
        }
    }

    /**
     * Applies a split behavior to spans {start, end, isMatch} covering {@code piece}: the fold of the Rust
     * {@code NormalizedString::split}.
     */
    static List<Piece> cut(Piece piece, List<int[]> spans, String behavior) {
        List<int[]> parts = new ArrayList<>(); // {start, end, remove}
        switch (behavior) {
            case "Isolated":
                for (int[] s : spans) {
                    parts.add(new int[] {s[0], s[1], 0});
                }
                break;
            case "Removed":
                for (int[] s : spans) {
                    parts.add(new int[] {s[0], s[1], s[2]});
                }
                break;
            case "Contiguous": {
                boolean previous = false;
                for (int[] s : spans) {
                    boolean match = s[2] == 1;
                    if (match == previous && !parts.isEmpty()) {
                        parts.get(parts.size() - 1)[1] = s[1];
                    } else {
                        parts.add(new int[] {s[0], s[1], 0});
                    }
                    previous = match;
                }
                break;
            }
            case "MergedWithPrevious": {
                boolean previous = false;
                for (int[] s : spans) {
                    boolean match = s[2] == 1;
                    if (match && !previous && !parts.isEmpty()) {
                        parts.get(parts.size() - 1)[1] = s[1];
                    } else {
                        parts.add(new int[] {s[0], s[1], 0});
                    }
                    previous = match;
                }
                break;
            }
            case "MergedWithNext": {
                boolean previous = false;
                for (int k = spans.size() - 1; k >= 0; k--) {
                    int[] s = spans.get(k);
                    boolean match = s[2] == 1;
                    if (match && !previous && !parts.isEmpty()) {
                        parts.get(parts.size() - 1)[0] = s[0];
                    } else {
                        parts.add(new int[] {s[0], s[1], 0});
                    }
                    previous = match;
                }
                java.util.Collections.reverse(parts);
                break;
            }
            default:
                throw new IllegalArgumentException("unsupported split behavior " + behavior);
        }
        List<Piece> out = new ArrayList<>(parts.size());
        boolean first = true;
        for (int[] p : parts) {
            if (p[2] == 0) {
                out.add(new Piece(piece.text.substring(p[0], p[1]), -1, piece.atStart && p[0] == 0 && first));
            }
            first = false;
        }
        return out;
    }

    /** GPT-2 byte-level: optional prefix space, optional GPT-2 regex split, then every UTF-8 byte to its char. */
    static final class ByteLevel extends TokenizerPreTokenizer {
        private static final TokenizerRegex GPT2 = TokenizerRegex.ofRegex(GPT2_PATTERN);
        private final boolean addPrefixSpace;
        private final boolean useRegex;

        ByteLevel(boolean addPrefixSpace, boolean useRegex) {
            this.addPrefixSpace = addPrefixSpace;
            this.useRegex = useRegex;
        }

        @Override List<Piece> split(Piece piece) {
            String text = piece.text;
            if (addPrefixSpace && !text.startsWith(" ")) {
                text = " " + text;
            }
            Piece prefixed = new Piece(text, -1, piece.atStart);
            List<Piece> words = useRegex ? cut(prefixed, GPT2.findMatches(text), "Isolated") : listOf(prefixed);
            List<Piece> out = new ArrayList<>(words.size());
            for (Piece w : words) {
                out.add(new Piece(toByteChars(w.text), -1, w.atStart));
            }
            return out;
        }

        static String toByteChars(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            char[] chars = new char[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                chars[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
            }
            return new String(chars);
        }
    }

    /** SentencePiece-style: spaces become the replacement char, a prefix one is added, optional split before it. */
    static final class Metaspace extends TokenizerPreTokenizer {
        private final String replacement;
        private final String prependScheme;
        private final boolean split;
        private final TokenizerRegex splitPattern;

        Metaspace(String replacement, String prependScheme, boolean split) {
            this.replacement = replacement;
            this.splitPattern = TokenizerRegex.ofLiteral(replacement);
            this.prependScheme = prependScheme;
            this.split = split;
            if (!prependScheme.equals("always") && !prependScheme.equals("first") && !prependScheme.equals("never")) {
                throw new IllegalArgumentException("unsupported prepend_scheme " + prependScheme);
            }
        }

        @Override List<Piece> split(Piece piece) {
            String text = piece.text.replace(" ", replacement);
            boolean prepend = prependScheme.equals("always") || (prependScheme.equals("first") && piece.atStart);
            if (prepend && !text.startsWith(replacement)) {
                text = replacement + text;
            }
            Piece replaced = new Piece(text, -1, piece.atStart);
            if (!split) {
                return listOf(replaced);
            }
            return cut(replaced, splitPattern.findMatches(text), "MergedWithNext");
        }
    }

    static List<Piece> listOf(Piece p) {
        List<Piece> out = new ArrayList<>(1);
        out.add(p);
        return out;
    }
}
