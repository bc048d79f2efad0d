package dev.stamp.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A policy: modes per rule, waivers, allow-lists and limits. Read from a repository's {@code
 * .stamp/policy.yaml} or the organisation level in the controller's configuration ({@link #parse});
 * {@link #merge} puts the two together so the repository can only add or tighten.
 *
 * <pre>
 * rules:                      # enforce | warn | off
 *   STAMP-DF-001: enforce
 * locked: [STAMP-SP-003]      # organisation level: a repository can neither weaken nor waive
 * waivers:
 *   - rule: STAMP-DF-005
 *     app: shop               # scope: any of app, service, file (all given must match)
 *     service: web
 *     file: services/web/Dockerfile
 *     reason: vendored tarball, checked by hand
 *     expires: 2026-12-31     # optional; waives through that day
 * allow:
 *   registries: [registry.example.com, docker.io/library]
 *   bindRoots: [/srv/data]
 * limits:
 *   maxLayerSize: 512MiB
 *   minReplicasBehindPort: 2
 * </pre>
 *
 * @param registries base-image registries (host, or host/path prefix) allowed; empty: any
 * @param bindRoots host directories bind mounts may come from; empty: not set (none allowed)
 * @param maxLayerBytes the largest layer allowed; empty: the default
 */
public record PolicyConfig(
    String source,
    Map<String, Mode> modes,
    Set<String> locked,
    List<Waiver> waivers,
    Optional<List<String>> registries,
    Optional<List<String>> bindRoots,
    Optional<Long> maxLayerBytes,
    Optional<Integer> minReplicasBehindPort) {

  public static final long DEFAULT_MAX_LAYER_BYTES = 512L * 1024 * 1024;

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Set<String> TOP =
      Set.of("version", "rules", "locked", "waivers", "allow", "limits");
  private static final Set<String> WAIVER_KEYS =
      Set.of("rule", "app", "service", "file", "reason", "expires");
  private static final Pattern SIZE =
      Pattern.compile("(?i)^\\s*(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\\s*$");

  public PolicyConfig {
    modes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(modes));
    locked = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(locked));
    waivers = List.copyOf(waivers);
    registries = registries.map(List::copyOf);
    bindRoots = bindRoots.map(List::copyOf);
  }

  /** No configuration: every rule at its default mode, no waivers, no allow-lists. */
  public static PolicyConfig defaults() {
    return new PolicyConfig(
        "(defaults)",
        Map.of(),
        Set.of(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** The effective mode of {@code rule}. */
  public Mode modeOf(Rule rule) {
    return modes.getOrDefault(rule.id(), Mode.defaultFor(rule.severity()));
  }

  public long layerLimit() {
    return maxLayerBytes.orElse(DEFAULT_MAX_LAYER_BYTES);
  }

  public int replicasBehindPort() {
    return minReplicasBehindPort.orElse(1);
  }

  // --- reading ------------------------------------------------------------------------------

  /**
   * Reads {@code yaml} (named {@code file} in errors); every rule id must be one of {@code
   * knownRules}. Throws with the file and field for the first problem.
   */
  public static PolicyConfig parse(String file, String yaml, Set<String> knownRules)
      throws PolicyException {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new PolicyException(file, where, "not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return defaults().withSource(file);
    }
    if (!root.isObject()) {
      throw new PolicyException(file, "", "expected a mapping at the top");
    }
    unknownKeys(file, "", root, TOP);
    Map<String, Mode> modes = new LinkedHashMap<>();
    JsonNode rules = root.path("rules");
    if (!rules.isMissingNode() && !rules.isNull()) {
      if (!rules.isObject()) {
        throw new PolicyException(file, "rules", "expected a mapping of rule id to mode");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = rules.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String id = ruleId(file, "rules." + e.getKey(), e.getKey(), knownRules);
        JsonNode value = e.getValue();
        // YAML 1.1 reads an unquoted off as false
        String text =
            value.isBoolean() && !value.asBoolean()
                ? "off"
                : value.isValueNode() ? value.asText() : "";
        Mode mode =
            Mode.parse(text)
                .orElseThrow(
                    () ->
                        new PolicyException(
                            file,
                            "rules." + e.getKey(),
                            "bad mode \"" + text + "\" (want enforce, warn or off)"));
        modes.put(id, mode);
      }
    }
    Set<String> locked = new LinkedHashSet<>();
    List<String> lockedIds = strings(file, "locked", root.path("locked")).orElse(List.of());
    for (int i = 0; i < lockedIds.size(); i++) {
      locked.add(ruleId(file, "locked[" + i + "]", lockedIds.get(i), knownRules));
    }
    List<Waiver> waivers = new ArrayList<>();
    JsonNode ws = root.path("waivers");
    if (!ws.isMissingNode() && !ws.isNull()) {
      if (!ws.isArray()) {
        throw new PolicyException(file, "waivers", "expected a list");
      }
      for (int i = 0; i < ws.size(); i++) {
        waivers.add(waiver(file, "waivers[" + i + "]", ws.get(i), knownRules));
      }
    }
    JsonNode allow = root.path("allow");
    if (!allow.isMissingNode() && !allow.isNull()) {
      if (!allow.isObject()) {
        throw new PolicyException(file, "allow", "expected a mapping");
      }
      unknownKeys(file, "allow", allow, Set.of("registries", "bindRoots"));
    }
    JsonNode limits = root.path("limits");
    Optional<Long> maxLayer = Optional.empty();
    Optional<Integer> minReplicas = Optional.empty();
    if (!limits.isMissingNode() && !limits.isNull()) {
      if (!limits.isObject()) {
        throw new PolicyException(file, "limits", "expected a mapping");
      }
      unknownKeys(file, "limits", limits, Set.of("maxLayerSize", "minReplicasBehindPort"));
      if (limits.has("maxLayerSize")) {
        maxLayer = Optional.of(size(file, "limits.maxLayerSize", limits.get("maxLayerSize")));
      }
      if (limits.has("minReplicasBehindPort")) {
        JsonNode n = limits.get("minReplicasBehindPort");
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
          throw new PolicyException(
              file, "limits.minReplicasBehindPort", "expected a whole number >= 1, not " + n);
        }
        minReplicas = Optional.of(n.asInt());
      }
    }
    return new PolicyConfig(
        file,
        modes,
        locked,
        waivers,
        strings(file, "allow.registries", allow.path("registries")),
        strings(file, "allow.bindRoots", allow.path("bindRoots")),
        maxLayer,
        minReplicas);
  }

  private static Waiver waiver(String file, String field, JsonNode node, Set<String> knownRules)
      throws PolicyException {
    if (!node.isObject()) {
      throw new PolicyException(file, field, "expected a mapping with rule and reason");
    }
    unknownKeys(file, field, node, WAIVER_KEYS);
    String rule =
        text(file, field + ".rule", node.path("rule"))
            .orElseThrow(() -> new PolicyException(file, field + ".rule", "missing"));
    rule = ruleId(file, field + ".rule", rule, knownRules);
    String reason = text(file, field + ".reason", node.path("reason")).orElse("");
    if (reason.isBlank()) {
      throw new PolicyException(file, field + ".reason", "missing: say why the rule is waived");
    }
    Optional<LocalDate> expires = Optional.empty();
    Optional<String> date = text(file, field + ".expires", node.path("expires"));
    if (date.isPresent()) {
      try {
        expires = Optional.of(LocalDate.parse(date.get().strip()));
      } catch (DateTimeParseException e) {
        throw new PolicyException(
            file, field + ".expires", "malformed date \"" + date.get() + "\" (want YYYY-MM-DD)");
      }
    }
    return new Waiver(
        rule,
        text(file, field + ".app", node.path("app")),
        text(file, field + ".service", node.path("service")),
        text(file, field + ".file", node.path("file")),
        reason,
        expires,
        file + ": " + field);
  }

  private static String ruleId(String file, String field, String id, Set<String> knownRules)
      throws PolicyException {
    String upper = id.strip().toUpperCase(Locale.ROOT);
    if (!knownRules.contains(upper)) {
      throw new PolicyException(
          file, field, "unknown rule id \"" + id + "\" (stamp lint --rules lists them)");
    }
    return upper;
  }

  private static void unknownKeys(String file, String field, JsonNode node, Set<String> allowed)
      throws PolicyException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new PolicyException(
            file,
            field.isEmpty() ? key : field + "." + key,
            "unknown key (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
    }
  }

  private static Optional<String> text(String file, String field, JsonNode node)
      throws PolicyException {
    if (node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isValueNode()) {
      throw new PolicyException(file, field, "expected a single value");
    }
    return Optional.of(node.asText());
  }

  private static Optional<List<String>> strings(String file, String field, JsonNode node)
      throws PolicyException {
    if (node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isArray()) {
      throw new PolicyException(file, field, "expected a list");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isValueNode()) {
        throw new PolicyException(file, field + "[" + i + "]", "expected a string");
      }
      out.add(node.get(i).asText());
    }
    return Optional.of(out);
  }

  static long size(String file, String field, JsonNode node) throws PolicyException {
    Matcher m = SIZE.matcher(node.asText());
    if (!node.isValueNode() || !m.matches()) {
      throw new PolicyException(
          file, field, "bad size \"" + node.asText() + "\" (want e.g. 512MiB, 200MB, 1G)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor =
        switch (unit.charAt(0)) {
          case 'k' -> 1024L;
          case 'm' -> 1024L * 1024;
          case 'g' -> 1024L * 1024 * 1024;
          default -> 1L;
        };
    return n * factor;
  }

  PolicyConfig withSource(String file) {
    return new PolicyConfig(
        file, modes, locked, waivers, registries, bindRoots, maxLayerBytes, minReplicasBehindPort);
  }

  // --- merging ------------------------------------------------------------------------------

  /** The merged policy and what of the repository's file was ignored because it weakened. */
  public record Merged(PolicyConfig config, List<String> notices) {
    public Merged {
      notices = List.copyOf(notices);
    }
  }

  /**
   * The organisation's policy with a repository's on top: a repository may switch rules on or
   * tighten them, narrow allow-lists and limits, and waive findings of unlocked rules; it cannot
   * set a rule below the organisation's mode, waive a locked rule, or widen an allow-list. What it
   * tried is ignored and named in {@link Merged#notices()}.
   */
  public static Merged merge(PolicyConfig org, PolicyConfig repo) {
    List<String> notices = new ArrayList<>();
    Map<String, Mode> modes = new LinkedHashMap<>(org.modes());
    for (Map.Entry<String, Mode> e : repo.modes().entrySet()) {
      Mode floor = org.modes().get(e.getKey());
      boolean lockedRule = org.locked().contains(e.getKey());
      if (floor != null && e.getValue().weakerThan(floor)) {
        notices.add(
            repo.source()
                + ": rules."
                + e.getKey()
                + ": "
                + e.getValue().label()
                + " ignored: the organisation policy sets it to "
                + floor.label());
      } else if (floor == null && lockedRule) {
        notices.add(
            repo.source() + ": rules." + e.getKey() + ": ignored: the organisation locks it");
      } else {
        modes.put(e.getKey(), e.getValue());
      }
    }
    List<Waiver> waivers = new ArrayList<>(org.waivers());
    for (Waiver w : repo.waivers()) {
      if (org.locked().contains(w.rule())) {
        notices.add(
            w.origin() + ": waiver for " + w.rule() + " ignored: the organisation locks that rule");
      } else {
        waivers.add(w);
      }
    }
    Set<String> locked = new LinkedHashSet<>(org.locked());
    locked.addAll(repo.locked());
    return new Merged(
        new PolicyConfig(
            repo.source(),
            modes,
            locked,
            waivers,
            narrow("allow.registries", org.registries(), repo.registries(), repo, notices),
            narrow("allow.bindRoots", org.bindRoots(), repo.bindRoots(), repo, notices),
            min(org.maxLayerBytes(), repo.maxLayerBytes()),
            max(org.minReplicasBehindPort(), repo.minReplicasBehindPort())),
        notices);
  }

  private static Optional<List<String>> narrow(
      String field,
      Optional<List<String>> org,
      Optional<List<String>> repo,
      PolicyConfig repoConfig,
      List<String> notices) {
    if (org.isEmpty() || repo.isEmpty()) {
      return org.isPresent() ? org : repo;
    }
    List<String> kept = new ArrayList<>();
    for (String entry : repo.get()) {
      if (org.get().stream().anyMatch(o -> underPrefix(entry, o))) {
        kept.add(entry);
      } else {
        notices.add(
            repoConfig.source()
                + ": "
                + field
                + ": "
                + entry
                + " ignored: not within the organisation's list "
                + org.get());
      }
    }
    return Optional.of(kept);
  }

  /** Whether {@code value} is {@code prefix} or below it ({@code a/b} is under {@code a}). */
  static boolean underPrefix(String value, String prefix) {
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return value.equals(p) || value.startsWith(p + "/") || p.isEmpty();
  }

  private static <T extends Comparable<T>> Optional<T> min(Optional<T> a, Optional<T> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isPresent() ? a : b;
    }
    return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
  }

  private static <T extends Comparable<T>> Optional<T> max(Optional<T> a, Optional<T> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isPresent() ? a : b;
    }
    return Optional.of(a.get().compareTo(b.get()) >= 0 ? a.get() : b.get());
  }
}
