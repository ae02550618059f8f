package org.minicpmv.edge.runtime;

/** An upright 8-bit RGB image: {@code rgb} is HWC, row-major, 3 bytes per pixel (unsigned). */
public final class RgbImage {
  public final int width;
  public final int height;
  public final byte[] rgb;

  RgbImage(int width, int height, byte[] rgb) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }
}
