package org.minicpmv.edge.runtime;

/** The image handed to the runtime is empty, inconsistent with its size, or over the pixel limit. */
public class ImageException extends EdgeException {
  private static final long serialVersionUID = 1L;

  public ImageException(String message) {
    super(message);
  }
}
