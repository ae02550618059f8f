package org.minicpmv.edge.app;

import org.minicpmv.edge.runtime.EdgeException;

/** Any failure as one readable line for the screen. */
final class Errors {
    private Errors() {}

    static String oneLine(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "Out of memory: try fixed-280 mode, fewer slices, a smaller max context or a smaller bundle.";
        }
        if (t instanceof UnsatisfiedLinkError) {
            return "A native library is missing or does not fit this phone: " + firstLine(t.getMessage());
        }
        String msg = firstLine(t.getMessage());
        if (t instanceof EdgeException) {
            return msg;
        }
        String kind = t.getClass().getSimpleName();
        return msg.isEmpty() ? kind : kind + ": " + msg;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.trim();
        int nl = line.indexOf('\n');
        line = nl >= 0 ? line.substring(0, nl) : line;
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
