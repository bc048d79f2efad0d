package dev.stamp.policies;

import dev.stamp.runtime.StampException;

/**
 * A policy file that cannot be used: unknown rule id, bad mode, malformed date or size, YAML that
 * does not parse. Always {@link Kind#BAD_INPUT} (exit 2) and not retryable: the file must change.
 * The message names the file and the field ({@code .stamp/policy.yaml: waivers[1].expires: …}).
 */
public final class PolicyException extends StampException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final String field;

  public PolicyException(String file, String field, String problem) {
    super(
        Kind.BAD_INPUT,
        "load policy " + file + (field.isEmpty() ? "" : ": " + field) + ": " + problem);
    this.file = file;
    this.field = field;
  }

  /** The policy file as named by the caller. */
  public String file() {
    return file;
  }

  /** The offending field's path ({@code rules.STAMP-DF-999}), empty for the whole file. */
  public String field() {
    return field;
  }
}
