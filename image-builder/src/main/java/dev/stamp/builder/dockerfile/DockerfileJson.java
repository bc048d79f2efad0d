package dev.stamp.builder.dockerfile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * The JSON form of a syntax tree ({@code stamp dockerfile parse --json}): an array with one object
 * per instruction, keys in a stable order — {@code instruction} (lower case), {@code flags} (as
 * written), {@code args}, {@code line}, {@code endLine}, then {@code onbuild} (the nested
 * instruction) and {@code heredocs} (name, content, chomp, expand) when present. One instruction
 * per line, so diffs of the output read well.
 */
public final class DockerfileJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DockerfileJson() {}

  public static String render(Dockerfile dockerfile) {
    StringBuilder out = new StringBuilder("[");
    String sep = "\n  ";
    for (Node node : dockerfile.nodes()) {
      out.append(sep).append(write(toJson(node)));
      sep = ",\n  ";
    }
    return out.append(dockerfile.nodes().isEmpty() ? "]\n" : "\n]\n").toString();
  }

  static ObjectNode toJson(Node node) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("instruction", node.instruction());
    ArrayNode flags = o.putArray("flags");
    node.flags().forEach(flags::add);
    ArrayNode args = o.putArray("args");
    node.args().forEach(args::add);
    o.put("line", node.location().line());
    o.put("endLine", node.location().endLine());
    node.onbuild().ifPresent(child -> o.set("onbuild", toJson(child)));
    if (!node.heredocs().isEmpty()) {
      ArrayNode docs = o.putArray("heredocs");
      for (Heredoc d : node.heredocs()) {
        ObjectNode h = docs.addObject();
        h.put("name", d.name());
        h.put("content", d.content());
        h.put("chomp", d.chomp());
        h.put("expand", d.expand());
      }
    }
    return o;
  }

  private static String write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
