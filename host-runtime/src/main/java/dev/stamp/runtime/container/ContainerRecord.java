package dev.stamp.runtime.container;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's record, its {@code config.json} (not to be confused with the image config's {@link
 * dev.stamp.runtime.image.ContainerConfig}, the defaults an image gives its containers): the
 * container as created, everything resolved (command, user ids, host paths), plus the {@link
 * Intent}. Stored as {@code config.json} before any resource exists, so {@code rm} can always clean
 * up whatever a kill -9 left. Nullable fields are absent values (this is the JSON form); {@code
 * upperDir}/{@code workDir} are set only for an {@link ContainerSpec.OverlayRootfs} (else the
 * overlay's dirs are {@code upper} and {@code work} in the container's dir). {@code seccomp} is
 * {@code default} for Docker's default profile (so is {@code null}, in records from before
 * seccomp), {@code unconfined}, or the digest of a custom profile kept under {@code
 * ROOT/seccomp/profiles} (see {@link dev.stamp.runtime.seccomp.SeccompFilters}).
 */
public record ContainerRecord(
    String id,
    String name,
    String image,
    String imageId,
    String created,
    List<String> lowerDirs,
    String upperDir,
    String workDir,
    List<String> args,
    List<String> env,
    String workdir,
    String user,
    int uid,
    int gid,
    List<Integer> groups,
    String hostname,
    List<Mount> mounts,
    long memoryBytes,
    long cpuMillis,
    long pidsLimit,
    boolean readOnly,
    boolean init,
    String network,
    List<PortMapping> ports,
    boolean autoRemove,
    int stopSignal,
    long stopTimeoutSeconds,
    Intent intent,
    List<String> aliases,
    List<ContainerSpec.Link> links,
    boolean tty,
    boolean openStdin,
    String seccomp) {

  public ContainerRecord {
    aliases = aliases == null ? List.of() : List.copyOf(aliases); // config.json from before aliases
    links = links == null ? List.of() : List.copyOf(links);
  }

  /** A resolved mount: host path (for a volume, its data dir), container path, read-only. */
  public record Mount(String source, String target, boolean readOnly, String volume) {}

  /** What create makes on the host, written down before it is made. */
  public record Intent(List<String> cgroupDirs, String nameFile, boolean network) {

    /** {@link #cgroupDirs} as paths. */
    @JsonIgnore
    public List<Path> cgroupPaths() {
      return cgroupDirs.stream().map(Path::of).toList();
    }
  }

  /** Started with -i or -t: its monitor serves attach clients on {@code attach.sock}. */
  public boolean interactive() {
    return tty || openStdin;
  }

  public String shortId() {
    return id.substring(0, 12);
  }
}
