package dev.stamp.jenkins

/**
 * Server-sent events as the controller writes them ({@code id:}, {@code event:}, {@code data:}
 * lines, a blank line after each event, {@code :} comments as heartbeats).
 */
class Sse implements Serializable {

  private static final long serialVersionUID = 1L

  /**
   * The complete events in {@code text} (an event cut off by the end of the read is left out, so
   * the next read from the last id sends it again), each a map with {@code id} (long or null),
   * {@code event} and {@code data} (the parsed JSON, or the raw text).
   */
  @NonCPS
  static List<Map> parse(String text) {
    List<Map> events = []
    if (text == null) {
      return events
    }
    String normalized = text.replace('\r\n', '\n').replace('\r', '\n')
    String[] blocks = normalized.split('\n\n', -1)
    // the last block is what came after the last blank line: unfinished
    for (int i = 0; i < blocks.length - 1; i++) {
      Map event = block(blocks[i])
      if (event != null) {
        events.add(event)
      }
    }
    return events
  }

  @NonCPS
  private static Map block(String block) {
    Long id = null
    String type = 'message'
    StringBuilder data = null
    for (String line : block.split('\n')) {
      if (line.isEmpty() || line.startsWith(':')) {
        continue
      }
      int colon = line.indexOf(':')
      String field = colon < 0 ? line : line.substring(0, colon)
      String value = colon < 0 ? '' : line.substring(colon + 1)
      if (value.startsWith(' ')) {
        value = value.substring(1)
      }
      if (field == 'id' && value.isLong()) {
        id = value.toLong()
      } else if (field == 'event') {
        type = value
      } else if (field == 'data') {
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value)
      }
    }
    if (data == null) {
      return null
    }
    Object parsed = Json.parseOrNull(data.toString())
    return [id: id, event: type, data: parsed == null ? data.toString() : parsed]
  }
}
