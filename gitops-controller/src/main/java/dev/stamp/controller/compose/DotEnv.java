package dev.stamp.controller.compose;

import dev.stamp.controller.yaml.Problems;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code .env} file as Compose reads it: {@code KEY=VALUE} lines ({@code export } allowed, spaces
 * around {@code =} trimmed, {@code #} comments, {@code " #"} ends an unquoted value); single quotes
 * keep text as written (only {@code \'} is an escape), double quotes take {@code \n}, {@code \t},
 * {@code \"} and {@code \\}; quoted values may span lines. Unquoted and double-quoted values are
 * substituted, looking in the process environment first, then in earlier lines. A line whose name
 * is not a variable name ({@code 456 = ABC}) is skipped, as Compose does.
 */
final class DotEnv {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

  private DotEnv() {}

  static Map<String, String> parse(String text, Map<String, String> processEnv, Problems problems) {
    Map<String, String> values = new LinkedHashMap<>();
    String[] lines = text.replace("\r\n", "\n").split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring(7).strip();
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      String rest = line.substring(eq + 1).stripLeading();
      String value;
      boolean substitute = true;
      if (!rest.isEmpty() && (rest.charAt(0) == '\'' || rest.charAt(0) == '"')) {
        char quote = rest.charAt(0);
        StringBuilder sb = new StringBuilder();
        String current = rest.substring(1);
        boolean closed = false;
        while (true) {
          for (int k = 0; k < current.length(); k++) {
            char c = current.charAt(k);
            if (c == '\\' && k + 1 < current.length()) {
              char d = current.charAt(k + 1);
              if (quote == '\'' && d == '\'') {
                sb.append('\'');
                k++;
                continue;
              }
              if (quote == '"') {
                switch (d) {
                  case 'n' -> sb.append('\n');
                  case 't' -> sb.append('\t');
                  case 'r' -> sb.append('\r');
                  case '"', '\\' -> sb.append(d);
                  default -> sb.append(c).append(d);
                }
                k++;
                continue;
              }
            }
            if (c == quote) {
              closed = true;
              break;
            }
            sb.append(c);
          }
          if (closed || i + 1 >= lines.length) {
            break;
          }
          sb.append('\n');
          current = lines[++i];
        }
        if (!closed) {
          problems.error(lineNo, eq + 2, key, "unterminated quoted value");
          continue;
        }
        value = sb.toString();
        substitute = quote == '"';
      } else {
        int comment = rest.indexOf(" #");
        value = rest.startsWith("#") ? "" : comment >= 0 ? rest.substring(0, comment) : rest;
        value = value.strip();
      }
      if (!NAME.matcher(key).matches()) {
        continue;
      }
      if (substitute) {
        try {
          value =
              Interpolation.apply(
                  value,
                  name -> processEnv.containsKey(name) ? processEnv.get(name) : values.get(name));
        } catch (Interpolation.Failure e) {
          problems.error(lineNo, 1, key, e.getMessage());
          continue;
        }
      }
      values.put(key, value);
    }
    return values;
  }
}
