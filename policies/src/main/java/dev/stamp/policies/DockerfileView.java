package dev.stamp.policies;

import dev.stamp.builder.dockerfile.BuildProblem;
import dev.stamp.builder.dockerfile.Dockerfile;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.builder.dockerfile.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile subject as the rules see it: the syntax tree from the builder's parser (empty when
 * the file is not syntactically a Dockerfile), what a build would refuse, its instructions grouped
 * by stage, and its inline waivers ({@code # stamp:ignore=ID[,ID…] reason}, for the next
 * instruction).
 */
public final class DockerfileView {

  private static final Pattern INLINE =
      Pattern.compile("^\\s*#\\s*stamp:ignore=([A-Za-z0-9_,-]+)\\s*(.*?)\\s*$");

  /** A stage: its FROM node and the nodes after it. */
  public record StageNodes(Node from, List<Node> nodes) {
    public StageNodes {
      nodes = List.copyOf(nodes);
    }

    /** The stage name ({@code AS name}, lower case) if any. */
    public Optional<String> name() {
      List<String> args = from.args();
      return args.size() == 3 && args.get(1).equalsIgnoreCase("as")
          ? Optional.of(args.get(2).toLowerCase(Locale.ROOT))
          : Optional.empty();
    }

    /** The base image as written. */
    public String base() {
      return from.args().isEmpty() ? "" : from.args().get(0);
    }
  }

  /** An inline waiver comment and the instruction lines it covers. */
  record Inline(int line, List<String> rules, String reason, int firstLine, int lastLine) {}

  private final DockerfileSubject subject;
  private final Optional<Dockerfile> syntax;
  private final Optional<DockerfileSyntaxException> syntaxError;
  private final List<BuildProblem> problems;
  private final List<Node> globals = new ArrayList<>();
  private final List<StageNodes> stages = new ArrayList<>();
  private final List<Inline> inline = new ArrayList<>();

  DockerfileView(DockerfileSubject subject) {
    this.subject = subject;
    Dockerfile parsed = null;
    DockerfileSyntaxException error = null;
    try {
      parsed = Dockerfile.parse(subject.file(), subject.text());
    } catch (DockerfileSyntaxException e) {
      error = e;
    }
    this.syntax = Optional.ofNullable(parsed);
    this.syntaxError = Optional.ofNullable(error);
    this.problems = parsed == null ? List.of() : parsed.check().problems();
    if (parsed != null) {
      Node from = null;
      List<Node> current = new ArrayList<>();
      for (Node node : parsed.nodes()) {
        if (node.instruction().equals("from")) {
          if (from != null) {
            stages.add(new StageNodes(from, current));
          }
          from = node;
          current = new ArrayList<>();
        } else if (from == null) {
          globals.add(node);
        } else {
          current.add(node);
        }
      }
      if (from != null) {
        stages.add(new StageNodes(from, current));
      }
      readInlineWaivers(parsed.nodes());
    }
  }

  private void readInlineWaivers(List<Node> nodes) {
    String[] lines = subject.text().split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = INLINE.matcher(lines[i]);
      if (!m.matches()) {
        continue;
      }
      int line = i + 1;
      Node next = nodes.stream().filter(n -> n.location().line() > line).findFirst().orElse(null);
      if (next == null) {
        continue;
      }
      List<String> ids = List.of(m.group(1).toUpperCase(Locale.ROOT).split(","));
      inline.add(
          new Inline(line, ids, m.group(2), next.location().line(), next.location().endLine()));
    }
  }

  public DockerfileSubject subject() {
    return subject;
  }

  public String file() {
    return subject.file();
  }

  /** The syntax tree; empty when the text is not syntactically a Dockerfile. */
  public Optional<Dockerfile> syntax() {
    return syntax;
  }

  public Optional<DockerfileSyntaxException> syntaxError() {
    return syntaxError;
  }

  /** What a build would refuse, in the order the builder meets it. */
  public List<BuildProblem> problems() {
    return problems;
  }

  /** Instructions before the first FROM. */
  public List<Node> globals() {
    return List.copyOf(globals);
  }

  public List<StageNodes> stages() {
    return List.copyOf(stages);
  }

  /** The stage a build without {@code --target} produces (or the one named {@code target}). */
  public Optional<StageNodes> finalStage(Optional<String> target) {
    if (target.isPresent()) {
      for (StageNodes s : stages) {
        if (s.name().filter(n -> n.equalsIgnoreCase(target.get())).isPresent()) {
          return Optional.of(s);
        }
      }
    }
    return stages.isEmpty() ? Optional.empty() : Optional.of(stages.get(stages.size() - 1));
  }

  /** Where a node starts, as a finding location. */
  public Location at(Node node) {
    return Location.at(file(), node.location().line(), node.location().column());
  }

  List<Inline> inlineWaivers() {
    return List.copyOf(inline);
  }
}
