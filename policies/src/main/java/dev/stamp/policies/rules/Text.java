package dev.stamp.policies.rules;

import java.util.regex.Pattern;

/** Patterns shared by rules: secret-looking names and values. */
final class Text {

  private Text() {}

  /** Names that usually hold a secret ({@code DB_PASSWORD}, {@code GITHUB_TOKEN}). */
  static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i).*(passw(or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
              + "|credential|auth[_-]?key).*");

  /** Values that are a secret whatever their name. */
  static final Pattern SECRET_VALUE =
      Pattern.compile(
          "(AKIA|ASIA)[0-9A-Z]{16}"
              + "|-----BEGIN [A-Z ]*PRIVATE KEY-----"
              + "|(?i)password\\s*=\\s*\\S+"
              + "|gh[pousr]_[A-Za-z0-9]{36}"
              + "|xox[baprs]-[A-Za-z0-9-]{10,}");

  /** Names that point at a secret rather than hold one ({@code DB_PASSWORD_FILE}). */
  static boolean secretName(String name) {
    String upper = name.toUpperCase(java.util.Locale.ROOT);
    if (upper.endsWith("_FILE") || upper.endsWith("_PATH") || upper.endsWith("_ID")) {
      return false;
    }
    return SECRET_NAME.matcher(name).matches();
  }

  static boolean secretValue(String value) {
    return SECRET_VALUE.matcher(value).find();
  }
}
