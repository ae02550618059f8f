package org.minicpmv.edge.runtime;

/**
 * Pixels from the caller -> the upright 8-bit RGB image the preprocessor reads (Python: runtime/images.py after
 * decoding). The app decodes files itself (BitmapFactory, with EXIF orientation applied); the host tests use
 * javax.imageio or raw pixels. What stays here is what must match Python bit for bit: the pixel limit and how
 * alpha is flattened (Pillow's {@code alpha_composite} onto white, in its integer arithmetic).
 */
public final class Images {
  /** The same default limit as Python's {@code DEFAULT_MAX_PIXELS}. */
  public static final int DEFAULT_MAX_PIXELS = 50_000_000;

  private Images() {}

  /**
   * Non-premultiplied ARGB pixels (Android {@code Bitmap.getPixels}, {@code BufferedImage.getRGB}), row-major,
   * {@code width * height} ints -> RGB with alpha composited onto white exactly as Pillow does.
   */
  public static RgbImage fromArgb(int[] argb, int width, int height, int maxPixels) throws ImageException {
    checkSize(width, height, argb == null ? -1 : argb.length, maxPixels);
    byte[] rgb = new byte[width * height * 3];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      int a = p >>> 24;
      int r = (p >> 16) & 0xff;
      int g = (p >> 8) & 0xff;
      int b = p & 0xff;
      if (a != 255) {
        r = overWhite(r, a);
        g = overWhite(g, a);
        b = overWhite(b, a);
      }
      rgb[3 * i] = (byte) r;
      rgb[3 * i + 1] = (byte) g;
      rgb[3 * i + 2] = (byte) b;
    }
    return new RgbImage(width, height, rgb);
  }

  /** Packed 8-bit RGB, HWC, {@code width * height * 3} bytes (copied). */
  public static RgbImage fromRgb(byte[] rgb, int width, int height, int maxPixels) throws ImageException {
    checkSize(width, height, rgb == null ? -1 : rgb.length / 3, maxPixels);
    if (rgb.length != width * height * 3) {
      throw new ImageException("image has " + rgb.length + " bytes, expected " + width + "x" + height + "x3");
    }
    return new RgbImage(width, height, rgb.clone());
  }

  private static void checkSize(int width, int height, int pixels, int maxPixels) throws ImageException {
    if (width <= 0 || height <= 0) {
      throw new ImageException("image is empty (" + width + "x" + height + " pixels)");
    }
    long n = (long) width * height;
    if (n > maxPixels) {
      throw new ImageException("image has " + n + " pixels, over the limit of " + maxPixels);
    }
    if (pixels != n) {
      throw new ImageException("image has " + Math.max(pixels, 0) + " pixels, expected " + width + "x" + height);
    }
  }

  /**
   * One channel of Pillow's alpha_composite(white opaque, src): with an opaque white destination its 7-bit
   * fixed-point blend reduces to coef1 = a * 128, coef2 = (255 - a) * 128, rounded division by 255 via shifts.
   */
  private static int overWhite(int c, int a) {
    if (a == 0) {
      return 255;
    }
    int coef1 = a * 255 * 255 * 128 / (255 * 255);
    int coef2 = 255 * 128 - coef1;
    int tmp = c * coef1 + 255 * coef2 + (0x80 << 7);
    return (((tmp >> 8) + tmp) >> 8) >> 7;
  }
}
