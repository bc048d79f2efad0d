package dev.stamp.runtime.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Dockerfile instructions applied to a run config, as {@code docker import --change} does: CMD,
 * ENTRYPOINT (JSON or shell form), ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL, VOLUME.
 */
public final class ConfigChanges {

  static final List<String> SHELL = List.of("/bin/sh", "-c");
  private static final String SUPPORTED =
      "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR";

  private ConfigChanges() {}

  /** {@code config} with every change applied in order; BAD_INPUT naming the bad change. */
  public static ContainerConfig apply(ContainerConfig config, List<String> changes)
      throws HostRuntimeException {
    ContainerConfig.Builder builder = config.toBuilder();
    for (String change : changes) {
      apply(builder, config, change);
      config = builder.build();
    }
    return builder.build();
  }

  private static void apply(ContainerConfig.Builder b, ContainerConfig current, String change)
      throws HostRuntimeException {
    String text = change.strip();
    int space = indexOfWhitespace(text);
    String instruction = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
    String args = space < 0 ? "" : text.substring(space + 1).strip();
    if (args.isEmpty()) {
      throw bad(change, instruction + " needs arguments");
    }
    switch (instruction) {
      case "CMD" -> b.cmd(command(args));
      case "ENTRYPOINT" -> b.entrypoint(command(args));
      case "ENV" -> {
        for (String[] kv : pairs(change, args, "ENV")) {
          b.env(kv[0], kv[1]);
        }
      }
      case "LABEL" -> {
        for (String[] kv : pairs(change, args, "LABEL")) {
          b.label(kv[0], kv[1]);
        }
      }
      case "WORKDIR" -> b.workingDir(workdir(current.workingDir(), unquote(change, args)));
      case "USER" -> b.user(unquote(change, args));
      case "STOPSIGNAL" -> b.stopSignal(unquote(change, args));
      case "EXPOSE" -> {
        for (String port : words(change, args)) {
          b.exposePort(port(change, port));
        }
      }
      case "VOLUME" -> {
        List<String> paths = args.startsWith("[") ? jsonArray(args) : null;
        for (String path : paths != null ? paths : words(change, args)) {
          b.volume(path);
        }
      }
      default ->
          throw bad(
              change, "unsupported instruction " + instruction + " (supported: " + SUPPORTED + ")");
    }
  }

  /** JSON form {@code ["a","b"]} as is; anything else runs through {@code /bin/sh -c}. */
  private static List<String> command(String args) {
    if (args.startsWith("[")) {
      List<String> json = jsonArray(args);
      if (json != null) {
        return json;
      }
    }
    List<String> shell = new ArrayList<>(SHELL);
    shell.add(args);
    return shell;
  }

  private static List<String> jsonArray(String args) {
    try {
      return ImageJson.mapper().readValue(args, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code K=V K2="v 2"} pairs, or the legacy {@code K V...} form. */
  private static List<String[]> pairs(String change, String args, String instruction)
      throws HostRuntimeException {
    List<String[]> pairs = new ArrayList<>();
    String firstWord = words(change, args).get(0);
    if (!firstWord.contains("=")) {
      int space = indexOfWhitespace(args);
      if (space < 0) {
        throw bad(change, instruction + " needs KEY=VALUE (or KEY VALUE)");
      }
      pairs.add(new String[] {args.substring(0, space), args.substring(space + 1).strip()});
      return pairs;
    }
    for (String word : words(change, args)) {
      int eq = word.indexOf('=');
      if (eq <= 0) {
        throw bad(change, instruction + " needs KEY=VALUE pairs, got \"" + word + "\"");
      }
      pairs.add(new String[] {word.substring(0, eq), word.substring(eq + 1)});
    }
    return pairs;
  }

  private static String port(String change, String port) throws HostRuntimeException {
    String spec = port.contains("/") ? port : port + "/tcp";
    if (!spec.matches("[0-9]{1,5}(-[0-9]{1,5})?/(tcp|udp|sctp)")) {
      throw bad(change, "EXPOSE needs PORT[/tcp|udp|sctp], got \"" + port + "\"");
    }
    return spec;
  }

  private static String workdir(String current, String path) {
    if (path.startsWith("/") || current == null || current.isEmpty()) {
      return path.startsWith("/") ? path : "/" + path;
    }
    return current.endsWith("/") ? current + path : current + "/" + path;
  }

  private static String unquote(String change, String args) throws HostRuntimeException {
    List<String> words = words(change, args);
    return words.size() == 1 ? words.get(0) : args;
  }

  /** Splits on whitespace outside quotes; quotes group, backslash escapes (Dockerfile rules). */
  static List<String> words(String change, String args) throws HostRuntimeException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < args.length(); i++) {
      char c = args.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        continue;
      }
      inWord = true;
      if (c == '\\' && quote != '\'' && i + 1 < args.length()) {
        word.append(args.charAt(++i));
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else {
        word.append(c);
      }
    }
    if (quote != 0) {
      throw bad(change, "unterminated " + quote + " quote");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static HostRuntimeException bad(String change, String why) {
    return HostRuntimeException.badInput("--change \"" + change + "\": " + why);
  }
}
