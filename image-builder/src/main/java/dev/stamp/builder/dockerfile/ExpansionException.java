package dev.stamp.builder.dockerfile;

/**
 * A word that cannot be processed: unterminated quote, bad substitution, {@code ${v:?msg}} on an
 * unset variable. {@link #offset()} is the character index in the word where the trouble starts
 * (the opening quote, the {@code $}).
 */
public final class ExpansionException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int offset;

  public ExpansionException(String message, int offset) {
    super(message);
    this.offset = offset;
  }

  public int offset() {
    return offset;
  }
}
