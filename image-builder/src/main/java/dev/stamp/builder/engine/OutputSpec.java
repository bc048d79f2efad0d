package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import java.nio.file.Path;

/**
 * An extra build output ({@code --output}): {@code type=oci,dest=DIR} (an OCI image layout
 * directory) or {@code type=oci-archive,dest=FILE.tar} (the same layout as a tar).
 */
public record OutputSpec(Type type, Path dest) {

  public enum Type {
    OCI,
    OCI_ARCHIVE
  }

  /** Parses {@code type=oci,dest=DIR}; BAD_INPUT naming the spec when it is not one. */
  public static OutputSpec parse(String spec) throws BuildException {
    String type = null;
    String dest = null;
    for (String field : spec.split(",")) {
      int eq = field.indexOf('=');
      if (eq < 0) {
        throw BuildException.badInput("--output " + spec + ": \"" + field + "\" is not KEY=VALUE");
      }
      String key = field.substring(0, eq).strip();
      String value = field.substring(eq + 1).strip();
      switch (key) {
        case "type" -> type = value;
        case "dest" -> dest = value;
        default ->
            throw BuildException.badInput(
                "--output " + spec + ": unknown key \"" + key + "\" (known: type, dest)");
      }
    }
    if (type == null || dest == null || dest.isEmpty()) {
      throw BuildException.badInput("--output " + spec + ": needs type=oci|oci-archive,dest=PATH");
    }
    return switch (type) {
      case "oci" -> new OutputSpec(Type.OCI, Path.of(dest));
      case "oci-archive", "tar" -> new OutputSpec(Type.OCI_ARCHIVE, Path.of(dest));
      default ->
          throw BuildException.badInput(
              "--output " + spec + ": unsupported type \"" + type + "\" (oci, oci-archive)");
    };
  }
}
