package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.RunInstruction;
import dev.stamp.builder.dockerfile.RunMount;
import dev.stamp.builder.dockerfile.Stage;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.InRoot;
import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One RUN's {@code --mount}s: what they read, for its cache key ({@link #key}), and the mounts
 * themselves for the executor ({@link #open}): context binds (read-only unless {@code rw}; a copy
 * when writable or when .dockerignore hides something under them), binds from a stage or image,
 * cache dirs, tmpfs dirs and secrets.
 */
final class RunMounts {

  private final StageContext ctx;
  private final RunInstruction run;

  RunMounts(StageContext ctx, RunInstruction run) {
    this.ctx = ctx;
    this.run = run;
  }

  /**
   * What the RUN's bind mounts hold: for a context bind its paths, modes, content digests and link
   * targets (never mtimes), so a changed file under a bind source misses the cache as a COPY of it
   * would; for a {@code from=} bind that stage's key or that image's digest.
   */
  String key() throws IOException {
    StringBuilder sb = new StringBuilder();
    SourceTree tree = ctx.session().context();
    for (RunMount m : run.mounts()) {
      if (m.type().equals("bind") && m.from().isPresent()) {
        sb.append("bind-from ").append(fromKey(m.from().get())).append(' ');
        sb.append(m.source().orElse(".")).append(' ').append(m.target().orElse("")).append('\n');
        continue;
      }
      String rel = m.type().equals("bind") ? CopyPlan.clean(m.source().orElse(".")) : null;
      if (rel == null || !tree.exists(rel)) {
        continue; // not a context bind, or one open() refuses
      }
      List<String> entries = new ArrayList<>();
      entries.add(rel);
      if (tree.isDirectory(rel)) {
        entries.addAll(tree.under(rel));
      }
      sb.append("bind ").append(m.target().orElse("")).append('\n');
      for (String entry : entries) {
        SourceEntry e = SourceEntry.read(tree, entry);
        String kind =
            switch (e.type()) {
              case SourceEntry.LINK -> "link " + e.linkTarget();
              case SourceEntry.FILE -> "file " + e.digest();
              default -> "type " + Integer.toOctalString(e.type());
            };
        sb.append(entry).append(' ').append(Integer.toOctalString(e.permissions())).append(' ');
        sb.append(kind).append('\n');
      }
    }
    return sb.toString();
  }

  /** The cache key of a {@code from=} stage (built) or the digest of a {@code from=} image. */
  private String fromKey(String from) {
    Optional<Stage> named = ctx.session().instructions().stage(from);
    if (named.isPresent()) {
      Snapshot s = ctx.built(named.get().index());
      return s == null ? "unbuilt " + from : s.cacheKey();
    }
    try {
      return ctx.image(from).manifestDigest().toString();
    } catch (BuildException e) {
      return "unresolved " + from; // open() reports it at the line
    }
  }

  /**
   * The mounts for the executor. Secrets are written under {@code secretDir} and context copies
   * next to it (the caller removes both); {@code views} collects the stage/image views mounted for
   * {@code from=} binds (the caller closes them).
   */
  List<RunRequest.StepMount> open(Path secretDir, List<SourceView> views)
      throws BuildException, IOException {
    List<RunRequest.StepMount> out = new ArrayList<>();
    for (RunMount m : run.mounts()) {
      String target = m.target().orElse("/");
      switch (m.type()) {
        case "secret" -> secret(m, secretDir).ifPresent(out::add);
        case "cache" ->
            out.add(
                new RunRequest.StepMount(
                    "cache", ctx.cache().cacheMountDir(m.id().orElse(target)), target, true));
        case "tmpfs" -> out.add(new RunRequest.StepMount("tmpfs", null, target, true));
        case "bind" -> {
          if (m.from().isPresent()) {
            out.add(bindFrom(m, target, views));
            continue;
          }
          SourceTree context = ctx.session().context();
          String rel = CopyPlan.clean(m.source().orElse("."));
          if (rel == null || !context.exists(rel)) {
            throw BuildException.badInput(
                ctx.at(run.location())
                    + "RUN --mount "
                    + m.spec()
                    + ": source is not in the build context");
          }
          context.checkInside(rel, ctx.at(run.location()) + "RUN --mount " + m.spec());
          boolean rw = !m.readOnly();
          Path source = context.path(rel);
          if (rw || hasIgnored(rel)) {
            // writes are discarded and ignored files stay hidden: the RUN gets a copy
            source = secretDir.resolveSibling("bind-" + out.size());
            copyListed(rel, source);
          }
          out.add(new RunRequest.StepMount("bind", source, target, rw));
        }
        default ->
            throw BuildException.badInput(
                ctx.at(run.location())
                    + "RUN --mount=type="
                    + m.type()
                    + ": not supported yet (bind, cache, tmpfs, secret are)");
      }
    }
    return out;
  }

  /** Whether .dockerignore hides something at or under context path {@code rel}. */
  private boolean hasIgnored(String rel) throws IOException {
    SourceTree tree = ctx.session().context();
    Path base = tree.path("");
    Path dir = tree.path(rel);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.anyMatch(p -> !tree.exists(base.relativize(p).toString()));
    }
  }

  /** Copies context path {@code rel} (what the listing has of it) to {@code dest}. */
  private void copyListed(String rel, Path dest) throws IOException {
    SourceTree tree = ctx.session().context();
    List<String> entries = new ArrayList<>();
    entries.add(rel);
    if (tree.isDirectory(rel)) {
      entries.addAll(tree.under(rel));
    }
    CopyOption[] options = {StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS};
    String prefix = rel.isEmpty() ? "" : rel + "/";
    for (String entry : entries) {
      Path target = entry.equals(rel) ? dest : dest.resolve(entry.substring(prefix.length()));
      Path source = tree.path(entry);
      if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(source, target, options);
      }
    }
  }

  /**
   * {@code RUN --mount=type=bind,from=STAGE|IMAGE,source=…}: a path of that root filesystem, read
   * only (writes would be discarded with the view; {@code rw} is refused). The source is resolved
   * inside that filesystem ({@link InRoot}); one that passes through a symlink is refused (the
   * mount would follow it on the host), naming the real path.
   */
  private RunRequest.StepMount bindFrom(RunMount m, String target, List<SourceView> views)
      throws BuildException, IOException {
    String what = "RUN --mount " + m.spec();
    SourceView view;
    try {
      view = ctx.sourceView(m.from(), run.location());
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(ctx.at(run.location()) + what, e);
    }
    views.add(view);
    String rel = CopyPlan.clean(m.source().orElse("."));
    Path base = view.tree().path("");
    String real;
    try {
      real = rel == null ? null : InRoot.resolve(base, rel, true);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(ctx.at(run.location()) + what, e);
    }
    Path source = real == null ? null : base.resolve(rel);
    if (source == null || !Files.exists(base.resolve(real), LinkOption.NOFOLLOW_LINKS)) {
      throw BuildException.badInput(
          ctx.at(run.location()) + what + ": source is not in " + m.from().get());
    }
    if (!real.equals(rel)) {
      // resolved inside the stage it would be /REAL: say so rather than bind a link
      throw BuildException.badInput(
          ctx.at(run.location())
              + what
              + ": source resolves through a symlink in "
              + m.from().get()
              + " (name the real path: /"
              + real
              + ")");
    }
    if (!m.readOnly()) {
      throw BuildException.badInput(
          ctx.at(run.location()) + what + ": rw binds from a stage or image are not supported");
    }
    return new RunRequest.StepMount("bind", source, target, false);
  }

  /**
   * A secret as a read-only file (mode, uid and gid as the mount says; 0400 root by default) at its
   * target ({@code /run/secrets/ID} by default); none when it is missing and not required.
   */
  private Optional<RunRequest.StepMount> secret(RunMount m, Path dir)
      throws BuildException, IOException {
    if (m.env().isPresent()) {
      throw BuildException.badInput(
          ctx.at(run.location()) + "RUN --mount " + m.spec() + ": env= is not supported yet");
    }
    String id =
        m.id()
            .or(() -> m.source())
            .orElseGet(() -> Path.of(m.target().orElseThrow()).getFileName().toString());
    BuildSecret secret = ctx.request().secrets().get(id);
    if (secret == null) {
      if (m.required()) {
        throw BuildException.badInput(
            ctx.at(run.location())
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
    Path file = dir.resolve(UUID.randomUUID().toString());
    Files.write(file, secret.value());
    Files.setAttribute(file, "unix:mode", m.mode().orElse(0400));
    Files.setAttribute(file, "unix:uid", m.uid().orElse(0));
    Files.setAttribute(file, "unix:gid", m.gid().orElse(0));
    String target = m.target().orElse("/run/secrets/" + id);
    return Optional.of(new RunRequest.StepMount("secret", file, target, false));
  }
}
