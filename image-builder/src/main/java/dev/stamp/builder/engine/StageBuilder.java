package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.ArgInstruction;
import dev.stamp.builder.dockerfile.CacheText;
import dev.stamp.builder.dockerfile.CmdInstruction;
import dev.stamp.builder.dockerfile.CopyInstruction;
import dev.stamp.builder.dockerfile.EntrypointInstruction;
import dev.stamp.builder.dockerfile.EnvInstruction;
import dev.stamp.builder.dockerfile.ExposeInstruction;
import dev.stamp.builder.dockerfile.FromInstruction;
import dev.stamp.builder.dockerfile.HealthcheckInstruction;
import dev.stamp.builder.dockerfile.Heredoc;
import dev.stamp.builder.dockerfile.Instruction;
import dev.stamp.builder.dockerfile.KeyValue;
import dev.stamp.builder.dockerfile.LabelInstruction;
import dev.stamp.builder.dockerfile.MaintainerInstruction;
import dev.stamp.builder.dockerfile.OnbuildInstruction;
import dev.stamp.builder.dockerfile.ResolvedStage;
import dev.stamp.builder.dockerfile.ResolvedStep;
import dev.stamp.builder.dockerfile.RunInstruction;
import dev.stamp.builder.dockerfile.RunMount;
import dev.stamp.builder.dockerfile.ShellInstruction;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.builder.dockerfile.StopsignalInstruction;
import dev.stamp.builder.dockerfile.UserInstruction;
import dev.stamp.builder.dockerfile.VolumeInstruction;
import dev.stamp.builder.dockerfile.WorkdirInstruction;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Healthcheck;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.layer.LayerWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds one stage: its base (scratch, an image, or an earlier stage's result), then each step in
 * order. Metadata steps change the config (an empty_layer history entry); RUN, COPY, ADD and a
 * WORKDIR that creates its directory add a layer, served from the cache when the step's key (parent
 * key + exact inputs) has a record.
 */
final class StageBuilder {

  static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** Produces a layer's content into an empty directory. */
  private interface LayerContent {
    void fill(Path dir, Path work) throws BuildException, IOException, HostRuntimeException;
  }

  private final ImageBuilder builder;
  private final ImageBuilder.Session session;
  private final ResolvedStage stage;
  private final Map<Integer, Snapshot> stages;
  private final String file;
  private boolean entrypointSet;

  StageBuilder(
      ImageBuilder builder,
      ImageBuilder.Session session,
      ResolvedStage stage,
      Map<Integer, Snapshot> stages) {
    this.builder = builder;
    this.session = session;
    this.stage = stage;
    this.stages = stages;
    this.file = session.instructions().file();
  }

  Snapshot build() throws BuildException {
    Snapshot snap = base();
    int count = stage.steps().size();
    for (int i = 0; i < count; i++) {
      if (session.cancelled().get()) {
        throw BuildException.failed(
            "stage " + stage.displayName() + ": cancelled (another stage failed)");
      }
      snap = step(snap, i + 1, count, stage.steps().get(i));
    }
    return snap;
  }

  // --- FROM ---

  private Snapshot base() throws BuildException {
    BuildRequest req = session.request();
    String settings = "epoch=" + req.sourceDateEpoch() + " compression=" + req.compression().name();
    if (stage.base().isStage()) {
      int index = stage.base().stage().getAsInt();
      Snapshot from = stages.get(index);
      if (from == null) {
        throw BuildException.failed(
            "stage " + stage.displayName() + ": base stage " + index + " was not built");
      }
      return new Snapshot(
          BuildCache.key("stage", from.cacheKey()),
          from.layers(),
          from.diffIds(),
          from.layerDirs(),
          from.config(),
          from.history(),
          from.platform());
    }
    if (stage.base().isScratch()) {
      return new Snapshot(
          BuildCache.key("scratch", settings),
          List.of(),
          List.of(),
          List.of(),
          ContainerConfig.EMPTY,
          List.of(),
          Platform.host());
    }
    String ref = stage.base().image().orElseThrow();
    Image image;
    try {
      image = image(ref);
    } catch (BuildException e) {
      throw BuildException.wrap(where(fromInstruction().location()), e);
    }
    try {
      // a plan needs the digest and config only: no layer is unpacked
      List<Path> dirs = session.planOnly() ? List.of() : builder.layers().lowerDirs(image);
      return new Snapshot(
          BuildCache.key("image", image.manifestDigest().toString(), settings),
          image.layers(),
          image.diffIds(),
          dirs,
          image.config().runConfig(),
          image.config().history() == null ? List.of() : image.config().history(),
          image.config().platform());
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(where(fromInstruction().location()) + ": FROM " + ref, e);
    }
  }

  /** A named image: resolved (pulled when missing) for a build, inspected for a plan. */
  private Image image(String ref) throws BuildException {
    return session.planOnly() ? session.bases().inspect(ref) : session.bases().resolve(ref);
  }

  private FromInstruction fromInstruction() {
    return session.instructions().stages().get(stage.index()).from();
  }

  // --- steps ---

  private Snapshot step(Snapshot snap, int index, int count, ResolvedStep step)
      throws BuildException {
    Instruction in = step.instruction();
    int number = session.steps().incrementAndGet();
    String text = Describe.of(in);
    StepReport.Builder report =
        new StepReport.Builder(number, stage.displayName(), index, count, text);
    String key = BuildCache.key(snap.cacheKey(), CacheText.of(in));
    try {
      if (in instanceof RunInstruction run) {
        return run(snap, step, run, key, report);
      }
      if (in instanceof CopyInstruction copy) {
        return copy(
            snap,
            copy.location(),
            copy.sources(),
            copy.inlineSources(),
            copy.destination(),
            copy.from(),
            copy.chown(),
            copy.chmod(),
            copy.parents(),
            copy.excludes(),
            false,
            Optional.empty(),
            key,
            report);
      }
      if (in instanceof AddInstruction add) {
        return copy(
            snap,
            add.location(),
            add.sources(),
            add.inlineSources(),
            add.destination(),
            Optional.empty(),
            add.chown(),
            add.chmod(),
            false,
            add.excludes(),
            true,
            add.checksum(),
            key,
            report);
      }
      if (in instanceof WorkdirInstruction wd) {
        return workdir(snap, wd, key, report);
      }
      return metadata(snap, in, key, report);
    } catch (IOException e) {
      throw BuildException.failed(at(in.location()) + text + ": " + e.getMessage(), e);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(at(in.location()) + text, e);
    }
  }

  private String at(SourceLocation location) {
    return where(location) + ": ";
  }

  /** {@code FILE:LINE:COL}. */
  private String where(SourceLocation location) {
    return file + ":" + location.line() + ":" + location.column();
  }

  private HistoryEntry history(String text, boolean empty) {
    return HistoryEntry.of(ImageBuilder.created(session.request().sourceDateEpoch()), text, empty);
  }

  private void finish(StepReport.Builder report, boolean cached, long bytes, String key) {
    StepReport done = report.done(cached, bytes, key);
    session.reports().add(done);
    if (!session.planOnly()) {
      session.progress().finished(done);
    }
  }

  // --- metadata ---

  private Snapshot metadata(Snapshot snap, Instruction in, String key, StepReport.Builder report)
      throws BuildException {
    ContainerConfig.Builder c = snap.config().toBuilder();
    boolean history = true;
    if (in instanceof EnvInstruction env) {
      for (KeyValue kv : env.variables()) {
        c.env(kv.key(), kv.value());
      }
    } else if (in instanceof LabelInstruction label) {
      for (KeyValue kv : label.labels()) {
        c.label(kv.key(), kv.value());
      }
    } else if (in instanceof CmdInstruction cmd) {
      c.cmd(cmd.command().argv(shell(snap)));
    } else if (in instanceof EntrypointInstruction ep) {
      c.entrypoint(ep.command().argv(shell(snap)));
      if (!entrypointSet) {
        c.cmd(null);
      }
      entrypointSet = true;
    } else if (in instanceof UserInstruction user) {
      c.user(user.user());
    } else if (in instanceof ExposeInstruction expose) {
      for (String port : expose.ports()) {
        c.exposePort(port.contains("/") ? port : port + "/tcp");
      }
    } else if (in instanceof VolumeInstruction volume) {
      volume.paths().forEach(c::volume);
    } else if (in instanceof StopsignalInstruction sig) {
      c.stopSignal(sig.signal());
    } else if (in instanceof HealthcheckInstruction hc) {
      c.healthcheck(healthcheck(hc));
    } else if (in instanceof ShellInstruction sh) {
      c.shell(sh.shell());
    } else if (in instanceof OnbuildInstruction ob) {
      List<String> triggers =
          snap.config().onBuild() == null
              ? new ArrayList<>()
              : new ArrayList<>(snap.config().onBuild());
      triggers.add(ob.expression());
      c.onBuild(triggers);
    } else if (in instanceof ArgInstruction) {
      history = false;
    } else if (in instanceof MaintainerInstruction m) {
      c.label("maintainer", m.maintainer());
    } else {
      throw BuildException.badInput(at(in.location()) + in.keyword() + ": not supported here");
    }
    finish(report, false, 0, key);
    ContainerConfig config = c.build();
    if (!history) {
      return new Snapshot(
          key,
          snap.layers(),
          snap.diffIds(),
          snap.layerDirs(),
          config,
          snap.history(),
          snap.platform());
    }
    return snap.withConfig(key, config, history(report.text(), true));
  }

  private static Healthcheck healthcheck(HealthcheckInstruction hc) {
    return new Healthcheck(
        hc.test(),
        hc.interval().map(Duration::toNanos).orElse(null),
        hc.timeout().map(Duration::toNanos).orElse(null),
        hc.startPeriod().map(Duration::toNanos).orElse(null),
        hc.startInterval().map(Duration::toNanos).orElse(null),
        hc.retries().orElse(null));
  }

  private static List<String> shell(Snapshot snap) {
    List<String> shell = snap.config().shell();
    return shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell;
  }

  private static String workdir(Snapshot snap) {
    String wd = snap.config().workingDir();
    return wd == null || wd.isEmpty() ? "/" : wd;
  }

  // --- WORKDIR ---

  private Snapshot workdir(
      Snapshot snap, WorkdirInstruction wd, String key, StepReport.Builder report)
      throws BuildException, IOException, HostRuntimeException {
    String path =
        CopyPlan.normalise(wd.path().startsWith("/") ? wd.path() : workdir(snap) + "/" + wd.path());
    ContainerConfig config = snap.config().toBuilder().workingDir(path).build();
    Snapshot withConfig =
        new Snapshot(
            snap.cacheKey(),
            snap.layers(),
            snap.diffIds(),
            snap.layerDirs(),
            config,
            snap.history(),
            snap.platform());
    if (path.equals("/") || snap.find(path).isPresent()) {
      finish(report, false, 0, key);
      return withConfig.withConfig(key, config, history(report.text(), true));
    }
    return layerStep(
        withConfig,
        key,
        report,
        (dir, work) -> {
          Path target = dir.resolve(path.substring(1));
          Files.createDirectories(target);
          for (Path p = target; !p.equals(dir); p = p.getParent()) {
            Files.setAttribute(p, "unix:mode", 0755);
          }
          Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(0));
        });
  }

  // --- layers and the cache ---

  private Snapshot layerStep(
      Snapshot snap, String key, StepReport.Builder report, LayerContent content)
      throws BuildException, IOException, HostRuntimeException {
    BuildRequest req = session.request();
    if (session.planOnly()) {
      finish(report, false, 0, key);
      return snap.withConfig(key, snap.config(), history(report.text(), false));
    }
    LayerStore layers = builder.layers();
    if (!req.noCache()) {
      Optional<BuildCache.Entry> hit = builder.cache().get(key);
      if (hit.isPresent()) {
        BuildCache.Entry e = hit.get();
        Path dir = layers.ensure(e.layer(), e.diffId());
        finish(report, true, e.size(), key);
        return snap.withLayer(key, e.layer(), e.diffId(), dir, history(report.text(), false));
      }
    }
    session.progress().started(report.number(), report.title());
    Path stepDir = session.tmp().resolve("step-" + report.number());
    Path dir = stepDir.resolve("upper");
    Path work = stepDir.resolve("work");
    Files.createDirectories(dir);
    Files.createDirectories(work);
    try {
      content.fill(dir, work);
      LayerWriter.Result layer =
          new LayerWriter(req.sourceDateEpoch(), req.compression()).write(dir, builder.store());
      Path installed = promote(dir, layers.path(layer.diffId()));
      builder
          .cache()
          .put(key, new BuildCache.Entry(layer.blob(), layer.diffId(), layer.uncompressedSize()));
      finish(report, false, layer.blob().size(), key);
      return snap.withLayer(
          key, layer.blob(), layer.diffId(), installed, history(report.text(), false));
    } finally {
      ImageBuilder.deleteQuietly(stepDir);
    }
  }

  /** Moves a step's directory into the layer store (it already uses overlay whiteouts). */
  private static Path promote(Path dir, Path target) throws IOException {
    if (Files.isDirectory(target)) {
      return target;
    }
    Files.createDirectories(target.getParent());
    try {
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.isDirectory(target)) {
        throw e;
      }
    }
    return target;
  }

  // --- RUN ---

  private Snapshot run(
      Snapshot snap, ResolvedStep step, RunInstruction run, String key, StepReport.Builder report)
      throws BuildException, IOException, HostRuntimeException {
    List<String> argv = argv(snap, run);
    Map<String, String> env = new TreeMap<>();
    env.put("PATH", DEFAULT_PATH);
    env.putAll(step.args());
    env.putAll(step.env());
    String userText = snap.config().user() == null ? "" : snap.config().user();
    String workdir = workdir(snap);
    String network = run.network() == null || run.network().isEmpty() ? "default" : run.network();
    // USER as written: the parent key already fixes the /etc/passwd it resolves against
    String runKey =
        BuildCache.key(
            key, String.join("\0", argv), envText(env), userText, workdir, network, bindKey(run));
    return layerStep(
        snap,
        runKey,
        report,
        (upper, work) -> {
          String user = Users.runUser(snap, snap.config().user());
          List<Path> lower = snap.layerDirs();
          if (lower.isEmpty()) {
            Path empty = upper.resolveSibling("empty");
            Files.createDirectories(empty);
            lower = List.of(empty);
          }
          Path secrets = upper.resolveSibling("secrets");
          List<SourceView> views = new ArrayList<>();
          RunResult result;
          try {
            result =
                builder
                    .executor()
                    .run(
                        new RunRequest(
                            lower,
                            upper,
                            work,
                            argv,
                            env,
                            workdir,
                            user,
                            network,
                            mounts(run, secrets, views),
                            line -> session.progress().output(report.number(), line)));
          } finally {
            ImageBuilder.deleteQuietly(secrets);
            for (SourceView view : views) {
              view.close();
            }
          }
          if (result.exitCode() != 0) {
            StringBuilder msg = new StringBuilder(at(run.location()));
            msg.append(report.text()).append(": exit code ").append(result.exitCode());
            if (!result.outputTail().isEmpty()) {
              msg.append("\n  last output:");
              for (String line : result.outputTail()) {
                msg.append("\n    ").append(line);
              }
            }
            throw BuildException.failed(msg.toString());
          }
        });
  }

  /** The environment as explicit text: {@code LEN:name=LEN:value} lines, sorted by name. */
  private static String envText(Map<String, String> env) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(env)
        .forEach(
            (k, v) ->
                sb.append(k.length())
                    .append(':')
                    .append(k)
                    .append('=')
                    .append(v.length())
                    .append(':')
                    .append(v)
                    .append('\n'));
    return sb.toString();
  }

  /**
   * What the RUN's bind mounts from the context hold (paths, modes, content digests, link targets;
   * never mtimes): a changed file under a bind source misses the cache, as a COPY of it would.
   */
  private String bindKey(RunInstruction run) throws IOException {
    StringBuilder sb = new StringBuilder();
    SourceTree tree = session.context();
    for (RunMount m : run.mounts()) {
      if (m.type().equals("bind") && m.from().isPresent()) {
        sb.append("bind-from ").append(fromKey(m.from().get())).append(' ');
        sb.append(m.source().orElse(".")).append(' ').append(m.target().orElse("")).append('\n');
        continue;
      }
      String rel = m.type().equals("bind") ? CopyPlan.clean(m.source().orElse(".")) : null;
      if (rel == null || !tree.exists(rel)) {
        continue; // not a context bind, or one mounts() refuses
      }
      List<String> entries = new ArrayList<>();
      entries.add(rel);
      if (tree.isDirectory(rel)) {
        entries.addAll(tree.under(rel));
      }
      sb.append("bind ").append(m.target().orElse("")).append('\n');
      for (String entry : entries) {
        Path p = tree.path(entry);
        Map<String, Object> a =
            Files.readAttributes(p, SourceTree.ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String kind =
            switch (mode & 0170000) {
              case 0120000 -> "link " + Files.readSymbolicLink(p);
              case 0100000 -> "file " + tree.digest(entry, a);
              default -> "type " + Integer.toOctalString(mode & 0170000);
            };
        sb.append(entry).append(' ').append(Integer.toOctalString(mode & 07777)).append(' ');
        sb.append(kind).append('\n');
      }
    }
    return sb.toString();
  }

  /** The cache key of a {@code from=} stage (built) or the digest of a {@code from=} image. */
  private String fromKey(String from) throws IOException {
    Optional<dev.stamp.builder.dockerfile.Stage> named = session.instructions().stage(from);
    if (named.isPresent()) {
      Snapshot s = stages.get(named.get().index());
      return s == null ? "unbuilt " + from : s.cacheKey();
    }
    try {
      return image(from).manifestDigest().toString();
    } catch (BuildException e) {
      return "unresolved " + from; // mounts() reports it at the line
    }
  }

  private static List<String> argv(Snapshot snap, RunInstruction run) {
    if (run.heredocs().isEmpty() || run.command().exec()) {
      return run.command().argv(shell(snap));
    }
    String command = String.join(" ", run.command().args()).strip();
    List<String> out = new ArrayList<>(shell(snap));
    if (run.heredocs().size() == 1) {
      Heredoc doc = run.heredocs().get(0);
      if (command.matches("<<-?[\"']?" + java.util.regex.Pattern.quote(doc.name()) + "[\"']?")) {
        out.add(doc.body());
        return out;
      }
    }
    StringBuilder script = new StringBuilder(command).append('\n');
    for (Heredoc doc : run.heredocs()) {
      script.append(doc.content());
      if (!doc.content().endsWith("\n")) {
        script.append('\n');
      }
      script.append(doc.name()).append('\n');
    }
    out.add(script.toString());
    return out;
  }

  private List<RunRequest.StepMount> mounts(
      RunInstruction run, Path secretDir, List<SourceView> views)
      throws BuildException, IOException {
    List<RunRequest.StepMount> out = new ArrayList<>();
    for (RunMount m : run.mounts()) {
      String target = m.target().orElse("/");
      switch (m.type()) {
        case "secret" -> secret(run, m, secretDir).ifPresent(out::add);
        case "cache" ->
            out.add(
                new RunRequest.StepMount(
                    "cache", builder.cache().cacheMountDir(m.id().orElse(target)), target, true));
        case "tmpfs" -> out.add(new RunRequest.StepMount("tmpfs", null, target, true));
        case "bind" -> {
          if (m.from().isPresent()) {
            out.add(bindFrom(run, m, target, views));
            continue;
          }
          String rel = CopyPlan.clean(m.source().orElse("."));
          if (rel == null || !session.context().exists(rel)) {
            throw BuildException.badInput(
                at(run.location())
                    + "RUN --mount "
                    + m.spec()
                    + ": source is not in the build context");
          }
          session.context().checkInside(rel, at(run.location()) + "RUN --mount " + m.spec());
          boolean rw = !m.readOnly();
          Path source = session.context().path(rel);
          if (rw || hasIgnored(rel)) {
            // writes are discarded and ignored files stay hidden: the RUN gets a copy
            source = secretDir.resolveSibling("bind-" + out.size());
            copyListed(rel, source);
          }
          out.add(new RunRequest.StepMount("bind", source, target, rw));
        }
        default ->
            throw BuildException.badInput(
                at(run.location())
                    + "RUN --mount=type="
                    + m.type()
                    + ": not supported yet (bind, cache, tmpfs, secret are)");
      }
    }
    return out;
  }

  /** Whether .dockerignore hides something at or under context path {@code rel}. */
  private boolean hasIgnored(String rel) throws IOException {
    SourceTree tree = session.context();
    Path base = tree.path("");
    Path dir = tree.path(rel);
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      return walk.anyMatch(p -> !tree.exists(base.relativize(p).toString()));
    }
  }

  /** Copies context path {@code rel} (what the listing has of it) to {@code dest}. */
  private void copyListed(String rel, Path dest) throws IOException {
    SourceTree tree = session.context();
    List<String> entries = new ArrayList<>();
    entries.add(rel);
    if (tree.isDirectory(rel)) {
      entries.addAll(tree.under(rel));
    }
    java.nio.file.CopyOption[] options = {
      java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS
    };
    String prefix = rel.isEmpty() ? "" : rel + "/";
    for (String entry : entries) {
      Path target = entry.equals(rel) ? dest : dest.resolve(entry.substring(prefix.length()));
      Path source = tree.path(entry);
      if (Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(source, target, options);
      }
    }
  }

  /**
   * {@code RUN --mount=type=bind,from=STAGE|IMAGE,source=…}: a path of that root filesystem, read
   * only unless {@code rw} (writes are discarded with the view). A source that resolves through a
   * symlink is refused (it would resolve against the host's root).
   */
  private RunRequest.StepMount bindFrom(
      RunInstruction run, RunMount m, String target, List<SourceView> views)
      throws BuildException, IOException {
    String what = "RUN --mount " + m.spec();
    SourceView view;
    try {
      view = sourceView(m.from(), run.location());
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(at(run.location()) + what, e);
    }
    views.add(view);
    String rel = CopyPlan.clean(m.source().orElse("."));
    Path base = view.tree().path("").toRealPath();
    Path source = rel == null ? null : base.resolve(rel);
    if (source == null || !Files.exists(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw BuildException.badInput(
          at(run.location()) + what + ": source is not in " + m.from().get());
    }
    if (!source.toRealPath().equals(source.normalize())) {
      throw BuildException.badInput(
          at(run.location())
              + what
              + ": source resolves through a symlink in "
              + m.from().get()
              + " (name the real path)");
    }
    if (!m.readOnly()) {
      throw BuildException.badInput(
          at(run.location()) + what + ": rw binds from a stage or image are not supported");
    }
    return new RunRequest.StepMount("bind", source, target, false);
  }

  /**
   * A secret as a read-only file (mode, uid and gid as the mount says; 0400 root by default) at its
   * target ({@code /run/secrets/ID} by default); none when it is missing and not required.
   */
  private Optional<RunRequest.StepMount> secret(RunInstruction run, RunMount m, Path dir)
      throws BuildException, IOException {
    if (m.env().isPresent()) {
      throw BuildException.badInput(
          at(run.location()) + "RUN --mount " + m.spec() + ": env= is not supported yet");
    }
    String id =
        m.id()
            .or(() -> m.source())
            .orElseGet(() -> Path.of(m.target().orElseThrow()).getFileName().toString());
    BuildSecret secret = session.request().secrets().get(id);
    if (secret == null) {
      if (m.required()) {
        throw BuildException.badInput(
            at(run.location())
                + "RUN --mount "
                + m.spec()
                + ": no secret \""
                + id
                + "\" was given (stamp build --secret id="
                + id
                + ",src=FILE)");
      }
      return Optional.empty();
    }
    Files.createDirectories(dir);
    Files.setAttribute(dir, "unix:mode", 0700);
    Path file = dir.resolve(java.util.UUID.randomUUID().toString());
    Files.write(file, secret.value());
    Files.setAttribute(file, "unix:mode", m.mode().orElse(0400));
    Files.setAttribute(file, "unix:uid", m.uid().orElse(0));
    Files.setAttribute(file, "unix:gid", m.gid().orElse(0));
    String target = m.target().orElse("/run/secrets/" + id);
    return Optional.of(new RunRequest.StepMount("secret", file, target, false));
  }

  // --- COPY / ADD ---

  @SuppressWarnings("checkstyle:ParameterNumber")
  private Snapshot copy(
      Snapshot snap,
      SourceLocation location,
      List<String> sources,
      List<Heredoc> inline,
      String destination,
      Optional<String> from,
      Optional<String> chown,
      Optional<String> chmod,
      boolean parents,
      List<String> excludes,
      boolean add,
      Optional<String> checksum,
      String key,
      StepReport.Builder report)
      throws BuildException, IOException, HostRuntimeException {
    String keyword = add ? "ADD" : "COPY";
    Integer mode = chmod.isPresent() ? parseChmod(chmod.get(), location) : null;
    long epoch = session.request().sourceDateEpoch();
    CopyPlan.AddOptions addOptions =
        add
            ? new CopyPlan.AddOptions(
                checksum, UrlDownloader.shared(), session.tmp().resolve("downloads"))
            : null;
    if (from.isEmpty()) {
      // the context: the key holds every source file's content digest
      CopyPlan plan =
          CopyPlan.of(
              file,
              keyword,
              location,
              session.context(),
              sources,
              inline,
              destination,
              workdir(snap),
              parents,
              excludes,
              addOptions);
      return layerStep(
          snap,
          BuildCache.key(key, "context", plan.keyMaterial()),
          report,
          (dir, work) -> {
            int[] owner = owner(snap, chown, location);
            plan.stage(dir, owner[0], owner[1], mode, epoch);
          });
    }
    // a stage or image: its own key (or digest) fixes what it holds; it is mounted only on a miss
    return layerStep(
        snap,
        BuildCache.key(key, fromKeyOf(from.get(), location)),
        report,
        (dir, work) -> {
          int[] owner = owner(snap, chown, location);
          try (SourceView view = sourceView(from, location)) {
            CopyPlan.of(
                    file,
                    keyword,
                    location,
                    view.tree(),
                    sources,
                    inline,
                    destination,
                    workdir(snap),
                    parents,
                    excludes,
                    addOptions)
                .stage(dir, owner[0], owner[1], mode, epoch);
          }
        });
  }

  /**
   * {@code --chown} as numbers (names from the image's /etc/passwd and /etc/group); 0:0 without.
   */
  private int[] owner(Snapshot snap, Optional<String> chown, SourceLocation location)
      throws BuildException {
    return chown.isPresent() ? Users.chown(snap, chown.get(), at(location)) : new int[] {0, 0};
  }

  /** What a {@code COPY --from} reads, for the key: the stage's key or the image's digest. */
  private String fromKeyOf(String from, SourceLocation location) throws BuildException {
    Optional<dev.stamp.builder.dockerfile.Stage> named = session.instructions().stage(from);
    if (named.isPresent()) {
      Snapshot s = stages.get(named.get().index());
      if (s == null) {
        throw BuildException.failed(at(location) + "COPY --from=" + from + ": stage not built");
      }
      return "stage " + s.cacheKey();
    }
    try {
      return "image " + image(from).manifestDigest();
    } catch (BuildException e) {
      throw BuildException.wrap(at(location) + "COPY --from", e);
    }
  }

  private Integer parseChmod(String text, SourceLocation location) throws BuildException {
    if (!text.matches("[0-7]{1,4}")) {
      throw new dev.stamp.builder.dockerfile.DockerfileSyntaxException(
          file,
          location.line(),
          location.column(),
          "--chmod=" + text + ": only octal modes are supported (e.g. 0755)");
    }
    return Integer.parseInt(text, 8);
  }

  /** The tree COPY reads: the context, or a stage's or image's root filesystem (mounted). */
  private SourceView sourceView(Optional<String> from, SourceLocation location)
      throws BuildException, IOException, HostRuntimeException {
    if (from.isEmpty()) {
      return new SourceView(session.context(), "context", null);
    }
    Optional<dev.stamp.builder.dockerfile.Stage> named = session.instructions().stage(from.get());
    List<Path> dirs;
    String key;
    if (named.isPresent()) {
      Snapshot s = stages.get(named.get().index());
      if (s == null) {
        throw BuildException.failed(
            at(location) + "COPY --from=" + from.get() + ": stage not built");
      }
      dirs = s.layerDirs();
      key = s.cacheKey();
    } else {
      Image image;
      try {
        image = session.bases().resolve(from.get());
      } catch (BuildException e) {
        throw BuildException.wrap(at(location) + "COPY --from", e);
      }
      dirs = builder.layers().lowerDirs(image);
      key = image.manifestDigest().toString();
    }
    return SourceView.of(dirs, key, session.tmp().resolve("from-" + java.util.UUID.randomUUID()));
  }
}
