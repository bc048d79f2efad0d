package dev.stamp.jenkins

/**
 * The parameters of each step: which exist, their types and defaults, and the checks that run
 * before anything is sent. Every problem is reported at once, each naming the parameter.
 */
class Args implements Serializable {

  private static final long serialVersionUID = 1L

  static final String APP_PATTERN = '[a-z0-9][a-z0-9_.-]{0,62}'

  /** Parameters every step takes: where the controller is and how to reach it. */
  static final Map COMMON = [
      app: 'the app as the controller names it, e.g. app: \'shop\'',
      controller: 'the controller\'s base URL, e.g. controller: \'https://stamp.example\' (or env.STAMP_CONTROLLER)',
      credentialsId: 'the id of a Jenkins "secret text" credential holding the API token (or env.STAMP_CREDENTIALS_ID)',
      caCertificate: 'a CA certificate file on the agent for a controller with a private CA',
      timeoutMinutes: 'how long to wait for the controller, 15 by default',
      pollSeconds: 'how long each read of the event stream lasts, 5 by default',
  ]

  static final Map DEPLOY = COMMON + [
      revision: 'the commit (or ref) to deploy, e.g. revision: env.GIT_COMMIT; the watched branch\'s head when absent',
      wait: 'follow the rollout to its end (true by default); false returns once the controller accepted',
      rollbackOnFailure: 'when the rollout fails or is degraded, ask the controller to roll back to the last good release (false by default)',
      trigger: '\'api\' (ask the controller to sync, the default) or \'webhook\' (wait for the sync the push webhook started)',
      overrideSyncWindow: 'sync even inside a deny sync window (false by default)',
  ]

  static final Map PLAN = COMMON + [
      revision: 'the commit (or ref) to plan, e.g. revision: env.GIT_COMMIT',
      failOnProblems: 'fail the build when the plan has problems (a policy error, a bad compose file); true by default',
  ]

  static final Map ROLLBACK = COMMON + [
      to: 'the release id (to: 41) or the commit of a succeeded release to go back to; the release before the current when absent',
      wait: 'follow the rollback\'s rollout to its end (true by default)',
  ]

  /**
   * Checks {@code given} against {@code spec} and returns [problems: [...], values: [...]] with
   * defaults filled in; {@code env} supplies STAMP_CONTROLLER and STAMP_CREDENTIALS_ID.
   */
  @NonCPS
  static Map check(String step, Map spec, Map given, Map env) {
    List<String> problems = []
    Map args = given == null ? [:] : given
    for (Object key : args.keySet()) {
      String name = String.valueOf(key)
      if (!spec.containsKey(name)) {
        String near = nearest(name, spec.keySet())
        problems.add("unknown parameter '${name}'" + (near ? " (did you mean '${near}'?)" : '')
            + "; known: ${spec.keySet().join(', ')}".toString())
      }
    }
    Map v = [:]
    v.app = text(args.app)
    if (v.app == null) {
      problems.add("missing required parameter 'app': ${spec.app}".toString())
    } else if (!(v.app ==~ APP_PATTERN)) {
      problems.add("'app' must match ${APP_PATTERN}, got '${v.app}'".toString())
    }
    v.controller = text(args.controller) ?: text(env?.STAMP_CONTROLLER)
    if (v.controller == null) {
      problems.add("missing required parameter 'controller': ${spec.controller}".toString())
    } else if (!(v.controller ==~ '(?i)https?://[^\\s\'"]+')) {
      problems.add("'controller' must be an http:// or https:// URL, got '${v.controller}'".toString())
    } else {
      v.controller = v.controller.replaceAll('/+$', '')
    }
    v.credentialsId = text(args.credentialsId) ?: text(env?.STAMP_CREDENTIALS_ID)
    if (v.credentialsId == null) {
      problems.add("missing required parameter 'credentialsId': ${spec.credentialsId}".toString())
    }
    v.caCertificate = text(args.caCertificate)
    v.timeoutSeconds = seconds(args, 'timeoutMinutes', 15, problems)
    v.pollSeconds = number(args, 'pollSeconds', 5, 1, 60, problems)
    if (spec.containsKey('revision')) {
      v.revision = text(args.revision)
      if (v.revision != null && !validRevision(v.revision)) {
        problems.add("'revision' must be a commit id or a ref name (no spaces, not starting with '-', at most 255 characters), got '${v.revision}'".toString())
      }
    }
    for (String flag : ['wait', 'rollbackOnFailure', 'overrideSyncWindow', 'failOnProblems']) {
      if (spec.containsKey(flag)) {
        boolean dflt = flag == 'wait' || flag == 'failOnProblems'
        Object raw = args.get(flag)
        if (raw == null) {
          v.put(flag, dflt)
        } else if (raw instanceof Boolean) {
          v.put(flag, raw)
        } else if (String.valueOf(raw) in ['true', 'false']) {
          v.put(flag, String.valueOf(raw) == 'true')
        } else {
          problems.add("'${flag}' must be true or false, got '${raw}'".toString())
        }
      }
    }
    if (spec.containsKey('trigger')) {
      v.trigger = text(args.trigger) ?: 'api'
      if (!(v.trigger in ['api', 'webhook'])) {
        problems.add("'trigger' must be 'api' or 'webhook', got '${v.trigger}'".toString())
      } else if (v.trigger == 'webhook' && v.revision == null) {
        problems.add("trigger: 'webhook' needs 'revision' (the commit the push webhook announced, e.g. env.GIT_COMMIT)")
      }
    }
    if (spec.containsKey('to')) {
      Object to = args.to
      if (to == null) {
        v.to = null
      } else if (to instanceof Number || String.valueOf(to) ==~ '[0-9]+') {
        long id = (to as String).toLong()
        if (id < 1) {
          problems.add("'to' must be a release id of 1 or more, got ${to}".toString())
        }
        v.to = id
      } else if (String.valueOf(to) ==~ '[0-9a-fA-F]{4,64}') {
        v.to = String.valueOf(to).toLowerCase()
      } else {
        problems.add("'to' must be a release id or a commit id, got '${to}'".toString())
      }
    }
    return [problems: problems, values: v]
  }

  @NonCPS
  static boolean validRevision(String r) {
    return r.length() <= 255 && !r.startsWith('-') && !(r =~ /[\s\p{Cntrl}'"\\]/).find()
  }

  @NonCPS
  private static String text(Object value) {
    if (value == null) {
      return null
    }
    String s = String.valueOf(value).trim()
    return s.isEmpty() ? null : s
  }

  @NonCPS
  private static int seconds(Map args, String name, int dfltMinutes, List<String> problems) {
    Object raw = args.get(name)
    if (raw == null) {
      return dfltMinutes * 60
    }
    BigDecimal minutes = null
    if (raw instanceof Number) {
      minutes = new BigDecimal(raw.toString())
    } else if (String.valueOf(raw).isBigDecimal()) {
      minutes = String.valueOf(raw).toBigDecimal()
    }
    if (minutes == null || minutes <= 0 || minutes > 24 * 60) {
      problems.add("'${name}' must be a number of minutes above 0 and at most 1440, got '${raw}'".toString())
      return dfltMinutes * 60
    }
    return Math.max(1, (minutes * 60).setScale(0, BigDecimal.ROUND_CEILING).intValue())
  }

  @NonCPS
  private static int number(Map args, String name, int dflt, int min, int max, List<String> problems) {
    Object raw = args.get(name)
    if (raw == null) {
      return dflt
    }
    String s = String.valueOf(raw)
    if (!s.isInteger() || s.toInteger() < min || s.toInteger() > max) {
      problems.add("'${name}' must be a whole number from ${min} to ${max}, got '${raw}'".toString())
      return dflt
    }
    return s.toInteger()
  }

  /** A known name the unknown one was probably meant as (same letters ignoring case, or a prefix). */
  @NonCPS
  private static String nearest(String name, Set known) {
    String lower = name.toLowerCase()
    for (Object k : known) {
      String kl = String.valueOf(k).toLowerCase()
      if (kl == lower || kl.startsWith(lower) || lower.startsWith(kl)) {
        return String.valueOf(k)
      }
    }
    return null
  }
}
