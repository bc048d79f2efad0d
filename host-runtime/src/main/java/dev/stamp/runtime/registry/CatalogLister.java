package dev.stamp.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageJson;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/_catalog?n=…} (the repositories of a registry) and {@code GET
 * /v2/<name>/tags/list} (the tags of one), following {@code Link: <…>; rel="next"} pages.
 */
final class CatalogLister implements RegistryOperation<CatalogLister.Page> {

  static final int PAGE_SIZE = 100;
  private static final int MAX_PAGES = 1000;
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  record Page(List<String> items, URI next) {}

  private final URI uri;
  private final String field;
  private final String what;

  private CatalogLister(URI uri, String field, String what) {
    this.uri = uri;
    this.field = field;
    this.what = what;
  }

  /** Every repository the registry lists (needs a client made by {@code Registries.catalog}). */
  static List<String> repositories(RegistryClient client) throws HostRuntimeException {
    return all(
        client,
        new CatalogLister(
            client.endpoint().uri("_catalog?n=" + PAGE_SIZE), "repositories", "list repositories"));
  }

  static List<String> tags(RegistryClient client) throws HostRuntimeException {
    return all(
        client,
        new CatalogLister(client.repositoryUri("tags/list?n=" + PAGE_SIZE), "tags", "list tags"));
  }

  private static List<String> all(RegistryClient client, CatalogLister first)
      throws HostRuntimeException {
    List<String> items = new ArrayList<>();
    CatalogLister page = first;
    for (int n = 0; n < MAX_PAGES && page != null; n++) {
      Page got = client.call(page);
      items.addAll(got.items());
      page = got.next() == null ? null : new CatalogLister(got.next(), page.field, page.what);
    }
    return items;
  }

  @Override
  public String what() {
    return what;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public URI uri(RegistryClient client) {
    return uri;
  }

  @Override
  public Page onSuccess(Transport.Answer answer) throws IOException, HostRuntimeException {
    byte[] body = answer.body().readUpTo(16 << 20);
    JsonNode json;
    try {
      json = ImageJson.mapper().readTree(body);
    } catch (IOException e) {
      throw HostRuntimeException.failed("the registry's answer is not JSON");
    }
    List<String> items = new ArrayList<>();
    if (json != null) {
      for (JsonNode item : json.path(field)) {
        items.add(item.asText());
      }
    }
    return new Page(items, next(answer));
  }

  private URI next(Transport.Answer answer) {
    for (String link : answer.headers("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        return answer.response().uri().resolve(m.group(1));
      }
    }
    return null;
  }
}
