package org.minicpmv.edge.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Regexes of {@code tokenizer.json}, written for Oniguruma (what the Rust crate runs), compiled for java.util.regex.
 *
 * <p>Why a translation: Java's {@code \s}, {@code \d} and {@code \w} are ASCII-only, while Oniguruma's are Unicode
 * ({@code \s} = White_Space: NBSP, U+3000, U+2028 ...). {@code UNICODE_CHARACTER_CLASS} is not used because its
 * {@code \w} differs from Oniguruma's too; each shorthand is spelled out instead. {@code \p{L}}, {@code \p{N}} keep
 * their meaning (Unicode general categories in both). Case-insensitive groups fold Unicode case, as Oniguruma does.
 */
final class TokenizerRegex {
    private static final String WORD = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";

    final Pattern pattern;

    private TokenizerRegex(Pattern pattern) {
        this.pattern = pattern;
    }

    /** An Oniguruma-syntax regex from a {@code {"Regex": ...}} pattern. */
    static TokenizerRegex ofRegex(String onig) {
        return new TokenizerRegex(Pattern.compile(translate(onig), Pattern.UNICODE_CASE));
    }

    /** A literal from a {@code {"String": ...}} pattern. */
    static TokenizerRegex ofLiteral(String literal) {
        return new TokenizerRegex(Pattern.compile(Pattern.quote(literal)));
    }

    static String translate(String onig) {
        StringBuilder out = new StringBuilder(onig.length() + 32);
        int classDepth = 0;
        for (int i = 0; i < onig.length(); i++) {
            char c = onig.charAt(i);
            if (c == '\\' && i + 1 < onig.length()) {
                char e = onig.charAt(++i);
                boolean inClass = classDepth > 0;
                switch (e) {
                    case 's': out.append("\\p{IsWhite_Space}"); break;
                    case 'S': out.append("\\P{IsWhite_Space}"); break;
                    case 'd': out.append("\\p{Nd}"); break;
                    case 'D': out.append("\\P{Nd}"); break;
                    case 'w': out.append(inClass ? WORD : "[" + WORD + "]"); break;
                    case 'W':
                        if (inClass) {
                            throw new IllegalArgumentException("\\W inside a character class is not supported: " + onig);
                        }
                        out.append("[^" + WORD + "]");
                        break;
                    case 'h': out.append(inClass ? "0-9a-fA-F" : "[0-9a-fA-F]"); break;
                    default: out.append('\\').append(e);
                }
                continue;
            }
            if (c == '[') {
                classDepth++;
                out.append(c);
                if (i + 1 < onig.length() && onig.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < onig.length() && onig.charAt(i + 1) == ']') { // a leading ']' is a literal
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (c == ']' && classDepth > 0) {
                classDepth--;
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Splits {@code text} into consecutive [start, end) spans covering it, each flagged as a match or not; empty input
     * gives one empty non-match (as the Rust {@code Pattern::find_matches}).
     */
    List<int[]> findMatches(String text) {
        List<int[]> spans = new ArrayList<>();
        if (text.isEmpty()) {
            spans.add(new int[] {0, 0, 0});
            return spans;
        }
        Matcher m = pattern.matcher(text);
        int prev = 0;
        while (m.find()) {
            if (m.start() != prev) {
                spans.add(new int[] {prev, m.start(), 0});
            }
            spans.add(new int[] {m.start(), m.end(), 1});
            prev = m.end();
        }
        if (prev != text.length()) {
            spans.add(new int[] {prev, text.length(), 0});
        }
        return spans;
    }

    /** Replaces every match with {@code content} (taken literally). */
    String replaceAll(String text, String content) {
        return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }
}
