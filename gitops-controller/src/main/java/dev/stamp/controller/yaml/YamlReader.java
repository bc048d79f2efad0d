package dev.stamp.controller.yaml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * YAML text to {@link YamlNode}s. SnakeYAML (through jackson-dataformat-yaml) only composes the
 * node graph: anchors and aliases resolved, line and column kept. Its YAML 1.1 resolver is never
 * asked what a scalar is: {@link YamlNode.Scalar#of} applies YAML 1.2's core schema, so an unquoted
 * {@code 2222:22} stays a string and {@code yes} is no boolean. Merge keys ({@code <<: *defaults})
 * are applied, explicit keys winning; a key written twice is an error, as in Compose.
 *
 * <p>Shared by the Compose loader and the controller's configuration file.
 */
public final class YamlReader {

  private final Problems problems;
  private final IdentityHashMap<Node, Boolean> visiting = new IdentityHashMap<>();

  private YamlReader(Problems problems) {
    this.problems = problems;
  }

  /** The document, or null when it is not YAML (the problem is recorded) or empty. */
  public static YamlNode read(String text, Problems problems) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(100);
    options.setCodePointLimit(8 * 1024 * 1024);
    Node root;
    try {
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine() + 1;
      int column = mark == null ? 0 : mark.getColumn() + 1;
      String what = e.getProblem() == null ? e.getMessage() : e.getProblem();
      if (e.getContext() != null) {
        what = e.getContext() + " " + what;
      }
      problems.error(
          line,
          column,
          "",
          "not valid YAML at line " + line + ", column " + column + ": " + what.replace('\n', ' '));
      return null;
    } catch (YAMLException e) {
      problems.error(0, 0, "", "not valid YAML: " + e.getMessage());
      return null;
    }
    return root == null ? null : new YamlReader(problems).convert(root);
  }

  private YamlNode convert(Node node) {
    int line = node.getStartMark().getLine() + 1;
    int column = node.getStartMark().getColumn() + 1;
    if (node instanceof ScalarNode s) {
      return YamlNode.Scalar.of(s.getValue(), s.isPlain(), line, column);
    }
    if (visiting.put(node, Boolean.TRUE) != null) {
      problems.error(line, column, "", "a recursive alias");
      return YamlNode.Scalar.of("", true, line, column);
    }
    try {
      if (node instanceof SequenceNode seq) {
        List<YamlNode> items = new ArrayList<>();
        for (Node item : seq.getValue()) {
          items.add(convert(item));
        }
        return new YamlNode.Sequence(List.copyOf(items), line, column);
      }
      MappingNode map = (MappingNode) node;
      Map<String, YamlNode> entries = new LinkedHashMap<>();
      Map<String, YamlNode.Scalar> keys = new LinkedHashMap<>();
      List<YamlNode.Mapping> merges = new ArrayList<>();
      for (NodeTuple tuple : map.getValue()) {
        Node keyNode = tuple.getKeyNode();
        int kl = keyNode.getStartMark().getLine() + 1;
        int kc = keyNode.getStartMark().getColumn() + 1;
        if (!(keyNode instanceof ScalarNode k)) {
          problems.error(kl, kc, "", "a mapping key must be a scalar");
          continue;
        }
        YamlNode value = convert(tuple.getValueNode());
        if (k.isPlain() && k.getValue().equals("<<")) {
          collectMerges(value, merges);
          continue;
        }
        String key = k.getValue();
        YamlNode.Scalar previous = keys.get(key);
        if (previous != null) {
          problems.error(
              kl, kc, "", "mapping key \"" + key + "\" already defined at line " + previous.line());
          continue;
        }
        keys.put(key, YamlNode.Scalar.of(key, k.isPlain(), kl, kc));
        entries.put(key, value);
      }
      for (YamlNode.Mapping merged : merges) {
        merged
            .entries()
            .forEach(
                (k, v) -> {
                  if (!entries.containsKey(k)) {
                    entries.put(k, v);
                    keys.put(k, merged.keys().get(k));
                  }
                });
      }
      return new YamlNode.Mapping(
          java.util.Collections.unmodifiableMap(entries),
          java.util.Collections.unmodifiableMap(keys),
          line,
          column);
    } finally {
      visiting.remove(node);
    }
  }

  private void collectMerges(YamlNode value, List<YamlNode.Mapping> merges) {
    if (value instanceof YamlNode.Mapping m) {
      merges.add(m);
    } else if (value instanceof YamlNode.Sequence s) {
      for (YamlNode item : s.items()) {
        if (item instanceof YamlNode.Mapping m) {
          merges.add(m);
        } else {
          problems.error(item.line(), item.column(), "<<", "a merge key takes mappings only");
        }
      }
    } else {
      problems.error(value.line(), value.column(), "<<", "a merge key takes a mapping");
    }
  }
}
