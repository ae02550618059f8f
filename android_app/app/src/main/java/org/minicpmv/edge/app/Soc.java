package org.minicpmv.edge.app;

import android.os.Build;

import java.util.Locale;

/** This phone's SoC as a chip key of the bundle's compiled builds (e.g. "SM8650" -> "sm8650"). */
final class Soc {
    private Soc() {}

    /** Build.SOC_MODEL on API 31+ (read by reflection: the app compiles against API 23), else null. */
    static String reported() {
        if (Build.VERSION.SDK_INT < 31) {
            return null;
        }
        try {
            Object v = Build.class.getField("SOC_MODEL").get(null);
            String s = v == null ? "" : v.toString().trim();
            return s.isEmpty() || "unknown".equalsIgnoreCase(s) ? null : s;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** The chip key in use: what the user typed in Settings wins, else what the phone reports, else null. */
    static String chip(AppSettings settings) {
        String typed = settings.socOverride();
        String soc = typed.isEmpty() ? reported() : typed;
        return soc == null ? null : soc.trim().toLowerCase(Locale.ROOT);
    }

    static String manufacturerName() {
        return Build.MANUFACTURER;
    }
}
