package dev.stamp.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.fs.LockFile;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The desired services of this host, one record a service under {@code ROOT/agent/desired/}. A put
 * of the spec already desired changes nothing; any other put raises the generation by one. Records
 * are whole-file replacements (write, then rename), so a kill -9 leaves the old or the new record,
 * never half of one.
 */
public final class DesiredStore {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.INDENT_OUTPUT);

  private final JsonRecordDir<DesiredService> records;
  private final Clock clock;

  public DesiredStore(StampRoot root, Clock clock) {
    this.records =
        new JsonRecordDir<>(
            root.path().resolve("agent/desired"),
            root.path().resolve("locks/agent-desired.lock"),
            DesiredService.class,
            DesiredService::name,
            "desired service");
    this.clock = clock;
  }

  /** Records {@code spec} as the desired state of {@code name}, unless it already is. */
  public PutResult put(String name, ServiceSpec spec) throws HostRuntimeException {
    String digest = digest(spec);
    try (LockFile.Held lock = records.lock()) {
      Optional<DesiredService> old = records.read(name);
      if (old.isPresent() && !old.get().deleted() && old.get().specDigest().equals(digest)) {
        return new PutResult(name, old.get().generation(), false, digest);
      }
      long generation = old.map(DesiredService::generation).orElse(0L) + 1;
      records.write(
          new DesiredService(name, generation, digest, spec, false, clock.instant().toString()));
      return new PutResult(name, generation, true, digest);
    }
  }

  /** Marks {@code name} for deletion (a new generation); empty when there is no such service. */
  public Optional<DesiredService> markDeleted(String name) throws HostRuntimeException {
    try (LockFile.Held lock = records.lock()) {
      Optional<DesiredService> old = records.read(name);
      if (old.isEmpty()) {
        return Optional.empty();
      }
      if (old.get().deleted()) {
        return old;
      }
      DesiredService d = old.get();
      DesiredService gone =
          new DesiredService(
              name, d.generation() + 1, d.specDigest(), d.spec(), true, clock.instant().toString());
      records.write(gone);
      return Optional.of(gone);
    }
  }

  /** Forgets {@code name} once its deletion is done, unless it was put again meanwhile. */
  public void forget(String name, long generation) throws HostRuntimeException {
    try (LockFile.Held lock = records.lock()) {
      Optional<DesiredService> now = records.read(name);
      if (now.isPresent() && now.get().deleted() && now.get().generation() == generation) {
        records.delete(name);
      }
    }
  }

  public Optional<DesiredService> get(String name) throws HostRuntimeException {
    return records.read(name);
  }

  public List<DesiredService> all() throws HostRuntimeException {
    return records.all();
  }

  /** sha256 of the spec's canonical JSON (fields in declaration order, map keys sorted). */
  static String digest(ServiceSpec spec) throws HostRuntimeException {
    try {
      byte[] bytes = CANONICAL.writeValueAsBytes(spec);
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw HostRuntimeException.failed("digest of a service spec: " + e.getMessage(), e);
    }
  }
}
