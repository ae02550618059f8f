package org.minicpmv.edge.app;

import org.minicpmv.edge.runtime.Tokenizer;

/**
 * The benchmark question of a chosen length in text tokens, built exactly as minicpmv_edge/bench/prompt.py builds
 * it (same opening, same filler, same search), so a phone's "96-token prompt" is the one `minicpmv-edge bench` uses.
 * Counted: ids of the question text alone from the bundle's tokenizer (no BOS, template or image tokens).
 */
final class BenchPrompt {
    static final String OPENING = "Describe this image in detail.";
    static final String FILLER_TEXT = "List every object you can see, where it is in the picture, its colour and its "
            + "size compared with the other objects. Read out any text, numbers or signs exactly as they are written. "
            + "Say what the people or animals are doing, what the weather and the light are like, and whether the "
            + "photo was taken indoors or outdoors. Finally explain what probably happened just before the picture "
            + "was taken and what may happen next.";
    private static final String[] FILLER = FILLER_TEXT.split(" ");

    final String text;
    final int tokens;

    private BenchPrompt(String text, int tokens) {
        this.text = text;
        this.tokens = tokens;
    }

    static BenchPrompt build(Tokenizer tok, int target) {
        if (count(tok, 0) >= target) { // even the opening is long enough: cut it word by word
            String[] words = OPENING.split(" ");
            String best = null;
            int bestDiff = Integer.MAX_VALUE;
            for (int k = 1; k <= words.length; k++) {
                String t = join(words, k);
                int diff = Math.abs(tok.encode(t).length - target);
                if (diff < bestDiff) {
                    best = t;
                    bestDiff = diff;
                }
            }
            return new BenchPrompt(best, tok.encode(best).length);
        }
        int lo = 0;
        int hi = 1;
        while (count(tok, hi) < target) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (count(tok, mid) < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        int n = Math.abs(count(tok, lo) - target) <= Math.abs(count(tok, hi) - target) ? lo : hi;
        return new BenchPrompt(text(n), count(tok, n));
    }

    private static String text(int nWords) {
        StringBuilder sb = new StringBuilder(OPENING);
        for (int i = 0; i < nWords; i++) {
            sb.append(' ').append(FILLER[i % FILLER.length]);
        }
        return sb.toString();
    }

    private static int count(Tokenizer tok, int nWords) {
        return tok.encode(text(nWords)).length;
    }

    private static String join(String[] words, int k) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < k; i++) {
            sb.append(i == 0 ? "" : " ").append(words[i]);
        }
        return sb.toString();
    }
}
