package org.minicpmv.edge.runtime;

import java.nio.charset.StandardCharsets;

/** Text helpers whose exact semantics the ids depend on: Unicode White_Space and Rust's lossy UTF-8 decoding. */
final class TokenizerText {
    private TokenizerText() {}

    /** Unicode White_Space, as Rust's {@code char::is_whitespace} (Java's Character.isWhitespace excludes NBSP). */
    static boolean isWhitespace(int cp) {
        if (cp >= 0x9 && cp <= 0xd || cp == 0x85) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** Rust's {@code \w}: alphabetic, marks, decimal digits, connector punctuation, join controls. */
    static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200c || cp == 0x200d) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.CONNECTOR_PUNCTUATION;
    }

    /**
     * UTF-8 bytes to text, one U+FFFD per maximal invalid subsequence: the exact rule of Rust's
     * {@code String::from_utf8_lossy}, which the ByteLevel decoder uses.
     */
    static String decodeUtf8Lossy(byte[] b, int length) {
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int valid = validSequenceLength(b, i, length);
            if (valid > 0) {
                out.append(new String(b, i, valid, StandardCharsets.UTF_8));
                i += valid;
            } else {
                out.append('\uFFFD');
                i += -valid;
            }
        }
        return out.toString();
    }

    /** True when {@code b} is entirely valid UTF-8 (Rust's {@code String::from_utf8} succeeds). */
    static boolean isValidUtf8(byte[] b, int length) {
        int i = 0;
        while (i < length) {
            int valid = validSequenceLength(b, i, length);
            if (valid <= 0) {
                return false;
            }
            i += valid;
        }
        return true;
    }

    /** Length of the valid sequence at {@code i}, or minus the length of the invalid prefix to replace. */
    private static int validSequenceLength(byte[] b, int i, int length) {
        int c = b[i] & 0xff;
        if (c < 0x80) {
            return 1;
        }
        int need;
        int lo = 0x80;
        int hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 3;
            if (c == 0xe0) {
                lo = 0xa0;
            } else if (c == 0xed) {
                hi = 0x9f;
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 4;
            if (c == 0xf0) {
                lo = 0x90;
            } else if (c == 0xf4) {
                hi = 0x8f;
            }
        } else {
            return -1;
        }
        for (int k = 1; k < need; k++) {
            if (i + k >= length) {
                return -k;
            }
            int d = b[i + k] & 0xff;
            int min = k == 1 ? lo : 0x80;
            int max = k == 1 ? hi : 0xbf;
            if (d < min || d > max) {
                return -k;
            }
        }
        return need;
    }

    // Helpers for APIs the API-23 android.jar we compile the app against does not have (java.nio.file, String.join,
    // CharSequence.codePoints): the same behaviour in plain Java 8 / API 23.

    static byte[] readAll(java.io.File file) throws java.io.IOException {
        try (java.io.InputStream in = new java.io.FileInputStream(file)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) Math.max(32, file.length()));
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    static void writeAll(java.io.File file, byte[] bytes) throws java.io.IOException {
        try (java.io.OutputStream out = new java.io.FileOutputStream(file)) {
            out.write(bytes);
        }
    }

    static String join(String separator, java.util.List<String> parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sb.append(separator);
            }
            sb.append(parts.get(i));
        }
        return sb.toString();
    }

    static int[] codePoints(String s) {
        int[] out = new int[s.codePointCount(0, s.length())];
        for (int i = 0, k = 0; i < s.length(); k++) {
            int cp = s.codePointAt(i);
            out[k] = cp;
            i += Character.charCount(cp);
        }
        return out;
    }
}
