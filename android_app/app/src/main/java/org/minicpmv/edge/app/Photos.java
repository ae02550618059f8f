package org.minicpmv.edge.app;

import android.content.ContentResolver;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.graphics.Matrix;
import android.media.ExifInterface;
import android.net.Uri;

import org.minicpmv.edge.runtime.EdgeException;
import org.minicpmv.edge.runtime.ImageException;
import org.minicpmv.edge.runtime.Images;
import org.minicpmv.edge.runtime.RgbImage;

import java.io.IOException;
import java.io.InputStream;

/**
 * A picked or captured photo as the runtime wants it: decoded, EXIF orientation applied (the runtime expects upright
 * pixels), never larger than MAX_SIDE on its long side so a 200 MP photo cannot exhaust memory.
 */
final class Photos {
    static final int MAX_SIDE = 4096;

    /** The upright bitmap (for the screen) and its pixels (for the runtime). */
    static final class Photo {
        final Bitmap bitmap;
        final RgbImage image;
        final String note;

        Photo(Bitmap bitmap, RgbImage image, String note) {
            this.bitmap = bitmap;
            this.image = image;
            this.note = note;
        }
    }

    private Photos() {}

    static Photo load(ContentResolver resolver, Uri uri) throws EdgeException, IOException {
        BitmapFactory.Options bounds = new BitmapFactory.Options();
        bounds.inJustDecodeBounds = true;
        try (InputStream in = open(resolver, uri)) {
            BitmapFactory.decodeStream(in, null, bounds);
        }
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) {
            throw new ImageException("Cannot read this image: not a JPEG, PNG, WebP or HEIF file, or it is damaged.");
        }
        int sample = 1;
        while (Math.max(bounds.outWidth, bounds.outHeight) / sample > MAX_SIDE) {
            sample *= 2;
        }
        BitmapFactory.Options opts = new BitmapFactory.Options();
        opts.inSampleSize = sample;
        opts.inPreferredConfig = Bitmap.Config.ARGB_8888;
        Bitmap bitmap;
        try (InputStream in = open(resolver, uri)) {
            bitmap = BitmapFactory.decodeStream(in, null, opts);
        }
        if (bitmap == null) {
            throw new ImageException("Cannot decode this image: the file is damaged or truncated.");
        }
        bitmap = upright(bitmap, orientation(resolver, uri));
        int w = bitmap.getWidth();
        int h = bitmap.getHeight();
        int[] argb = new int[w * h];
        bitmap.getPixels(argb, 0, w, 0, 0, w, h);
        RgbImage image = Images.fromArgb(argb, w, h, Images.DEFAULT_MAX_PIXELS);
        String note = w + "x" + h + (sample > 1
                ? " (decoded at 1/" + sample + " of " + bounds.outWidth + "x" + bounds.outHeight + ")" : "");
        return new Photo(bitmap, image, note);
    }

    private static InputStream open(ContentResolver resolver, Uri uri) throws IOException {
        InputStream in = resolver.openInputStream(uri);
        if (in == null) {
            throw new IOException("cannot open " + uri);
        }
        return in;
    }

    /** EXIF orientation via ExifInterface(InputStream), API 24+ (reflection: the app compiles against API 23). */
    private static int orientation(ContentResolver resolver, Uri uri) {
        try (InputStream in = open(resolver, uri)) {
            ExifInterface exif = ExifInterface.class.getConstructor(InputStream.class).newInstance(in);
            return exif.getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL);
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return ExifInterface.ORIENTATION_NORMAL; // no or broken EXIF: the pixels are taken as they are
        }
    }

    private static Bitmap upright(Bitmap b, int orientation) {
        Matrix m = new Matrix();
        switch (orientation) {
            case ExifInterface.ORIENTATION_FLIP_HORIZONTAL: m.setScale(-1, 1); break;
            case ExifInterface.ORIENTATION_ROTATE_180: m.setRotate(180); break;
            case ExifInterface.ORIENTATION_FLIP_VERTICAL: m.setScale(1, -1); break;
            case ExifInterface.ORIENTATION_TRANSPOSE: m.setRotate(90); m.postScale(-1, 1); break;
            case ExifInterface.ORIENTATION_ROTATE_90: m.setRotate(90); break;
            case ExifInterface.ORIENTATION_TRANSVERSE: m.setRotate(-90); m.postScale(-1, 1); break;
            case ExifInterface.ORIENTATION_ROTATE_270: m.setRotate(-90); break;
            default: return b;
        }
        Bitmap r = Bitmap.createBitmap(b, 0, 0, b.getWidth(), b.getHeight(), m, true);
        if (r != b) {
            b.recycle();
        }
        return r;
    }
}
