package org.minicpmv.edge.app;

import android.content.Context;
import android.graphics.Color;
import android.view.View;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;

/** Views built in code: no layout XML, so aapt1 (API 23) and Gradle see the same few resources. */
final class Ui {
    private Ui() {}

    static int dp(Context c, int v) {
        return Math.round(v * c.getResources().getDisplayMetrics().density);
    }

    static LinearLayout column(Context c) {
        LinearLayout l = new LinearLayout(c);
        l.setOrientation(LinearLayout.VERTICAL);
        int p = dp(c, 12);
        l.setPadding(p, p, p, p);
        return l;
    }

    static LinearLayout row(Context c) {
        LinearLayout l = new LinearLayout(c);
        l.setOrientation(LinearLayout.HORIZONTAL);
        return l;
    }

    static Button button(Context c, String label, View.OnClickListener onClick) {
        Button b = new Button(c);
        b.setText(label);
        b.setAllCaps(false);
        b.setOnClickListener(onClick);
        return b;
    }

    static TextView text(Context c, String s, int sp) {
        TextView t = new TextView(c);
        t.setText(s);
        t.setTextSize(sp);
        t.setTextIsSelectable(true);
        return t;
    }

    /** A one-line error in red: what every failure becomes on screen. */
    static TextView error(Context c) {
        TextView t = text(c, "", 14);
        t.setTextColor(Color.rgb(183, 28, 28));
        t.setVisibility(View.GONE);
        return t;
    }

    static void showError(TextView t, String line) {
        t.setText(line);
        t.setVisibility(line == null || line.isEmpty() ? View.GONE : View.VISIBLE);
    }

    static LinearLayout.LayoutParams weight(float w) {
        return new LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, w);
    }
}
