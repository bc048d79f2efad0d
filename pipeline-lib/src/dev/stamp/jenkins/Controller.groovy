package dev.stamp.jenkins

/**
 * The controller's REST API (openapi/controller-v1.yaml) over curl on the agent: each request is
 * one {@code sh} inside {@code withCredentials}, so the token lives only in the environment of
 * that shell and reaches curl on its standard input. Holds nothing but strings and the script,
 * so it survives a Jenkins restart between steps.
 */
class Controller implements Serializable {

  private static final long serialVersionUID = 1L
  static final String HELPER = 'dev/stamp/jenkins/stamp-http.sh'

  private final def script
  private final String base
  private final String credentialsId
  private final String caCertificate
  private final int pollSeconds
  private String helper
  /** Whether GET /api/v1/apps/{app}/releases/{id} exists; null until tried. */
  private Boolean releaseRoute

  Controller(def script, Map v) {
    this.script = script
    this.base = v.controller
    this.credentialsId = v.credentialsId
    this.caCertificate = v.caCertificate
    this.pollSeconds = v.pollSeconds
  }

  String getBase() {
    return base
  }

  /**
   * Sends one request and returns [curl: exit code, status: HTTP status (0 without an answer),
   * curlError: text, body: text, json: the parsed body or null]. Never fails the build.
   */
  Map send(String method, String path, Map body, int maxSeconds, String accept) {
    if (helper == null) {
      helper = script.libraryResource(HELPER)
    }
    String command = command(helper, method, base + path, body == null ? '' : Json.write(body),
        maxSeconds, accept, caCertificate)
    String out = null
    script.withCredentials([script.string(credentialsId: credentialsId, variable: 'STAMP_TOKEN')]) {
      out = script.sh(script: command, returnStdout: true, label: "stamp: ${method} ${path}".toString())
    }
    return parse(out)
  }

  /**
   * Sends a request until it is answered with 2xx, retrying what may pass (no connection, 502 to
   * 504, a retryable error; timeouts and cut answers only when {@code idempotent}) until {@code
   * deadline}; fails the build with the controller's message otherwise.
   */
  Map request(String method, String path, Map body, long deadline, boolean idempotent) {
    Map r = attempt(method, path, body, deadline, idempotent)
    if (!(r.status >= 200 && r.status < 300)) {
      script.error(describe(method, path, r, credentialsId))
    }
    return r
  }

  /** As {@link #request}, but returns the last answer instead of failing the build. */
  Map attempt(String method, String path, Map body, long deadline, boolean idempotent) {
    boolean announced = false
    while (true) {
      Map r = send(method, path, body, idempotent ? 30 : 60, 'application/json')
      if (r.status >= 200 && r.status < 300) {
        if (announced) {
          script.echo("stamp: the controller at ${base} answers again".toString())
        }
        return r
      }
      if (!retryable(r, idempotent) || System.currentTimeMillis() >= deadline) {
        return r
      }
      if (!announced) {
        script.echo("stamp: ${method} ${path} did not go through (${brief(r)}); retrying every ${pollSeconds}s until the timeout".toString())
        announced = true
      }
      script.sleep(time: pollSeconds, unit: 'SECONDS')
    }
  }

  /**
   * Reads the app's event stream from after {@code after} for at most {@code seconds} and returns
   * [ok: whether it was read, missing: the controller has no stream, events: the complete events,
   * problem: why not ok].
   */
  Map events(String app, long after, int seconds) {
    Map r = send('GET', "/api/v1/apps/${app}/events?after=${after}".toString(), null, seconds,
        'text/event-stream')
    boolean answered = r.status == 200 && (r.curl == 0 || r.curl == 28 || r.curl == 18)
    return [ok: answered, missing: r.status == 404 || r.status == 405,
        events: answered ? Sse.parse(r.body) : [], problem: answered ? null : brief(r)]
  }

  /** Release {@code id} of {@code app}, or null when the controller no longer has it. */
  Map release(String app, long id, long deadline) {
    if (releaseRoute != Boolean.FALSE) {
      Map r = send('GET', "/api/v1/apps/${app}/releases/${id}".toString(), null, 30, 'application/json')
      if (r.status == 200 && r.json instanceof Map) {
        releaseRoute = Boolean.TRUE
        return r.json
      }
      if (r.status == 404 && releaseRoute == null) {
        releaseRoute = Boolean.FALSE
      } else if (r.status == 404) {
        return null
      }
    }
    Map h = request('GET', "/api/v1/apps/${app}/history?limit=100".toString(), null, deadline, true)
    return find(h.json, id)
  }

  /** The app's releases, newest first. */
  List history(String app, long deadline) {
    Map h = request('GET', "/api/v1/apps/${app}/history?limit=100".toString(), null, deadline, true)
    return h.json instanceof List ? h.json : []
  }

  /**
   * Whether {@code r} says the controller's mirror does not have the commit asked for (it fetches
   * on its poll, on a push webhook, or when asked for the branch head).
   */
  @NonCPS
  static boolean unfetched(Map r) {
    Map error = r.json instanceof Map && r.json.error instanceof Map ? r.json.error : null
    return (r.status == 404 || r.status == 422) && error != null &&
        String.valueOf(error.message).contains('no such commit')
  }

  @NonCPS
  static Map find(Object releases, long id) {
    if (!(releases instanceof List)) {
      return null
    }
    for (Object r : releases) {
      if (r instanceof Map && r.id != null && (r.id as long) == id) {
        return r
      }
    }
    return null
  }

  @NonCPS
  static String command(String helper, String method, String url, String body, int maxSeconds,
      String accept, String caCertificate) {
    StringBuilder s = new StringBuilder(helper).append('\n')
    if (caCertificate) {
      s.append('STAMP_CACERT=').append(quote(caCertificate)).append('\n')
    }
    s.append('stamp_http ')
    s.append([method, url, body, String.valueOf(maxSeconds), accept].collect { quote(it) }.join(' '))
    return s.append('\n').toString()
  }

  /** {@code value} as one single-quoted shell word. */
  @NonCPS
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'"
  }

  @NonCPS
  static Map parse(String out) {
    String text = out == null ? '' : out
    int first = text.indexOf('\n')
    String head = first < 0 ? text : text.substring(0, first)
    String rest = first < 0 ? '' : text.substring(first + 1)
    int second = rest.indexOf('\n')
    String curlLine = second < 0 ? rest : rest.substring(0, second)
    String body = second < 0 ? '' : rest.substring(second + 1)
    def m = head =~ /^STAMP-HTTP (\d+) (\d+)/
    if (!m.find()) {
      return [curl: -1, status: 0, curlError: 'unexpected output from the request script: ' + head.take(200),
          body: text, json: null]
    }
    int curl = m.group(1).toInteger()
    int status = m.group(2).toInteger()
    String curlError = curlLine.startsWith('STAMP-CURL ') ? curlLine.substring(11).trim() : ''
    return [curl: curl, status: status, curlError: curlError, body: body,
        json: Json.parseOrNull(body)]
  }

  @NonCPS
  static boolean retryable(Map r, boolean idempotent) {
    if (r.status == 0) {
      // 7: no connection (nothing was sent); others: sent, maybe done
      return r.curl == 7 || idempotent
    }
    if (r.status in [502, 503, 504]) {
      return true
    }
    Map error = r.json instanceof Map && r.json.error instanceof Map ? r.json.error : null
    return idempotent && error != null && error.retryable == true && r.status >= 500
  }

  /** Why a request failed, in one line, for the build log. */
  @NonCPS
  static String brief(Map r) {
    if (r.status == 0 && r.curl == 127) {
      return 'curl is not installed on this agent (the step needs /bin/sh and curl 7.55 or newer)'
    }
    if (r.status == 0) {
      return "no answer: curl exit ${r.curl}${r.curlError ? ', ' + r.curlError : ''}".toString()
    }
    Map error = r.json instanceof Map && r.json.error instanceof Map ? r.json.error : null
    if (error != null) {
      return "HTTP ${r.status} ${error.code}: ${error.message}".toString()
    }
    String body = r.body == null ? '' : r.body.trim().replaceAll('\\s+', ' ')
    return "HTTP ${r.status}${body ? ': ' + body.take(200) : ''}".toString()
  }

  @NonCPS
  static String describe(String method, String path, Map r, String credentialsId) {
    if (r.status == 401) {
      return ("stamp: the controller refused the API token from credentials '${credentialsId}' " +
          "(${brief(r)}); check that the credential holds the controller's current token").toString()
    }
    if (r.status == 404) {
      return "stamp: ${method} ${path}: not found (${brief(r)})".toString()
    }
    return "stamp: ${method} ${path} failed (${brief(r)})".toString()
  }
}
