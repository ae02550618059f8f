package org.minicpmv.edge.runtime;

/**
 * LLaVA-UHD slicing geometry of MiniCPM-V 2.0 / 2.5 / 2.6, as sizes only (Python: runtime/slicing.py, a
 * line-by-line port of the official image processor). Sizes are (width, height), grids (cols, rows). Rounding is
 * Python's round(): half to even ({@link Math#rint}).
 */
public final class Slicing {
  public static final int SCALE_RESOLUTION = 448;
  public static final int PATCH_SIZE = 14;
  public static final int MAX_SLICE_NUMS = 9;

  private Slicing() {}

  /** Where the official pipeline resizes and cuts one image; grid/refine/sliceSize are null when unsliced. */
  public static final class SlicePlan {
    public final int[] original;
    public final int[] source;
    public final int[] grid;
    public final int[] refine;
    public final int[] sliceSize;

    SlicePlan(int[] original, int[] source, int[] grid, int[] refine, int[] sliceSize) {
      this.original = original;
      this.source = source;
      this.grid = grid;
      this.refine = refine;
      this.sliceSize = sliceSize;
    }
  }

  /** Round {@code length} to the nearest multiple of {@code patchSize} (at least one patch), half to even. */
  static int ensureDivide(double length, int patchSize) {
    return Math.max((int) Math.rint(length / patchSize) * patchSize, patchSize);
  }

  /** Size with about 448^2 pixels and the same aspect, snapped to whole patches (Python find_best_resize). */
  static int[] findBestResize(double width, double height, boolean allowUpscale) {
    if (width * height > (double) SCALE_RESOLUTION * SCALE_RESOLUTION || allowUpscale) {
      double ratio = width / height;
      height = (int) (SCALE_RESOLUTION / Math.sqrt(ratio));
      width = (int) (height * ratio);
    }
    return new int[] {ensureDivide(width, PATCH_SIZE), ensureDivide(height, PATCH_SIZE)};
  }

  /** (cols, rows) whose aspect best matches the image, or null when it needs no slicing. */
  static int[] slicedGrid(int width, int height, int maxSliceNums) {
    double logRatio = Math.log((double) width / height);
    int multiple =
        (int) Math.min(Math.ceil((double) width * height / (SCALE_RESOLUTION * SCALE_RESOLUTION)), maxSliceNums);
    if (multiple <= 1) {
      return null;
    }
    int[] best = {1, 1};
    double bestError = Double.POSITIVE_INFINITY;
    for (int n = multiple - 1; n <= multiple + 1; n++) {
      if (n == 1 || n > maxSliceNums) {
        continue;
      }
      for (int cols = 1; cols <= n; cols++) {
        if (n % cols != 0) {
          continue;
        }
        double error = Math.abs(logRatio - Math.log((double) cols / (n / cols)));
        if (error < bestError) {
          best = new int[] {cols, n / cols};
          bestError = error;
        }
      }
    }
    return best;
  }

  /** The official overview size, grid, refine size and slice size for a width x height image. */
  public static SlicePlan plan(int width, int height, int maxSlices) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    int[] original = {width, height};
    int[] grid = slicedGrid(width, height, maxSlices);
    if (grid == null) {
      return new SlicePlan(original, findBestResize(width, height, true), null, null, null);
    }
    int refineWidth = ensureDivide(width, grid[0]);
    int refineHeight = ensureDivide(height, grid[1]);
    int[] tile = findBestResize((double) refineWidth / grid[0], (double) refineHeight / grid[1], true);
    int[] refine = {tile[0] * grid[0], tile[1] * grid[1]};
    int[] slice = {refine[0] / grid[0], refine[1] / grid[1]};
    return new SlicePlan(original, findBestResize(width, height, false), grid, refine, slice);
  }
}
