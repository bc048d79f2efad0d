package dev.stamp.controller.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.EventView;
import dev.stamp.controller.api.ReleaseView;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.HostResult;
import dev.stamp.controller.store.PolicyVerdict;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import dev.stamp.controller.store.StoredEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The store's records as the API shows them. */
final class Views {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Views() {}

  static AppView app(AppStatus s, String branch, Optional<Release> running) {
    List<AppView.ServiceView> services = new ArrayList<>();
    running.ifPresent(
        r ->
            r.digests()
                .forEach(
                    (service, digest) -> {
                      List<AppView.HostServiceView> hosts = new ArrayList<>();
                      for (HostResult h : r.hosts()) {
                        if (h.service().equals(service)) {
                          hosts.add(
                              new AppView.HostServiceView(
                                  h.host(), h.result(), null, digest, null, null, h.message()));
                        }
                      }
                      services.add(
                          new AppView.ServiceView(
                              service,
                              s.app() + "/" + service + ":" + r.shortCommit(),
                              digest,
                              null,
                              hosts));
                    }));
    return new AppView(
        s.app(),
        s.repo(),
        branch,
        s.path(),
        s.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        s.message(),
        s.desiredCommit().orElse(null),
        running.map(Release::commit).orElse(null),
        s.currentReleaseId().orElse(null),
        s.updatedAt().toString(),
        services);
  }

  static ReleaseView release(Release r) {
    List<ReleaseView.HostResult> hosts = new ArrayList<>();
    for (HostResult h : r.hosts()) {
      hosts.add(new ReleaseView.HostResult(h.host(), h.service(), h.result(), h.message()));
    }
    List<ReleaseView.PolicyFinding> policy = new ArrayList<>();
    for (PolicyVerdict v : r.verdicts()) {
      policy.add(
          new ReleaseView.PolicyFinding(
              v.rule(), v.severity(), v.location(), v.message(), v.waived()));
    }
    boolean finished = r.state() != ReleaseState.PENDING && r.state() != ReleaseState.DEPLOYING;
    return new ReleaseView(
        r.id(),
        r.app(),
        r.commit(),
        r.shortCommit(),
        r.author(),
        r.message(),
        r.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        r.trigger(),
        r.startedAt().toString(),
        finished ? r.updatedAt().toString() : null,
        r.digests(),
        hosts,
        policy,
        null,
        r.error().orElse(null));
  }

  static EventView event(StoredEvent e) {
    Map<String, Object> data;
    try {
      data = JSON.readValue(e.json(), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (Exception ex) {
      data = Map.of("raw", e.json());
    }
    Object message = data.getOrDefault("message", data.getOrDefault("error", data.get("state")));
    return new EventView(
        e.id(),
        e.app(),
        e.releaseId().orElse(null),
        e.type(),
        e.at().toString(),
        message == null ? "" : message.toString(),
        data);
  }
}
