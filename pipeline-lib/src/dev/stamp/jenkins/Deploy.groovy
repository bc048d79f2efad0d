package dev.stamp.jenkins

/**
 * The three steps behind {@code immutableDeploy}: deploy (sync, follow, judge), plan, rollback.
 * Every step the pipeline runs goes through {@code script}; everything kept between steps is a
 * string, a number or a plain map, so a pipeline may resume here after a Jenkins restart.
 */
class Deploy implements Serializable {

  private static final long serialVersionUID = 1L

  private final def script

  Deploy(def script) {
    this.script = script
  }

  /** {@code immutableDeploy(...)}: see vars/immutableDeploy.txt. */
  Map deploy(Map args) {
    Map v = checked('immutableDeploy', Args.DEPLOY, args)
    Controller api = new Controller(script, v)
    long deadline = System.currentTimeMillis() + v.timeoutSeconds * 1000L
    Map result = null
    script.timeout(time: v.timeoutSeconds + 60, unit: 'SECONDS') {
      result = deployUntil(v, api, deadline)
    }
    return result
  }

  /** {@code immutableDeploy.plan(...)}. */
  Map plan(Map args) {
    Map v = checked('immutableDeploy.plan', Args.PLAN, args)
    Controller api = new Controller(script, v)
    long deadline = System.currentTimeMillis() + v.timeoutSeconds * 1000L
    String query = v.revision ? '?rev=' + encode(v.revision) : ''
    script.echo("immutableDeploy.plan: what a sync of ${v.app} to ${v.revision ?: 'the head of its branch'} would change (${v.controller})".toString())
    Map plan = null
    script.timeout(time: v.timeoutSeconds + 60, unit: 'SECONDS') {
      plan = fetched(v, api, deadline, 'GET', "/api/v1/apps/${v.app}/plan${query}".toString(), null, true).json
    }
    if (!(plan instanceof Map)) {
      script.error("immutableDeploy.plan: the controller's plan for ${v.app} is not a JSON object".toString())
    }
    script.echo(Render.plan(plan))
    List problems = plan.problems ?: []
    if (!problems.isEmpty() && v.failOnProblems) {
      script.error("immutableDeploy.plan: ${v.app} at ${v.revision ?: 'the branch head'} would not deploy: ${problems.join('; ')}".toString())
    }
    return plan
  }

  /** {@code immutableDeploy.rollback(...)}. */
  Map rollback(Map args) {
    Map v = checked('immutableDeploy.rollback', Args.ROLLBACK, args)
    Controller api = new Controller(script, v)
    long deadline = System.currentTimeMillis() + v.timeoutSeconds * 1000L
    Map result = null
    script.timeout(time: v.timeoutSeconds + 60, unit: 'SECONDS') {
      result = rollbackUntil(v, api, deadline)
    }
    return result
  }

  private Map deployUntil(Map v, Controller api, long deadline) {
    script.echo("immutableDeploy: ${v.app} at ${v.revision ?: 'the head of its branch'} through ${v.controller}".toString())
    Map accepted
    if (v.trigger == 'webhook') {
      accepted = awaitWebhookRelease(v, api, deadline)
    } else {
      Map body = [:]
      if (v.revision) {
        body.revision = v.revision
      }
      if (v.overrideSyncWindow) {
        body.overrideSyncWindow = true
      }
      accepted = fetched(v, api, deadline, 'POST', "/api/v1/apps/${v.app}/sync".toString(), body, false).json
      script.echo(acceptedLine(accepted, 'sync'))
    }
    long id = accepted.release as long
    if (!v.wait) {
      return [app: v.app, release: id, commit: accepted.commit, state: Render.norm(accepted.state ?: 'pending'),
          digests: [:], hosts: []]
    }
    Map release = follow(v, api, id, deadline)
    return judge(v, api, release, deadline)
  }

  private Map rollbackUntil(Map v, Controller api, long deadline) {
    Map body = [:]
    String target = 'the release before the current one'
    if (v.to instanceof Long) {
      body.toRelease = v.to
      target = "release #${v.to}"
    } else if (v.to != null) {
      Map found = succeededAt(api.history(v.app, deadline), v.to)
      if (found == null) {
        script.error("immutableDeploy.rollback: ${v.app} has no succeeded release at commit ${v.to} in its last 100 releases".toString())
      }
      body.toRelease = found.id as long
      target = "release #${found.id} (${found.shortCommit ?: found.commit})"
    }
    script.echo("immutableDeploy.rollback: asking ${v.controller} to roll ${v.app} back to ${target} (a git revert commit)".toString())
    Map accepted = api.request('POST', "/api/v1/apps/${v.app}/rollback".toString(), body, deadline, false).json
    script.echo(acceptedLine(accepted, 'rollback'))
    long id = accepted.release as long
    if (!v.wait) {
      return [app: v.app, release: id, commit: accepted.commit, state: Render.norm(accepted.state ?: 'pending'),
          digests: [:], hosts: []]
    }
    Map release = follow(v, api, id, deadline)
    return judge(v + [rollbackOnFailure: false], api, release, deadline)
  }

  /**
   * Sends a request naming {@code v.revision}; while the controller's mirror does not have that
   * commit yet (the build may run before the controller's poll), asks for the branch head's plan,
   * which makes the controller fetch, and tries again until the deadline.
   */
  private Map fetched(Map v, Controller api, long deadline, String method, String path, Map body,
      boolean idempotent) {
    boolean told = false
    while (true) {
      Map r = api.attempt(method, path, body, deadline, idempotent)
      if (r.status >= 200 && r.status < 300) {
        return r
      }
      if (!v.revision || !Controller.unfetched(r) || System.currentTimeMillis() >= deadline) {
        script.error(Controller.describe(method, path, r, v.credentialsId))
      }
      if (!told) {
        script.echo("stamp: the controller has not fetched ${v.revision} yet; asking it to fetch ${v.app}'s branch".toString())
        told = true
      } else {
        script.sleep(time: v.pollSeconds, unit: 'SECONDS')
      }
      api.send('GET', "/api/v1/apps/${v.app}/plan".toString(), null, 60, 'application/json')
    }
  }

  /** Waits for the release that the push webhook started for {@code v.revision}. */
  private Map awaitWebhookRelease(Map v, Controller api, long deadline) {
    script.echo("immutableDeploy: waiting for the controller's release of ${v.revision} (started by the push webhook)".toString())
    while (true) {
      Map found = releaseOf(api.history(v.app, deadline), v.revision)
      if (found != null) {
        script.echo("immutableDeploy: found release #${found.id} of ${v.app} at ${found.shortCommit ?: found.commit}".toString())
        return [app: v.app, release: found.id, commit: found.commit, state: found.state]
      }
      if (System.currentTimeMillis() >= deadline) {
        script.error("immutableDeploy: no release of ${v.app} at ${v.revision} appeared within ${minutes(v)}; is the push webhook configured, or should this build use trigger: 'api'?".toString())
      }
      script.sleep(time: v.pollSeconds, unit: 'SECONDS')
    }
  }

  /** Prints the release's events and state changes until it is finished; returns it. */
  private Map follow(Map v, Controller api, long id, long deadline) {
    long after = 0
    boolean streaming = true
    boolean cut = false
    String lastState = null
    while (true) {
      if (streaming) {
        long started = System.currentTimeMillis()
        int seconds = (int) Math.max(1L, Math.min((long) v.pollSeconds, (long) (deadline - started).intdiv(1000L)))
        Map read = api.events(v.app, after, seconds)
        List events = read.events
        for (int i = 0; i < events.size(); i++) {
          Map e = events.get(i)
          if (e.id != null && (e.id as long) > after) {
            after = e.id as long
          }
          String line = Render.event(e.data, id)
          if (line != null) {
            script.echo(line)
          }
        }
        if (read.missing) {
          streaming = false
          script.echo('stamp: the controller has no event stream; following the release through its history')
        } else if (!read.ok && !cut) {
          cut = true
          script.echo("stamp: the event stream was cut (${read.problem}); resuming after event ${after}".toString())
        } else if (read.ok) {
          cut = false
        }
        if (events.isEmpty() && System.currentTimeMillis() - started < 1000L * v.pollSeconds - 250) {
          script.sleep(time: v.pollSeconds, unit: 'SECONDS')
        }
      } else {
        script.sleep(time: v.pollSeconds, unit: 'SECONDS')
      }
      Map release = api.release(v.app, id, deadline)
      if (release == null) {
        script.error("immutableDeploy: release #${id} of ${v.app} is not in the controller's history".toString())
      }
      String state = Render.norm(release.state)
      if (state != lastState) {
        script.echo("stamp: release #${id} is ${state}".toString())
        lastState = state
      }
      if (Render.finished(state)) {
        return release
      }
      if (System.currentTimeMillis() >= deadline) {
        script.error("immutableDeploy: timed out after ${minutes(v)} waiting for release #${id} of ${v.app} (last state: ${state}); the controller goes on with it".toString())
      }
    }
  }

  /** Returns the result of a succeeded release; fails the build with the controller's reason otherwise. */
  private Map judge(Map v, Controller api, Map release, long deadline) {
    script.echo(Render.release(release))
    String state = Render.norm(release.state)
    List bad = Render.badHosts(release)
    if (state == 'succeeded' && bad.isEmpty()) {
      return Render.result(release)
    }
    String what = state == 'succeeded' ? 'succeeded but is degraded' : state
    String reason = Render.reason(release)
    String after = ''
    if (v.rollbackOnFailure && state in ['partial', 'failed', 'succeeded']) {
      after = rollbackAfter(v, api, release, deadline)
    }
    script.error("immutableDeploy: release #${release.id} of ${release.app ?: v.app} ${what}: ${reason}${after}".toString())
    return null
  }

  /** Asks for a rollback to the last succeeded release before {@code failed}; says how it went. */
  private String rollbackAfter(Map v, Controller api, Map failed, long deadline) {
    long failedId = failed.id as long
    List history = api.history(v.app, deadline)
    Map now = Controller.find(history, failedId)
    if (now != null && Render.norm(now.state) == 'rolled-back') {
      return '; the controller rolled it back'
    }
    Map previous = lastGoodBefore(history, failedId)
    if (previous == null) {
      script.echo("immutableDeploy: ${v.app} has no succeeded release before #${failedId} to roll back to".toString())
      return '; no earlier succeeded release to roll back to'
    }
    script.echo("immutableDeploy: rolling ${v.app} back to release #${previous.id} (${previous.shortCommit ?: previous.commit})".toString())
    Map accepted = api.request('POST', "/api/v1/apps/${v.app}/rollback".toString(),
        [toRelease: previous.id as long], deadline, false).json
    script.echo(acceptedLine(accepted, 'rollback'))
    Map back = follow(v, api, accepted.release as long, deadline)
    script.echo(Render.release(back))
    return "; rolled back to release #${previous.id} by release #${back.id} (${Render.norm(back.state)})".toString()
  }

  private Map checked(String step, Map spec, Map args) {
    Map env = [:]
    try {
      env.STAMP_CONTROLLER = script.env?.STAMP_CONTROLLER
      env.STAMP_CREDENTIALS_ID = script.env?.STAMP_CREDENTIALS_ID
    } catch (MissingPropertyException ignored) {
      // no env outside a pipeline
    }
    Map c = Args.check(step, spec, args, env)
    List problems = c.problems
    if (!problems.isEmpty()) {
      script.error("${step}: ${problems.join('; ')} (see ${step.tokenize('.')[0]}'s help: Pipeline Syntax > Global Variables Reference)".toString())
    }
    return c.values
  }

  @NonCPS
  private static String acceptedLine(Map accepted, String what) {
    String commit = accepted.commit ? " of ${String.valueOf(accepted.commit).take(12)}" : ''
    return "stamp: the controller accepted the ${what}: release #${accepted.release}${commit} (${Render.norm(accepted.state ?: 'pending')})".toString()
  }

  @NonCPS
  private static Map releaseOf(List history, String revision) {
    for (Object r : history) {
      if (r instanceof Map && r.commit && (String.valueOf(r.commit).startsWith(revision) || revision.startsWith(String.valueOf(r.commit)))) {
        return r
      }
    }
    return null
  }

  @NonCPS
  private static Map succeededAt(List history, String commit) {
    for (Object r : history) {
      if (r instanceof Map && r.commit && String.valueOf(r.commit).startsWith(commit) && Render.norm(r.state) == 'succeeded') {
        return r
      }
    }
    return null
  }

  @NonCPS
  private static Map lastGoodBefore(List history, long id) {
    Map best = null
    for (Object r : history) {
      if (r instanceof Map && r.id != null && (r.id as long) < id && Render.norm(r.state) == 'succeeded'
          && (best == null || (r.id as long) > (best.id as long))) {
        best = r
      }
    }
    return best
  }

  @NonCPS
  private static String encode(String value) {
    return URLEncoder.encode(value, 'UTF-8')
  }

  @NonCPS
  private static String minutes(Map v) {
    int s = v.timeoutSeconds
    return s % 60 == 0 ? "${s.intdiv(60)} min".toString() : "${s} s".toString()
  }
}
