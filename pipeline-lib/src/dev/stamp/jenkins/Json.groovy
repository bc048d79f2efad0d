package dev.stamp.jenkins

import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic

/**
 * JSON in and out, safe to keep across CPS steps: parsing gives plain LinkedHashMap and ArrayList
 * (JsonSlurperClassic, never the lazy maps of JsonSlurper, which do not serialize).
 */
class Json implements Serializable {

  private static final long serialVersionUID = 1L

  /** The value {@code text} holds, or null when it is blank or not JSON. */
  @NonCPS
  static Object parseOrNull(String text) {
    if (text == null || text.trim().isEmpty()) {
      return null
    }
    try {
      return new JsonSlurperClassic().parseText(text)
    } catch (Exception e) {
      return null
    }
  }

  @NonCPS
  static String write(Object value) {
    return JsonOutput.toJson(value)
  }
}
