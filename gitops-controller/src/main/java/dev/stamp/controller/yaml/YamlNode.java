package dev.stamp.controller.yaml;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A YAML document as the loader reads it: scalars keep their text, whether they were plain, the
 * type YAML 1.2's core schema gives them, and where they were written ({@code line}, {@code
 * column}, 1-based), so a wrong value can be named exactly.
 */
public sealed interface YamlNode {

  int line();

  int column();

  /** What a user would call this node in a message: "a string", "a list", "a mapping". */
  String describe();

  /** The core-schema type of a scalar; interpolated text is always {@code STRING}. */
  enum Type {
    NULL,
    BOOL,
    INT,
    FLOAT,
    STRING
  }

  record Scalar(String text, Type type, int line, int column) implements YamlNode {

    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
    private static final Pattern INT =
        Pattern.compile("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern FLOAT =
        Pattern.compile(
            "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    /** A scalar as written: a plain one typed by YAML 1.2's core schema, a quoted one a string. */
    public static Scalar of(String text, boolean plain, int line, int column) {
      Type type = Type.STRING;
      if (plain) {
        if (NULL.matcher(text).matches()) {
          type = Type.NULL;
        } else if (BOOL.matcher(text).matches()) {
          type = Type.BOOL;
        } else if (INT.matcher(text).matches()) {
          type = Type.INT;
        } else if (FLOAT.matcher(text).matches()) {
          type = Type.FLOAT;
        }
      }
      return new Scalar(text, type, line, column);
    }

    public boolean isNull() {
      return type == Type.NULL;
    }

    @Override
    public String describe() {
      return switch (type) {
        case NULL -> "null";
        case BOOL -> "the boolean " + text;
        case INT, FLOAT -> "the number " + text;
        case STRING -> "\"" + text + "\"";
      };
    }
  }

  record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A mapping in document order; keys are scalars' text. */
  record Mapping(Map<String, YamlNode> entries, Map<String, Scalar> keys, int line, int column)
      implements YamlNode {
    @Override
    public String describe() {
      return "a mapping";
    }
  }
}
