package dev.stamp.policies.rules;

import dev.stamp.builder.dockerfile.BuildProblem;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.builder.dockerfile.Node;
import dev.stamp.policies.Category;
import dev.stamp.policies.DockerfileView;
import dev.stamp.policies.DockerfileView.StageNodes;
import dev.stamp.policies.Location;
import dev.stamp.policies.Rule;
import dev.stamp.policies.RuleContext;
import dev.stamp.policies.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The default Dockerfile rules ({@code STAMP-DF-*}). */
final class DockerfileRules {

  private DockerfileRules() {}

  private static final Pattern SUDO = Pattern.compile("(^|[;&|(]\\s*|\\s)sudo\\s");
  private static final Pattern CURL_PIPE_SH =
      Pattern.compile("\\b(curl|wget)\\b[^|;&]*\\|\\s*(sudo\\s+)?(\\S*/)?(ba|z|da|k)?sh\\b");
  private static final Pattern PIPE = Pattern.compile("(?<![|])\\|(?![|])");
  private static final Pattern VARIABLE =
      Pattern.compile("(?<![\\\\$])\\$(\\{)?([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern ARCHIVE =
      Pattern.compile("(?i).*\\.(tar|tar\\.gz|tgz|tar\\.bz2|tbz2?|tar\\.xz|txz|tar\\.zst)$");
  private static final Set<String> PREDEFINED =
      Set.of(
          "TARGETPLATFORM",
          "TARGETOS",
          "TARGETARCH",
          "TARGETVARIANT",
          "BUILDPLATFORM",
          "BUILDOS",
          "BUILDARCH",
          "BUILDVARIANT",
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "FTP_PROXY",
          "NO_PROXY",
          "ALL_PROXY",
          "http_proxy",
          "https_proxy",
          "ftp_proxy",
          "no_proxy",
          "all_proxy",
          "PATH",
          "HOME",
          "HOSTNAME",
          "SOURCE_DATE_EPOCH");
  private static final Set<String> EXPANDED =
      Set.of("add", "copy", "env", "expose", "label", "stopsignal", "user", "volume", "workdir");

  static List<Rule> all() {
    return List.of(
        new Rule(
            "STAMP-DF-000",
            "Dockerfile a build refuses",
            Severity.ERROR,
            Category.BUILD,
            "The file is not syntactically a Dockerfile, or `stamp build` would refuse it (unknown"
                + " instruction or flag, an instruction before the first FROM, missing arguments,"
                + " quotes it cannot process). Fix the line the message names.",
            (Rule.DockerfileCheck) DockerfileRules::buildable),
        new Rule(
            "STAMP-DF-001",
            "Base image not pinned",
            Severity.WARNING,
            Category.REPRODUCIBILITY,
            "FROM without a tag, or with `latest`, builds from whatever the registry serves that"
                + " day. Pin a version tag (`alpine:3.20`) or a digest (`alpine@sha256:…`).",
            (Rule.DockerfileCheck) DockerfileRules::unpinnedBase),
        new Rule(
            "STAMP-DF-002",
            "Base image from a registry not allowed",
            Severity.ERROR,
            Category.SECURITY,
            "The policy's `allow.registries` lists where base images may come from. Use an image"
                + " from one of them, or add the registry to the list.",
            (Rule.DockerfileCheck) DockerfileRules::registry),
        new Rule(
            "STAMP-DF-003",
            "Last USER is root",
            Severity.WARNING,
            Category.SECURITY,
            "The image runs as root. Add a user and switch to it at the end of the final stage"
                + " (`USER app` or `USER 10001`).",
            (Rule.DockerfileCheck) DockerfileRules::rootUser),
        new Rule(
            "STAMP-DF-004",
            "Secret in ARG or ENV",
            Severity.ERROR,
            Category.SECURITY,
            "ARG and ENV values stay in the image's config and history. Pass secrets with `RUN"
                + " --mount=type=secret` at build time and Compose `secrets` at run time.",
            (Rule.DockerfileCheck) DockerfileRules::secrets),
        new Rule(
            "STAMP-DF-005",
            "ADD where COPY would do",
            Severity.WARNING,
            Category.MAINTAINABILITY,
            "ADD also fetches URLs and unpacks archives; for local files use COPY, which does"
                + " only what it says.",
            (Rule.DockerfileCheck) DockerfileRules::addForCopy),
        new Rule(
            "STAMP-DF-006",
            "ADD of a URL without --checksum",
            Severity.ERROR,
            Category.SECURITY,
            "A download is only as good as its check. Add `--checksum=sha256:…` to ADD.",
            (Rule.DockerfileCheck) DockerfileRules::addUrlChecksum),
        new Rule(
            "STAMP-DF-007",
            "sudo in RUN",
            Severity.WARNING,
            Category.SECURITY,
            "RUN already runs as the current USER; sudo adds a setuid binary and a root path."
                + " Switch with USER around the steps that need root instead.",
            (Rule.DockerfileCheck) DockerfileRules::sudo),
        new Rule(
            "STAMP-DF-008",
            "Package install without version pins",
            Severity.WARNING,
            Category.REPRODUCIBILITY,
            "`apt-get install pkg` and `apk add pkg` install whatever is newest. Pin versions"
                + " (`pkg=1.2.3-1`, `pkg=~1.2`).",
            (Rule.DockerfileCheck) DockerfileRules::unpinnedPackages),
        new Rule(
            "STAMP-DF-009",
            "Package lists left in the image",
            Severity.WARNING,
            Category.MAINTAINABILITY,
            "Package indexes bloat the layer and go stale. End the same RUN with `rm -rf"
                + " /var/lib/apt/lists/*`, or use `apk add --no-cache`.",
            (Rule.DockerfileCheck) DockerfileRules::packageLists),
        new Rule(
            "STAMP-DF-010",
            "Piping a download into a shell",
            Severity.ERROR,
            Category.SECURITY,
            "`curl … | sh` runs whatever the server sends. Download to a file, check its"
                + " checksum, then run it (or use ADD --checksum).",
            (Rule.DockerfileCheck) DockerfileRules::curlPipeShell),
        new Rule(
            "STAMP-DF-011",
            "Pipe in RUN without pipefail",
            Severity.WARNING,
            Category.RELIABILITY,
            "Without pipefail, `a | b` succeeds when `a` fails. Set `SHELL [\"/bin/sh\", \"-o\","
                + " \"pipefail\", \"-c\"]` before the RUN, or start it with `set -o pipefail &&`.",
            (Rule.DockerfileCheck) DockerfileRules::pipefail),
        new Rule(
            "STAMP-DF-012",
            "Shell-form CMD or ENTRYPOINT",
            Severity.WARNING,
            Category.RELIABILITY,
            "In shell form the process is `/bin/sh -c`, which does not pass signals on, so stops"
                + " wait for the grace period. Use the JSON form: `CMD [\"app\", \"--flag\"]`.",
            (Rule.DockerfileCheck) DockerfileRules::shellForm),
        new Rule(
            "STAMP-DF-013",
            "Relative WORKDIR",
            Severity.WARNING,
            Category.RELIABILITY,
            "A relative WORKDIR depends on the previous one, possibly the base image's. Use an"
                + " absolute path.",
            (Rule.DockerfileCheck) DockerfileRules::relativeWorkdir),
        new Rule(
            "STAMP-DF-014",
            "Duplicate stage names",
            Severity.ERROR,
            Category.BUILD,
            "Two stages with the same `AS name` make `--from` and `--target` ambiguous; the build"
                + " refuses it. Rename one.",
            (Rule.DockerfileCheck) DockerfileRules::duplicateStages),
        new Rule(
            "STAMP-DF-015",
            "MAINTAINER is deprecated",
            Severity.INFO,
            Category.MAINTAINABILITY,
            "Use `LABEL org.opencontainers.image.authors=\"…\"` instead of MAINTAINER.",
            (Rule.DockerfileCheck) DockerfileRules::maintainer),
        new Rule(
            "STAMP-DF-016",
            "Undefined variable",
            Severity.WARNING,
            Category.RELIABILITY,
            "The variable is not declared by an ARG or ENV before it is used, so it expands to"
                + " nothing. Declare it (`ARG NAME=default`) or fix its spelling.",
            (Rule.DockerfileCheck) DockerfileRules::undefinedVariables));
  }

  // --- checks -------------------------------------------------------------------------------

  static void buildable(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    Optional<DockerfileSyntaxException> error = df.syntaxError();
    if (error.isPresent()) {
      DockerfileSyntaxException e = error.get();
      out.report(Location.at(df.file(), e.line(), e.column()), "syntax: " + e.detail());
      return;
    }
    for (BuildProblem p : df.problems()) {
      if (p.kind() != BuildProblem.Kind.DUPLICATE_STAGE_NAME) {
        out.report(
            Location.at(df.file(), p.line(), p.column()),
            p.detail() + " (stamp build refuses this)");
      }
    }
  }

  static void duplicateStages(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (BuildProblem p : df.problems()) {
      if (p.kind() == BuildProblem.Kind.DUPLICATE_STAGE_NAME) {
        out.report(Location.at(df.file(), p.line(), p.column()), p.detail());
      }
    }
  }

  /** The FROMs that name an external image (not scratch, not an earlier stage, no variable). */
  private static List<StageNodes> externalBases(DockerfileView df) {
    Set<String> earlier = new HashSet<>();
    List<StageNodes> out = new ArrayList<>();
    for (StageNodes stage : df.stages()) {
      String base = stage.base();
      String lower = base.toLowerCase(Locale.ROOT);
      if (!base.isEmpty()
          && !lower.equals("scratch")
          && !earlier.contains(lower)
          && !base.contains("$")) {
        out.add(stage);
      }
      stage.name().ifPresent(earlier::add);
    }
    return out;
  }

  static void unpinnedBase(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (StageNodes stage : externalBases(df)) {
      String base = stage.base();
      if (base.contains("@")) {
        continue;
      }
      int slash = base.lastIndexOf('/');
      int colon = base.lastIndexOf(':');
      Location at =
          Location.at(
              df.file(), stage.from().argPosition(0).line(), stage.from().argPosition(0).column());
      if (colon <= slash) {
        out.report(at, "base image " + base + " has no tag: pin a version tag or a digest");
      } else if (base.substring(colon + 1).equals("latest")) {
        out.report(at, "base image " + base + " uses the latest tag: pin a version or a digest");
      }
    }
  }

  /** {@code registry/path} of an image reference, Docker Hub spelled out. */
  static String repository(String image) {
    String ref = image;
    int at = ref.indexOf('@');
    if (at >= 0) {
      ref = ref.substring(0, at);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) {
      ref = ref.substring(0, colon);
    }
    int first = ref.indexOf('/');
    String host = first < 0 ? "" : ref.substring(0, first);
    boolean hasRegistry =
        first >= 0 && (host.contains(".") || host.contains(":") || host.equals("localhost"));
    if (!hasRegistry) {
      return "docker.io/" + (first < 0 ? "library/" + ref : ref);
    }
    return ref;
  }

  static void registry(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    Optional<List<String>> allowed = ctx.config().registries();
    if (allowed.isEmpty()) {
      return;
    }
    for (StageNodes stage : externalBases(df)) {
      String repo = repository(stage.base());
      if (allowed.get().stream().noneMatch(a -> under(repo, a))) {
        out.report(
            df.at(stage.from()),
            "base image "
                + stage.base()
                + " comes from "
                + repo.substring(0, repo.indexOf('/'))
                + ", not an allowed registry "
                + allowed.get());
      }
    }
  }

  static void rootUser(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    df.finalStage(Optional.empty())
        .ifPresent(
            stage -> {
              Node last = null;
              for (Node n : stage.nodes()) {
                if (n.instruction().equals("user") && !n.args().isEmpty()) {
                  last = n;
                }
              }
              if (last != null) {
                String user = last.args().get(0).split(":", 2)[0].strip();
                if (user.equals("root") || user.equals("0")) {
                  out.report(
                      df.at(last),
                      "the final stage's last USER is "
                          + last.args().get(0)
                          + ": run as a non-root user");
                }
              }
            });
  }

  static void secrets(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : allNodes(df)) {
      String kw = n.instruction();
      if (kw.equals("env")) {
        for (int i = 0; i + 1 < n.args().size(); i += 2) {
          secret(df, n, "ENV", n.args().get(i), n.args().get(i + 1), i, out);
        }
      } else if (kw.equals("arg")) {
        for (int i = 0; i < n.args().size(); i++) {
          String word = n.args().get(i);
          int eq = word.indexOf('=');
          String name = eq < 0 ? word : word.substring(0, eq);
          String value = eq < 0 ? "" : word.substring(eq + 1);
          secret(df, n, "ARG", name, value, i, out);
        }
      }
    }
  }

  private static void secret(
      DockerfileView df, Node n, String kw, String name, String value, int arg, Rule.Reporter out) {
    var pos = n.argPosition(arg);
    Location at = Location.at(df.file(), pos.line(), pos.column());
    if (Text.secretValue(value)) {
      out.report(at, kw + " " + name + " has a value that looks like a secret (key or password)");
    } else if (Text.secretName(name)) {
      out.report(
          at, kw + " " + name + " looks like a secret: it stays in the image's config and history");
    }
  }

  private static List<String> addSources(Node n) {
    List<String> args = n.args();
    return args.size() < 2 ? List.of() : args.subList(0, args.size() - 1);
  }

  private static boolean isUrl(String s) {
    String l = s.toLowerCase(Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://");
  }

  private static boolean isGit(String s) {
    String l = s.toLowerCase(Locale.ROOT);
    return l.startsWith("git@")
        || l.startsWith("git://")
        || l.contains(".git#")
        || l.endsWith(".git");
  }

  static void addForCopy(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : allNodes(df)) {
      if (!n.instruction().equals("add") || n.args().size() < 2) {
        continue;
      }
      boolean needsAdd =
          addSources(n).stream()
              .anyMatch(
                  s -> isUrl(s) || isGit(s) || ARCHIVE.matcher(s).matches() || s.contains("$"));
      if (!needsAdd) {
        out.report(df.at(n), "ADD of local files: use COPY");
      }
    }
  }

  static void addUrlChecksum(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : allNodes(df)) {
      if (!n.instruction().equals("add")) {
        continue;
      }
      boolean checksum = n.flags().stream().anyMatch(f -> f.startsWith("--checksum="));
      for (String s : addSources(n)) {
        if (isUrl(s) && !isGit(s) && !checksum) {
          out.report(df.at(n), "ADD " + s + " without --checksum=sha256:…");
        }
      }
    }
  }

  /** RUN text (shell form, heredoc bodies included), or empty for exec form. */
  private static String runText(Node n) {
    StringBuilder sb = new StringBuilder(String.join(" ", n.args()));
    n.heredocs().forEach(h -> sb.append('\n').append(h.content()));
    return sb.toString();
  }

  private static List<Node> runs(DockerfileView df) {
    return allNodes(df).stream().filter(n -> n.instruction().equals("run")).toList();
  }

  static void sudo(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : runs(df)) {
      if (SUDO.matcher(runText(n)).find()) {
        out.report(df.at(n), "RUN uses sudo");
      }
    }
  }

  /**
   * The shell commands of a RUN, split at {@code &&}, {@code ||}, {@code ;}, {@code |}, newlines.
   */
  private static List<List<String>> commands(String text) {
    List<List<String>> out = new ArrayList<>();
    for (String part : text.split("&&|\\|\\||;|\\||\\n")) {
      List<String> words = new ArrayList<>();
      for (String w : part.strip().split("\\s+")) {
        if (!w.isEmpty() && !w.equals("\\")) {
          words.add(w);
        }
      }
      if (!words.isEmpty()) {
        out.add(words);
      }
    }
    return out;
  }

  static void unpinnedPackages(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : runs(df)) {
      List<String> unpinned = new ArrayList<>();
      for (List<String> cmd : commands(runText(n))) {
        int verb = -1;
        for (int i = 0; i + 1 < cmd.size(); i++) {
          String w = cmd.get(i);
          if ((w.equals("apt-get") || w.equals("apt")) && cmd.get(i + 1).equals("install")) {
            verb = i + 2;
            break;
          }
          if (w.equals("apk") && cmd.get(i + 1).equals("add")) {
            verb = i + 2;
            break;
          }
        }
        if (verb < 0) {
          continue;
        }
        for (String w : cmd.subList(verb, cmd.size())) {
          if (!w.startsWith("-") && !w.contains("=") && !w.startsWith("$") && !w.contains("/")) {
            unpinned.add(w);
          }
        }
      }
      if (!unpinned.isEmpty()) {
        out.report(
            df.at(n), "packages installed without a version pin: " + String.join(", ", unpinned));
      }
    }
  }

  static void packageLists(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : runs(df)) {
      String text = runText(n);
      boolean apt = text.matches("(?s).*\\bapt(-get)?\\s+(update|install)\\b.*");
      if (apt && !text.contains("/var/lib/apt/lists")) {
        out.report(
            df.at(n),
            "apt package lists stay in the layer: end the RUN with rm -rf /var/lib/apt/lists/*");
      }
      boolean apk = text.matches("(?s).*\\bapk\\s+(add|update)\\b.*");
      if (apk && !text.contains("--no-cache") && !text.contains("/var/cache/apk")) {
        out.report(df.at(n), "apk index stays in the layer: use apk add --no-cache");
      }
    }
  }

  static void curlPipeShell(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : runs(df)) {
      Matcher m = CURL_PIPE_SH.matcher(runText(n));
      if (m.find()) {
        out.report(df.at(n), "download piped into a shell: " + m.group().strip());
      }
    }
  }

  static void pipefail(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (StageNodes stage : df.stages()) {
      boolean shellHasPipefail = false;
      for (Node n : stage.nodes()) {
        if (n.instruction().equals("shell")) {
          shellHasPipefail =
              n.args().contains("pipefail") || String.join(" ", n.args()).contains("pipefail");
        }
        if (!n.instruction().equals("run") || n.json() || shellHasPipefail) {
          continue;
        }
        String text = runText(n);
        if (PIPE.matcher(text).find() && !text.contains("pipefail")) {
          out.report(
              df.at(n),
              "RUN with a pipe but without pipefail: a failing command before | goes unnoticed");
        }
      }
    }
  }

  static void shellForm(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : allNodes(df)) {
      String kw = n.instruction();
      if ((kw.equals("cmd") || kw.equals("entrypoint")) && !n.json() && !n.args().isEmpty()) {
        out.report(
            df.at(n), kw.toUpperCase(Locale.ROOT) + " in shell form: use the JSON (exec) form");
      }
    }
  }

  static void relativeWorkdir(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : allNodes(df)) {
      if (n.instruction().equals("workdir") && !n.args().isEmpty()) {
        String dir = n.args().get(0).replace("\"", "").replace("'", "");
        if (!dir.startsWith("/") && !dir.startsWith("$") && !dir.matches("^[A-Za-z]:[\\\\/].*")) {
          out.report(df.at(n), "WORKDIR " + n.args().get(0) + " is relative: use an absolute path");
        }
      }
    }
  }

  static void maintainer(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    for (Node n : allNodes(df)) {
      if (n.instruction().equals("maintainer")) {
        out.report(
            df.at(n), "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors");
      }
    }
  }

  static void undefinedVariables(DockerfileView df, RuleContext ctx, Rule.Reporter out) {
    Set<String> globals = new HashSet<>(PREDEFINED);
    for (Node n : df.globals()) {
      if (n.instruction().equals("arg")) {
        n.args().forEach(a -> globals.add(a.split("=", 2)[0]));
      }
    }
    Map<String, Set<String>> stageVars = new HashMap<>();
    for (StageNodes stage : df.stages()) {
      checkWords(df, stage.from(), globals, out);
      Set<String> defined = new HashSet<>(PREDEFINED);
      String base = stage.base().toLowerCase(Locale.ROOT);
      if (stageVars.containsKey(base)) {
        defined.addAll(stageVars.get(base));
      }
      for (Node n : stage.nodes()) {
        if (EXPANDED.contains(n.instruction())) {
          checkWords(df, n, defined, out);
        }
        if (n.instruction().equals("arg")) {
          n.args().forEach(a -> defined.add(a.split("=", 2)[0]));
        } else if (n.instruction().equals("env")) {
          for (int i = 0; i < n.args().size(); i += 2) {
            defined.add(n.args().get(i));
          }
        }
      }
      stage.name().ifPresent(name -> stageVars.put(name, defined));
    }
  }

  private static void checkWords(
      DockerfileView df, Node n, Set<String> defined, Rule.Reporter out) {
    boolean env = n.instruction().equals("env");
    for (int i = 0; i < n.args().size(); i++) {
      if (env && i % 2 == 0) {
        continue;
      }
      String word = n.args().get(i);
      if (word.startsWith("'") && word.endsWith("'") && word.length() > 1) {
        continue;
      }
      Matcher m = VARIABLE.matcher(word);
      while (m.find()) {
        String name = m.group(2);
        if (!defined.contains(name)) {
          var pos = n.argPosition(i);
          out.report(
              Location.at(df.file(), pos.line(), pos.column()),
              "$"
                  + name
                  + " is not declared by an ARG or ENV before this "
                  + n.instruction().toUpperCase(Locale.ROOT));
        }
      }
    }
  }

  /** Every instruction, stages and ONBUILD triggers included (not the triggers' wrappers). */
  private static List<Node> allNodes(DockerfileView df) {
    List<Node> out = new ArrayList<>(df.globals());
    for (StageNodes s : df.stages()) {
      out.add(s.from());
      for (Node n : s.nodes()) {
        out.add(n.onbuild().orElse(n));
      }
    }
    return out;
  }

  /** Whether {@code repository} is {@code allowed} or below it ({@code host/path} prefixes). */
  private static boolean under(String repository, String allowed) {
    String p = allowed.endsWith("/") ? allowed.substring(0, allowed.length() - 1) : allowed;
    return repository.equals(p) || repository.startsWith(p + "/");
  }
}
