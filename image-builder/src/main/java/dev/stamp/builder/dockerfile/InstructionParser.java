package dev.stamp.builder.dockerfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Node → typed instruction, with BuildKit's argument and flag rules. */
final class InstructionParser {

  private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
  private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
  private static final Pattern CHECKSUM = Pattern.compile("^(sha256|sha384|sha512):[0-9a-f]+$");
  private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");
  private static final Set<String> NETWORKS = Set.of("default", "none", "host");
  private static final Set<String> SECURITY = Set.of("sandbox", "insecure");

  /** Instructions whose arguments the builder processes as words (quotes, variables). */
  private static final Set<String> EXPANDED =
      Set.of(
          "add",
          "arg",
          "copy",
          "env",
          "expose",
          "from",
          "label",
          "stopsignal",
          "user",
          "volume",
          "workdir");

  private final String file;
  private final ShellLexer syntaxCheck;

  InstructionParser(String file, char escape) {
    this.file = file;
    this.syntaxCheck = ShellLexer.of(escape).keepingUnsetVariables();
  }

  Instruction parse(Node node) throws DockerfileSyntaxException {
    if (EXPANDED.contains(node.instruction())) {
      checkWords(node);
    }
    return typed(node);
  }

  /**
   * Runs the word processor over each argument with no variables set, so an unterminated quote or a
   * malformed {@code ${…}} is reported now, at its position, rather than at build time.
   */
  private void checkWords(Node node) throws DockerfileSyntaxException {
    for (int i = 0; i < node.args().size(); i++) {
      String arg = node.args().get(i);
      try {
        syntaxCheck.processWord(arg, Map.of());
      } catch (ExpansionException e) {
        Position start = node.argPosition(i);
        Position at = node.json() ? start : new Position(start.line(), start.column() + e.offset());
        throw error(
            BuildProblem.Kind.UNPROCESSABLE_WORDS,
            at,
            "failed to process \"" + arg + "\": " + e.getMessage());
      }
    }
  }

  private Instruction typed(Node node) throws DockerfileSyntaxException {
    String kw = node.instruction();
    return switch (kw) {
      case "from" -> from(node);
      case "run" -> run(node);
      case "cmd" -> {
        flags(node, new Flags());
        yield new CmdInstruction(command(node), node.location());
      }
      case "entrypoint" -> {
        flags(node, new Flags());
        yield new EntrypointInstruction(command(node), node.location());
      }
      case "shell" -> shell(node);
      case "env" -> new EnvInstruction(pairs(node, "ENV"), node.location());
      case "label" -> new LabelInstruction(pairs(node, "LABEL"), node.location());
      case "maintainer" -> new MaintainerInstruction(one(node, "MAINTAINER"), node.location());
      case "expose" -> new ExposeInstruction(atLeastOne(node, "EXPOSE"), node.location());
      case "add" -> add(node);
      case "copy" -> copy(node);
      case "volume" -> volume(node);
      case "user" -> new UserInstruction(one(node, "USER"), node.location());
      case "workdir" -> new WorkdirInstruction(one(node, "WORKDIR"), node.location());
      case "stopsignal" -> new StopsignalInstruction(one(node, "STOPSIGNAL"), node.location());
      case "arg" -> arg(node);
      case "onbuild" -> onbuild(node);
      case "healthcheck" -> healthcheck(node);
      default ->
          throw error(
              BuildProblem.Kind.UNKNOWN_INSTRUCTION,
              node.location().start(),
              "unknown instruction: " + node.keyword());
    };
  }

  // --- instructions -------------------------------------------------------------------------

  private FromInstruction from(Node node) throws DockerfileSyntaxException {
    List<String> args = node.args();
    Optional<String> stageName = Optional.empty();
    if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
      String name = args.get(2).toLowerCase(Locale.ROOT);
      if (!STAGE_NAME.matcher(name).matches()) {
        throw error(
            BuildProblem.Kind.INVALID_ARGUMENT,
            node.argPosition(2),
            "invalid name for build stage: \""
                + args.get(2)
                + "\", name can't start with a number or contain symbols");
      }
      stageName = Optional.of(name);
    } else if (args.size() != 1) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "FROM requires either one or three arguments");
    }
    Flags flags = flags(node, new Flags().string("platform"));
    return new FromInstruction(args.get(0), stageName, flags.value("platform"), node.location());
  }

  private RunInstruction run(Node node) throws DockerfileSyntaxException {
    Flags flags = flags(node, new Flags().strings("mount").string("network").string("security"));
    if (node.args().isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "RUN requires at least one argument");
    }
    String network = flags.value("network").orElse("default");
    if (!network.contains("$") && !NETWORKS.contains(network)) {
      throw badFlag(node, "network", 0, "unsupported network mode \"" + network + "\"");
    }
    String security = flags.value("security").orElse("sandbox");
    if (!security.contains("$") && !SECURITY.contains(security)) {
      throw badFlag(node, "security", 0, "unsupported security mode \"" + security + "\"");
    }
    List<RunMount> mounts = new ArrayList<>();
    List<String> specs = flags.all("mount");
    for (int i = 0; i < specs.size(); i++) {
      try {
        mounts.add(RunMount.parse(specs.get(i)));
      } catch (IllegalArgumentException e) {
        throw badFlag(node, "mount", i, "--mount: " + e.getMessage());
      }
    }
    return new RunInstruction(
        command(node), mounts, network, security, node.heredocs(), node.location());
  }

  private ShellOrExec command(Node node) {
    if (node.json()) {
      return ShellOrExec.exec(node.args());
    }
    return node.args().isEmpty()
        ? new ShellOrExec(List.of(), false)
        : ShellOrExec.shell(node.args().get(0));
  }

  private ShellInstruction shell(Node node) throws DockerfileSyntaxException {
    flags(node, new Flags());
    if (node.args().isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "SHELL requires at least one argument");
    }
    if (!node.json()) {
      throw error(
          BuildProblem.Kind.INVALID_ARGUMENT,
          node.argPosition(0),
          "SHELL requires the arguments to be in JSON form");
    }
    return new ShellInstruction(node.args(), node.location());
  }

  private List<KeyValue> pairs(Node node, String keyword) throws DockerfileSyntaxException {
    flags(node, new Flags());
    List<String> args = node.args();
    if (args.isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          keyword + " requires at least one argument");
    }
    List<KeyValue> pairs = new ArrayList<>();
    for (int i = 0; i + 1 < args.size(); i += 2) {
      if (args.get(i).isEmpty()) {
        throw error(
            BuildProblem.Kind.INVALID_ARGUMENT,
            node.argPosition(i),
            keyword + " names can not be blank");
      }
      pairs.add(new KeyValue(args.get(i), args.get(i + 1)));
    }
    return pairs;
  }

  private String one(Node node, String keyword) throws DockerfileSyntaxException {
    flags(node, new Flags());
    if (node.args().size() != 1) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          keyword + " requires exactly one argument");
    }
    return node.args().get(0);
  }

  private List<String> atLeastOne(Node node, String keyword) throws DockerfileSyntaxException {
    flags(node, new Flags());
    if (node.args().isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          keyword + " requires at least one argument");
    }
    return node.args();
  }

  private VolumeInstruction volume(Node node) throws DockerfileSyntaxException {
    List<String> args = atLeastOne(node, "VOLUME");
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String v = args.get(i).strip();
      if (v.isEmpty()) {
        throw error(
            BuildProblem.Kind.INVALID_ARGUMENT,
            node.argPosition(i),
            "VOLUME specified can not be an empty string");
      }
      paths.add(v);
    }
    return new VolumeInstruction(paths, node.location());
  }

  private ArgInstruction arg(Node node) throws DockerfileSyntaxException {
    flags(node, new Flags());
    if (node.args().isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "ARG requires at least one argument");
    }
    List<ArgDeclaration> decls = new ArrayList<>();
    for (int i = 0; i < node.args().size(); i++) {
      String word = node.args().get(i);
      int eq = word.indexOf('=');
      if (eq == 0) {
        throw error(
            BuildProblem.Kind.INVALID_ARGUMENT, node.argPosition(i), "ARG names can not be blank");
      }
      decls.add(
          eq < 0
              ? new ArgDeclaration(word, Optional.empty())
              : new ArgDeclaration(word.substring(0, eq), Optional.of(word.substring(eq + 1))));
    }
    return new ArgInstruction(decls, node.location());
  }

  private CopyInstruction copy(Node node) throws DockerfileSyntaxException {
    Flags flags = flags(node, CopyArgs.flags().string("from").bool("parents"));
    CopyArgs args = copyArgs(node, "COPY", flags);
    Optional<String> from = flags.value("from");
    if (from.isPresent() && from.get().isEmpty()) {
      throw badFlag(node, "from", 0, "COPY --from needs a stage or image name");
    }
    return new CopyInstruction(args, from, flags.isTrue("parents"), node.location());
  }

  private AddInstruction add(Node node) throws DockerfileSyntaxException {
    Flags flags = flags(node, CopyArgs.flags().string("checksum").bool("keep-git-dir"));
    CopyArgs args = copyArgs(node, "ADD", flags);
    Optional<String> checksum = flags.value("checksum");
    if (checksum.isPresent() && !checksum.get().contains("$")) {
      if (!CHECKSUM.matcher(checksum.get()).matches()) {
        throw badFlag(
            node,
            "checksum",
            0,
            "invalid checksum digest format \"" + checksum.get() + "\" (want sha256:<hex>)");
      }
      for (String src : args.sources()) {
        if (!src.contains("$") && !AddInstruction.isUrl(src)) {
          throw badFlag(
              node,
              "checksum",
              0,
              "--checksum can only be used with URL sources, not \"" + src + "\"");
        }
      }
    }
    return new AddInstruction(args, checksum, flags.isTrue("keep-git-dir"), node.location());
  }

  /** Sources and destination of a COPY or ADD, with the flags both take. */
  private CopyArgs copyArgs(Node node, String keyword, Flags flags)
      throws DockerfileSyntaxException {
    List<String> args = node.args();
    if (args.size() < 2) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          keyword
              + " requires at least two arguments, but only one was provided. Destination could"
              + " not be determined");
    }
    int last = args.size() - 1;
    if (!node.json() && heredocName(args.get(last)) != null) {
      throw error(
          BuildProblem.Kind.INVALID_ARGUMENT,
          node.argPosition(last),
          keyword + " cannot accept a heredoc as a destination");
    }
    Map<String, Heredoc> docs = new HashMap<>();
    for (Heredoc d : node.heredocs()) {
      docs.put(d.name(), d);
    }
    List<String> paths = new ArrayList<>();
    List<Heredoc> inline = new ArrayList<>();
    for (String src : args.subList(0, last)) {
      String name = node.json() ? null : heredocName(src);
      Heredoc doc = name == null ? null : docs.get(name);
      if (doc != null) {
        inline.add(doc);
      } else {
        paths.add(src);
      }
    }
    return new CopyArgs(
        paths,
        inline,
        args.get(last),
        flags.value("chown"),
        flags.value("chmod"),
        flags.isTrue("link"),
        flags.all("exclude"));
  }

  private static String heredocName(String word) {
    Matcher m = HEREDOC.matcher(word);
    if (!m.matches() || m.group(3).isEmpty()) {
      return null;
    }
    return m.group(3).replace("\"", "").replace("'", "");
  }

  private OnbuildInstruction onbuild(Node node) throws DockerfileSyntaxException {
    flags(node, new Flags());
    if (node.onbuild().isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "ONBUILD requires at least one argument");
    }
    Node child = node.onbuild().get();
    String trigger = child.keyword().toUpperCase(Locale.ROOT);
    switch (trigger) {
      case "ONBUILD" ->
          throw error(
              BuildProblem.Kind.INVALID_ARGUMENT,
              child.location().start(),
              "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      case "FROM", "MAINTAINER" ->
          throw error(
              BuildProblem.Kind.INVALID_ARGUMENT,
              child.location().start(),
              trigger + " isn't allowed as an ONBUILD trigger");
      default -> {}
    }
    StringBuilder expression =
        new StringBuilder(ONBUILD_PREFIX.matcher(node.original()).replaceFirst(""));
    for (Heredoc d : child.heredocs()) {
      expression.append('\n').append(d.content()).append(d.name());
    }
    return new OnbuildInstruction(parse(child), expression.toString(), node.location());
  }

  private HealthcheckInstruction healthcheck(Node node) throws DockerfileSyntaxException {
    List<String> args = node.args();
    if (args.isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "HEALTHCHECK requires at least one argument");
    }
    String type = args.get(0).toUpperCase(Locale.ROOT);
    if (type.equals("NONE")) {
      if (args.size() != 1) {
        throw error(
            BuildProblem.Kind.ARGUMENT_COUNT,
            node.argPosition(1),
            "HEALTHCHECK NONE takes no arguments");
      }
      return new HealthcheckInstruction(
          List.of("NONE"),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          node.location());
    }
    Flags flags =
        flags(
            node,
            new Flags()
                .string("interval")
                .string("timeout")
                .string("start-period")
                .string("start-interval")
                .string("retries"));
    if (!type.equals("CMD")) {
      throw error(
          BuildProblem.Kind.INVALID_ARGUMENT,
          node.argPosition(0),
          "Unknown type \"" + args.get(0) + "\" in HEALTHCHECK (try CMD)");
    }
    List<String> cmd = args.subList(1, args.size());
    if (cmd.isEmpty()) {
      throw error(
          BuildProblem.Kind.ARGUMENT_COUNT,
          node.location().start(),
          "Missing command after HEALTHCHECK CMD");
    }
    List<String> test = new ArrayList<>();
    test.add(node.json() ? "CMD" : "CMD-SHELL");
    test.addAll(cmd);
    return new HealthcheckInstruction(
        test,
        duration(node, flags, "interval"),
        duration(node, flags, "timeout"),
        duration(node, flags, "start-period"),
        duration(node, flags, "start-interval"),
        retries(node, flags),
        node.location());
  }

  private Optional<Duration> duration(Node node, Flags flags, String name)
      throws DockerfileSyntaxException {
    Optional<String> value = flags.value(name);
    if (value.isEmpty() || value.get().isEmpty()) {
      return Optional.empty();
    }
    Duration d;
    try {
      d = GoDuration.parse(value.get());
    } catch (IllegalArgumentException e) {
      throw badFlag(node, name, 0, "--" + name + ": " + e.getMessage());
    }
    if (d.isZero()) {
      return Optional.empty();
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw badFlag(node, name, 0, "Interval \"" + name + "\" cannot be less than 1ms");
    }
    return Optional.of(d);
  }

  private Optional<Integer> retries(Node node, Flags flags) throws DockerfileSyntaxException {
    Optional<String> value = flags.value("retries");
    if (value.isEmpty() || value.get().isEmpty()) {
      return Optional.empty();
    }
    int n;
    try {
      n = Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw badFlag(node, "retries", 0, "--retries: invalid integer \"" + value.get() + "\"");
    }
    if (n < 0) {
      throw badFlag(node, "retries", 0, "--retries cannot be negative (" + n + ")");
    }
    return Optional.of(n);
  }

  // --- helpers ------------------------------------------------------------------------------

  private Flags flags(Node node, Flags declared) throws DockerfileSyntaxException {
    try {
      return declared.parse(node.flags());
    } catch (Flags.FlagException e) {
      Position at = e.index >= 0 ? node.flagPositions().get(e.index) : node.location().start();
      throw error(
          e.getMessage().startsWith("unknown flag")
              ? BuildProblem.Kind.UNKNOWN_FLAG
              : BuildProblem.Kind.INVALID_FLAG,
          at,
          e.getMessage());
    }
  }

  /** Where the {@code occurrence}-th {@code --name} flag is written. */
  static Position flagPosition(Node node, String name, int occurrence) {
    int seen = 0;
    for (int i = 0; i < node.flags().size(); i++) {
      String f = node.flags().get(i);
      if (f.equals("--" + name) || f.startsWith("--" + name + "=")) {
        if (seen++ == occurrence) {
          return node.flagPositions().get(i);
        }
      }
    }
    return node.location().start();
  }

  /** INVALID_FLAG at the {@code occurrence}-th {@code --name} flag of {@code node}. */
  private DockerfileSyntaxException badFlag(
      Node node, String name, int occurrence, String message) {
    return error(BuildProblem.Kind.INVALID_FLAG, flagPosition(node, name, occurrence), message);
  }

  private DockerfileSyntaxException error(BuildProblem.Kind kind, Position at, String message) {
    return DockerfileSyntaxException.at(kind, file, at, message);
  }
}
