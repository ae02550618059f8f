package org.minicpmv.edge.app;

import android.content.Context;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Published reference profiles (assets/reference_profiles.json, written at APK build time from
 * minicpmv_edge/bench/reference.py, the one source of these figures) looked up by chip.
 */
final class References {
    private static JSONArray profiles;

    private References() {}

    /** The profile measured on `chip`, preferring one of the same preset; null when none exists. */
    static synchronized JSONObject forChip(Context context, String chip, String preset) {
        if (chip == null) {
            return null;
        }
        JSONObject best = null;
        for (int i = 0; i < load(context).length(); i++) {
            JSONObject p = profiles.optJSONObject(i);
            if (p != null && chip.equalsIgnoreCase(p.optString("chip"))) {
                if (best == null || preset.equals(p.optString("preset"))) {
                    best = p;
                }
            }
        }
        return best;
    }

    /** e.g. "reference: MiniCPM-V 2.0 on Axera AX650N, 280x280: encode 0.8 s, prefill 0.4 s, 5.0 tok/s (device-measured)". */
    static String line(JSONObject p) {
        StringBuilder sb = new StringBuilder("reference: ").append(p.optString("model")).append(" on ")
                .append(p.optString("device")).append(", ").append(p.optString("image")).append(":");
        if (!p.isNull("encode_s")) {
            sb.append(" encode ").append(p.optDouble("encode_s")).append(" s");
        }
        if (!p.isNull("prefill_s")) {
            sb.append(", prefill ").append(p.optDouble("prefill_s")).append(" s");
        }
        if (!p.isNull("decode_tok_s")) {
            sb.append(", ").append(p.optDouble("decode_tok_s")).append(" tok/s");
        }
        return sb.append(" (").append(p.optString("provenance")).append(", ").append(p.optString("source"))
                .append(")").toString();
    }

    private static JSONArray load(Context context) {
        if (profiles == null) {
            try (InputStream in = context.getAssets().open("reference_profiles.json")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BundleStore.copy(in, out);
                profiles = new JSONArray(new String(out.toByteArray(), StandardCharsets.UTF_8));
            } catch (IOException | JSONException e) {
                profiles = new JSONArray(); // an APK built without the file simply shows no reference
            }
        }
        return profiles;
    }
}
