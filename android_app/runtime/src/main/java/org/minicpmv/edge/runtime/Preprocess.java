package org.minicpmv.edge.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Map an RGB image onto the square, fixed-shape inputs of a statically exported vision encoder (Python:
 * runtime/preprocess.py). "fixed-280"/"fixed-448" squash the whole image to one S x S input; "uhd" keeps the
 * official LLaVA-UHD grid and tile boundaries ({@link Slicing#plan}) but resamples the overview and every tile
 * straight to S x S, one bicubic resampling per tile ({@link Resample#bicubic}, Pillow's filter).
 */
public final class Preprocess {
  public static final List<String> MODES =
      Collections.unmodifiableList(Arrays.asList("fixed-280", "fixed-448", "uhd"));

  private Preprocess() {}

  /** One square encoder input and where it sits in the slice grid. */
  public static final class EncoderInput {
    /** float32 [1,3,S,S], NCHW, RGB, values in [-1, 1] ((x/255-0.5)/0.5). */
    public final float[] pixelValues;

    public final int side;
    /** "overview" or "slice". */
    public final String role;

    public final int row;
    public final int col;

    EncoderInput(float[] pixelValues, int side, String role, int row, int col) {
      this.pixelValues = pixelValues;
      this.side = side;
      this.role = role;
      this.row = row;
      this.col = col;
    }
  }

  /** All encoder inputs for one image, overview first, then slices in raster (row-major) order. */
  public static final class PreprocessedImage {
    public final String mode;
    public final int[] originalSize;
    /** (cols, rows) of slices, or null when unsliced. */
    public final int[] grid;

    public final List<EncoderInput> inputs;

    PreprocessedImage(String mode, int[] originalSize, int[] grid, List<EncoderInput> inputs) {
      this.mode = mode;
      this.originalSize = originalSize;
      this.grid = grid;
      this.inputs = Collections.unmodifiableList(inputs);
    }
  }

  /** Resize {@code image} into encoder inputs for {@code mode} ("fixed-280", "fixed-448" or "uhd"). */
  public static PreprocessedImage preprocess(RgbImage image, String mode, int uhdShape, int maxSlices)
      throws EdgeException {
    if (!MODES.contains(mode)) {
      throw new EdgeException("unknown preprocessing mode '" + mode + "'; choose one of: fixed-280, fixed-448, uhd");
    }
    int[] size = {image.width, image.height};
    List<EncoderInput> inputs = new ArrayList<EncoderInput>();
    if (!mode.equals("uhd")) {
      inputs.add(encode(image, mode.equals("fixed-280") ? 280 : 448, "overview", 0, 0, null));
      return new PreprocessedImage(mode, size, null, inputs);
    }
    if (uhdShape <= 0 || uhdShape % Slicing.PATCH_SIZE != 0) {
      throw new EdgeException("uhd shape must be a positive multiple of " + Slicing.PATCH_SIZE + ", got " + uhdShape);
    }
    Slicing.SlicePlan plan = Slicing.plan(image.width, image.height, maxSlices);
    inputs.add(encode(image, uhdShape, "overview", 0, 0, null));
    if (plan.grid != null) {
      int cols = plan.grid[0];
      int rows = plan.grid[1];
      long w = image.width;
      long h = image.height;
      long tw = plan.sliceSize[0];
      long th = plan.sliceSize[1];
      double rw = plan.refine[0];
      double rh = plan.refine[1];
      for (int row = 0; row < rows; row++) {
        for (int col = 0; col < cols; col++) {
          // Tile (row, col) of the refine image in original-image coordinates, multiplied before dividing as
          // in Python, so the last tile ends exactly on the image edge.
          double[] box = {col * tw * w / rw, row * th * h / rh, (col + 1) * tw * w / rw, (row + 1) * th * h / rh};
          inputs.add(encode(image, uhdShape, "slice", row, col, box));
        }
      }
    }
    return new PreprocessedImage(mode, size, plan.grid, inputs);
  }

  /** RGB HWC bytes of a side x side image -> float32 [1,3,S,S], NCHW, values x/127.5 - 1 (float32 math). */
  public static float[] toPixelValues(byte[] rgb, int side) {
    int plane = side * side;
    float[] out = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        out[c * plane + i] = (rgb[3 * i + c] & 0xff) / 127.5f - 1.0f;
      }
    }
    return out;
  }

  private static EncoderInput encode(RgbImage image, int side, String role, int row, int col, double[] box) {
    byte[] resized = Resample.bicubic(image.rgb, image.width, image.height, box, side, side);
    return new EncoderInput(toPixelValues(resized, side), side, role, row, col);
  }
}
