package org.minicpmv.edge.runtime;

/**
 * Pillow's {@code Image.resize(size, BICUBIC, box)} for 8-bit RGB, reproduced operation for operation so that
 * Java and Python feed the encoder the same pixels (definition: docs/resampling.md).
 *
 * <p>Separable convolution in two passes, each rounding to 8 bits: horizontal first (over only the source rows
 * the vertical pass reads), except that, as in Pillow 13, the vertical pass goes first when the height shrinks, by
 * more than twice as many pixels as the width does. Kernel: Keys cubic with a = -0.5 and support 2, stretched by the scale
 * factor when downsampling (antialiasing); per-output-pixel weights normalised to sum 1, then converted to 22-bit
 * fixed point. The box is float32, as Pillow's C code receives it.
 */
public final class Resample {
  private static final double SUPPORT = 2.0;
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private Resample() {}

  /**
   * Resize {@code box} (x0, y0, x1, y1 in source pixels; null = whole image) of an RGB image to outW x outH.
   *
   * @param rgb HWC 8-bit RGB, {@code width * height * 3} bytes
   * @return HWC 8-bit RGB, {@code outW * outH * 3} bytes
   */
  public static byte[] bicubic(byte[] rgb, int width, int height, double[] box, int outW, int outH) {
    float x0 = box == null ? 0f : (float) box[0];
    float y0 = box == null ? 0f : (float) box[1];
    float x1 = box == null ? width : (float) box[2];
    float y1 = box == null ? height : (float) box[3];
    if (outW == width && outH == height && x0 == 0f && y0 == 0f && x1 == width && y1 == height) {
      return rgb.clone();
    }
    boolean needH = outW != width || x0 != 0f || x1 != outW;
    boolean needV = outH != height || y0 != 0f || y1 != outH;
    Coeffs horiz = coeffs(width, x0, x1, outW);
    Coeffs vert = coeffs(height, y0, y1, outH);

    if (needH && needV && outH < height && (long) height - outH > 2L * ((long) width - outW)) {
      // Pillow >= 13: when the height shrinks much more than the width, the vertical pass goes first (over
      // only the source columns the horizontal pass reads).
      int first = horiz.bounds[0];
      int last = horiz.bounds[2 * outW - 2] + horiz.bounds[2 * outW - 1];
      for (int i = 0; i < outW; i++) {
        horiz.bounds[2 * i] -= first;
      }
      byte[] tmp = vertical(rgb, width, first, last - first, vert, outH);
      return horizontal(tmp, last - first, 0, outH, horiz, outW);
    }
    byte[] src = rgb;
    int srcW = width;
    if (needH) {
      int first = vert.bounds[0];
      int last = vert.bounds[2 * outH - 2] + vert.bounds[2 * outH - 1];
      for (int i = 0; i < outH; i++) {
        vert.bounds[2 * i] -= first;
      }
      src = horizontal(rgb, width, first, last - first, horiz, outW);
      srcW = outW;
    }
    return needV ? vertical(src, srcW, 0, srcW, vert, outH) : src;
  }

  private static final class Coeffs {
    final int ksize;
    final int[] bounds; // per output pixel: first input index, count
    final int[] k; // outSize x ksize fixed-point weights

    Coeffs(int ksize, int[] bounds, int[] k) {
      this.ksize = ksize;
      this.bounds = bounds;
      this.k = k;
    }
  }

  static double filter(double x) {
    final double a = -0.5;
    if (x < 0.0) {
      x = -x;
    }
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  private static Coeffs coeffs(int inSize, float in0, float in1, int outSize) {
    double scale = (double) (in1 - in0) / outSize;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = SUPPORT * filterscale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] bounds = new int[outSize * 2];
    int[] kk = new int[outSize * ksize];
    double[] w = new double[ksize];
    for (int xx = 0; xx < outSize; xx++) {
      double center = in0 + (xx + 0.5) * scale;
      double ss = 1.0 / filterscale;
      int xmin = (int) (center - support + 0.5);
      if (xmin < 0) {
        xmin = 0;
      }
      int xmax = (int) (center + support + 0.5);
      if (xmax > inSize) {
        xmax = inSize;
      }
      xmax -= xmin;
      double ww = 0.0;
      for (int x = 0; x < xmax; x++) {
        w[x] = filter((x + xmin - center + 0.5) * ss);
        ww += w[x];
      }
      for (int x = 0; x < xmax; x++) {
        double v = ww != 0.0 ? w[x] / ww : w[x];
        kk[xx * ksize + x] =
            v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
      }
      bounds[2 * xx] = xmin;
      bounds[2 * xx + 1] = xmax;
    }
    return new Coeffs(ksize, bounds, kk);
  }

  private static int clip8(int v) {
    int s = v >> PRECISION_BITS;
    return s < 0 ? 0 : (s > 255 ? 255 : s);
  }

  private static byte[] horizontal(byte[] in, int inW, int rowOffset, int rows, Coeffs c, int outW) {
    byte[] out = new byte[outW * rows * 3];
    int half = 1 << (PRECISION_BITS - 1);
    for (int y = 0; y < rows; y++) {
      int rowBase = (y + rowOffset) * inW * 3;
      for (int xx = 0; xx < outW; xx++) {
        int xmin = c.bounds[2 * xx];
        int xmax = c.bounds[2 * xx + 1];
        int kbase = xx * c.ksize;
        int s0 = half;
        int s1 = half;
        int s2 = half;
        for (int x = 0; x < xmax; x++) {
          int p = rowBase + (x + xmin) * 3;
          int k = c.k[kbase + x];
          s0 += (in[p] & 0xff) * k;
          s1 += (in[p + 1] & 0xff) * k;
          s2 += (in[p + 2] & 0xff) * k;
        }
        int o = (y * outW + xx) * 3;
        out[o] = (byte) clip8(s0);
        out[o + 1] = (byte) clip8(s1);
        out[o + 2] = (byte) clip8(s2);
      }
    }
    return out;
  }

  /** Vertical pass over columns [colOffset, colOffset + cols) of an image {@code inW} wide -> cols x outH. */
  private static byte[] vertical(byte[] in, int inW, int colOffset, int cols, Coeffs c, int outH) {
    byte[] out = new byte[cols * outH * 3];
    int half = 1 << (PRECISION_BITS - 1);
    for (int yy = 0; yy < outH; yy++) {
      int ymin = c.bounds[2 * yy];
      int ymax = c.bounds[2 * yy + 1];
      int kbase = yy * c.ksize;
      for (int xx = 0; xx < cols; xx++) {
        int s0 = half;
        int s1 = half;
        int s2 = half;
        for (int y = 0; y < ymax; y++) {
          int p = ((y + ymin) * inW + xx + colOffset) * 3;
          int k = c.k[kbase + y];
          s0 += (in[p] & 0xff) * k;
          s1 += (in[p + 1] & 0xff) * k;
          s2 += (in[p + 2] & 0xff) * k;
        }
        int o = (yy * cols + xx) * 3;
        out[o] = (byte) clip8(s0);
        out[o + 1] = (byte) clip8(s1);
        out[o + 2] = (byte) clip8(s2);
      }
    }
    return out;
  }
}
