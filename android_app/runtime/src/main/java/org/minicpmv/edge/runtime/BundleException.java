package org.minicpmv.edge.runtime;

/** The bundle is missing, incomplete, tampered with, or names a path outside itself. */
public class BundleException extends EdgeException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }
}
