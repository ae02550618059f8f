package org.minicpmv.edge.app;

import org.minicpmv.edge.runtime.Timings;

import java.util.Locale;

/** The line under each answer: what each stage cost, where it ran and how it was measured. */
final class StatsLine {
    private StatsLine() {}

    static String of(Timings t, boolean synthetic, boolean cancelled) {
        String s = String.format(Locale.ROOT,
                "encode %.2f s (%s, %d input%s, %s) · prefill %.2f s (%d tokens) · decode %.1f tok/s (%d tokens) · "
                        + "first token %.2f s · peak memory %.0f MB (%s)",
                t.encodeS, encoder(t), t.encodeShapes.size(), t.encodeShapes.size() == 1 ? "" : "s",
                t.encoderProvenance, t.prefillS, t.prefillTokens, t.decodeTokS(), t.tokensGenerated, t.ttftS,
                t.peakRssMb, t.llmProvenance);
        if (synthetic) {
            s += " · SYNTHETIC weights";
        }
        return cancelled ? s + " · stopped" : s;
    }

    /** e.g. "qnn sm8650 w8a16" or "cpu fp32". */
    private static String encoder(Timings t) {
        StringBuilder sb = new StringBuilder(t.encoderBackend);
        for (String part : new String[] {t.encoderChip, t.encoderPrecision}) {
            if (part != null && !part.isEmpty()) {
                sb.append(' ').append(part);
            }
        }
        return sb.toString();
    }
}
