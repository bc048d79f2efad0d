package dev.stamp.runtime.seccomp;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seccomp profile in Docker's JSON format ({@code defaultAction}, {@code defaultErrnoRet}, {@code
 * archMap} or {@code architectures}, {@code syscalls} with {@code names}, {@code action}, {@code
 * errnoRet}, {@code args}, {@code includes} and {@code excludes}), checked: {@link #parse} reports
 * every problem under the file's name and its JSON path ({@code syscalls[3].action: unknown action
 * "SCMP_ACT_FOO"}). Unknown keys are ignored, as Docker ignores them. {@link SeccompCompiler} turns
 * it into a BPF program for one architecture and capability set.
 */
public record SeccompProfile(String source, String digest, Action defaultAction, List<Rule> rules) {

  public SeccompProfile {
    rules = List.copyOf(rules);
  }

  /** The resource holding Docker's default profile (moby's profiles/seccomp/default.json). */
  static final String DEFAULT_RESOURCE = "docker-default.json";

  /** Made on first parse only: the start path reads the digest, never the JSON. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private static final int EPERM = 1;
  private static volatile byte[] defaultBytes;
  private static volatile String defaultDigest;
  private static volatile SeccompProfile dockerDefault;

  /** What a rule (or the default) does to a syscall. */
  public record Action(Kind kind, int errno) {

    /** The libseccomp actions Docker profiles name; NOTIFY needs a listener Stamp does not have. */
    public enum Kind {
      ALLOW(0x7fff0000, "SCMP_ACT_ALLOW"),
      ERRNO(0x00050000, "SCMP_ACT_ERRNO"),
      KILL_THREAD(0x00000000, "SCMP_ACT_KILL_THREAD"),
      KILL_PROCESS(0x80000000, "SCMP_ACT_KILL_PROCESS"),
      TRAP(0x00030000, "SCMP_ACT_TRAP"),
      TRACE(0x7ff00000, "SCMP_ACT_TRACE"),
      LOG(0x7ffc0000, "SCMP_ACT_LOG");

      private final int ret;
      private final String profileName;

      Kind(int ret, String profileName) {
        this.ret = ret;
        this.profileName = profileName;
      }

      static Optional<Kind> named(String name) {
        if (name.equals("SCMP_ACT_KILL")) {
          return Optional.of(KILL_THREAD);
        }
        for (Kind k : values()) {
          if (k.profileName.equals(name)) {
            return Optional.of(k);
          }
        }
        return Optional.empty();
      }
    }

    public static final Action ALLOW = new Action(Kind.ALLOW, 0);

    public static Action errno(int errno) {
      return new Action(Kind.ERRNO, errno);
    }

    /** The filter's return value ({@code SECCOMP_RET_*}, with the errno in the data bits). */
    public int ret() {
      return kind == Kind.ERRNO || kind == Kind.TRACE ? kind.ret | (errno & 0xffff) : kind.ret;
    }
  }

  /** A comparison of one syscall argument (64 bits, unsigned), as libseccomp's SCMP_CMP_*. */
  public record ArgCondition(int index, long value, long valueTwo, Op op) {

    public enum Op {
      NE,
      LT,
      LE,
      EQ,
      GE,
      GT,
      MASKED_EQ;

      static Optional<Op> named(String name) {
        for (Op op : values()) {
          if (("SCMP_CMP_" + op.name()).equals(name)) {
            return Optional.of(op);
          }
        }
        return Optional.empty();
      }
    }
  }

  /** {@code includes} / {@code excludes}: capabilities, architectures, a minimum kernel. */
  public record Filter(List<String> caps, List<String> arches, Optional<KernelVersion> minKernel) {
    public static final Filter NONE = new Filter(List.of(), List.of(), Optional.empty());

    public Filter {
      caps = List.copyOf(caps);
      arches = List.copyOf(arches);
    }
  }

  /** A kernel version as profiles compare it: {@code 4.8} (major and minor only). */
  public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {
    private static final Pattern VERSION = Pattern.compile("([0-9]+)\\.([0-9]+).*");

    /** {@code 6.18.44-generic} as 6.18; empty when it does not start with two numbers. */
    public static Optional<KernelVersion> parse(String text) {
      Matcher m = VERSION.matcher(text.strip());
      if (!m.matches()) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    @Override
    public int compareTo(KernelVersion o) {
      return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
      return major + "." + minor;
    }
  }

  /** One entry of {@code syscalls}; {@code index} is its position there (for messages). */
  public record Rule(
      int index,
      List<String> names,
      Action action,
      List<ArgCondition> args,
      Filter includes,
      Filter excludes) {
    public Rule {
      names = List.copyOf(names);
      args = List.copyOf(args);
    }
  }

  /** Docker's default profile, read and checked once per JVM. */
  public static SeccompProfile dockerDefault() {
    SeccompProfile p = dockerDefault;
    if (p == null) {
      try {
        p = parse("the default seccomp profile", defaultBytes());
      } catch (HostRuntimeException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      dockerDefault = p;
    }
    return p;
  }

  /**
   * The default profile's digest, without parsing it: the start path keys its cache by this, so it
   * comes from the hash the build wrote beside the profile (computed only when that is missing).
   */
  public static String dockerDefaultDigest() {
    String d = defaultDigest;
    if (d == null) {
      d = builtDigest();
      if (d == null) {
        d = sha256(defaultBytes());
      }
      defaultDigest = d;
    }
    return d;
  }

  private static String builtDigest() {
    try (InputStream in = SeccompProfile.class.getResourceAsStream(DEFAULT_RESOURCE + ".sha256")) {
      String hash =
          in == null
              ? ""
              : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
      return hash.matches("[0-9a-f]{64}") ? "sha256:" + hash : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The default profile's JSON, as shipped. */
  public static byte[] dockerDefaultJson() {
    return defaultBytes().clone();
  }

  private static byte[] defaultBytes() {
    byte[] b = defaultBytes;
    if (b == null) {
      try (InputStream in = SeccompProfile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " is missing");
        }
        b = in.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException("read " + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
      }
      defaultBytes = b;
    }
    return b;
  }

  /** {@code sha256:HEX} of {@code bytes}. */
  static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses and checks a profile; {@code source} names it in every message (the file's path).
   * BAD_INPUT listing every problem ("; "-separated), each as {@code SOURCE: JSONPATH: reason}.
   */
  public static SeccompProfile parse(String source, byte[] json) throws HostRuntimeException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw HostRuntimeException.badInput(
          source
              + (at == null ? "" : ": line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": not valid JSON: "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw HostRuntimeException.badInput(source + ": not valid JSON: " + e.getMessage());
    }
    Parser p = new Parser(source);
    SeccompProfile profile = p.profile(root, sha256(json));
    if (!p.problems.isEmpty()) {
      throw HostRuntimeException.badInput(String.join("; ", p.problems));
    }
    return profile;
  }

  /** Reads the tree, collecting every problem with its path. */
  private static final class Parser {
    private final String source;
    private final List<String> problems = new ArrayList<>();

    Parser(String source) {
      this.source = source;
    }

    private void problem(String path, String reason) {
      problems.add(source + ": " + path + ": " + reason);
    }

    SeccompProfile profile(JsonNode root, String digest) {
      if (root == null || !root.isObject()) {
        problems.add(source + ": expected a JSON object (a Docker seccomp profile)");
        return null;
      }
      Action defaultAction = Action.errno(EPERM);
      JsonNode da = root.get("defaultAction");
      if (da == null || da.isNull()) {
        problem(
            "defaultAction",
            "missing (for no filter at all use --security-opt seccomp=unconfined)");
      } else {
        Optional<Integer> errno = errno(root, "defaultErrnoRet", "defaultErrnoRet");
        defaultAction = action(da, "defaultAction", errno);
      }
      if (root.hasNonNull("architectures") && root.hasNonNull("archMap")) {
        problem("archMap", "give either architectures or archMap, not both");
      }
      strings(root.get("architectures"), "architectures");
      JsonNode archMap = root.get("archMap");
      if (archMap != null && !archMap.isNull()) {
        if (!archMap.isArray()) {
          problem("archMap", "expected an array");
        } else {
          for (int i = 0; i < archMap.size(); i++) {
            JsonNode a = archMap.get(i);
            String at = "archMap[" + i + "]";
            if (!a.isObject() || !a.path("architecture").isTextual()) {
              problem(at + ".architecture", "expected a name like SCMP_ARCH_X86_64");
            } else {
              strings(a.get("subArchitectures"), at + ".subArchitectures");
            }
          }
        }
      }
      List<Rule> rules = new ArrayList<>();
      JsonNode syscalls = root.get("syscalls");
      if (syscalls != null && !syscalls.isNull()) {
        if (!syscalls.isArray()) {
          problem("syscalls", "expected an array");
        } else {
          for (int i = 0; i < syscalls.size(); i++) {
            rule(syscalls.get(i), i).ifPresent(rules::add);
          }
        }
      }
      return new SeccompProfile(source, digest, defaultAction, rules);
    }

    private Optional<Rule> rule(JsonNode s, int i) {
      String at = "syscalls[" + i + "]";
      if (!s.isObject()) {
        problem(at, "expected an object");
        return Optional.empty();
      }
      int before = problems.size();
      List<String> names = new ArrayList<>();
      boolean hasName = s.hasNonNull("name");
      boolean hasNames = s.hasNonNull("names");
      if (hasName && hasNames) {
        problem(at + ".name", "give either name or names, not both");
      } else if (hasName) {
        if (!s.get("name").isTextual() || s.get("name").asText().isEmpty()) {
          problem(at + ".name", "expected a syscall name");
        } else {
          names.add(s.get("name").asText());
        }
      } else if (hasNames) {
        names.addAll(strings(s.get("names"), at + ".names"));
        if (names.isEmpty() && s.get("names").isArray()) {
          problem(at + ".names", "expected at least one syscall name");
        }
      } else {
        problem(at + ".names", "missing");
      }
      Action action = Action.ALLOW;
      if (!s.hasNonNull("action")) {
        problem(at + ".action", "missing");
      } else {
        action = action(s.get("action"), at + ".action", errno(s, "errnoRet", at + ".errnoRet"));
      }
      List<ArgCondition> args = new ArrayList<>();
      JsonNode a = s.get("args");
      if (a != null && !a.isNull()) {
        if (!a.isArray()) {
          problem(at + ".args", "expected an array");
        } else {
          for (int j = 0; j < a.size(); j++) {
            arg(a.get(j), at + ".args[" + j + "]").ifPresent(args::add);
          }
        }
      }
      Filter includes = filter(s.get("includes"), at + ".includes");
      Filter excludes = filter(s.get("excludes"), at + ".excludes");
      if (problems.size() > before) {
        return Optional.empty();
      }
      return Optional.of(new Rule(i, names, action, args, includes, excludes));
    }

    private Action action(JsonNode node, String at, Optional<Integer> errno) {
      if (!node.isTextual()) {
        problem(at, "expected an action name like SCMP_ACT_ALLOW");
        return Action.ALLOW;
      }
      String name = node.asText();
      if (name.equals("SCMP_ACT_NOTIFY")) {
        problem(at, "SCMP_ACT_NOTIFY needs a listener, which Stamp does not offer");
        return Action.ALLOW;
      }
      Optional<Action.Kind> kind = Action.Kind.named(name);
      if (kind.isEmpty()) {
        problem(at, "unknown action \"" + name + "\"");
        return Action.ALLOW;
      }
      return new Action(kind.get(), errno.orElse(EPERM));
    }

    private Optional<Integer> errno(JsonNode parent, String key, String at) {
      JsonNode n = parent.get(key);
      if (n == null || n.isNull()) {
        return Optional.empty();
      }
      if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 4095) {
        problem(at, "expected an errno number from 0 to 4095, got " + n);
        return Optional.empty();
      }
      return Optional.of(n.asInt());
    }

    private Optional<ArgCondition> arg(JsonNode a, String at) {
      if (!a.isObject()) {
        problem(at, "expected an object with index, value and op");
        return Optional.empty();
      }
      int before = problems.size();
      JsonNode index = a.get("index");
      if (index == null || !index.isIntegralNumber() || index.asInt() < 0 || index.asInt() > 5) {
        problem(at + ".index", "expected an argument index from 0 to 5");
      }
      long value = uint64(a.get("value"), at + ".value", true);
      long valueTwo = uint64(a.get("valueTwo"), at + ".valueTwo", false);
      Optional<ArgCondition.Op> op = Optional.empty();
      JsonNode o = a.get("op");
      if (o == null || !o.isTextual()) {
        problem(at + ".op", "expected a comparison like SCMP_CMP_EQ");
      } else {
        op = ArgCondition.Op.named(o.asText());
        if (op.isEmpty()) {
          problem(at + ".op", "unknown comparison \"" + o.asText() + "\"");
        }
      }
      if (problems.size() > before) {
        return Optional.empty();
      }
      return Optional.of(new ArgCondition(index.asInt(), value, valueTwo, op.get()));
    }

    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private long uint64(JsonNode n, String at, boolean required) {
      if (n == null || n.isNull()) {
        if (required) {
          problem(at, "missing");
        }
        return 0;
      }
      if (!n.isIntegralNumber()
          || n.bigIntegerValue().signum() < 0
          || n.bigIntegerValue().compareTo(MAX_U64) > 0) {
        problem(at, "expected a whole number from 0 to 18446744073709551615, got " + n);
        return 0;
      }
      return n.bigIntegerValue().longValue();
    }

    private Filter filter(JsonNode f, String at) {
      if (f == null || f.isNull()) {
        return Filter.NONE;
      }
      if (!f.isObject()) {
        problem(at, "expected an object with caps, arches or minKernel");
        return Filter.NONE;
      }
      List<String> caps = strings(f.get("caps"), at + ".caps");
      List<String> arches = strings(f.get("arches"), at + ".arches");
      Optional<KernelVersion> minKernel = Optional.empty();
      JsonNode k = f.get("minKernel");
      if (k != null && !k.isNull() && !(k.isTextual() && k.asText().isEmpty())) {
        minKernel =
            k.isTextual() && k.asText().matches("[0-9]+\\.[0-9]+")
                ? KernelVersion.parse(k.asText())
                : Optional.empty();
        if (minKernel.isEmpty()) {
          problem(at + ".minKernel", "expected \"MAJOR.MINOR\" like \"4.8\", got " + k);
        }
      }
      return new Filter(caps, arches, minKernel);
    }

    private List<String> strings(JsonNode n, String at) {
      List<String> out = new ArrayList<>();
      if (n == null || n.isNull()) {
        return out;
      }
      if (!n.isArray()) {
        problem(at, "expected an array of strings");
        return out;
      }
      for (int i = 0; i < n.size(); i++) {
        if (!n.get(i).isTextual()) {
          problem(at + "[" + i + "]", "expected a string, got " + n.get(i));
        } else {
          out.add(n.get(i).asText());
        }
      }
      return out;
    }
  }
}
