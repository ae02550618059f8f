package org.minicpmv.edge.runtime;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/** A {@code normalizer} of {@code tokenizer.json}: string in, string out, applied to each non-added-token piece. */
abstract class TokenizerNormalizer {
    abstract String normalize(String text);

    /** Builds the normalizer described by {@code spec}; null for a JSON null. */
    static TokenizerNormalizer fromJson(Object spec) throws JSONException {
        if (spec == null || spec == JSONObject.NULL) {
            return null;
        }
        JSONObject o = (JSONObject) spec;
        String type = o.getString("type");
        switch (type) {
            case "NFC": return unicode(Normalizer.Form.NFC);
            case "NFD": return unicode(Normalizer.Form.NFD);
            case "NFKC": return unicode(Normalizer.Form.NFKC);
            case "NFKD": return unicode(Normalizer.Form.NFKD);
            case "Lowercase":
                return new TokenizerNormalizer() {
                    @Override String normalize(String text) {
                        StringBuilder out = new StringBuilder(text.length());
                        for (int cp : TokenizerText.codePoints(text)) {
                            out.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
                        }
                        return out.toString();
                    }
                };
            case "Strip": {
                final boolean left = o.optBoolean("strip_left", true);
                final boolean right = o.optBoolean("strip_right", true);
                return new TokenizerNormalizer() {
                    @Override String normalize(String text) {
                        int start = 0;
                        int end = text.length();
                        while (left && start < end && TokenizerText.isWhitespace(text.codePointAt(start))) {
                            start += Character.charCount(text.codePointAt(start));
                        }
                        while (right && end > start && TokenizerText.isWhitespace(text.codePointBefore(end))) {
                            end -= Character.charCount(text.codePointBefore(end));
                        }
                        return text.substring(start, end);
                    }
                };
            }
            case "Prepend": {
                final String prefix = o.getString("prepend");
                return new TokenizerNormalizer() {
                    @Override String normalize(String text) {
                        return text.isEmpty() ? text : prefix + text;
                    }
                };
            }
            case "Replace": {
                final TokenizerRegex pattern = TokenizerPreTokenizer.pattern(o.getJSONObject("pattern"));
                final String content = o.getString("content");
                return new TokenizerNormalizer() {
                    @Override String normalize(String text) {
                        return pattern.replaceAll(text, content);
                    }
                };
            }
            case "Sequence": {
                JSONArray items = o.getJSONArray("normalizers");
                final List<TokenizerNormalizer> steps = new ArrayList<>();
                for (int i = 0; i < items.length(); i++) {
                    TokenizerNormalizer step = fromJson(items.get(i));
                    if (step != null) {
                        steps.add(step);
                    }
                }
                return new TokenizerNormalizer() {
                    @Override String normalize(String text) {
                        for (TokenizerNormalizer step : steps) {
                            text = step.normalize(text);
                        }
                        return text;
                    }
                };
            }
            default:
                throw new JSONException("unsupported normalizer type " + type);
        }
    }

    private static TokenizerNormalizer unicode(final Normalizer.Form form) {
        return new TokenizerNormalizer() {
            @Override String normalize(String text) {
                return Normalizer.normalize(text, form);
            }
        };
    }
}
