package dev.stamp.policies.rules;

import dev.stamp.policies.Category;
import dev.stamp.policies.ImageSubject;
import dev.stamp.policies.ImageSubject.Layer;
import dev.stamp.policies.ImageSubject.LayerFile;
import dev.stamp.policies.Location;
import dev.stamp.policies.Rule;
import dev.stamp.policies.RuleContext;
import dev.stamp.policies.Severity;
import java.util.List;
import java.util.function.Predicate;

/** The default image rules ({@code STAMP-IM-*}). */
final class ImageRules {

  private ImageRules() {}

  /** Past this many files per rule and image, the rest are counted in one finding. */
  static final int MAX_FILES_REPORTED = 20;

  static List<Rule> all() {
    return List.of(
        new Rule(
            "STAMP-IM-001",
            "Image runs as root",
            Severity.WARNING,
            Category.SECURITY,
            "The image config has no user, or root. Set a non-root USER in the final stage.",
            (Rule.ImageCheck) ImageRules::root),
        new Rule(
            "STAMP-IM-002",
            "setuid or setgid file added",
            Severity.WARNING,
            Category.SECURITY,
            "A setuid/setgid file lets a process gain its owner's rights. Remove the bit (`chmod"
                + " u-s,g-s`) or the file in the same RUN that adds it.",
            (Rule.ImageCheck) ImageRules::setuid),
        new Rule(
            "STAMP-IM-003",
            "World-writable file added",
            Severity.WARNING,
            Category.SECURITY,
            "Any user in the container can change a world-writable file. Drop the `o+w` bit;"
                + " directories others must write to need the sticky bit (like /tmp).",
            (Rule.ImageCheck) ImageRules::worldWritable),
        new Rule(
            "STAMP-IM-004",
            "Layer larger than the limit",
            Severity.WARNING,
            Category.MAINTAINABILITY,
            "Large layers slow every pull. Use a multi-stage build to leave build tools behind,"
                + " or raise `limits.maxLayerSize` in the policy.",
            (Rule.ImageCheck) ImageRules::layerSize));
  }

  static void root(ImageSubject image, RuleContext ctx, Rule.Reporter out) {
    String user = image.config().user() == null ? "" : image.config().user().strip();
    String name = user.split(":", 2)[0];
    if (name.isEmpty() || name.equals("root") || name.equals("0")) {
      out.report(
          Location.path(image.reference(), "config.User"),
          "image runs as "
              + (user.isEmpty() ? "root (no user set)" : user)
              + image.dockerfile().map(d -> "; built from " + d).orElse(""));
    }
  }

  static void setuid(ImageSubject image, RuleContext ctx, Rule.Reporter out) {
    files(
        image,
        f -> !f.directory() && !f.symlink() && (f.mode() & 06000) != 0,
        f ->
            String.format(
                "%s is %s (mode %04o)",
                f.path(), (f.mode() & 04000) != 0 ? "setuid" : "setgid", f.mode() & 07777),
        "setuid/setgid",
        out);
  }

  static void worldWritable(ImageSubject image, RuleContext ctx, Rule.Reporter out) {
    files(
        image,
        f -> !f.symlink() && (f.mode() & 0002) != 0 && !(f.directory() && (f.mode() & 01000) != 0),
        f -> String.format("%s is world-writable (mode %04o)", f.path(), f.mode() & 07777),
        "world-writable",
        out);
  }

  private static void files(
      ImageSubject image,
      Predicate<LayerFile> bad,
      java.util.function.Function<LayerFile, String> message,
      String what,
      Rule.Reporter out) {
    int reported = 0;
    int more = 0;
    for (int i = image.baseLayers(); i < image.layers().size(); i++) {
      Layer layer = image.layers().get(i);
      for (LayerFile f : layer.files()) {
        if (!bad.test(f)) {
          continue;
        }
        if (reported++ < MAX_FILES_REPORTED) {
          out.report(
              Location.path(image.reference(), "layers[" + i + "]/" + strip(f.path())),
              message.apply(f));
        } else {
          more++;
        }
      }
    }
    if (more > 0) {
      out.report(Location.file(image.reference()), "and " + more + " more " + what + " files");
    }
  }

  private static String strip(String path) {
    String p = path;
    while (p.startsWith("./") || p.startsWith("/")) {
      p = p.substring(p.startsWith("./") ? 2 : 1);
    }
    return p;
  }

  static void layerSize(ImageSubject image, RuleContext ctx, Rule.Reporter out) {
    long limit = ctx.config().layerLimit();
    for (int i = 0; i < image.layers().size(); i++) {
      Layer layer = image.layers().get(i);
      if (layer.size() > limit) {
        out.report(
            Location.path(image.reference(), "layers[" + i + "]"),
            "layer "
                + i
                + " ("
                + layer.digest()
                + ") is "
                + mib(layer.size())
                + ", over the limit of "
                + mib(limit));
      }
    }
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
