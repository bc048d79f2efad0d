package dev.stamp.policies;

import dev.stamp.policies.rules.DefaultRules;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs rules over subjects and applies waivers. One engine serves {@code stamp lint} and the
 * controller's gate: build it once per policy ({@link #withDefaultRules}) and call {@link #check}
 * per commit; it keeps no state between calls and is safe to share between threads.
 */
public final class PolicyEngine {

  private final List<Rule> rules;
  private final PolicyConfig config;
  private final List<String> notices;
  private final LocalDate today;

  /**
   * @param notices what the policy merge ignored, carried into every report
   * @param today the day waiver expiry is judged against
   */
  public PolicyEngine(
      List<Rule> rules, PolicyConfig config, List<String> notices, LocalDate today) {
    this.rules = List.copyOf(rules);
    this.config = Objects.requireNonNull(config, "config");
    this.notices = List.copyOf(notices);
    this.today = Objects.requireNonNull(today, "today");
  }

  /** The default rules under {@code config}, judging expiry by today's UTC date. */
  public static PolicyEngine withDefaultRules(PolicyConfig config) {
    return new PolicyEngine(DefaultRules.all(), config, List.of(), LocalDate.now(ZoneOffset.UTC));
  }

  /** The default rules under the organisation's policy with the repository's on top. */
  public static PolicyEngine withDefaultRules(PolicyConfig org, PolicyConfig repo) {
    PolicyConfig.Merged merged = PolicyConfig.merge(org, repo);
    return new PolicyEngine(
        DefaultRules.all(), merged.config(), merged.notices(), LocalDate.now(ZoneOffset.UTC));
  }

  public List<Rule> rules() {
    return rules;
  }

  public PolicyConfig config() {
    return config;
  }

  /** Checks {@code subjects} together (a spec's services see their Dockerfiles and images). */
  public Report check(List<? extends Subject> subjects) {
    Map<String, DockerfileView> dockerfiles = new HashMap<>();
    List<DockerfileView> views = new ArrayList<>();
    Map<String, ImageSubject> images = new HashMap<>();
    for (Subject s : subjects) {
      if (s instanceof DockerfileSubject d) {
        DockerfileView view = new DockerfileView(d);
        views.add(view);
        dockerfiles.put(normalise(d.file()), view);
      } else if (s instanceof ImageSubject i && i.app().isPresent() && i.service().isPresent()) {
        images.put(i.app().get() + "/" + i.service().get(), i);
      }
    }
    RuleContext context =
        new RuleContext() {
          @Override
          public PolicyConfig config() {
            return config;
          }

          @Override
          public Optional<DockerfileView> dockerfile(String path) {
            return Optional.ofNullable(dockerfiles.get(normalise(path)));
          }

          @Override
          public Optional<ImageSubject> image(String app, String service) {
            return Optional.ofNullable(images.get(app + "/" + service));
          }
        };
    List<Finding> findings = new ArrayList<>();
    for (Rule rule : rules) {
      Mode mode = config.modeOf(rule);
      if (mode == Mode.OFF) {
        continue;
      }
      Rule.Check check = rule.check();
      if (check instanceof Rule.DockerfileCheck c) {
        for (DockerfileView view : views) {
          DockerfileSubject d = view.subject();
          run(rule, mode, d.app(), d.service(), findings, out -> c.check(view, context, out));
        }
      } else if (check instanceof Rule.ImageCheck c) {
        for (Subject s : subjects) {
          if (s instanceof ImageSubject i) {
            run(rule, mode, i.app(), i.service(), findings, out -> c.check(i, context, out));
          }
        }
      } else if (check instanceof Rule.SpecCheck c) {
        for (Subject s : subjects) {
          if (s instanceof SpecSubject spec) {
            run(
                rule,
                mode,
                spec.app(),
                Optional.empty(),
                findings,
                out ->
                    c.check(
                        spec,
                        context,
                        (where, message) ->
                            out.report(
                                where.line() == 0 && !where.path().isEmpty()
                                    ? new Location(
                                        where.file(), spec.lineOf(where.path()), 0, where.path())
                                    : where,
                                message)));
          }
        }
      }
    }
    List<Finding> judged = new ArrayList<>();
    for (Finding f : findings) {
      judged.add(applyWaivers(f, views));
    }
    judged.sort(
        Comparator.comparing((Finding f) -> f.location().file())
            .thenComparingInt(f -> f.location().line())
            .thenComparingInt(f -> f.location().column())
            .thenComparing(f -> f.location().path())
            .thenComparing(Finding::ruleId));
    return new Report(judged, notices, rules);
  }

  private interface Body {
    void run(Rule.Reporter out);
  }

  private static void run(
      Rule rule,
      Mode mode,
      Optional<String> app,
      Optional<String> service,
      List<Finding> findings,
      Body body) {
    Rule.Reporter out =
        (where, message) ->
            findings.add(
                new Finding(
                    rule.id(),
                    rule.severity(),
                    rule.category(),
                    mode,
                    where,
                    message,
                    app,
                    service.or(() -> serviceOf(where)),
                    Optional.empty(),
                    Optional.empty()));
    try {
      body.run(out);
    } catch (RuntimeException e) {
      out.report(
          Location.file("(policy engine)"),
          "rule " + rule.id() + " failed: " + e + " (a bug in the rule; please report it)");
    }
  }

  /** {@code services.web.ports} → web. */
  private static Optional<String> serviceOf(Location where) {
    String path = where.path();
    if (!path.startsWith("services.")) {
      return Optional.empty();
    }
    int dot = path.indexOf('.', 9);
    return Optional.of(dot < 0 ? path.substring(9) : path.substring(9, dot));
  }

  private Finding applyWaivers(Finding f, List<DockerfileView> views) {
    List<Waiver> covering = new ArrayList<>();
    for (DockerfileView view : views) {
      if (!view.file().equals(f.location().file()) || f.location().line() == 0) {
        continue;
      }
      for (DockerfileView.Inline in : view.inlineWaivers()) {
        if (in.rules().contains(f.ruleId())
            && f.location().line() >= in.firstLine()
            && f.location().line() <= in.lastLine()) {
          String reason = in.reason();
          if (config.locked().contains(f.ruleId())) {
            return f.withNote(
                "inline waiver at "
                    + view.file()
                    + ":"
                    + in.line()
                    + " ignored: the organisation locks "
                    + f.ruleId());
          }
          if (reason.isBlank()) {
            return f.withNote(
                "inline waiver at "
                    + view.file()
                    + ":"
                    + in.line()
                    + " has no reason: not applied");
          }
          covering.add(
              new Waiver(
                  f.ruleId(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(view.file()),
                  reason,
                  Optional.empty(),
                  view.file() + ":" + in.line()));
        }
      }
    }
    for (Waiver w : config.waivers()) {
      if (w.covers(f)) {
        covering.add(w);
      }
    }
    Finding result = f;
    for (Waiver w : covering) {
      if (!w.expiredOn(today)) {
        return f.withWaiver(w);
      }
      result =
          result.withNote(
              "waiver "
                  + w.origin()
                  + " expired on "
                  + w.expires().get()
                  + ": no longer waived (renew it or fix the finding)");
    }
    return result;
  }

  private static String normalise(String path) {
    String p = path.replace('\\', '/');
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    return p;
  }
}
