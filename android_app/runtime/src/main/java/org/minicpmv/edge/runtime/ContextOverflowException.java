package org.minicpmv.edge.runtime;

/** The prompt (or prompt plus generated tokens) does not fit in the decoder's context. */
public class ContextOverflowException extends EdgeException {
  private static final long serialVersionUID = 1L;

  public ContextOverflowException(String message) {
    super(message);
  }
}
