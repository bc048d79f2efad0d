package dev.stamp.cli;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.engine.BuildRequest;
import dev.stamp.builder.engine.BuildResult;
import dev.stamp.builder.engine.BuildSecret;
import dev.stamp.builder.engine.Entitlement;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.builder.engine.OutputSpec;
import dev.stamp.builder.engine.PlainProgress;
import dev.stamp.builder.engine.Progress;
import dev.stamp.builder.engine.TtyProgress;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.layer.Compression;
import dev.stamp.runtime.layer.LayerWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stamp build}: a Dockerfile and its context become an image in the local store. */
@Command(
    name = "build",
    description = {
      "Build an image from a Dockerfile into the local store and print its id. Reproducible:"
          + " timestamps are clamped to $SOURCE_DATE_EPOCH (else 1970-01-01T00:00:00Z)."
    })
final class BuildCommand extends StampCommand {

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The Dockerfile (default: CONTEXT/Dockerfile); may lie outside the context.")
  Path file;

  @Option(
      names = {"-t", "--tag"},
      paramLabel = "REF",
      description = "Name the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--build-arg", paramLabel = "K=V", description = "A build argument (repeatable).")
  List<String> buildArgs = new ArrayList<>();

  @Option(
      names = "--target",
      paramLabel = "STAGE",
      description = "Build this stage (default: the last).")
  String target;

  @Option(names = "--no-cache", description = "Run every step even when the cache has it.")
  boolean noCache;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "SPEC",
      description = "Also write the image: type=oci,dest=DIR or type=oci-archive,dest=FILE.tar.")
  List<String> outputs = new ArrayList<>();

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = "plain, tty, or auto (tty on a terminal).")
  String progress;

  @Option(
      names = "--compression",
      paramLabel = "ALGO",
      defaultValue = "gzip",
      description = "Layer compression: gzip (default) or zstd.")
  String compression;

  @Option(names = "--label", paramLabel = "K=V", description = "Add a label (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--pull",
      arity = "0..1",
      description = "Pull every base image afresh, even when the local store has it.")
  boolean pull;

  @Option(
      names = "--secret",
      paramLabel = "SPEC",
      description =
          "A secret for RUN --mount=type=secret: id=NAME,src=FILE or id=NAME,env=VAR"
              + " (repeatable). Mounted only into the RUN steps that ask; never in the image.")
  List<String> secrets = new ArrayList<>();

  @Option(
      names = "--allow",
      paramLabel = "ENTITLEMENT",
      description =
          "Grant the Dockerfile something that reaches the build host (repeatable): network.host"
              + " (RUN --network=host). Nothing is granted by default.")
  List<String> allow = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "CONTEXT", description = "The build context directory.")
  Path context;

  @Override
  public Integer call() throws StampException {
    if (!Files.isDirectory(context)) {
      throw BuildException.notFound("build: context " + context + " is not a directory");
    }
    List<ImageReference> refs = new ArrayList<>();
    for (String tag : tags) {
      refs.add(ImageReference.parse(tag));
    }
    List<OutputSpec> specs = new ArrayList<>();
    for (String output : outputs) {
      specs.add(OutputSpec.parse(output));
    }
    BuildRequest request =
        BuildRequest.of(context)
            .withDockerfile(file != null ? file : context.resolve("Dockerfile"))
            .withTags(refs)
            .withBuildArgs(pairs("--build-arg", buildArgs, true))
            .withTarget(target)
            .withNoCache(noCache)
            .withOutputs(specs)
            .withSourceDateEpoch(LayerWriter.sourceDateEpoch(System.getenv()))
            .withCompression(compression())
            .withLabels(pairs("--label", labels, false))
            .withPull(pull)
            .withSecrets(secrets())
            .withAllow(entitlements());
    PrintWriter err = err();
    Progress sink = progress(err);
    BuildResult result;
    try {
      result = ImageBuilder.open(stamp.root()).build(request, sink);
    } finally {
      if (sink instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // nothing to report
        }
      }
    }
    if (!result.unusedBuildArgs().isEmpty()) {
      err.println(
          "stamp: warning: build args not consumed by any ARG: "
              + String.join(", ", result.unusedBuildArgs()));
    }
    out().println(result.imageId());
    return StampCli.EXIT_OK;
  }

  private Set<Entitlement> entitlements() throws BuildException {
    Set<Entitlement> out = EnumSet.noneOf(Entitlement.class);
    for (String text : allow) {
      out.add(Entitlement.parse(text));
    }
    return out;
  }

  private Map<String, BuildSecret> secrets() throws BuildException {
    Map<String, BuildSecret> out = new LinkedHashMap<>();
    for (String text : secrets) {
      BuildSecret secret = BuildSecret.parse(text, System.getenv());
      out.put(secret.id(), secret);
    }
    return out;
  }

  private Compression compression() throws BuildException {
    return switch (compression) {
      case "gzip" -> Compression.GZIP;
      case "zstd" -> Compression.ZSTD;
      default ->
          throw BuildException.badInput("--compression " + compression + ": use gzip or zstd");
    };
  }

  private Progress progress(PrintWriter err) throws BuildException {
    return switch (progress) {
      case "plain" -> new PlainProgress(err);
      case "tty" -> new TtyProgress(err);
      case "auto" -> System.console() != null ? new TtyProgress(err) : new PlainProgress(err);
      default ->
          throw BuildException.badInput("--progress " + progress + ": use plain, tty or auto");
    };
  }

  private static Map<String, String> pairs(String flag, List<String> values, boolean fromEnv)
      throws BuildException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String value : values) {
      int eq = value.indexOf('=');
      if (eq == 0) {
        throw BuildException.badInput(flag + " " + value + ": expected KEY=VALUE");
      }
      if (eq < 0) {
        String env = fromEnv ? System.getenv(value) : null;
        if (env == null) {
          throw BuildException.badInput(flag + " " + value + ": expected KEY=VALUE");
        }
        out.put(value, env);
      } else {
        out.put(value.substring(0, eq), value.substring(eq + 1));
      }
    }
    return out;
  }
}
