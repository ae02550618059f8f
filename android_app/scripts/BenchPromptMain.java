package org.minicpmv.edge.app;

import org.minicpmv.edge.runtime.Tokenizer;

import java.io.File;

/**
 * Host-JVM check helper for apk_check.sh: prints the app's benchmark question for a tokenizer.json and a target
 * length as `<tokens>\t<text>`, so it can be compared with minicpmv_edge/bench/prompt.py on the same tokenizer.
 */
public final class BenchPromptMain {
    private BenchPromptMain() {}

    public static void main(String[] args) throws Exception {
        Tokenizer tok = Tokenizer.fromFile(new File(args[0]), null);
        BenchPrompt p = BenchPrompt.build(tok, Integer.parseInt(args[1]));
        System.out.println(p.tokens + "\t" + p.text);
    }
}
