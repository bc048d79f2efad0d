package dev.stamp.agent;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.StoreImages;
import dev.stamp.runtime.network.HostPorts;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.registry.CredentialSource;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a well-formed spec still needs from this host, checked before its desired record is written
 * (so a refused PUT leaves the running version and its record untouched): the image in the store or
 * pullable (a pull happens here, synchronously), bind sources inside {@code --bind-root}, secret
 * files readable, and each published port free — neither another service's of this agent nor bound
 * by another process. The reconcile loop checks the same again (the host can change in between).
 */
final class SpecChecks {

  private SpecChecks() {}

  static List<ServiceEngine.CheckProblem> check(
      StampRoot root,
      List<Path> bindRoots,
      CredentialSource credentials,
      String name,
      ServiceSpec spec,
      Collection<DesiredService> others) {
    List<ServiceEngine.CheckProblem> problems = new ArrayList<>();
    ports(name, spec, others, problems);
    for (int i = 0; i < spec.volumes().size(); i++) {
      ServiceSpec.Volume v = spec.volumes().get(i);
      if ("bind".equals(v.type()) && v.source() != null) {
        String why = ServiceTemplate.outsideRoots(Path.of(v.source()), bindRoots);
        if (why != null) {
          problems.add(invalid("volumes[" + i + "].source", why));
        }
      }
    }
    for (int i = 0; i < spec.secrets().size(); i++) {
      ServiceSpec.Secret s = spec.secrets().get(i);
      Path file = s.file() == null ? null : Path.of(s.file());
      if (file == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
        problems.add(
            invalid(
                "secrets[" + i + "].file",
                "a readable file on this host, got "
                    + s.file()
                    + (file != null && Files.exists(file)
                        ? " (not a readable file)"
                        : " (missing)")));
      }
    }
    if (problems.isEmpty()) { // the costly one last, and only for an otherwise deployable spec
      try {
        StoreImages.pulling(root, credentials).resolve(spec.image());
      } catch (HostRuntimeException e) {
        problems.add(
            invalid(
                "image", "an image in this host's store or one it can pull: " + e.getMessage()));
      }
    }
    return problems;
  }

  private static void ports(
      String name,
      ServiceSpec spec,
      Collection<DesiredService> others,
      List<ServiceEngine.CheckProblem> problems) {
    for (int i = 0; i < spec.ports().size(); i++) {
      port(name, spec.ports().get(i), "ports[" + i + "]", others, problems);
    }
  }

  /** One published port: not another service's of this agent, not bound by another process. */
  private static void port(
      String name,
      ServiceSpec.Port p,
      String at,
      Collection<DesiredService> others,
      List<ServiceEngine.CheckProblem> problems) {
    if (p == null || p.published() == null || p.published() == 0) {
      return; // ServiceSpec.problems names a missing one
    }
    String protocol = p.protocol() == null ? "tcp" : p.protocol();
    PortMapping mapping;
    try {
      mapping = mapping(p);
    } catch (HostRuntimeException e) {
      problems.add(invalid(at, e.getMessage()));
      return;
    }
    for (DesiredService d : others) {
      if (d.name().equals(name) || d.deleted()) {
        continue;
      }
      for (ServiceSpec.Port o : d.spec().ports()) {
        boolean clash;
        try {
          clash = o != null && o.published() != null && mapping(o).clashesWith(mapping);
        } catch (HostRuntimeException e) {
          clash = false; // its own record's problem
        }
        if (clash) {
          problems.add(
              conflict(
                  at + ".published",
                  "a free host port, but "
                      + p.published()
                      + "/"
                      + protocol
                      + " is published by service "
                      + d.name()));
          return;
        }
      }
    }
    try (Closeable probe = HostPorts.bind(mapping, p.published())) {
      // free (a service's own published port is DNAT in the kernel: it holds no socket)
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("in use")) {
        problems.add(
            invalid(
                at + ".hostIp",
                "an address of this host to publish on, got "
                    + mapping.hostIp()
                    + " ("
                    + e.getMessage()
                    + ")"));
        return;
      }
      problems.add(
          conflict(
              at + ".published",
              "a free host port, but "
                  + p.published()
                  + "/"
                  + protocol
                  + " is in use by another process on this host ("
                  + e.getMessage()
                  + ")"));
    }
  }

  private static PortMapping mapping(ServiceSpec.Port p) throws HostRuntimeException {
    return PortMapping.of(
        p.hostIp() == null ? PortMapping.ANY_HOST_IP : p.hostIp(),
        p.published(),
        p.target(),
        p.protocol() == null ? "tcp" : p.protocol());
  }

  private static ServiceEngine.CheckProblem invalid(String field, String message) {
    return new ServiceEngine.CheckProblem(field, message, false);
  }

  private static ServiceEngine.CheckProblem conflict(String field, String message) {
    return new ServiceEngine.CheckProblem(field, message, true);
  }
}
