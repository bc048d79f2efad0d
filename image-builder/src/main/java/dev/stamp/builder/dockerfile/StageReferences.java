package dev.stamp.builder.dockerfile;

import java.util.List;
import java.util.Locale;

/**
 * Checks {@code COPY --from=…} and {@code RUN --mount=…,from=…}: a stage name (any case), a stage
 * index, or an image reference. BuildKit treats any other valid reference as an image to pull, so
 * Stamp does too ({@code --from=biuld} is the image {@code docker.io/library/biuld}, reported when
 * the pull fails); what is neither a stage nor a valid reference is reported here, at the flag.
 */
final class StageReferences {

  private StageReferences() {}

  /** Adds a problem to {@code out} for each reference that names neither a stage nor an image. */
  static void validate(Instructions instructions, Dockerfile dockerfile, List<BuildProblem> out) {
    for (Node node : dockerfile.nodes()) {
      Node target = node.onbuild().orElse(node);
      String kw = target.instruction();
      if (kw.equals("copy")) {
        for (int i = 0; i < target.flags().size(); i++) {
          String flag = target.flags().get(i);
          if (flag.startsWith("--from=")) {
            check(
                instructions,
                "COPY --from=",
                flag.substring(7),
                target.flagPositions().get(i),
                out);
          }
        }
      } else if (kw.equals("run")) {
        for (int i = 0; i < target.flags().size(); i++) {
          String flag = target.flags().get(i);
          if (flag.startsWith("--mount=")) {
            String from = mountFrom(flag.substring(8));
            if (from != null) {
              check(instructions, "RUN --mount=from=", from, target.flagPositions().get(i), out);
            }
          }
        }
      }
    }
  }

  /** The mount's {@code from}, null when it has none or does not parse (reported elsewhere). */
  private static String mountFrom(String spec) {
    try {
      return RunMount.parse(spec).from().orElse(null);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void check(
      Instructions instructions, String what, String ref, Position at, List<BuildProblem> out) {
    String file = instructions.file();
    if (ref.matches("\\d+")) {
      if (ref.length() > 9 || Integer.parseInt(ref) >= instructions.stages().size()) {
        out.add(
            refProblem(
                file,
                at,
                what
                    + ref
                    + ": invalid stage index "
                    + ref
                    + " (stages are numbered 0 to "
                    + (instructions.stages().size() - 1)
                    + ")"));
      }
      return;
    }
    if (instructions.stage(ref).isPresent() || ImageReferences.isValid(ref)) {
      return;
    }
    if (ref.contains("$")) {
      out.add(
          refProblem(
              file,
              at,
              what
                  + ref
                  + ": variables are not expanded here; name a stage FROM the image instead"));
      return;
    }
    String hint =
        ImageReferences.isValid(ref.toLowerCase(Locale.ROOT))
            ? " (image names are lower case)"
            : "";
    out.add(refProblem(file, at, what + ref + ": no stage or image named \"" + ref + "\"" + hint));
  }

  private static BuildProblem refProblem(String file, Position at, String message) {
    return new BuildProblem(BuildProblem.Kind.STAGE_REFERENCE, file, at, message);
  }
}
