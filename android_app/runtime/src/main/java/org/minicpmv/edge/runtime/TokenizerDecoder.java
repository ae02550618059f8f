package org.minicpmv.edge.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/** A {@code decoder} of {@code tokenizer.json}: a chain step from token strings to token strings, joined at the end. */
abstract class TokenizerDecoder {
    abstract List<String> decodeChain(List<String> tokens);

    final String decode(List<String> tokens) {
        StringBuilder out = new StringBuilder();
        for (String s : decodeChain(tokens)) {
            out.append(s);
        }
        return out.toString();
    }

    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[TokenizerPreTokenizer.BYTE_TO_CHAR[b]] = b;
        }
    }

    static TokenizerDecoder fromJson(Object spec) throws JSONException {
        if (spec == null || spec == JSONObject.NULL) {
            return null;
        }
        JSONObject o = (JSONObject) spec;
        String type = o.getString("type");
        switch (type) {
            case "ByteLevel": return new ByteLevel();
            case "ByteFallback": return new ByteFallback();
            case "Fuse":
                return new TokenizerDecoder() {
                    @Override List<String> decodeChain(List<String> tokens) {
                        List<String> out = new ArrayList<>(1);
                        out.add(TokenizerText.join("", tokens));
                        return out;
                    }
                };
            case "Replace": {
                final TokenizerRegex pattern = TokenizerPreTokenizer.pattern(o.getJSONObject("pattern"));
                final String content = o.getString("content");
                return new TokenizerDecoder() {
                    @Override List<String> decodeChain(List<String> tokens) {
                        List<String> out = new ArrayList<>(tokens.size());
                        for (String t : tokens) {
                            out.add(pattern.replaceAll(t, content));
                        }
                        return out;
                    }
                };
            }
            case "Strip":
                return new Strip(o.getString("content").codePointAt(0), o.getInt("start"), o.getInt("stop"));
            case "Metaspace": {
                final int replacement = o.getString("replacement").codePointAt(0);
                final boolean dropFirst = o.has("prepend_scheme")
                        ? !o.getString("prepend_scheme").equals("never") : o.optBoolean("add_prefix_space", true);
                return new TokenizerDecoder() {
                    @Override List<String> decodeChain(List<String> tokens) {
                        List<String> out = new ArrayList<>(tokens.size());
                        for (int i = 0; i < tokens.size(); i++) {
                            StringBuilder sb = new StringBuilder();
                            final boolean first = i == 0;
                            for (int cp : TokenizerText.codePoints(tokens.get(i))) {
                                if (cp != replacement) {
                                    sb.appendCodePoint(cp);
                                } else if (!(first && dropFirst)) {
                                    sb.append(' ');
                                }
                            }
                            out.add(sb.toString());
                        }
                        return out;
                    }
                };
            }
            case "Sequence": {
                JSONArray items = o.getJSONArray("decoders");
                final List<TokenizerDecoder> steps = new ArrayList<>();
                for (int i = 0; i < items.length(); i++) {
                    TokenizerDecoder step = fromJson(items.get(i));
                    if (step != null) {
                        steps.add(step);
                    }
                }
                return new TokenizerDecoder() {
                    @Override List<String> decodeChain(List<String> tokens) {
                        for (TokenizerDecoder step : steps) {
                            tokens = step.decodeChain(tokens);
                        }
                        return tokens;
                    }
                };
            }
            default:
                throw new JSONException("unsupported decoder type " + type);
        }
    }

    /** Byte chars back to bytes over all tokens, then one lossy UTF-8 decode (tokens outside the map pass as UTF-8). */
    static final class ByteLevel extends TokenizerDecoder {
        @Override List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                byte[] mapped = new byte[t.length()];
                boolean all = true;
                for (int i = 0; i < t.length() && all; i++) {
                    char c = t.charAt(i);
                    int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                    all = b >= 0;
                    mapped[i] = (byte) b;
                }
                byte[] piece = all ? mapped : t.getBytes(StandardCharsets.UTF_8);
                bytes.write(piece, 0, piece.length);
            }
            List<String> out = new ArrayList<>(1);
            out.add(TokenizerText.decodeUtf8Lossy(bytes.toByteArray(), bytes.size()));
            return out;
        }
    }

    /** {@code <0xAB>} tokens to bytes; a run that is not valid UTF-8 becomes one U+FFFD per byte. */
    static final class ByteFallback extends TokenizerDecoder {
        @Override List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            byte[] pending = new byte[16];
            int count = 0;
            for (String t : tokens) {
                int b = byteOf(t);
                if (b >= 0) {
                    if (count == pending.length) {
                        pending = java.util.Arrays.copyOf(pending, count * 2);
                    }
                    pending[count++] = (byte) b;
                    continue;
                }
                flush(pending, count, out);
                count = 0;
                out.add(t);
            }
            flush(pending, count, out);
            return out;
        }

        private static void flush(byte[] pending, int count, List<String> out) {
            if (count == 0) {
                return;
            }
            if (TokenizerText.isValidUtf8(pending, count)) {
                out.add(new String(pending, 0, count, StandardCharsets.UTF_8));
            } else {
                for (int i = 0; i < count; i++) {
                    out.add("\uFFFD");
                }
            }
        }

        /** The byte of a {@code <0xAB>} token (hex digits of either case, as Rust's from_str_radix), else -1. */
        static int byteOf(String t) {
            if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
                return -1;
            }
            int hi = Character.digit(t.charAt(3), 16);
            int lo = Character.digit(t.charAt(4), 16);
            boolean ascii = t.charAt(3) < 128 && t.charAt(4) < 128;
            return hi >= 0 && lo >= 0 && ascii ? hi * 16 + lo : -1;
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} chars from each token. */
    static final class Strip extends TokenizerDecoder {
        private final int content;
        private final int start;
        private final int stop;

        Strip(int content, int start, int stop) {
            this.content = content;
            this.start = start;
            this.stop = stop;
        }

        @Override List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int[] cps = TokenizerText.codePoints(t);
                int from = 0;
                while (from < start && from < cps.length && cps[from] == content) {
                    from++;
                }
                int to = cps.length;
                for (int i = 0; i < stop && to - 1 >= from && cps[to - 1] == content; i++) {
                    to--;
                }
                out.add(new String(cps, from, to - from));
            }
            return out;
        }
    }
}
