package dev.stamp.jenkins

/** What the steps print and return, from the controller's answers (pure functions). */
class Render implements Serializable {

  private static final long serialVersionUID = 1L

  /** Release states after which nothing more happens to the release. */
  static final List FINISHED = ['succeeded', 'partial', 'failed', 'rolled-back', 'denied']

  /**
   * Host results that mean the service runs the release as it should; any other (failed,
   * rolled-back, skipped, not-started, pending, or one this library does not know) is degraded.
   */
  static final List GOOD_HOST = ['succeeded', 'updated', 'replaced', 'unchanged', 'removed']

  /** A state as the controller spells it now ({@code rolled_back} and {@code ROLLED_BACK} too). */
  @NonCPS
  static String norm(Object state) {
    return state == null ? '' : String.valueOf(state).toLowerCase().replace('_', '-')
  }

  @NonCPS
  static boolean finished(Object state) {
    return norm(state) in FINISHED
  }

  /** The hosts of {@code release} whose result is not a good one. */
  @NonCPS
  static List badHosts(Map release) {
    List bad = []
    for (Object h : (release.hosts ?: [])) {
      if (h instanceof Map && !(norm(h.result) in GOOD_HOST)) {
        bad.add(h)
      }
    }
    return bad
  }

  /** The map a deploy or rollback returns: plain values only. */
  @NonCPS
  static Map result(Map release) {
    List hosts = []
    for (Object h : (release.hosts ?: [])) {
      if (h instanceof Map) {
        hosts.add([host: h.host, service: h.service, result: norm(h.result), message: h.message])
      }
    }
    Map digests = [:]
    if (release.digests instanceof Map) {
      digests.putAll(release.digests)
    }
    return [app: release.app, release: release.id == null ? null : release.id as long,
        commit: release.commit, state: norm(release.state), digests: digests, hosts: hosts,
        error: release.error]
  }

  /** Why a release did not succeed, in the controller's words. */
  @NonCPS
  static String reason(Map release) {
    List parts = []
    if (release.error) {
      parts.add(String.valueOf(release.error))
    }
    List blocking = []
    for (Object f : (release.policy ?: [])) {
      if (f instanceof Map && norm(f.severity) == 'error' && f.waived != true) {
        blocking.add("${f.rule}${f.location ? ' ' + f.location : ''}: ${f.message}".toString())
      }
    }
    if (!blocking.isEmpty() && !(release.error && blocking.every { String.valueOf(release.error).contains(it) })) {
      parts.add('policy: ' + blocking.join('; '))
    }
    List bad = badHosts(release)
    if (!bad.isEmpty()) {
      parts.add('hosts: ' + bad.collect { "${it.service}@${it.host} ${norm(it.result)}${it.message ? ' (' + it.message + ')' : ''}" }.join(', '))
    }
    return parts.isEmpty() ? 'the controller gave no reason' : parts.join('; ')
  }

  /** One release, several lines: commit, state, digests, per host results. */
  @NonCPS
  static String release(Map release) {
    StringBuilder s = new StringBuilder()
    s.append("release #${release.id} of ${release.app}: ${norm(release.state)}")
    if (release.commit) {
      s.append(" at ${release.shortCommit ?: String.valueOf(release.commit).take(12)}")
    }
    if (release.message) {
      s.append(" (${String.valueOf(release.message).readLines()[0]})")
    }
    if (release.digests instanceof Map) {
      for (Object e : release.digests.entrySet()) {
        s.append("\n  image ${e.key}: ${e.value}")
      }
    }
    for (Object h : (release.hosts ?: [])) {
      if (h instanceof Map) {
        s.append("\n  ${h.service} on ${h.host}: ${norm(h.result)}${h.message ? ' - ' + h.message : ''}")
      }
    }
    return s.toString()
  }

  /** One event of the stream as a build log line, or null when it is not about {@code release}. */
  @NonCPS
  static String event(Object data, long release) {
    if (!(data instanceof Map) || data.release == null || (data.release as long) != release) {
      return null
    }
    Map d = data.data instanceof Map ? data.data : [:]
    String type = String.valueOf(data.type)
    if (type == 'rollout') {
      String where = [d.service, d.host].findAll { it }.join(' on ')
      return "stamp: ${where ?: 'rollout'}: ${d.phase ?: ''}${d.message ? ' - ' + d.message : ''}".toString().trim()
    }
    if (type == 'release' && d.state) {
      StringBuilder s = new StringBuilder("stamp: release #${release} ${norm(d.state)}")
      String why = d.error ?: d.message
      if (why) {
        s.append(": ").append(why)
      }
      if (d.changes instanceof List) {
        for (Object c : d.changes) {
          s.append("\n  ").append(String.valueOf(c))
        }
      }
      return s.toString()
    }
    return "stamp: ${type}${data.message ? ': ' + data.message : ''}".toString()
  }

  /** A plan as the build log shows it. */
  @NonCPS
  static String plan(Map plan) {
    StringBuilder s = new StringBuilder()
    String commit = plan.commit ? String.valueOf(plan.commit).take(12) : 'the branch head'
    s.append("plan for ${plan.app} at ${commit}:")
    List builds = plan.builds ?: []
    List changes = plan.changes ?: []
    List problems = plan.problems ?: []
    if (builds.isEmpty()) {
      s.append('\n  images: none')
    }
    for (Object b : builds) {
      s.append("\n  image ${b.service}: ${b.action}")
      if (b.image) {
        s.append(" ${b.image}")
      }
      if (b.digest) {
        s.append(" ${b.digest}")
      }
      if (b.reason) {
        s.append(" (${b.reason})")
      }
    }
    int changed = 0
    for (Object c : changes) {
      if (norm(c.action) != 'unchanged') {
        changed++
      }
      s.append("\n  ${c.service} on ${c.host}: ${c.action}")
      if (c.fromDigest || c.toDigest) {
        s.append(" ${shortDigest(c.fromDigest)} -> ${shortDigest(c.toDigest)}")
      }
      if (c.reason) {
        s.append(" (${c.reason})")
      }
    }
    s.append("\n  ${changed} of ${changes.size()} containers change")
    for (Object p : problems) {
      s.append("\n  problem: ${p}")
    }
    return s.toString()
  }

  @NonCPS
  static String shortDigest(Object digest) {
    if (digest == null) {
      return '(none)'
    }
    String d = String.valueOf(digest)
    return d.startsWith('sha256:') && d.length() > 19 ? d.substring(0, 19) : d
  }
}
