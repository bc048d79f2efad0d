package dev.stamp.controller.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.agent.api.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The digest the agent reports as {@code ServiceStatus.specDigest}, computed the agent's way: the
 * sha256 of the spec's canonical JSON (record fields in declaration order, absent fields left out,
 * map keys sorted). Equal digests: the agent already has that spec, a PUT of it changes nothing.
 *
 * <p>Also the one spec change a rollout makes on its own: {@link #REPLACE_ENV}, set to the
 * generation the PUT creates, which asks the agent to replace the containers of an unchanged spec
 * (drifted replicas). {@link #matches} accepts a spec with or without it.
 */
public final class SpecDigest {

  /** The variable a drift replacement adds to the spec; its value is the new generation. */
  public static final String REPLACE_ENV = "STAMP_REPLACED_GENERATION";

  private static final ObjectMapper CANONICAL =
      new ObjectMapper()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.INDENT_OUTPUT);

  private SpecDigest() {}

  /** {@code sha256:<hex>} of {@code spec}, equal to the agent's for the same spec. */
  public static String of(ServiceSpec spec) {
    try {
      byte[] json = CANONICAL.writeValueAsString(spec).getBytes(StandardCharsets.UTF_8);
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("digest of a service spec: " + e.getMessage(), e);
    }
  }

  /**
   * Whether the agent's {@code specDigest} at {@code generation} is {@code spec}, as put plainly or
   * by a drift replacement that created {@code generation}.
   */
  public static boolean matches(ServiceSpec spec, String specDigest, long generation) {
    return of(spec).equals(specDigest)
        || of(withReplaceMarker(spec, generation)).equals(specDigest);
  }

  /** {@code spec} with {@link #REPLACE_ENV} set to {@code generation}. */
  public static ServiceSpec withReplaceMarker(ServiceSpec spec, long generation) {
    Map<String, String> env = new LinkedHashMap<>(spec.env());
    env.put(REPLACE_ENV, Long.toString(generation));
    return spec.withEnv(env);
  }

  /** {@code spec} with {@code replicas} replicas (one host's share). */
  public static ServiceSpec withReplicas(ServiceSpec spec, int replicas) {
    return spec.withReplicas(replicas);
  }
}
