package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp search TERM}: the repositories of a registry's catalog ({@code GET /v2/_catalog})
 * whose name contains TERM. A registry that offers no catalog is a failure (exit 1).
 */
@Command(
    name = "search",
    description = "Search a registry's catalog for repositories whose name contains TERM.")
final class SearchCommand extends StampCommand {

  @Option(
      names = "--registry",
      paramLabel = "HOST[:PORT]",
      defaultValue = ImageReference.DOCKER_HUB,
      description = "The registry to search (default: ${DEFAULT-VALUE}).")
  String registry;

  @Parameters(paramLabel = "TERM", description = "Part of a repository name (case-insensitive).")
  String term;

  @Override
  public Integer call() throws HostRuntimeException {
    Registries registries = Registries.open(stamp.root(), System.getenv());
    String action = "search " + registry;
    List<String> repositories;
    try {
      repositories = registries.catalogClient(registry, action).listRepositories();
    } catch (RegistryException e) {
      if (noCatalog(e)) {
        throw HostRuntimeException.failed(
            "search: registry "
                + registry
                + " offers no catalog (GET /v2/_catalog: "
                + e.status()
                + ")");
      }
      throw e;
    }
    String needle = term.toLowerCase(Locale.ROOT);
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NAME"));
    for (String repository : repositories) {
      if (repository.toLowerCase(Locale.ROOT).contains(needle)) {
        rows.add(List.of(registry + "/" + repository));
      }
    }
    return table(rows);
  }

  /** 404 or 405: no such endpoint; 401/403 after auth, or UNSUPPORTED: the catalog is not open. */
  private static boolean noCatalog(RegistryException e) {
    return switch (e.status()) {
      case 404, 405 -> true;
      default -> false;
    };
  }
}
