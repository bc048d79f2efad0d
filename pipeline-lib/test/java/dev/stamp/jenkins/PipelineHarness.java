package dev.stamp.jenkins;

import groovy.lang.Closure;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.customizers.ImportCustomizer;

/**
 * A small stand-in for Jenkins: loads {@code vars/NAME.groovy} with {@code src/} on the class path
 * (as a global library is loaded), runs its steps, records every step call in order, and carries
 * out {@code sh} for real with {@code /bin/sh -xe} so the library's curl command lines run against
 * the stubbed or real controller. A {@code curl} wrapper first on the PATH records each curl
 * command line, as a process list would show it.
 */
public final class PipelineHarness {

  /** One step call: the step's name and what it printed or was given. */
  public record Call(String step, String text) {}

  /** What {@code error} throws, as Jenkins' AbortException fails a build. */
  public static final class PipelineError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PipelineError(String message) {
      super(message);
    }
  }

  private static final long MAX_SLEEP_MILLIS = 100;

  private final Path library;
  private final Path work;
  private final Path argvLog;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Map<String, String> secrets = new LinkedHashMap<>();
  private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
  private final List<Map<String, String>> bound = new ArrayList<>();

  public PipelineHarness(Path work) {
    this.library = Path.of(System.getProperty("stamp.pipelineLib", "."));
    this.work = work;
    this.argvLog = work.resolve("curl-argv.log");
    try {
      Path bin = Files.createDirectories(work.resolve("bin"));
      Path curl = bin.resolve("curl");
      Files.writeString(
          curl,
          "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + argvLog + "'\nexec /usr/bin/curl \"$@\"\n");
      Files.setPosixFilePermissions(curl, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(argvLog, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public PipelineHarness withCredential(String id, String secret) {
    secrets.put(id, secret);
    return this;
  }

  public PipelineHarness withEnv(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Loads {@code vars/<name>.groovy} as Jenkins would and returns the step object. */
  public GroovyObject load(String name) {
    CompilerConfiguration config = new CompilerConfiguration();
    config.setScriptBaseClass(PipelineScript.class.getName());
    ImportCustomizer imports = new ImportCustomizer();
    imports.addImports("com.cloudbees.groovy.cps.NonCPS");
    config.addCompilationCustomizers(imports);
    GroovyClassLoader loader = new GroovyClassLoader(getClass().getClassLoader(), config);
    loader.addClasspath(library.resolve("src").toString());
    try {
      Class<?> type = loader.parseClass(library.resolve("vars").resolve(name + ".groovy").toFile());
      PipelineScript script = (PipelineScript) type.getDeclaredConstructor().newInstance();
      script.harness = this;
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("load vars/" + name + ".groovy", e);
    }
  }

  /** Calls {@code step.method(args)}, as {@code immutableDeploy.plan(args)} in a Jenkinsfile. */
  public static Object run(GroovyObject step, String method, Map<String, Object> args) {
    return step.invokeMethod(method, new Object[] {new LinkedHashMap<>(args)});
  }

  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public List<String> steps() {
    return calls().stream().map(Call::step).toList();
  }

  public List<String> echoed() {
    return calls().stream().filter(c -> c.step().equals("echo")).map(Call::text).toList();
  }

  /** Everything the build log would hold: echoes, errors, sh scripts, their output. */
  public String log() {
    StringBuilder s = new StringBuilder();
    for (Call c : calls()) {
      s.append('[').append(c.step()).append("] ").append(c.text()).append('\n');
    }
    return s.toString();
  }

  /** Every curl command line the library ran, one per line. */
  public String curlCommandLines() {
    try {
      return Files.readString(argvLog);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Map<String, String> env() {
    return env;
  }

  Object sh(Map<String, Object> args) {
    String script = String.valueOf(args.get("script"));
    boolean returnStdout = Boolean.TRUE.equals(args.get("returnStdout"));
    calls.add(new Call("sh", (args.get("label") == null ? "" : args.get("label") + "\n") + script));
    try {
      Path file = Files.createTempFile(work, "script", ".sh");
      Files.writeString(file, script);
      ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-xe", file.toString());
      pb.environment().putAll(env);
      for (Map<String, String> vars : bound) {
        pb.environment().putAll(vars);
      }
      pb.environment().put("PATH", work.resolve("bin") + ":" + System.getenv("PATH"));
      pb.environment().put("STAMP_TEST_ARGV_LOG", argvLog.toString());
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      byte[] out = drain(p.getInputStream());
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new PipelineError("sh: still running after 10 minutes");
      }
      String stdout = new String(out, StandardCharsets.UTF_8);
      String stderr = new String(err.join(), StandardCharsets.UTF_8);
      if (!stderr.isEmpty()) {
        calls.add(new Call("sh-stderr", stderr));
      }
      calls.add(new Call("sh-stdout", stdout));
      if (p.exitValue() != 0) {
        throw new PipelineError("script returned exit code " + p.exitValue());
      }
      return returnStdout ? stdout : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineError("sh interrupted");
    }
  }

  private static byte[] drain(InputStream in) {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void echo(String message) {
    System.out.println("[jenkins] " + message);
    calls.add(new Call("echo", message));
  }

  void error(String message) {
    System.out.println("[jenkins] ERROR: " + message);
    calls.add(new Call("error", message));
    throw new PipelineError(message);
  }

  Map<String, Object> binding(String type, Map<String, Object> args) {
    Map<String, Object> b = new LinkedHashMap<>(args);
    b.put("$class", type);
    return b;
  }

  Object withCredentials(List<Map<String, Object>> bindings, Closure<?> body) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (Map<String, Object> b : bindings) {
      String id = String.valueOf(b.get("credentialsId"));
      calls.add(
          new Call("withCredentials", b.get("$class") + " " + id + " as " + b.get("variable")));
      String secret = secrets.get(id);
      if (secret == null) {
        throw new PipelineError("Could not find credentials entry with ID '" + id + "'");
      }
      vars.put(String.valueOf(b.get("variable")), secret);
    }
    bound.add(vars);
    try {
      return body.call();
    } finally {
      bound.remove(bound.size() - 1);
    }
  }

  Object timeout(Map<String, Object> args, Closure<?> body) {
    calls.add(new Call("timeout", args.get("time") + " " + args.get("unit")));
    return body.call();
  }

  void sleep(Map<String, Object> args) {
    calls.add(new Call("sleep", args.get("time") + " " + args.getOrDefault("unit", "SECONDS")));
    try {
      Thread.sleep(MAX_SLEEP_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineError("sleep interrupted");
    }
  }

  Object waitUntil(Closure<?> body) {
    calls.add(new Call("waitUntil", ""));
    while (!Boolean.TRUE.equals(body.call())) {
      sleep(Map.of("time", 1));
    }
    return null;
  }

  String libraryResource(String path) {
    calls.add(new Call("libraryResource", path));
    try {
      return Files.readString(library.resolve("resources").resolve(path));
    } catch (IOException e) {
      throw new PipelineError("libraryResource: no resources/" + path);
    }
  }
}
