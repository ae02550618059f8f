package org.minicpmv.edge.app;

import android.content.Context;
import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.graphics.Color;
import android.graphics.Paint;
import android.graphics.RectF;
import android.view.View;

import org.minicpmv.edge.runtime.Slicing;

/**
 * The photo with the encoder inputs drawn over it: the UHD slice grid (the runtime's own Slicing.plan, at the
 * official maximum of 9 slices, as the pipeline cuts it), or the one square fixed-size input.
 */
final class SlicePlanView extends View {
    private final Paint line = new Paint(Paint.ANTI_ALIAS_FLAG);
    private final Paint text = new Paint(Paint.ANTI_ALIAS_FLAG);
    private Bitmap bitmap;
    private String mode = "fixed-280";

    SlicePlanView(Context context) {
        super(context);
        line.setStyle(Paint.Style.STROKE);
        line.setColor(Color.rgb(255, 200, 0));
        line.setStrokeWidth(3 * getResources().getDisplayMetrics().density);
        text.setColor(Color.WHITE);
        text.setTextSize(14 * getResources().getDisplayMetrics().scaledDensity);
        text.setShadowLayer(4, 0, 0, Color.BLACK);
    }

    void show(Bitmap bitmap, String mode) {
        this.bitmap = bitmap;
        this.mode = mode;
        requestLayout();
        invalidate();
    }

    /** What the encoder will see, in words, e.g. "uhd: 448x448 overview + 2x3 slices of 336x476". */
    String describe() {
        if (bitmap == null) {
            return "";
        }
        if (!"uhd".equals(mode)) {
            return mode + ": the whole photo resized to one " + mode.substring(6) + "x" + mode.substring(6) + " input";
        }
        Slicing.SlicePlan plan = Slicing.plan(bitmap.getWidth(), bitmap.getHeight(), Slicing.MAX_SLICE_NUMS);
        String overview = "uhd: " + plan.source[0] + "x" + plan.source[1] + " overview";
        if (plan.grid == null) {
            return overview + " (no slices: the photo is small enough)";
        }
        return overview + " + " + plan.grid[0] + "x" + plan.grid[1] + " slices of " + plan.sliceSize[0] + "x"
                + plan.sliceSize[1] + " (refined to " + plan.refine[0] + "x" + plan.refine[1] + ")";
    }

    @Override
    protected void onMeasure(int widthSpec, int heightSpec) {
        int w = MeasureSpec.getSize(widthSpec);
        int h = bitmap == null ? 0 : Math.min(w * bitmap.getHeight() / Math.max(1, bitmap.getWidth()), w * 4 / 3);
        setMeasuredDimension(w, h);
    }

    @Override
    protected void onDraw(Canvas canvas) {
        if (bitmap == null) {
            return;
        }
        float scale = Math.min(getWidth() / (float) bitmap.getWidth(), getHeight() / (float) bitmap.getHeight());
        float dw = bitmap.getWidth() * scale;
        float dh = bitmap.getHeight() * scale;
        RectF dst = new RectF((getWidth() - dw) / 2, (getHeight() - dh) / 2, (getWidth() + dw) / 2, (getHeight() + dh) / 2);
        canvas.drawBitmap(bitmap, null, dst, null);
        canvas.drawRect(dst, line);
        if ("uhd".equals(mode)) {
            Slicing.SlicePlan plan = Slicing.plan(bitmap.getWidth(), bitmap.getHeight(), Slicing.MAX_SLICE_NUMS);
            if (plan.grid != null) {
                int cols = plan.grid[0];
                int rows = plan.grid[1];
                for (int c = 1; c < cols; c++) {
                    float x = dst.left + dw * c / cols;
                    canvas.drawLine(x, dst.top, x, dst.bottom, line);
                }
                for (int r = 1; r < rows; r++) {
                    float y = dst.top + dh * r / rows;
                    canvas.drawLine(dst.left, y, dst.right, y, line);
                }
            }
        }
        canvas.drawText(describe(), dst.left + 8, dst.bottom - 12, text);
    }
}
