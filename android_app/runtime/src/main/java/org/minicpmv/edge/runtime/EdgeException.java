package org.minicpmv.edge.runtime;

/**
 * A failure the user can cause or fix (bad bundle, bad image, prompt too long, missing NPU). {@link #getMessage()}
 * is one readable line for the UI, like the Python CLI's one-line errors.
 */
public class EdgeException extends Exception {
  private static final long serialVersionUID = 1L;

  public EdgeException(String message) {
    super(message);
  }

  public EdgeException(String message, Throwable cause) {
    super(message, cause);
  }
}
